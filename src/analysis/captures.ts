import { type Selectable, sql } from 'kysely';
import { PssError } from '../pss/pss-error.js';
import { type EntryKind, entryKind } from '../store/entry-kinds.js';
import { kyselyOf } from '../store/kysely.js';
import type { ReadStore } from '../store/read-store.js';
import type { Database } from '../store/schema.js';

/** One line of `pssql list`: a capture with its process and counts. */
export interface CaptureSummary {
  capture_id: number;
  /** The process instance (a pid with its creation time): its captures form one series. */
  instance_id: number;
  /** 1, 2, 3... within the process instance. */
  seq: number;
  started_at_us: number;
  pid: number;
  name: string | null;
  threads: number | null;
  handles: number | null;
  regions: number | null;
  working_set_size_bytes: number | null;
  private_usage_bytes: number | null;
  skipped: number;
  denied: number;
  duration_us: number;
  label: string | null;
}

/**
 * Which recordings' captures, in a store that holds several (a central store, or a file that
 * recordings were pushed into): of a host, of a recording (its id, or the start of it).
 */
export interface CaptureScope {
  host?: string;
  recording?: string;
}

/**
 * Which captures: of a pid, of a process name or image path (substring, ASCII case ignored),
 * started within a time range (µs since the Unix epoch, inclusive), of a host or recording, at
 * most `limit` (the newest).
 */
export interface CaptureFilter extends CaptureScope {
  pid?: number;
  name?: string;
  sinceUs?: number;
  untilUs?: number;
  limit?: number;
}

/** The captures of a scope, as a condition on `captures` (aliased `alias`), SQL both dialects accept. */
export function scopeCondition(scope: CaptureScope, alias: string) {
  const conditions = [];
  if (scope.host !== undefined) conditions.push(sql<boolean>`${sql.ref(`${alias}.host`)} = ${scope.host}`);
  if (scope.recording !== undefined) {
    conditions.push(
      sql<boolean>`${sql.ref(`${alias}.instance_id`)} IN (SELECT i.instance_id FROM process_instances AS i JOIN recordings AS r ON r.recording_key = i.recording_key WHERE r.recording_id LIKE ${`${scope.recording.toLowerCase()}%`})`,
    );
  }
  return conditions;
}

/** `--host NAME` or `--recording ID` as words, for messages: ' of host vm'. */
export function scopeText(scope: CaptureScope): string {
  return [scope.host === undefined ? '' : ` of host ${scope.host}`, scope.recording === undefined ? '' : ` of recording ${scope.recording}`].join('');
}

/**
 * The captures a filter selects, joined with their process information (`c` and `p`), with
 * nothing selected yet: the one place that says what "captures of a process" means.
 */
export function selectCaptures(store: ReadStore, filter: Omit<CaptureFilter, 'limit'> = {}) {
  let query = kyselyOf(store).selectFrom('captures as c').innerJoin('processes as p', 'p.capture_id', 'c.capture_id');
  if (filter.pid !== undefined) query = query.where('c.pid', '=', filter.pid);
  if (filter.name !== undefined) {
    // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not; lower() folds ASCII alike.
    const pattern = sql<string>`lower(${`%${filter.name}%`})`;
    query = query.where((eb) => eb.or([eb(sql`lower(p.name)`, 'like', pattern), eb(sql`lower(p.image_file_name)`, 'like', pattern)]));
  }
  if (filter.sinceUs !== undefined) query = query.where('c.started_at_us', '>=', filter.sinceUs);
  if (filter.untilUs !== undefined) query = query.where('c.started_at_us', '<=', filter.untilUs);
  for (const condition of scopeCondition(filter, 'c')) query = query.where(condition);
  return query;
}

/**
 * Captures in a recording, oldest first, with their process name and counts.
 *
 * @example
 * const captures = await listCaptures(store, { name: 'nginx' })
 */
export async function listCaptures(store: ReadStore, filter: CaptureFilter = {}): Promise<CaptureSummary[]> {
  const query = selectCaptures(store, filter).select([
    'c.capture_id',
    'c.instance_id',
    'c.seq',
    'c.started_at_us',
    'c.pid',
    'p.name',
    'c.thread_count as threads',
    'c.handle_count as handles',
    'c.region_count as regions',
    'p.working_set_size_bytes',
    'p.private_usage_bytes',
    'c.skipped_count as skipped',
    'c.denied_count as denied',
    'c.duration_us',
    'c.label',
  ]);
  return newestLast(query, filter.limit);
}

/** Checks a filter's `limit` at the boundary: a positive integer, or none. */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
    throw new RangeError(`limit must be a positive integer (got ${String(limit)})`);
  }
}

/**
 * Runs a query of captures oldest first; with a limit, only the newest `limit` of them (still
 * oldest first), so that a series ends with the latest capture.
 */
export async function newestLast<Row>(
  query: { orderBy(column: 'c.capture_id', direction?: 'asc' | 'desc'): { limit(n: number): { execute(): Promise<Row[]> }; execute(): Promise<Row[]> } },
  limit: number | undefined,
): Promise<Row[]> {
  if (limit === undefined) return query.orderBy('c.capture_id').execute();
  checkLimit(limit);
  const newest = await query.orderBy('c.capture_id', 'desc').limit(limit).execute();
  return newest.reverse();
}

