import type BetterSqlite3 from 'better-sqlite3';
import { QueryClass, WalkClass } from '../pss/information-class.js';
import type { PerformancePhase } from '../pss/query-records.js';
import { ifCaptured, type Snapshot } from '../pss/snapshot.js';
import { PSSQL_VERSION } from '../version.js';
import {
  DETAIL_TABLES,
  type DetailRow,
  type DetailTable,
  detailColumns,
  type EntryCodec,
  handleCodec,
  handleDetailsOf,
  offset,
  regionCodec,
  threadCodec,
} from './entry-codecs.js';
import { type Store, sqliteError } from './open-store.js';
import { encodeProcess, PHASE_NAMES } from './process-codec.js';
import { checkRetention, pruneCaptures, type Retention } from './prune.js';
import { bindValues } from './row-reader.js';
import type { TABLES } from './schema.js';
import { StringTable } from './string-table.js';

/** Options of a recording. */
export interface RecordOptions {
  /** Free text stored with the capture. */
  label?: string | null;
  /** Captures to delete in the same transaction: older ones of this process, or too old ones. */
  retention?: Retention;
}

/** The kinds of entries stored as versions. */
export type Kind = 'threads' | 'handles' | 'regions';

/** What recording one capture wrote. */
export interface RecordResult {
  captureId: number;
  /** Rows inserted, in every table. */
  rowsWritten: number;
  /** Entries (threads, handles, regions) in the capture. */
  entries: number;
  /** Entries of each kind; null for a kind that was not captured. */
  counts: Record<Kind, number | null>;
  /** Entry versions written because the entry is new or changed. */
  versionsWritten: number;
  /** Captures deleted by the retention options. */
  capturesPruned: number;
}

/**
 * A current version of an entry: its row and the entry object it was last seen as (the same
 * object again means unchanged). Its stored values are derived from that entry when they are
 * needed, rather than kept for every entry: only versions loaded from the database, which have
 * no entry object, keep them.
 */
interface VersionRef {
  id: number;
  entry: unknown;
  /** Start of the capture `entry` comes from (entry capture times are stored relative to it). */
  startUs: number;
  /** Stored values in column order, then each detail table's index and values; null when derivable from `entry`. */
  signature: unknown[] | null;
  /** Generation of the capture that last saw it. */
  seen: number;
}

/** The current versions of one process instance, as its last recorded capture left them. */
interface InstanceState {
  lastSeq: number;
  kinds: Record<Kind, Map<unknown, VersionRef>>;
}

// biome-ignore lint/suspicious/noExplicitAny: each codec takes the entries of its own walk class
type AnyCodec = EntryCodec<any>;

/** The versioned kinds, with the walk that lists them and the query that says whether they were captured. */
const KINDS: readonly { kind: Kind; walk: WalkClass; count: QueryClass; codec: AnyCodec }[] = [
  { kind: 'threads', walk: WalkClass.Threads, count: QueryClass.ThreadInformation, codec: threadCodec },
  { kind: 'handles', walk: WalkClass.Handles, count: QueryClass.HandleInformation, codec: handleCodec },
  { kind: 'regions', walk: WalkClass.VaSpace, count: QueryClass.VaSpaceInformation, codec: regionCodec },
];

const insertSql = (table: string, columns: readonly string[]): string =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

function sameSignature(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x instanceof Uint8Array && y instanceof Uint8Array && Buffer.compare(x, y) === 0) continue;
    return false;
  }
  return true;
}

/** The stored form of an entry: its values in column order, then each detail row. */
function signatureOf(columns: readonly string[], values: Record<string, unknown>, details: readonly DetailRow[]): unknown[] {
  const signature = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) signature[i] = values[columns[i] as string] ?? null;
  for (const detail of details) {
    signature.push(DETAIL_TABLES.indexOf(detail.table));
    for (const column of detailColumns(detail.table)) signature.push(detail.values[column] ?? null);
  }
  return signature;
}

/** The statements of one versioned kind, prepared once per recorder. */
interface KindStatements {
  insert: BetterSqlite3.Statement;
  close: BetterSqlite3.Statement;
}

