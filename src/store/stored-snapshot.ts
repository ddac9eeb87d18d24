import { WalkClass } from '../pss/information-class.js';
import { type EntrySource, MemorySnapshot, type SnapshotData } from '../pss/memory-snapshot.js';
import { PssError } from '../pss/pss-error.js';
import { PERFORMANCE_PHASES, type PerformanceCounters, type PhaseCounters, type ProcessInformation } from '../pss/query-records.js';
import type { CaptureInfo, Snapshot } from '../pss/snapshot.js';
import type { AuxiliaryPageEntry, ThreadEntry, ThreadNameEntry } from '../pss/walk-entries.js';
import { ENTRY_KINDS, type EntryKindInfo, qualifiedOrder } from './entry-kinds.js';
import { partRowsOf } from './entry-versions.js';
import type { Store } from './open-store.js';
import { PHASE_NAMES } from './phase-names.js';
import { type CodecContext, decodeParts, partTablesOf, rowCodec } from './row-codec.js';

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

  return new MemorySnapshot({
    info: rowCodec('captures').decode<CaptureInfo>(capture, context),
    process: rowCodec('process_info').decode<ProcessInformation>(processRow, context),
    performance: decodePerformance(store.reader('SELECT * FROM performance_counters WHERE capture_id = ?').all(captureId), context),
    vaClone: capture.va_clone_handle === null ? null : { vaCloneHandle: capture.va_clone_handle as bigint },
    handleTrace:
      capture.handle_trace_section_handle === null
        ? null
        : { sectionHandle: capture.handle_trace_section_handle as bigint, sizeBytes: capture.handle_trace_size_bytes as number },
    threadContextLength: capture.thread_context_length as number,
    walks,
  });
}
