import { type RawBuilder, sql } from 'kysely';
import { decodeBytes } from '../pss/byte-string.js';
import { WalkClass } from '../pss/information-class.js';
import { type EntrySource, entrySource, MemorySnapshot, type SnapshotData } from '../pss/memory-snapshot.js';
import { PssError } from '../pss/pss-error.js';
import { PERFORMANCE_PHASES, type PerformanceCounters, type PhaseCounters, type ProcessInformation } from '../pss/query-records.js';
import type { CaptureInfo, Snapshot } from '../pss/snapshot.js';
import type { AuxiliaryPageEntry, ThreadEntry, ThreadNameEntry } from '../pss/walk-entries.js';
import { ENTRY_KINDS, type EntryKindInfo, qualifiedOrder } from './entry-kinds.js';
import { partRowsOf } from './entry-versions.js';
import { kyselyOf } from './kysely.js';
import type { Store } from './open-store.js';
import { PHASE_NAMES } from './phase-names.js';
import type { ReadStore } from './read-store.js';
import { type CodecContext, decodeParts, partTablesOf, rowCodec } from './row-codec.js';
import { TABLES, type TableName } from './schema.js';

type Row = Record<string, unknown>;

/** The entries of one kind in one capture, in key order, decoded lazily on the first walk. */
function versionSource(store: Store, kind: EntryKindInfo, capture: Row, context: CodecContext): EntrySource<object> | undefined {
  const count = capture[kind.countColumn] as number | null;
  if (count === null) return undefined;
  return {
    count,
    load() {
      const codec = rowCodec(kind.table);
      const parts = partTablesOf(kind.table);
      const where = 'v.instance_id = ? AND v.first_seq <= ? AND (v.last_seq IS NULL OR v.last_seq >= ?)';
      const params = [capture.instance_id, capture.seq, capture.seq];
      const partRows = parts.length === 0 ? null : partRowsOf(store, kind, parts, where, params);
      return store
        .reader(`SELECT v.* FROM ${kind.table} AS v WHERE ${where} ORDER BY ${qualifiedOrder(kind, 'v')}, v.${kind.idColumn}`)
        .all(...params)
        .map((row) => codec.decode<object>(row, context, partRows === null ? {} : decodeParts(parts, partRows.get(row[kind.idColumn] as number), context)));
    },
  };
}

function decodePerformance(rows: readonly Row[], context: CodecContext): PerformanceCounters | null {
  if (rows.length === 0) return null;
  const codec = rowCodec('performance_counters');
  const byName = new Map(rows.map((r) => [r.phase as string, r]));
  const counters = {} as PerformanceCounters;
  for (const phase of PERFORMANCE_PHASES) {
    const row = byName.get(PHASE_NAMES[phase]);
    // A phase not stored did not run.
    counters[phase] = row === undefined ? { cycleCount: null, wallClockUs: 0, cpuTimeUs: null } : codec.decode<PhaseCounters>(row, context);
  }
  return counters;
}

/**
 * Opens a recorded capture as a {@link Snapshot}: the same query, walk and marker behaviour as
 * the live one, with no live process. Entries are read from the database on the first walk of
 * their class; walks list them in key order (thread id, handle value, base address).
 *
 * @example
 * const snapshot = openStoredSnapshot(store, 42)
 * for (const h of snapshot.entries(WalkClass.Handles)) console.log(h.handle, h.objectName)
 */