/**
 * Writes snapshots into a store, each in one transaction: a capture is recorded whole or not at
 * all. Entries unchanged since the previous capture of the same process instance are not written
 * again: their current version is extended. The recorder keeps the current versions of the
 * instances it recorded, so memory holds one capture per process, however long the recording.
 */
export class Recorder {
  private readonly strings: StringTable;
  private readonly instances = new Map<number, InstanceState>();
  private readonly kinds: Record<Kind, KindStatements>;
  private readonly details: Record<DetailTable, BetterSqlite3.Statement>;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private generation = 0;

  constructor(readonly store: Store) {
    if (store.readonly) throw new TypeError('cannot record into a read-only store');
    const db = store.db;
    this.strings = new StringTable(db);
    const kinds = {} as Record<Kind, KindStatements>;
    for (const { kind, codec } of KINDS) {
      kinds[kind] = {
        insert: db.prepare(insertSql(codec.table, [...codec.columns, 'instance_id', 'first_seq'])),
        close: db.prepare(`UPDATE ${codec.table} SET last_seq = ? WHERE ${codec.idColumn} = ?`),
      };
    }
    this.kinds = kinds;
    const details = {} as Record<DetailTable, BetterSqlite3.Statement>;
    for (const table of DETAIL_TABLES) details[table] = db.prepare(insertSql(table, [...detailColumns(table), 'handle_version_id']));
    this.details = details;
  }

  /** A statement of a row written once per capture, prepared once per recorder. */
  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.store.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Inserts a row of a table that is written once per capture. */
  private insert(table: keyof typeof TABLES, values: Record<string, unknown>): number {
    const columns = Object.keys(values);
    return Number(this.statement(insertSql(table, columns)).run(bindValues(columns.map((c) => values[c] ?? null))).lastInsertRowid);
  }

  /** The stored values of a version: kept (loaded from the database) or derived from its entry. */
  private signatureOf(codec: AnyCodec, ref: VersionRef): unknown[] {
    if (ref.signature !== null) return ref.signature;
    const { values, details } = codec.encode(ref.entry, this.strings, ref.startUs);
    return signatureOf(codec.columns, values, details);
  }

  /** The current versions of an instance from the database (another recorder may have written since). */
  private loadState(instanceId: number, lastSeq: number): InstanceState {
    const state: InstanceState = { lastSeq, kinds: { threads: new Map(), handles: new Map(), regions: new Map() } };
    for (const { kind, codec } of KINDS) {
      const details = kind === 'handles' ? handleDetailsOf(this.store, 'v.instance_id = ? AND v.last_seq IS NULL', [instanceId]) : null;
      const rows = this.store.reader(`SELECT * FROM ${codec.table} WHERE instance_id = ? AND last_seq IS NULL`).all(instanceId);
      for (const row of rows) {
        const id = row[codec.idColumn] as number;
        let key = row[codec.keyColumn];
        if (state.kinds[kind].has(key)) key = `${String(key)}#${id}`;
        const ordered = [...(details?.get(id) ?? [])].map(([table, values]) => ({ table, values }));
        state.kinds[kind].set(key, { id, entry: null, startUs: 0, signature: signatureOf(codec.columns, row, ordered), seen: 0 });
      }
    }
    return state;
  }

  /** Records one snapshot; see {@link recordSnapshot}. */
  record(snapshot: Snapshot, options: RecordOptions = {}): RecordResult {
    const info = snapshot.info;
    const process = snapshot.query(QueryClass.ProcessInformation);
    if (options.retention !== undefined) checkRetention(options.retention);
    const counts: Record<Kind, number | null> = { threads: null, handles: null, regions: null };
    let rowsWritten = 0;
    let entries = 0;
    let versionsWritten = 0;
    let capturesPruned = 0;
    let recorded: { instanceId: number; state: InstanceState } | null = null;

