import type BetterSqlite3 from 'better-sqlite3';
import type { Insertable } from 'kysely';
import { QueryClass, WalkClass } from '../pss/information-class.js';
import { PERFORMANCE_PHASES } from '../pss/query-records.js';
import { ifCaptured, type Snapshot } from '../pss/snapshot.js';
import { PSSQL_VERSION } from '../version.js';
import { ENTRY_KINDS, type EntryKind } from './entry-kinds.js';
import { type CurrentVersions, EntryVersions } from './entry-versions.js';
import { type Store, sqliteError } from './open-store.js';
import { PHASE_NAMES } from './phase-names.js';
import { checkRetention, pruneCaptures, type Retention } from './prune.js';
import { bindValues } from './row-reader.js';
import { type CodecContext, rowCodec } from './row-codec.js';
import { type Database, OWN_RECORDING_KEY, type TableName } from './schema.js';

/** Options of {@link writeCapture}. */
export interface WriteCaptureOptions {
  /** Free text stored with the capture. */
  label?: string | null;
  /** Captures to delete in the same transaction: older ones of this process, or too old ones. */
  retention?: Retention;
}

/** What writing one capture did. */
export interface WrittenCapture {
  captureId: number;
  /** Rows inserted, in every table. */
  rowsWritten: number;
  /** Entries (threads, handles, regions) in the capture. */
  entries: number;
  /** Entries of each kind; null for a kind that was not captured. */
  counts: Record<EntryKind, number | null>;
  /** Entry versions written because the entry is new or changed. */
  versionsWritten: number;
  /** Captures deleted by the retention options. */
  capturesPruned: number;
}

/** The current versions of one process instance, as its last written capture left them. */
interface InstanceState {
  lastSeq: number;
  kinds: Record<EntryKind, CurrentVersions>;
}

/**
 * Writes snapshots into a store, each in one transaction: a capture is written whole or not at
 * all. Entries unchanged since the previous capture of the same process instance are not written
 * again: their current version is extended. The writer keeps the current versions of the
 * instances it wrote, so memory holds one capture per process, however long the recording. A
 * store has one writer (see {@link writeCapture}).
 */
export class CaptureWriter {
  private readonly instances = new Map<number, InstanceState>();
  private readonly versions: readonly EntryVersions[];
  private readonly codecs = {
    captures: rowCodec('captures'),
    process_info: rowCodec('process_info'),
    performance_counters: rowCodec('performance_counters'),
    thread_names: rowCodec('thread_names'),
    auxiliary_pages: rowCodec('auxiliary_pages'),
  };
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private generation = 0;

  constructor(readonly store: Store) {
    if (store.readonly) throw new TypeError('cannot write captures into a read-only store');
    this.versions = ENTRY_KINDS.map((kind) => new EntryVersions(store, kind));
  }

  /** A statement of a row written once per capture, prepared once per writer. */
  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.store.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Inserts one row of a table written once per capture; returns its rowid. */
  private insert<T extends TableName>(table: T, row: Insertable<Database[T]>): number {
    const columns = Object.keys(row);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    const values = columns.map((c) => (row as Record<string, unknown>)[c] ?? null);
    return Number(this.statement(sql).run(bindValues(values)).lastInsertRowid);
  }

  /** The process instance of a capture (a pid with its creation time on one host), made when new. */
  private instanceOf(snapshot: Snapshot): { instanceId: number; lastSeq: number; created: boolean } {
    const info = snapshot.info;
    const process = snapshot.query(QueryClass.ProcessInformation);
    const found = this.store
      // Only this store's own recording: instances pushed here from other recordings are theirs.
      .reader<{ instance_id: number; last_seq: number }>(
        'SELECT instance_id, last_seq FROM process_instances WHERE host = ? AND pid = ? AND create_time_us IS ? AND recording_key = ?',
      )
      .get(info.host, info.processId, process.createTimeUs, OWN_RECORDING_KEY);
    if (found !== undefined) return { instanceId: found.instance_id, lastSeq: found.last_seq, created: false };
    const instanceId = this.insert('process_instances', {
      host: info.host,
      pid: info.processId,
      create_time_us: process.createTimeUs,
      name_id: this.store.strings().id(process.name ?? process.imageFileName),
      last_seq: 0,
      recording_key: OWN_RECORDING_KEY,
      origin_instance_id: null,
    });
    return { instanceId, lastSeq: 0, created: true };
  }

