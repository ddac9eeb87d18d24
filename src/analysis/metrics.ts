import type { Store } from '../store/open-store.js';

/*
 * The latest capture of each recorded process as Prometheus metrics (the text exposition format
 * 0.0.4, which Prometheus scrapes and node_exporter's textfile collector reads). Labels are few
 * on purpose: host, pid and name, and the handle type; never a file name, so the number of
 * series follows the number of processes, not of their files.
 */

/** Which processes: those whose latest capture started in a time range, of a pid or a name part. */
export interface MetricsFilter {
  pid?: number;
  name?: string;
  sinceUs?: number;
  untilUs?: number;
}

interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Sample[];
}

interface LatestRow {
  capture_id: number;
  host: string;
  pid: number;
  name: string | null;
  container: string | null;
  started_at_us: number;
  duration_us: number;
  thread_count: number | null;
  handle_count: number | null;
  region_count: number | null;
  skipped_count: number;
  denied_count: number;
  working_set_size_bytes: number | null;
  private_usage_bytes: number | null;
  virtual_size_bytes: number | null;
  user_time_us: number | null;
  kernel_time_us: number | null;
  create_time_us: number | null;
  capture_cpu_us: number | null;
}

/** The latest capture of each (host, pid) the filter selects, with its process information. */
function latestCaptures(store: Store, filter: MetricsFilter): LatestRow[] {
  const where: string[] = [];
  const values: Record<string, unknown> = {};
  if (filter.pid !== undefined) {
    where.push('c.pid = :pid');
    values.pid = filter.pid;
  }
  if (filter.sinceUs !== undefined) {
    where.push('c.started_at_us >= :since');
    values.since = filter.sinceUs;
  }
  if (filter.untilUs !== undefined) {
    where.push('c.started_at_us <= :until');
    values.until = filter.untilUs;
  }
  if (filter.name !== undefined) {
    where.push("(p.name LIKE '%' || :name || '%' OR p.image_file_name LIKE '%' || :name || '%')");
    values.name = filter.name;
  }
  const sql = `
    SELECT c.capture_id, c.host, c.pid, p.name, p.container, c.started_at_us, c.duration_us, c.thread_count, c.handle_count, c.region_count,
      c.skipped_count, c.denied_count, p.working_set_size_bytes, p.private_usage_bytes, p.virtual_size_bytes,
      p.user_time_us, p.kernel_time_us, p.create_time_us,
      (SELECT pc.cpu_time_us FROM performance_counters AS pc WHERE pc.capture_id = c.capture_id AND pc.phase = 'total') AS capture_cpu_us
    FROM captures AS c
    JOIN processes AS p ON p.capture_id = c.capture_id
    WHERE c.capture_id IN (
      SELECT max(c.capture_id) FROM captures AS c JOIN processes AS p ON p.capture_id = c.capture_id
      ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
      GROUP BY c.host, c.pid
    )
    ORDER BY c.host, c.pid`;
  const reader = store.reader<LatestRow>(sql);
  return Object.keys(values).length === 0 ? reader.all() : reader.all(values);
}

