import type { Kysely, Selectable } from 'kysely';
import { kyselyOf } from '../store/kysely.js';
import { openStore } from '../store/open-store.js';
import { isDatabaseUrl } from '../store/postgres/connection-url.js';
import { DeferredPostgresStore } from '../store/postgres/deferred-store.js';
import type { ReadStore } from '../store/read-store.js';
import type { Database } from '../store/schema.js';
import {
  type CaptureFilter,
  type CaptureScope,
  type CaptureSummary,
  captureEntries,
  type EntryKind,
  getCapture,
  latestCapture,
  listCaptures,
} from './captures.js';
import { resolveCaptureRef } from './capture-ref.js';
import { type QueryResult, queryReadOnly } from './read-only-query.js';
import { findReport, loadReportCatalog, type ReportCatalog } from './report-catalog.js';
import type { ReportDefinition } from './report-definition.js';
import { runReport } from './run-report.js';
import { type HandleTypePoint, handleTypeSeries, type ProcessPoint, processSeries, type RegionTypePoint, regionTypeSeries } from './series.js';

/** How a capture is named: its id, or `'latest'`, `'first'`, `'latest-N'`, each optionally after `PID@` or `NAME@` (`'nginx@latest'`). */
export type CaptureRef = number | string;

/** Options of {@link openRecording}. */
export interface RecordingOptions {
  /** Directories of the user's own saved reports (`.sql` files with a report header). */
  queries?: string | readonly string[];
  /** How long to wait for a recorder that holds the file, ms (default 60 000). */
  busyTimeoutMs?: number;
  /** In a store of several recordings: only the captures of this host or recording (`latest` is theirs). */
  scope?: CaptureScope;
}

/**
 * A recording opened read-only for analysis: the typed Kysely query builder, the helpers the CLI
 * uses, saved reports and read-only SQL. Close it when done.
 */
export interface Recording {
  readonly path: string;
  /**
   * The open store: for a file, the SQLite `Store` (better-sqlite3 connection in `store.db`;
   * `store.reader(sql)` reads u64 as bigint); for a postgres:// URL, a PostgreSQL store.
   */
  readonly store: ReadStore;
  /** Typed queries over every table and view: u64 columns (addresses, masks) come back as bigint. */
  readonly db: Kysely<Database>;
  /** Captures oldest first, of a pid or a process name / image path substring. */
  captures(filter?: CaptureFilter): Promise<CaptureSummary[]>;
  /** The newest capture (of a pid or name), or undefined when there is none. */
  latestCapture(filter?: Omit<CaptureFilter, 'limit'>): Promise<CaptureSummary | undefined>;
  /** The capture row of an id or `latest`, `first`, `latest-N`, also of one process: `'nginx@latest'`, `'1234@first'`. */
  capture(ref: CaptureRef): Promise<Selectable<Database['captures']>>;
  /** Every thread, handle or region of a capture, typed by its view. */
  entries<K extends EntryKind>(capture: CaptureRef, kind: K): Promise<Selectable<Database[K]>[]>;
  /** One point per capture of a process: counts and memory. */
  processSeries(filter?: CaptureFilter): Promise<ProcessPoint[]>;
  /** Handle counts per type per capture of a process, without gaps. */
  handleTypeSeries(filter?: CaptureFilter): Promise<HandleTypePoint[]>;
  /** Region counts and committed bytes per memory type per capture of a process. */
  regionTypeSeries(filter?: CaptureFilter): Promise<RegionTypePoint[]>;
  /** The saved reports: built-in and the user's own. */
  reports(): ReportDefinition[];
  /** Runs a saved report read-only with its parameters (text or typed values) bound. */
  report<Row = Record<string, unknown>>(name: string, params?: Readonly<Record<string, unknown>>): Promise<QueryResult<Row>>;
  /** Runs one read-only SQL statement with named parameters bound; a statement that would write is refused. */
  query<Row = Record<string, unknown>>(sql: string, params?: Readonly<Record<string, unknown>>): Promise<QueryResult<Row>>;
  /** Closes the store (a PostgreSQL store's connections settle with the promise). */
  close(): Promise<void>;
}

/**
 * Opens a recording read-only for analysis: a recording file, or a store of many recordings in
 * PostgreSQL (`postgres://user@host/database`), which answers the same. A PostgreSQL store
 * connects on first use; a failure to connect is the error of that use.
 *
 * @example
 * const rec = openRecording('pssql.db')
 * try {
 *   const latest = await rec.capture('latest')
 *   const regions = await rec.db.selectFrom('regions').select(['base_address', 'region_size_bytes'])
 *     .where('capture_id', '=', latest.capture_id).execute()   // base_address: bigint
 *   const { rows } = await rec.report('handles-by-type', { capture: latest.capture_id })
 * } finally { rec.close() }
 */
export function openRecording(path: string, options: RecordingOptions = {}): Recording {
  const directories = options.queries === undefined ? [] : typeof options.queries === 'string' ? [options.queries] : [...options.queries];
  const store: ReadStore = isDatabaseUrl(path)
    ? new DeferredPostgresStore(path)
    : openStore(path, { readonly: true, ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }) });
  const scope = options.scope ?? {};
  // A wrong file among the user's reports makes only that report fail, when it is run.
  let catalog: ReportCatalog | undefined;
  const reportCatalog = (): ReportCatalog => (catalog ??= loadReportCatalog(directories));
  const captureId = async (ref: CaptureRef): Promise<number> => resolveCaptureRef(store, ref, scope);
  return {
    path: store.path,
    store,
    db: kyselyOf(store),
    captures: (filter) => listCaptures(store, { ...scope, ...filter }),
    latestCapture: (filter) => latestCapture(store, { ...scope, ...filter }),
    capture: async (ref) => getCapture(store, await captureId(ref), scope),
    entries: async (capture, kind) => captureEntries(store, await captureId(capture), kind),
    processSeries: (filter) => processSeries(store, { ...scope, ...filter }),
    handleTypeSeries: (filter) => handleTypeSeries(store, { ...scope, ...filter }),
    regionTypeSeries: (filter) => regionTypeSeries(store, { ...scope, ...filter }),
    reports: () => [...reportCatalog().reports],
    report: async (name, params) => runReport(store, findReport(reportCatalog().reports, name, reportCatalog().problems), params, scope),
    query: async (sql, params) => queryReadOnly(store, sql, params),
    close: async () => store.close(),
  };
}
