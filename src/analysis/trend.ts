import { PssError } from '../pss/pss-error.js';
import { kyselyOf } from '../store/kysely.js';
import type { ReadStore } from '../store/read-store.js';
import type { CaptureFilter } from './captures.js';
import { handleTypeSeries, processSeries, type SeriesPoint } from './series.js';

/** The panels a trend is drawn in: values of one panel share an axis. */
export type TrendPanel = 'handles' | 'threads' | 'regions' | 'memory' | 'virtual';

/** One line of a trend: a value per capture (null where the capture did not take it). */
export interface TrendSeries {
  /** Stable key for scripts: `handles`, `handles.File`, `threads`, `regions`, `working_set_size_bytes`... */
  key: string;
  label: string;
  panel: TrendPanel;
  unit: 'count' | 'bytes';
  values: (number | null)[];
}

/** A process's captures as series, oldest first; see {@link processTrend}. */
export interface ProcessTrend {
  /** The name of the process (of its latest capture). */
  name: string | null;
  /** Its pids, in order: more than one when it was restarted during the recording. */
  pids: number[];
  points: SeriesPoint[];
  series: TrendSeries[];
  /**
   * With a pid: the other processes that had it earlier in the recording (a pid is reused once
   * its process ended), left out: a pid means its latest process.
   */
  otherProcesses: number;
}

/** Which process: a pid, or a name (substring of the short name or the image path), as `pssql list` takes them. */
export type TrendFilter = Pick<CaptureFilter, 'pid' | 'name' | 'sinceUs' | 'untilUs' | 'limit' | 'host' | 'recording'>;

/**
 * The captures of one process as series: handles in all and per type, threads, regions and
 * memory, a value per capture. A name that restarted (one instance after the other) gives one
 * trend across its instances; a name that several processes had at the same time is ambiguous,
 * and the error lists their pids.
 *
 * @example
 * const trend = await processTrend(store, { name: 'nginx' })
 * const files = trend.series.find((s) => s.key === 'handles.File')?.values
 */