/** Handles per type in the captures given. */
function handleTypes(store: Store, captureIds: readonly number[]): Map<number, { type: string; n: number }[]> {
  const byCapture = new Map<number, { type: string; n: number }[]>();
  if (captureIds.length === 0) return byCapture;
  const reader = store.reader<{ capture_id: number; type: string; n: number }>(
    `SELECT capture_id, coalesce(type_name, object_type_name(object_type)) AS type, count(*) AS n FROM handles
     WHERE capture_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  for (const row of reader.all(JSON.stringify(captureIds))) {
    const list = byCapture.get(row.capture_id) ?? [];
    list.push({ type: row.type, n: row.n });
    byCapture.set(row.capture_id, list);
  }
  return byCapture;
}

/** A label value in the text format: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** A number as the text format writes it. */
function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    lines.push(`# HELP ${f.name} ${f.help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      lines.push(`${f.name}{${labels.join(',')}} ${sampleValue(s.value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * The metrics of the latest capture of each process in a recording, as Prometheus text: handles
 * by type, threads, regions, memory (working set, private, virtual), CPU time by mode, when the
 * process started, and what the capture cost and when it was taken. Each series is labelled
 * `host`, `pid` and `name` (and `type`, `mode` where they apply).
 *
 * @example
 * fs.writeFileSync('/var/lib/node_exporter/pssql.prom', prometheusMetrics(store, { sinceUs: Date.now() * 1000 - 600e6 }))
 */
export function prometheusMetrics(store: Store, filter: MetricsFilter = {}): string {
  const latest = latestCaptures(store, filter);
  const types = handleTypes(store, latest.map((c) => c.capture_id));
  const family = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, samples: [] });
  const handles = family('pssql_process_handles', 'gauge', 'Open handles (file descriptors on Linux) of the process in its latest capture, by type.');
  const threads = family('pssql_process_threads', 'gauge', 'Threads of the process in its latest capture.');
  const regions = family('pssql_process_regions', 'gauge', 'Memory regions (mappings) of the process in its latest capture.');
  const workingSet = family('pssql_process_working_set_bytes', 'gauge', 'Resident memory (working set) of the process in its latest capture.');
  const privateBytes = family('pssql_process_private_bytes', 'gauge', 'Private memory of the process in its latest capture.');
  const virtualBytes = family('pssql_process_virtual_bytes', 'gauge', 'Virtual size of the process in its latest capture.');
  const cpu = family('pssql_process_cpu_seconds_total', 'counter', 'CPU time the process had used at its latest capture, by mode (user, kernel).');
  const start = family('pssql_process_start_time_seconds', 'gauge', 'When the process started, in seconds since the Unix epoch.');
  const captureTime = family('pssql_capture_timestamp_seconds', 'gauge', 'When the latest capture of the process was taken, in seconds since the Unix epoch.');
  const captureCost = family('pssql_capture_duration_seconds', 'gauge', 'Wall-clock time the latest capture of the process took.');
  const captureCpu = family('pssql_capture_cpu_seconds', 'gauge', 'CPU time the capturing process spent on the latest capture (Linux).');
  const skipped = family('pssql_capture_skipped_entries', 'gauge', 'Threads, handles or regions that vanished while the latest capture read them.');
  const denied = family('pssql_capture_denied_fields', 'gauge', 'Fields the latest capture could not read for want of privilege.');
  const add = (f: Family, labels: Record<string, string>, value: number | null): void => {
    if (value !== null) f.samples.push({ labels, value });
  };
  for (const c of latest) {
    // A process in a container is labelled with it (its id, as its cgroup names it): one label value per container.
    const labels: Record<string, string> = { host: c.host, pid: String(c.pid), name: c.name ?? '', ...(c.container === null ? {} : { container: c.container }) };
    for (const t of types.get(c.capture_id) ?? []) add(handles, { ...labels, type: t.type }, t.n);
    add(threads, labels, c.thread_count);
    add(regions, labels, c.region_count);
    add(workingSet, labels, c.working_set_size_bytes);
    add(privateBytes, labels, c.private_usage_bytes);
    add(virtualBytes, labels, c.virtual_size_bytes);
    add(cpu, { ...labels, mode: 'user' }, c.user_time_us === null ? null : c.user_time_us / 1e6);
    add(cpu, { ...labels, mode: 'kernel' }, c.kernel_time_us === null ? null : c.kernel_time_us / 1e6);
    add(start, labels, c.create_time_us === null ? null : c.create_time_us / 1e6);
    add(captureTime, labels, c.started_at_us / 1e6);
    add(captureCost, labels, c.duration_us / 1e6);
    add(captureCpu, labels, c.capture_cpu_us === null ? null : c.capture_cpu_us / 1e6);
    add(skipped, labels, c.skipped_count);
    add(denied, labels, c.denied_count);
  }
  return render([handles, threads, regions, workingSet, privateBytes, virtualBytes, cpu, start, captureTime, captureCost, captureCpu, skipped, denied]);
}