    const write = (): number => {
      // The process instance: a pid with its creation time on one host.
      let instance = this.store
        .reader<{ instance_id: number; last_seq: number }>('SELECT instance_id, last_seq FROM process_instances WHERE host = ? AND pid = ? AND create_time_us IS ?')
        .get(info.host, info.processId, process.createTimeUs);
      if (instance === undefined) {
        const id = this.insert('process_instances', {
          host: info.host,
          pid: info.processId,
          create_time_us: process.createTimeUs,
          name_id: this.strings.id(process.name ?? process.imageFileName),
          last_seq: 0,
        });
        rowsWritten++;
        instance = { instance_id: id, last_seq: 0 };
      }
      const instanceId = instance.instance_id;
      const seq = instance.last_seq + 1;
      let state = this.instances.get(instanceId);
      if (state === undefined || state.lastSeq !== instance.last_seq) state = this.loadState(instanceId, instance.last_seq);
      const mark = ++this.generation;

      for (const { kind, walk, count: countQuery, codec } of KINDS) {
        const versions = state.kinds[kind];
        const { insert, close } = this.kinds[kind];
        if (ifCaptured(() => snapshot.query(countQuery)) !== null) {
          let count = 0;
          for (const entry of snapshot.entries(walk)) {
            count++;
            let key = codec.keyOf(entry);
            let ref = versions.get(key);
            if (ref !== undefined && ref.seen === mark) {
              // The same key twice in one capture (never on Linux): keep both, apart.
              key = `${String(key)}#dup${count}`;
              ref = versions.get(key);
            }
            if (ref !== undefined && ref.entry === entry) {
              ref.seen = mark; // the very entry object of the last capture: unchanged
              continue;
            }
            const { values, details } = codec.encode(entry, this.strings, info.startedAtUs);
            const signature = signatureOf(codec.columns, values, details);
            if (ref !== undefined && sameSignature(this.signatureOf(codec, ref), signature)) {
              ref.seen = mark;
              ref.entry = entry;
              ref.startUs = info.startedAtUs;
              ref.signature = null;
              continue;
            }
            if (ref !== undefined) close.run(seq - 1, ref.id);
            const id = Number(insert.run(bindValues(signature.slice(0, codec.columns.length)), instanceId, seq).lastInsertRowid);
            for (const detail of details) {
              this.details[detail.table].run(bindValues(detailColumns(detail.table).map((c) => detail.values[c] ?? null)), id);
            }
            rowsWritten += 1 + details.length;
            versionsWritten++;
            versions.set(key, { id, entry, startUs: info.startedAtUs, signature: null, seen: mark });
          }
          counts[kind] = count;
          entries += count;
        }
        // What the previous capture had and this one has not (or did not capture) ends here.
        for (const [key, ref] of versions) {
          if (ref.seen !== mark) {
            close.run(seq - 1, ref.id);
            versions.delete(key);
          }
        }
      }

      const threadNames = ifCaptured(() => [...snapshot.entries(WalkClass.ThreadName)].map((n) => n.threadName));
      const auxPages = ifCaptured(() => [...snapshot.entries(WalkClass.AuxiliaryPages)]);
      const threadInfo = ifCaptured(() => snapshot.query(QueryClass.ThreadInformation));
      const vaClone = ifCaptured(() => snapshot.query(QueryClass.VaCloneInformation));
      const handleTrace = ifCaptured(() => snapshot.query(QueryClass.HandleTraceInformation));
      const captureId = this.insert('captures', {
        instance_id: instanceId,
        seq,
        pid: info.processId,
        host: info.host,
        platform: info.platform,
        backend: info.backend,
        capture_flags: info.captureFlags >>> 0,
        thread_context_flags: info.threadContextFlags >>> 0,
        details: info.details ? 1 : 0,
        started_at_us: info.startedAtUs,
        duration_us: info.durationUs,
        recorded_at_us: Math.round(Date.now() * 1000),
        label: options.label ?? null,
        thread_count: counts.threads,
        handle_count: counts.handles,
        region_count: counts.regions,
        aux_page_count: auxPages === null ? null : auxPages.length,
        thread_name_count: threadNames === null ? null : threadNames.length,
        thread_context_length: threadInfo?.contextLength ?? 0,
        skipped_count: info.skippedCount,
        denied_count: info.deniedCount,
        va_clone_handle: vaClone?.vaCloneHandle ?? null,
        handle_trace_section_handle: handleTrace?.sectionHandle ?? null,
        handle_trace_size_bytes: handleTrace?.sizeBytes ?? null,
        pssql_version: PSSQL_VERSION,
      });
      this.insert('process_info', { capture_id: captureId, ...encodeProcess(process, this.strings) });
      rowsWritten += 2;

      const performance = ifCaptured(() => snapshot.query(QueryClass.PerformanceCounters));
      if (performance !== null) {
        for (const [phase, name] of Object.entries(PHASE_NAMES)) {
          const counters = performance[phase as PerformancePhase];
          this.insert('performance_counters', {
            capture_id: captureId,
            phase: name,
            cycle_count: counters.cycleCount,
            wall_clock_us: counters.wallClockUs,
            cpu_time_us: counters.cpuTimeUs,
          });
          rowsWritten++;
        }
      }
      if (threadNames !== null) {
        // Thread names equal to the threads' own names (always so on Linux) are not stored twice.
        const own = ifCaptured(() => [...snapshot.entries(WalkClass.Threads)].map((t) => t.name ?? ''));
        const derived = own !== null && own.length === threadNames.length && own.every((name, i) => name === threadNames[i]);
        if (!derived) {
          threadNames.forEach((name, ord) => {
            this.insert('thread_names', { capture_id: captureId, ord, name_id: this.strings.id(name) });
            rowsWritten++;
          });
        }
      }
      auxPages?.forEach((page, ord) => {
        this.insert('auxiliary_pages', {
          capture_id: captureId,
          ord,
          address: page.address,
          base_address: page.basicInformation.baseAddress,
          allocation_base: page.basicInformation.allocationBase,
          allocation_protect: page.basicInformation.allocationProtect,
          region_size_bytes: page.basicInformation.regionSizeBytes,
          state: page.basicInformation.state,
          protect: page.basicInformation.protect,
          type: page.basicInformation.type,
          capture_time_offset_us: offset(page.captureTimeUs, info.startedAtUs),
          page_contents: page.pageContents === null ? null : Buffer.from(page.pageContents),
          page_size: page.pageSize,
        });
        rowsWritten++;
      });
      this.statement('UPDATE process_instances SET last_seq = ? WHERE instance_id = ?').run(seq, instanceId);
      if (options.retention !== undefined) {
        capturesPruned = pruneCaptures(this.store.db, options.retention, [instanceId], Date.now() * 1000);
      }
      recorded = { instanceId, state: { ...state, lastSeq: seq } };
      return captureId;
    };

