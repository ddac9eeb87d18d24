import { sql } from 'kysely';
import type { Store } from '../store/open-store.js';
import { type CaptureFilter, newestLast, selectCaptures } from './captures.js';

/*
 * Series: what one process looked like capture after capture. The store keeps raw values per
 * capture; rates and trends are derived here, when read (pssql trend, the over-time reports).
 */

/** Where a point of a series stands: its capture, process instance and time. */
export interface SeriesPoint {
  capture_id: number;
  /** The process instance: a pid that restarts starts a new instance, and a new series. */
  instance_id: number;
  /** 1, 2, 3... within the instance. */
  seq: number;
  pid: number;
  name: string | null;
  started_at_us: number;
}

/** The columns of a {@link SeriesPoint}, from the captures (c) and processes (p) of selectCaptures. */
const POINT_COLUMNS = ['c.capture_id', 'c.instance_id', 'c.seq', 'c.pid', 'p.name', 'c.started_at_us'] as const;

/** One capture of a process: its entry counts and memory. */
export interface ProcessPoint extends SeriesPoint {
  /** NULL when the capture did not take threads (and so for handles and regions). */
  threads: number | null;
  handles: number | null;
  regions: number | null;
  virtual_size_bytes: number | null;
  /** Resident set (Linux RSS, Windows working set). */
  working_set_size_bytes: number | null;
  private_usage_bytes: number | null;
  pagefile_usage_bytes: number | null;
  page_fault_count: number | null;
  kernel_time_us: number | null;
  user_time_us: number | null;
}

/** The handles of one type in one capture. */
export interface HandleTypePoint extends SeriesPoint {
  type_name: string;
  /** 0 when the type appears in other captures of the instance only; NULL when handles were not captured. */
  handle_count: number | null;
}

/** The regions of one memory type (image, mapped, private) in one capture. */
export interface RegionTypePoint extends SeriesPoint {
  /** `image`, `mapped` or `private` (mem_type_name of the region type). */
  type_name: string;
  /** 0 when the type appears in other captures of the instance only; NULL when regions were not captured. */
  region_count: number | null;
  /** Committed bytes of the type (reserved and free regions excluded). */
  committed_bytes: number | null;
  /** Resident bytes (Linux smaps Rss): NULL unless captured with details. */
  resident_bytes: number | null;
}

/**
 * The captures of a process oldest first, with thread, handle and region counts and memory: one
 * point per capture. `filter.limit` keeps the newest points.
 *
 * @example
 * for (const p of await processSeries(store, { pid: 1234 })) console.log(p.started_at_us, p.handles, p.working_set_size_bytes)
 */
export async function processSeries(store: Store, filter: CaptureFilter = {}): Promise<ProcessPoint[]> {
  const query = selectCaptures(store, filter).select([
    ...POINT_COLUMNS,
    'c.thread_count as threads',
    'c.handle_count as handles',
    'c.region_count as regions',
    'p.virtual_size_bytes',
    'p.working_set_size_bytes',
    'p.private_usage_bytes',
    'p.pagefile_usage_bytes',
    'p.page_fault_count',
    'p.kernel_time_us',
    'p.user_time_us',
  ]);
  return newestLast(query, filter.limit);
}

/**
 * Handle counts per type per capture, oldest first, types in name order. Every type seen in a
 * process instance has a point in each of its captures (0 where it had none), so a series of
 * one type has no gaps.
 *
 * @example
 * const files = (await handleTypeSeries(store, { name: 'nginx' })).filter((p) => p.type_name === 'File')
 */
export async function handleTypeSeries(store: Store, filter: CaptureFilter = {}): Promise<HandleTypePoint[]> {
  const points = await seriesPoints(store, filter, 'c.handle_count');
  if (points.length === 0) return [];
  const counts = await selectCaptures(store, filter)
    .where('c.capture_id', '>=', firstId(points))
    .innerJoin('handles as h', 'h.capture_id', 'c.capture_id')
    .select(['c.capture_id', sql<string>`coalesce(h.type_name, object_type_name(h.object_type))`.as('type_name')])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy(['c.capture_id', 'type_name'])
    .execute();
  return fillSeries(
    points,
    counts,
    (point, row): HandleTypePoint => ({ ...point, type_name: row.type_name, handle_count: row.n }),
    (point, typeName, captured) => ({ ...point, type_name: typeName, handle_count: captured ? 0 : null }),
  );
}