/** The capture row of an id (within a scope), or a PssError ERROR_NOT_FOUND naming the recording. */
export async function getCapture(store: ReadStore, captureId: number, scope: CaptureScope = {}): Promise<Selectable<Database['captures']>> {
  let query = kyselyOf(store).selectFrom('captures as c').selectAll().where('c.capture_id', '=', captureId);
  for (const condition of scopeCondition(scope, 'c')) query = query.where(condition);
  const row = await query.executeTakeFirst();
  if (row === undefined) {
    throw new PssError('ERROR_NOT_FOUND', `no capture ${captureId}${scopeText(scope)} in ${store.path} (see 'pssql list')`, { path: store.path });
  }
  return row;
}

/** The newest capture (of a pid or name when given), or undefined in an empty recording. */
export async function latestCapture(store: ReadStore, filter: Omit<CaptureFilter, 'limit'> = {}): Promise<CaptureSummary | undefined> {
  const [latest] = await listCaptures(store, { ...filter, limit: 1 });
  return latest;
}

/** How a user names a capture: its id, `latest` (or `last`), `first`, or `latest-N`. */
export const CAPTURE_REF = /^(?:\d+|(latest|last|first)(?:-(\d+))?)$/;

/**
 * Resolves how a user names a capture: its id, `latest` (or `last`), `first`, or `latest-N`
 * (the Nth before the newest).
 */
export async function resolveCapture(store: ReadStore, ref: string | number, scope: CaptureScope = {}): Promise<number> {
  const text = String(ref).trim();
  if (/^\d+$/.test(text)) return (await getCapture(store, Number(text), scope)).capture_id;
  const match = CAPTURE_REF.exec(text);
  if (match === null) {
    throw new PssError('ERROR_INVALID_PARAMETER', `invalid capture '${text}': give a capture id, 'first', 'latest' or 'latest-N'`, {
      option: 'capture',
    });
  }
  const first = match[1] === 'first';
  const back = Number(match[2] ?? 0);
  let query = kyselyOf(store).selectFrom('captures as c').select('c.capture_id');
  for (const condition of scopeCondition(scope, 'c')) query = query.where(condition);
  const row = await query
    .orderBy('c.capture_id', first ? 'asc' : 'desc')
    .limit(1)
    .offset(back)
    .executeTakeFirst();
  if (row === undefined) {
    throw new PssError('ERROR_NOT_FOUND', `no capture '${text}'${scopeText(scope)} in ${store.path} (see 'pssql list')`, { path: store.path });
  }
  return row.capture_id;
}

/**
 * Every entry of a kind in one capture, typed by its view, in key order.
 *
 * @example
 * for (const h of await captureEntries(store, 42, 'handles')) console.log(h.handle_value, h.object_name)
 */
export async function captureEntries<K extends EntryKind>(store: ReadStore, captureId: number, kind: K): Promise<Selectable<Database[K]>[]> {
  const info = entryKind(kind);
  // The typed overloads of Kysely cannot follow a generic table name; the result type is that of the view.
  const rows = await kyselyOf(store)
    .selectFrom(info.view as 'handles')
    .selectAll()
    .where('capture_id', '=', captureId)
    .orderBy(sql.raw(info.orderBy))
    .execute();
  return rows as unknown as Selectable<Database[K]>[];
}

export type { EntryKind } from '../store/entry-kinds.js';

/** One line of `pssql list --hosts`: a host of a recording, with what the store holds of it. */
export interface HostSummary {
  host: string;
  /** The recording's random id (the same in every store it was pushed into). */
  recording_id: string;
  captures: number;
  /** Process instances (a pid with its creation time) captured. */
  processes: number;
  first_started_at_us: number | null;
  last_started_at_us: number | null;
  /** When the recording was last pushed into this store; null for the store's own. */
  pushed_at_us: number | null;
}

/**
 * The hosts and recordings a store holds, by host then recording: one line for a recording file,
 * one per host and recording in a store that recordings were pushed into.
 *
 * @example
 * for (const h of await listHosts(store)) console.log(h.host, h.recording_id, h.captures)
 */
export async function listHosts(store: ReadStore, scope: CaptureScope = {}): Promise<HostSummary[]> {
  let query = kyselyOf(store)
    .selectFrom('captures as c')
    .innerJoin('process_instances as i', 'i.instance_id', 'c.instance_id')
    .innerJoin('recordings as r', 'r.recording_key', 'i.recording_key')
    .select((eb) => [
      'c.host',
      'r.recording_id',
      eb.fn.countAll<number>().as('captures'),
      eb.fn.count<number>('c.instance_id').distinct().as('processes'),
      eb.fn.min('c.started_at_us').as('first_started_at_us'),
      eb.fn.max('c.started_at_us').as('last_started_at_us'),
      eb.fn.max('r.pushed_at_us').as('pushed_at_us'),
    ])
    .groupBy(['c.host', 'r.recording_id'])
    .orderBy('c.host')
    .orderBy('r.recording_id');
  for (const condition of scopeCondition(scope, 'c')) query = query.where(condition);
  return (await query.execute()) as HostSummary[];
}