    let captureId: number;
    try {
      captureId = this.store.db.transaction(write).immediate();
    } catch (error) {
      // The transaction rolled back: what this recorder believed it wrote is not there.
      this.strings.rollback();
      this.instances.clear();
      throw sqliteError(error, this.store.path);
    }
    this.strings.commit();
    const done = recorded as { instanceId: number; state: InstanceState } | null;
    if (done !== null) this.instances.set(done.instanceId, done.state);
    return { captureId, rowsWritten, entries, versionsWritten, counts, capturesPruned };
  }
}


const recorders = new WeakMap<Store, Recorder>();

/** The recorder a store uses (one per store, so its caches serve every capture), with statistics. */
export function recorderOf(store: Store): Recorder {
  let recorder = recorders.get(store);
  if (recorder === undefined) {
    recorder = new Recorder(store);
    recorders.set(store, recorder);
  }
  return recorder;
}

/**
 * Records a snapshot into a store in one transaction and returns the new capture's id. Everything
 * the snapshot captured is written; a failure leaves the store as it was.
 *
 * @example
 * const store = openStore('pssql.db')
 * const id = recordSnapshot(store, captureSnapshot({ pid: 1234 }), { label: 'before deploy' })
 */
export function recordSnapshot(store: Store, snapshot: Snapshot, options: RecordOptions = {}): number {
  return recorderOf(store).record(snapshot, options).captureId;
}