export function openStoredSnapshot(store: Store, captureId: number): Snapshot {
  if (!Number.isSafeInteger(captureId) || captureId <= 0) {
    throw new RangeError(`captureId must be a positive integer (got ${String(captureId)})`);
  }
  const capture = store.reader('SELECT * FROM captures WHERE capture_id = ?').get(captureId);
  if (capture === undefined) {
    throw new PssError('ERROR_NOT_FOUND', `no capture ${captureId} in ${store.path} (see 'pssql list')`, { path: store.path });
  }
  const processRow = store.reader('SELECT * FROM process_info WHERE capture_id = ?').get(captureId);
  if (processRow === undefined) {
    throw new PssError('ERROR_INVALID_DATA', `capture ${captureId} in ${store.path} has no process information`, { path: store.path });
  }
  const strings = store.strings();
  const context: CodecContext = { strings, startUs: capture.started_at_us as number };

  const walks: SnapshotData['walks'] = {};
  for (const kind of ENTRY_KINDS) {
    const source = versionSource(store, kind, capture, context);
    if (source !== undefined) (walks as Record<number, EntrySource<object>>)[kind.walk] = source;
  }
  const threadNameCount = capture.thread_name_count as number | null;
  if (threadNameCount !== null) {
    walks[WalkClass.ThreadName] = {
      count: threadNameCount,
      load(): ThreadNameEntry[] {
        const codec = rowCodec('thread_names');
        const rows = store.reader('SELECT * FROM thread_names WHERE capture_id = ? ORDER BY ord').all(captureId);
        if (rows.length > 0) return rows.map((r) => codec.decode<ThreadNameEntry>(r, context));
        // Not stored: the names are those of the threads, in walk order.
        return ((walks[WalkClass.Threads]?.load() ?? []) as ThreadEntry[]).map((t) => ({ threadName: t.name ?? '' }));
      },
    };
  }
  const auxCount = capture.aux_page_count as number | null;
  if (auxCount !== null) {
    walks[WalkClass.AuxiliaryPages] = {
      count: auxCount,
      load(): AuxiliaryPageEntry[] {
        const codec = rowCodec('auxiliary_pages');
        return store
          .reader('SELECT * FROM auxiliary_pages WHERE capture_id = ? ORDER BY ord')
          .all(captureId)
          .map((r) => codec.decode<AuxiliaryPageEntry>(r, context));
      },
    };
  }

  return snapshotOf(capture, processRow, store.reader('SELECT * FROM performance_counters WHERE capture_id = ?').all(captureId), context, walks);
}

/** The texts of the strings a capture's rows use, read once: a decoder's strings table that cannot add. */
class LoadedStrings {
  constructor(private readonly texts: ReadonlyMap<number, string>) {}
  id(): number | null {
    throw new TypeError('a loaded capture only decodes: it adds no strings');
  }
  text(id: number | null): string | null {
    return id === null ? null : (this.texts.get(id) ?? null);
  }
}

/** The columns of a table that hold string ids. */
const stringColumns = (table: TableName): string[] =>
  Object.entries(TABLES[table].columns)
    .filter(([, c]) => c.codec === 'string')
    .map(([name]) => name);

/** Rows of `SQL`, through Kysely: the dialect's own placeholders and pssql's value rules. */
async function rowsOf(store: ReadStore, query: RawBuilder<Row>): Promise<Row[]> {
  return (await query.execute(kyselyOf(store))).rows;
}

/**
 * Loads a recorded capture as a {@link Snapshot}, from a store of either dialect (a recording
 * file, or a PostgreSQL store): everything is read at once, then walks like
 * {@link openStoredSnapshot}'s, entry for entry.
 *
 * @example
 * const snapshot = await loadStoredSnapshot(store, 42)
 * for (const h of snapshot.entries(WalkClass.Handles)) console.log(h.handle, h.objectName)
 */
