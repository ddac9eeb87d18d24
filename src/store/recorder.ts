import { isPssError } from '../pss/pss-error.js';
import { QueryClass, WalkClass } from '../pss/information-class.js';
import type { Snapshot } from '../pss/snapshot.js';
import { PSSQL_VERSION } from '../version.js';
import { DETAIL_TABLES, type DetailRow, type DetailTable, detailColumns, type EntryCodec, handleCodec, regionCodec, threadCodec } from './entry-codecs.js';
import type { Store } from './open-store.js';
import { sqliteError } from './open-store.js';
import { encodeProcess, PHASE_NAMES } from './process-codec.js';
import { TABLES } from './schema.js';
import { checkRetention, pruneCaptures, type Retention } from './prune.js';
import { StringTable } from './string-table.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { PerformancePhase } from '../pss/query-records.js';

/** Options of a recording. */
export interface RecordOptions {
  /** Free text stored with the capture. */
  label?: string | null;
  /** Captures to delete in the same transaction: older ones of this process, or too old ones. */
  retention?: Retention;
}

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

/** The kinds of entries stored as versions. */
export type Kind = 'threads' | 'handles' | 'regions';

interface VersionRef {
  id: number;
  signature: unknown[];
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

function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}

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

function signatureOf(codec: AnyCodec, values: Record<string, unknown>, details: readonly DetailRow[]): unknown[] {
  const signature = codec.columns.map((c) => values[c] ?? null);
  for (const table of DETAIL_TABLES) {
    const detail = details.find((d) => d.table === table);
    if (detail !== undefined) signature.push(table, ...detailColumns(table).map((c) => detail.values[c] ?? null));
  }
  return signature;
}

const u64Binding = (value: unknown): unknown =>
  typeof value === 'bigint' && value > 0x7fffffffffffffffn ? BigInt.asIntN(64, value) : value;

/**
 * Writes snapshots into a store, each in one transaction: a capture is recorded whole or not at
 * all. Entries unchanged since the previous capture of the same process instance are not written
 * again: their current version is extended. The recorder keeps the current versions of the
 * instances it recorded, so memory holds one capture per process, however long the recording.
 */
