import type { ReadStore } from '../store/read-store.js';
import { type CaptureFilter, checkLimit, newestLast, selectCaptures } from './captures.js';
import { findReport, loadReports } from './report-catalog.js';
import { runReport } from './run-report.js';

/*
 * Series: what one process looked like capture after capture. The store keeps raw values per
 * capture; rates and trends are derived when read (pssql trend, the over-time reports). The
 * per-type series are the built-in reports handles-over-time and regions-over-time, typed: their
 * SQL is the one implementation, for the CLI and the library alike.
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

/** One capture of a process: its entry counts and memory. */
export interface ProcessPoint extends SeriesPoint {
  /** The host it was captured on (a store that recordings were pushed into holds many). */
  host: string;
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
export async function processSeries(store: ReadStore, filter: CaptureFilter = {}): Promise<ProcessPoint[]> {
  const query = selectCaptures(store, filter).select([
    'c.capture_id',
    'c.instance_id',
    'c.seq',
    'c.pid',
    'p.name',
    'c.started_at_us',
    'c.host',
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
 * one type has no gaps. (The built-in report handles-over-time.)
 *
 * @example
 * const files = (await handleTypeSeries(store, { name: 'nginx' })).filter((p) => p.type_name === 'File')
 */
export async function handleTypeSeries(store: ReadStore, filter: CaptureFilter = {}): Promise<HandleTypePoint[]> {
  return builtInSeries<HandleTypePoint>(store, 'handles-over-time', filter);
}

/**
 * Region counts, committed and resident bytes per memory type (image, mapped, private) per
 * capture, oldest first, without gaps like {@link handleTypeSeries}. (The built-in report
 * regions-over-time.)
 *
 * @example
 * const priv = (await regionTypeSeries(store, { pid })).filter((p) => p.type_name === 'private')
 */
export async function regionTypeSeries(store: ReadStore, filter: CaptureFilter = {}): Promise<RegionTypePoint[]> {
  return builtInSeries<RegionTypePoint>(store, 'regions-over-time', filter);
}

/** The rows of a built-in over-time report, its parameters from a capture filter. */
async function builtInSeries<Row>(store: ReadStore, report: string, filter: CaptureFilter): Promise<Row[]> {
  checkLimit(filter.limit);
  const values = { pid: filter.pid, name: filter.name, since: filter.sinceUs, until: filter.untilUs, last: filter.limit, host: filter.host, recording: filter.recording };
  return (await runReport<Row>(store, findReport(loadReports(), report), values)).rows;
}