export async function loadStoredSnapshot(store: ReadStore, captureId: number): Promise<Snapshot> {
  if (!Number.isSafeInteger(captureId) || captureId <= 0) {
    throw new RangeError(`captureId must be a positive integer (got ${String(captureId)})`);
  }
  const [capture] = await rowsOf(store, sql<Row>`SELECT * FROM captures WHERE capture_id = ${captureId}`);
  if (capture === undefined) {
    throw new PssError('ERROR_NOT_FOUND', `no capture ${captureId} in ${store.path} (see 'pssql list')`, { path: store.path });
  }
  const [processRow] = await rowsOf(store, sql<Row>`SELECT * FROM process_info WHERE capture_id = ${captureId}`);
  if (processRow === undefined) {
    throw new PssError('ERROR_INVALID_DATA', `capture ${captureId} in ${store.path} has no process information`, { path: store.path });
  }
  const performanceRows = await rowsOf(store, sql<Row>`SELECT * FROM performance_counters WHERE capture_id = ${captureId}`);
  const seq = capture.seq as number;
  const instanceId = capture.instance_id as number;
  const alive = sql`v.instance_id = ${instanceId} AND v.first_seq <= ${seq} AND (v.last_seq IS NULL OR v.last_seq >= ${seq})`;

  const kinds: { kind: EntryKindInfo; rows: Row[]; parts: Map<number, Map<TableName, Row[]>> }[] = [];
  for (const kind of ENTRY_KINDS) {
    if (capture[kind.countColumn] === null) continue;
    const rows = await rowsOf(
      store,
      sql<Row>`SELECT v.* FROM ${sql.table(kind.table)} AS v WHERE ${alive} ORDER BY ${sql.raw(qualifiedOrder(kind, 'v'))}, ${sql.ref(`v.${kind.idColumn}`)}`,
    );
    const parts = new Map<number, Map<TableName, Row[]>>();
    for (const { table, list } of partTablesOf(kind.table)) {
      const order = list ? sql` ORDER BY d.ord` : sql``;
      for (const row of await rowsOf(store, sql<Row>`SELECT d.* FROM ${sql.table(table)} AS d JOIN ${sql.table(kind.table)} AS v ON v.${sql.raw(kind.idColumn)} = d.${sql.raw(kind.idColumn)} WHERE ${alive}${order}`)) {
        const id = row[kind.idColumn] as number;
        let byTable = parts.get(id);
        if (byTable === undefined) parts.set(id, (byTable = new Map()));
        const list = byTable.get(table);
        if (list === undefined) byTable.set(table, [row]);
        else list.push(row);
      }
    }
    kinds.push({ kind, rows, parts });
  }
  const threadNames = capture.thread_name_count === null ? [] : await rowsOf(store, sql<Row>`SELECT * FROM thread_names WHERE capture_id = ${captureId} ORDER BY ord`);
  const auxPages = capture.aux_page_count === null ? [] : await rowsOf(store, sql<Row>`SELECT * FROM auxiliary_pages WHERE capture_id = ${captureId} ORDER BY ord`);

  // Every string id the rows use, read in one pass (in chunks, within any dialect's parameter limit).
  const ids = new Set<number>();
  const collect = (table: TableName, rows: readonly Row[]): void => {
    const columns = stringColumns(table);
    for (const row of rows) for (const c of columns) if (typeof row[c] === 'number') ids.add(row[c] as number);
  };
  collect('process_info', [processRow]);
  collect('thread_names', threadNames);
  for (const { kind, rows, parts } of kinds) {
    collect(kind.table, rows);
    for (const byTable of parts.values()) for (const [table, rows] of byTable) collect(table, rows);
  }
  const texts = new Map<number, string>();
  const all = [...ids];
  for (let i = 0; i < all.length; i += 10_000) {
    const chunk = all.slice(i, i + 10_000);
    const rows = await rowsOf(store, sql<Row>`SELECT string_id, value, raw FROM strings WHERE string_id IN (${sql.join(chunk)})`);
    for (const row of rows) texts.set(row.string_id as number, row.raw === null ? (row.value as string) : decodeBytes(row.raw as Buffer));
  }
  const context: CodecContext = { strings: new LoadedStrings(texts), startUs: capture.started_at_us as number };

  const walks: SnapshotData['walks'] = {};
  for (const { kind, rows, parts } of kinds) {
    const codec = rowCodec(kind.table);
    const partTables = partTablesOf(kind.table);
    const entries = rows.map((row) =>
      codec.decode<object>(row, context, partTables.length === 0 ? {} : decodeParts(partTables, parts.get(row[kind.idColumn] as number), context)),
    );
    (walks as Record<number, EntrySource<object>>)[kind.walk] = entrySource(entries);
  }
  if (capture.thread_name_count !== null) {
    const codec = rowCodec('thread_names');
    const names =
      threadNames.length > 0
        ? threadNames.map((r) => codec.decode<ThreadNameEntry>(r, context))
        : (((walks[WalkClass.Threads]?.load() ?? []) as ThreadEntry[]).map((t) => ({ threadName: t.name ?? '' })) as ThreadNameEntry[]);
    walks[WalkClass.ThreadName] = { count: capture.thread_name_count as number, load: () => names };
  }
  if (capture.aux_page_count !== null) {
    const codec = rowCodec('auxiliary_pages');
    const pages = auxPages.map((r) => codec.decode<AuxiliaryPageEntry>(r, context));
    walks[WalkClass.AuxiliaryPages] = { count: capture.aux_page_count as number, load: () => pages };
  }
  return snapshotOf(capture, processRow, performanceRows, context, walks);
}

/** The snapshot of a stored capture, from its rows (of either loader). */
function snapshotOf(
  capture: Readonly<Record<string, unknown>>,
  processRow: Readonly<Record<string, unknown>>,
  performanceRows: readonly Readonly<Record<string, unknown>>[],
  context: CodecContext,
  walks: SnapshotData['walks'],
): Snapshot {
  return new MemorySnapshot({
    info: rowCodec('captures').decode<CaptureInfo>(capture, context),
    process: rowCodec('process_info').decode<ProcessInformation>(processRow, context),
    performance: decodePerformance(performanceRows, context),
    vaClone: capture.va_clone_handle === null ? null : { vaCloneHandle: capture.va_clone_handle as bigint },
    handleTrace:
      capture.handle_trace_section_handle === null
        ? null
        : { sectionHandle: capture.handle_trace_section_handle as bigint, sizeBytes: capture.handle_trace_size_bytes as number },
    threadContextLength: capture.thread_context_length as number,
    walks,
  });
}