export class Recorder {
  private readonly strings: StringTable;
  private readonly instances = new Map<number, InstanceState>();
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly store: Store) {
    if (store.readonly) throw new TypeError('cannot record into a read-only store');
    this.strings = new StringTable(store.db);
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.store.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private run(sql: string, values: readonly unknown[]): BetterSqlite3.RunResult {
    return this.statement(sql).run(...values.map(u64Binding));
  }

  private insert(table: keyof typeof TABLES, values: Record<string, unknown>): number {
    const columns = Object.keys(values);
    return Number(this.run(insertSql(table, columns), columns.map((c) => values[c] ?? null)).lastInsertRowid);
  }

  /** The current versions of an instance from the database (another recorder may have written since). */
  private loadState(instanceId: number, lastSeq: number): InstanceState {
    const state: InstanceState = { lastSeq, kinds: { threads: new Map(), handles: new Map(), regions: new Map() } };
    for (const { kind, codec } of KINDS) {
      const details = new Map<number, DetailRow[]>();
      if (kind === 'handles') {
        for (const table of DETAIL_TABLES) {
          const rows = this.store
            .reader(`SELECT d.* FROM ${table} AS d JOIN handle_versions AS v USING (handle_version_id) WHERE v.instance_id = ? AND v.last_seq IS NULL`)
            .all(instanceId);
          for (const row of rows) {
            const id = row.handle_version_id as number;
            const list = details.get(id) ?? [];
            list.push({ table: table as DetailTable, values: row });
            details.set(id, list);
          }
        }
      }
      const rows = this.store.reader(`SELECT * FROM ${codec.table} WHERE instance_id = ? AND last_seq IS NULL`).all(instanceId);
      for (const row of rows) {
        const id = row[codec.idColumn] as number;
        let key = row[codec.keyColumn];
        if (state.kinds[kind].has(key)) key = `${String(key)}#${id}`;
        state.kinds[kind].set(key, { id, signature: signatureOf(codec, row, details.get(id) ?? []) });
      }
    }
    return state;
  }

  /** Records one snapshot; see {@link recordSnapshot}. */
  record(snapshot: Snapshot, options: RecordOptions = {}): RecordResult {
    const info = snapshot.info;
    const process = snapshot.query(QueryClass.ProcessInformation);
    if (options.retention !== undefined) checkRetention(options.retention);
    let rowsWritten = 0;
    let capturesPruned = 0;
    let entries = 0;
    let versionsWritten = 0;
    let committed: { instanceId: number; state: InstanceState } | null = null;
    const counts: Record<Kind, number | null> = { threads: null, handles: null, regions: null };

    const write = (): number => {
      // The process instance: a pid with its creation time on one host.
      let instance = this.statement(
        'SELECT instance_id, last_seq FROM process_instances WHERE host = ? AND pid = ? AND create_time_us IS ?',
      ).get(info.host, info.processId, process.createTimeUs) as { instance_id: number; last_seq: number } | undefined;
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

      const next: InstanceState = { lastSeq: seq, kinds: { threads: new Map(), handles: new Map(), regions: new Map() } };
      for (const { kind, walk, count: countQuery, codec } of KINDS) {
        const previous = new Map(state.kinds[kind]);
        const current = next.kinds[kind];
        const close = (ref: VersionRef): void => {
          this.run(`UPDATE ${codec.table} SET last_seq = ? WHERE ${codec.idColumn} = ?`, [seq - 1, ref.id]);
        };
        let count: number | null = null;
        if (captured(() => snapshot.query(countQuery)) !== null) {
          count = 0;
          for (const entry of snapshot.entries(walk)) {
            count++;
            const { values, details } = codec.encode(entry, this.strings, info.startedAtUs);
            const signature = signatureOf(codec, values, details);
            let key = values[codec.keyColumn];
            if (current.has(key)) key = `${String(key)}#dup${count}`;
            const before = previous.get(key);
            previous.delete(key);
            if (before !== undefined && sameSignature(before.signature, signature)) {
              current.set(key, before);
              continue;
            }
            if (before !== undefined) close(before);
            const id = this.insert(codec.table, { instance_id: instanceId, first_seq: seq, last_seq: null, ...values });
            for (const detail of details) this.insert(detail.table, { handle_version_id: id, ...detail.values });
            rowsWritten += 1 + details.length;
            versionsWritten++;
            current.set(key, { id, signature });
          }
          entries += count;
        }
        // What the previous capture had and this one has not (or did not capture) ends here.
        for (const ref of previous.values()) close(ref);
        counts[kind] = count;
      }

      const threadNames = captured(() => [...snapshot.entries(WalkClass.ThreadName)].map((n) => n.threadName));
      const auxPages = captured(() => [...snapshot.entries(WalkClass.AuxiliaryPages)]);
      const threadInfo = captured(() => snapshot.query(QueryClass.ThreadInformation));
      const vaClone = captured(() => snapshot.query(QueryClass.VaCloneInformation));
      const handleTrace = captured(() => snapshot.query(QueryClass.HandleTraceInformation));
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

      const performance = captured(() => snapshot.query(QueryClass.PerformanceCounters));
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
        const own = ownThreadNames(snapshot);
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
          capture_time_offset_us: page.captureTimeUs === null ? null : page.captureTimeUs - info.startedAtUs,
          page_contents: page.pageContents === null ? null : Buffer.from(page.pageContents),
          page_size: page.pageSize,
        });
        rowsWritten++;
      });
      this.run('UPDATE process_instances SET last_seq = ? WHERE instance_id = ?', [seq, instanceId]);
      if (options.retention !== undefined) {
        capturesPruned = pruneCaptures(this.store.db, options.retention, [instanceId], Date.now() * 1000);
      }
      committed = { instanceId, state: next };
      return captureId;
    };

    let captureId: number;
    try {
      captureId = this.store.db.transaction(write).immediate();
    } catch (error) {
      this.strings.rollback();
      this.instances.clear();
      throw sqliteError(error, this.store.path);
    }
    this.strings.commit();
    const done = committed as { instanceId: number; state: InstanceState } | null;
    if (done !== null) this.instances.set(done.instanceId, done.state);
    return { captureId, rowsWritten, entries, versionsWritten, counts, capturesPruned };
  }
}

/** The names the Threads walk itself gives, in walk order. */
function ownThreadNames(snapshot: Snapshot): string[] | null {
  return captured(() => [...snapshot.entries(WalkClass.Threads)].map((t) => t.name ?? ''));
}

/** Runs a read of something that may not have been captured; null when it was not. */
function captured<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if (isPssError(error, 'ERROR_NOT_FOUND')) return null;
    throw error;
  }
}

const recorders = new WeakMap<Store, Recorder>();

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

/** The recorder a store uses (one per store, so its caches serve every capture), with statistics. */
export function recorderOf(store: Store): Recorder {
  let recorder = recorders.get(store);
  if (recorder === undefined) {
    recorder = new Recorder(store);
    recorders.set(store, recorder);
  }
  return recorder;
}
