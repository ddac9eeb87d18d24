import { type EntrySource, MemorySnapshot, type SnapshotData } from '../pss/memory-snapshot.js';
import { PssError } from '../pss/pss-error.js';
import { WalkClass } from '../pss/information-class.js';
import type { Platform, Snapshot } from '../pss/snapshot.js';
import type { AuxiliaryPageEntry, ThreadEntry, ThreadNameEntry } from '../pss/walk-entries.js';
import { absolute, type DetailTable, type EntryCodec, handleCodec, handleDetailsOf, memoryBasicInformation, regionCodec, threadCodec } from './entry-codecs.js';
import type { Store } from './open-store.js';
import { decodePerformance, decodeProcess } from './process-codec.js';
import { StringTable } from './string-table.js';

type Row = Record<string, unknown>;

const stringTables = new WeakMap<Store, StringTable>();

function stringsOf(store: Store): StringTable {
  let strings = stringTables.get(store);
  if (strings === undefined) {
    strings = new StringTable(store.db);
    stringTables.set(store, strings);
  }
  return strings;
}

/** The entries of one kind in one capture, in key order, decoded lazily on the first walk. */
function versionSource<E>(
  store: Store,
  codec: EntryCodec<E>,
  capture: Row,
  count: number | null,
  strings: StringTable,
): EntrySource<E> | undefined {
  if (count === null) return undefined;
  return {
    count,
    load() {
      const where = 'v.instance_id = ? AND v.first_seq <= ? AND (v.last_seq IS NULL OR v.last_seq >= ?)';
      const params = [capture.instance_id, capture.seq, capture.seq];
      const details = codec.table === 'handle_versions' ? handleDetailsOf(store, where, params) : new Map<number, Map<DetailTable, Row>>();
      const none = new Map<DetailTable, Row>();
      const start = capture.started_at_us as number;
      return store
        .reader(`SELECT v.* FROM ${codec.table} AS v WHERE ${where} ORDER BY ${codec.orderBy}, v.${codec.idColumn}`)
        .all(...params)
        .map((row) => codec.decode(row, details.get(row[codec.idColumn] as number) ?? none, strings, start));
    },
  };
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
  const strings = stringsOf(store);
  const processRow = store.reader('SELECT * FROM process_info WHERE capture_id = ?').get(captureId);
  if (processRow === undefined) {
    throw new PssError('ERROR_INVALID_DATA', `capture ${captureId} in ${store.path} has no process information`, { path: store.path });
  }
  const start = capture.started_at_us as number;
  const count = (column: string): number | null => capture[column] as number | null;

  const walks: SnapshotData['walks'] = {};
  const threads = versionSource(store, threadCodec, capture, count('thread_count'), strings);
  if (threads !== undefined) walks[WalkClass.Threads] = threads;
  const handles = versionSource(store, handleCodec, capture, count('handle_count'), strings);
  if (handles !== undefined) walks[WalkClass.Handles] = handles;
  const regions = versionSource(store, regionCodec, capture, count('region_count'), strings);
  if (regions !== undefined) walks[WalkClass.VaSpace] = regions;

  const threadNameCount = count('thread_name_count');
  if (threadNameCount !== null) {
    walks[WalkClass.ThreadName] = {
      count: threadNameCount,
      load(): ThreadNameEntry[] {
        const rows = store.reader('SELECT name_id FROM thread_names WHERE capture_id = ? ORDER BY ord').all(captureId);
        if (rows.length > 0) return rows.map((r) => ({ threadName: strings.text(r.name_id as number) ?? '' }));
        // Not stored: the names are those of the threads, in walk order.
        return ((threads?.load() ?? []) as ThreadEntry[]).map((t) => ({ threadName: t.name ?? '' }));
      },
    };
  }
  const auxCount = count('aux_page_count');
  if (auxCount !== null) {
    walks[WalkClass.AuxiliaryPages] = {
      count: auxCount,
      load(): AuxiliaryPageEntry[] {
        return store
          .reader('SELECT * FROM auxiliary_pages WHERE capture_id = ? ORDER BY ord')
          .all(captureId)
          .map((r) => ({
            address: r.address as bigint,
            basicInformation: memoryBasicInformation(r),
            captureTimeUs: absolute(r.capture_time_offset_us, start),
            pageContents: r.page_contents === null ? null : new Uint8Array(r.page_contents as Buffer),
            pageSize: r.page_size as number,
          }));
      },
    };
  }

  return new MemorySnapshot({
    info: {
      processId: capture.pid as number,
      platform: capture.platform as Platform,
      backend: capture.backend as string,
      host: capture.host as string,
      captureFlags: capture.capture_flags as number,
      threadContextFlags: capture.thread_context_flags as number,
      startedAtUs: start,
      durationUs: capture.duration_us as number,
      skippedCount: capture.skipped_count as number,
      deniedCount: capture.denied_count as number,
      details: capture.details === 1,
    },
    process: decodeProcess(processRow, strings),
    performance: decodePerformance(store.reader('SELECT * FROM performance_counters WHERE capture_id = ?').all(captureId)),
    vaClone: capture.va_clone_handle === null ? null : { vaCloneHandle: capture.va_clone_handle as bigint },
    handleTrace:
      capture.handle_trace_section_handle === null
        ? null
        : { sectionHandle: capture.handle_trace_section_handle as bigint, sizeBytes: capture.handle_trace_size_bytes as number },
    threadContextLength: capture.thread_context_length as number,
    walks,
  });
}