/**
 * Region counts and committed bytes per memory type (image, mapped, private) per capture, oldest
 * first, without gaps like {@link handleTypeSeries}.
 *
 * @example
 * const priv = (await regionTypeSeries(store, { pid })).filter((p) => p.type_name === 'private')
 */
export async function regionTypeSeries(store: Store, filter: CaptureFilter = {}): Promise<RegionTypePoint[]> {
  const points = await seriesPoints(store, filter, 'c.region_count');
  if (points.length === 0) return [];
  const rows = await selectCaptures(store, filter)
    .where('c.capture_id', '>=', firstId(points))
    .innerJoin('regions as r', 'r.capture_id', 'c.capture_id')
    .where('r.state', '!=', MEM_FREE)
    .select(['c.capture_id', sql<string>`coalesce(mem_type_name(r.type), 'none')`.as('type_name')])
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      sql<number>`total(CASE WHEN r.state = ${MEM_COMMIT} THEN r.region_size_bytes END)`.as('committed'),
      eb.fn.sum<number | null>('r.resident_bytes').as('resident'),
    ])
    .groupBy(['c.capture_id', 'type_name'])
    .execute();
  return fillSeries(
    points,
    rows,
    (point, row): RegionTypePoint => ({ ...point, type_name: row.type_name, region_count: row.n, committed_bytes: row.committed, resident_bytes: row.resident }),
    (point, typeName, captured) => ({
      ...point,
      type_name: typeName,
      region_count: captured ? 0 : null,
      committed_bytes: captured ? 0 : null,
      resident_bytes: null,
    }),
  );
}

const MEM_COMMIT = 0x1000;
const MEM_FREE = 0x10000;

type CountedPoint = SeriesPoint & { counted: number | null };

/** The points of a series, each with the capture's count of the entries the series is about. */
async function seriesPoints(store: Store, filter: CaptureFilter, counted: 'c.handle_count' | 'c.region_count'): Promise<CountedPoint[]> {
  const query = selectCaptures(store, filter).select([...POINT_COLUMNS, `${counted} as counted`]);
  return newestLast(query, filter.limit);
}

const firstId = (points: readonly CountedPoint[]): number => (points[0] as CountedPoint).capture_id;

/**
 * One point per capture per type seen in its process instance: `found` for the types the capture
 * has, `missing` for the others (`captured` false when the capture did not take such entries).
 */
function fillSeries<Row extends { capture_id: number; type_name: string }, Point>(
  points: readonly CountedPoint[],
  rows: readonly Row[],
  found: (point: SeriesPoint, row: Row) => Point,
  missing: (point: SeriesPoint, typeName: string, captured: boolean) => Point,
): Point[] {
  const byCapture = new Map<number, Map<string, Row>>();
  for (const row of rows) {
    let types = byCapture.get(row.capture_id);
    if (types === undefined) byCapture.set(row.capture_id, (types = new Map()));
    types.set(row.type_name, row);
  }
  const typesByInstance = new Map<number, Set<string>>();
  for (const point of points) {
    let types = typesByInstance.get(point.instance_id);
    if (types === undefined) typesByInstance.set(point.instance_id, (types = new Set()));
    for (const typeName of byCapture.get(point.capture_id)?.keys() ?? []) types.add(typeName);
  }
  const out: Point[] = [];
  for (const { counted, ...point } of points) {
    const types = [...(typesByInstance.get(point.instance_id) ?? [])].sort();
    const present = byCapture.get(point.capture_id);
    for (const typeName of types) {
      const row = present?.get(typeName);
      out.push(row === undefined ? missing(point, typeName, counted !== null) : found(point, row));
    }
  }
  return out;
}