  /** The capture row and what belongs to it alone: process information, counters, thread names, pages. */
  private writeCaptureRows(
    snapshot: Snapshot,
    instanceId: number,
    seq: number,
    counts: Record<EntryKind, number | null>,
    label: string | null,
    context: CodecContext,
  ): { captureId: number; rowsWritten: number } {
    const info = snapshot.info;
    const threadNames = ifCaptured(() => [...snapshot.entries(WalkClass.ThreadName)]);
    const auxPages = ifCaptured(() => [...snapshot.entries(WalkClass.AuxiliaryPages)]);
    const threadInfo = ifCaptured(() => snapshot.query(QueryClass.ThreadInformation));
    const vaClone = ifCaptured(() => snapshot.query(QueryClass.VaCloneInformation));
    const handleTrace = ifCaptured(() => snapshot.query(QueryClass.HandleTraceInformation));
    const captureId = this.insert('captures', {
      ...(this.codecs.captures.encode(info, context) as Required<Pick<Insertable<Database['captures']>, 'pid'>>),
      instance_id: instanceId,
      seq,
      recorded_at_us: Math.round(Date.now() * 1000),
      label,
      thread_count: counts.threads,
      handle_count: counts.handles,
      region_count: counts.regions,
      aux_page_count: auxPages === null ? null : auxPages.length,
      thread_name_count: threadNames === null ? null : threadNames.length,
      thread_context_length: threadInfo?.contextLength ?? 0,
      va_clone_handle: vaClone?.vaCloneHandle ?? null,
      handle_trace_section_handle: handleTrace?.sectionHandle ?? null,
      handle_trace_size_bytes: handleTrace?.sizeBytes ?? null,
      pssql_version: PSSQL_VERSION,
    } as Insertable<Database['captures']>);
    let rowsWritten = 1;
    const process = snapshot.query(QueryClass.ProcessInformation);
    this.insert('process_info', { capture_id: captureId, ...this.codecs.process_info.encode(process, context) } as Insertable<Database['process_info']>);
    rowsWritten++;

    const performance = ifCaptured(() => snapshot.query(QueryClass.PerformanceCounters));
    if (performance !== null) {
      for (const phase of PERFORMANCE_PHASES) {
        this.insert('performance_counters', {
          capture_id: captureId,
          phase: PHASE_NAMES[phase],
          ...this.codecs.performance_counters.encode(performance[phase], context),
        } as Insertable<Database['performance_counters']>);
        rowsWritten++;
      }
    }
    if (threadNames !== null) {
      // Thread names equal to the threads' own names (always so on Linux) are not stored twice.
      const own = ifCaptured(() => [...snapshot.entries(WalkClass.Threads)].map((t) => t.name ?? ''));
      const derived = own !== null && own.length === threadNames.length && own.every((name, i) => name === threadNames[i]?.threadName);
      if (!derived) {
        threadNames.forEach((name, ord) => {
          this.insert('thread_names', { capture_id: captureId, ord, ...this.codecs.thread_names.encode(name, context) } as Insertable<Database['thread_names']>);
          rowsWritten++;
        });
      }
    }
    auxPages?.forEach((page, ord) => {
      this.insert('auxiliary_pages', { capture_id: captureId, ord, ...this.codecs.auxiliary_pages.encode(page, context) } as Insertable<Database['auxiliary_pages']>);
      rowsWritten++;
    });
    return { captureId, rowsWritten };
  }

  /** Writes one snapshot; see {@link writeCapture}. */
  write(snapshot: Snapshot, options: WriteCaptureOptions = {}): WrittenCapture {
    const info = snapshot.info;
    if (options.retention !== undefined) checkRetention(options.retention);
    const strings = this.store.strings();
    const context: CodecContext = { strings, startUs: info.startedAtUs };
    let done: { instanceId: number; state: InstanceState } | null = null;

    const write = (): WrittenCapture => {
      const instance = this.instanceOf(snapshot);
      const { instanceId } = instance;
      const seq = instance.lastSeq + 1;
      let state = this.instances.get(instanceId);
      if (state === undefined || state.lastSeq !== instance.lastSeq) {
        state = { lastSeq: instance.lastSeq, kinds: { threads: new Map(), handles: new Map(), regions: new Map() } };
        for (const versions of this.versions) state.kinds[versions.kind.kind] = versions.load(instanceId);
      }
      const mark = ++this.generation;
      const counts: Record<EntryKind, number | null> = { threads: null, handles: null, regions: null };
      let rowsWritten = instance.created ? 1 : 0;
      let entries = 0;
      let versionsWritten = 0;
      for (const versions of this.versions) {
        const kind = versions.kind;
        const captured = ifCaptured(() => snapshot.query(kind.countQuery)) !== null;
        const written = versions.write(captured ? snapshot.entries(kind.walk) : null, state.kinds[kind.kind], instanceId, seq, mark, context);
        if (captured) {
          counts[kind.kind] = written.count;
          entries += written.count;
        }
        rowsWritten += written.rowsWritten;
        versionsWritten += written.versionsWritten;
      }
      const capture = this.writeCaptureRows(snapshot, instanceId, seq, counts, options.label ?? null, context);
      rowsWritten += capture.rowsWritten;
      this.statement('UPDATE process_instances SET last_seq = ? WHERE instance_id = ?').run(seq, instanceId);
      const capturesPruned = options.retention === undefined ? 0 : pruneCaptures(this.store.db, options.retention, [instanceId], options.retention.nowUs ?? Date.now() * 1000);
      done = { instanceId, state: { ...state, lastSeq: seq } };
      return { captureId: capture.captureId, rowsWritten, entries, versionsWritten, counts, capturesPruned };
    };

    let written: WrittenCapture;
    try {
      written = this.store.db.transaction(write).immediate();
    } catch (error) {
      // The transaction rolled back: what this writer believed it wrote is not there.
      strings.rollback();
      this.instances.clear();
      throw sqliteError(error, this.store.path);
    }
    strings.commit();
    const state = done as { instanceId: number; state: InstanceState } | null;
    if (state !== null) this.instances.set(state.instanceId, state.state);
    return written;
  }
}

/**
 * Writes a snapshot into a store in one transaction and returns what it wrote. Everything the
 * snapshot captured is written; a failure leaves the store as it was. Successive captures of a
 * process through one store share the versions of their unchanged entries.
 *
 * @example
 * const store = openStore('pssql.db')
 * const { captureId } = writeCapture(store, captureSnapshot({ pid: 1234 }), { label: 'before deploy' })
 */
export function writeCapture(store: Store, snapshot: Snapshot, options: WriteCaptureOptions = {}): WrittenCapture {
  return store.cached(CaptureWriter, () => new CaptureWriter(store)).write(snapshot, options);
}