export async function processTrend(store: ReadStore, filter: TrendFilter): Promise<ProcessTrend> {
  const selected = await processSeries(store, filter);
  const what = filter.pid === undefined ? `'${filter.name ?? ''}'` : `pid ${filter.pid}`;
  if (selected.length === 0) throw new PssError('ERROR_NOT_FOUND', `no captures of ${what} in ${store.path} (see 'pssql list')`, { path: store.path });
  // Which process the filter means is decided over all the captures it selects, --last aside:
  // its newest few being of one host or one recording does not make the choice for the others.
  const { limit, ...unlimited } = filter;
  const all = limit === undefined ? selected : await processSeries(store, unlimited);
  // Pids and names of different hosts are different processes: a trend is of one host.
  const hosts = [...new Set(all.map((p) => p.host))].sort();
  if (hosts.length > 1) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${what} was recorded on ${hosts.length} hosts (${hosts.join(', ')}): say which with --host`, { option: 'host' });
  }
  // Processes under one name follow one another (a restart); two at the same time are ambiguous,
  // and so are two recordings that hold a pid at the same time (one process recorded twice, or
  // hosts of one name). In one recording a pid holds one process at a time.
  await checkOneAtATime(store, all, what, filter.pid !== undefined);
  // A pid is its latest process: an earlier one under the same pid is another process.
  const latest = all[all.length - 1]?.instance_id;
  const points = filter.pid === undefined ? selected : selected.filter((p) => p.instance_id === latest);
  const otherProcesses = filter.pid === undefined ? 0 : new Set(all.map((p) => p.instance_id)).size - 1;

  const index = new Map(points.map((p, i) => [p.capture_id, i]));
  const byType = new Map<string, (number | null)[]>();
  // The same filter selects the same captures; a type missing from a capture counts 0 there.
  for (const p of await handleTypeSeries(store, filter)) {
    const i = index.get(p.capture_id);
    if (i === undefined) continue;
    let values = byType.get(p.type_name);
    if (values === undefined) byType.set(p.type_name, (values = points.map((q) => (q.handles === null ? null : 0))));
    values[i] = p.handle_count;
  }
  const last = (values: readonly (number | null)[]) => values[values.length - 1] ?? 0;
  const types = [...byType.entries()].sort(([x, a], [y, b]) => last(b) - last(a) || x.localeCompare(y));

  const series: TrendSeries[] = [
    { key: 'handles', label: 'all handles', panel: 'handles', unit: 'count', values: points.map((p) => p.handles) },
    ...types.map(([type, values]): TrendSeries => ({ key: `handles.${type}`, label: type, panel: 'handles', unit: 'count', values })),
    { key: 'threads', label: 'threads', panel: 'threads', unit: 'count', values: points.map((p) => p.threads) },
    { key: 'regions', label: 'regions', panel: 'regions', unit: 'count', values: points.map((p) => p.regions) },
    { key: 'working_set_size_bytes', label: 'working set', panel: 'memory', unit: 'bytes', values: points.map((p) => p.working_set_size_bytes) },
    { key: 'private_usage_bytes', label: 'private', panel: 'memory', unit: 'bytes', values: points.map((p) => p.private_usage_bytes) },
    { key: 'virtual_size_bytes', label: 'virtual', panel: 'virtual', unit: 'bytes', values: points.map((p) => p.virtual_size_bytes) },
  ];
  const pids: number[] = [];
  for (const p of points) if (pids[pids.length - 1] !== p.pid) pids.push(p.pid);
  return {
    name: points[points.length - 1]?.name ?? null,
    pids,
    points: points.map(({ capture_id, instance_id, seq, pid, name, started_at_us }) => ({ capture_id, instance_id, seq, pid, name, started_at_us })),
    series: series.filter((s) => s.values.some((v) => v !== null)),
    otherProcesses,
  };
}

/**
 * Refuses a selection of processes that ran at the same time: their points would interleave into
 * nonsense. Two ran at the same time when their captures overlap in time, or when one was
 * created clearly before the other's last capture. Clearly: Linux derives creation times from
 * the boot time in whole seconds, so a process started just after another's last capture (a
 * restart) may seem to have been created up to a second before it. Two such processes of two
 * recordings are told apart with --recording; of one recording, with a pid (`onePid`: the pid
 * was given, and only two recordings are refused).
 */
const CREATE_TIME_SLACK_US = 1_000_000;

async function checkOneAtATime(store: ReadStore, points: readonly SeriesPoint[], what: string, onePid: boolean): Promise<void> {
  const spans = new Map<number, { pid: number; name: string | null; first: number; last: number; captures: number; created: number | null; recording: string }>();
  for (const p of points) {
    const span = spans.get(p.instance_id);
    if (span === undefined) spans.set(p.instance_id, { pid: p.pid, name: p.name, first: p.started_at_us, last: p.started_at_us, captures: 1, created: null, recording: '' });
    else {
      span.last = p.started_at_us;
      span.captures++;
    }
  }
  if (spans.size < 2) return;
  const created = await kyselyOf(store)
    .selectFrom('process_instances as i')
    .innerJoin('recordings as r', 'r.recording_key', 'i.recording_key')
    .select(['i.instance_id', 'i.create_time_us', 'r.recording_id'])
    .where('i.instance_id', 'in', [...spans.keys()])
    .execute();
  for (const row of created) Object.assign(spans.get(row.instance_id) as object, { created: row.create_time_us, recording: row.recording_id });
  const ordered = [...spans.values()].sort((a, b) => a.first - b.first);
  for (let i = 1; i < ordered.length; i++) {
    const previous = ordered[i - 1] as (typeof ordered)[number];
    const current = ordered[i] as (typeof ordered)[number];
    if (current.first <= previous.last || (current.created !== null && current.created < previous.last - CREATE_TIME_SLACK_US)) {
      if (current.recording !== previous.recording) {
        // Of two recordings (pushed into one store): the same process recorded twice, or two hosts of one name.
        const ids = [...new Set(ordered.map((s) => s.recording))].sort();
        throw new PssError('ERROR_INVALID_PARAMETER', `${what} was recorded at the same time in ${ids.length} recordings (${ids.join(', ')}): say which with --recording`, {
          option: 'recording',
        });
      }
      // A pid's processes of one recording came one after the other, whatever their times say
      // (a clock stepped back): its latest is the one shown.
      if (onePid) continue;
      const list = ordered.map((s) => `${s.pid}${s.name === null ? '' : ` (${s.name})`}: ${s.captures} captures`).join(', ');
      throw new PssError('ERROR_INVALID_PARAMETER', `${what} names ${ordered.length} processes recorded at the same time (${list}): give one pid`, {
        option: 'process',
      });
    }
  }
}
