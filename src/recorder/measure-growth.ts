import * as fs from 'node:fs';
import { captureSnapshot } from '../capture/index.js';
import { PssError } from '../pss/pss-error.js';
import { openStore, type Store } from '../store/open-store.js';
import { writeCapture } from '../store/capture-writer.js';

/** Options of {@link measureGrowthPerCapture}. */
export interface GrowthOptions {
  /** The process to capture again and again; it should be idle for the figure to mean "unchanged". */
  pid: number;
  /** A new database file to record into (refused if it exists: its growth would not be ours). */
  file: string;
  /** Captures measured after the first (default 10). */
  captures?: number;
  flags?: number;
  details?: boolean;
}

/** What recording the same process again costs in database bytes. */
export interface GrowthMeasurement {
  /** Bytes of the database after the first capture (the full copy every later one is compared with). */
  firstCaptureBytes: number;
  /**
   * Mean bytes the file grew by per capture after the first: (last size - size after the first) /
   * captures. Pages (4 KiB) are allocated whole, so measure enough captures for the mean to settle.
   */
  bytesPerCapture: number;
  /** Mean bytes of data (rows and index entries, without the free space of pages) added per capture; null without dbstat. */
  usedBytesPerCapture: number | null;
  /** File bytes added by each measured capture: mostly 0, a page now and then. */
  perCapture: number[];
  rowsPerCapture: number;
  versionsPerCapture: number;
  /** Entries (threads, handles, regions) in the last capture. */
  entries: number;
  pageSize: number;
}

interface Size {
  /** The file, in whole pages, free pages excluded. */
  fileBytes: number;
  /** The bytes pages hold (dbstat: page size minus unused), null where SQLite lacks dbstat. */
  usedBytes: number | null;
}

/**
 * The size of a database once its write-ahead log is folded into the file. Free pages are left
 * out: a first capture can leave some behind (a transaction's scratch), which later captures
 * fill without growing the file, and which would hide their cost.
 */
function sizeOf(store: Store): Size {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const pages = (store.db.pragma('page_count', { simple: true }) as number) - (store.db.pragma('freelist_count', { simple: true }) as number);
  let usedBytes: number | null = null;
  try {
    usedBytes = store.db.prepare('SELECT sum(pgsize - unused) FROM dbstat').pluck().get() as number;
  } catch {
    // SQLite built without the dbstat table: the file size alone.
  }
  return { fileBytes: pages * (store.db.pragma('page_size', { simple: true }) as number), usedBytes };
}

/**
 * Measures how much the database grows per capture of a process, after a first capture: for an
 * unchanged process this is the cost of a long recording, which the shared entry versions keep
 * small. Sizes are taken after a WAL checkpoint. (The benchmark reports the same figure for its
 * large target from the recording it makes anyway: test/bench/db-stats.ts.)
 *
 * @example
 * const m = measureGrowthPerCapture({ pid: 1234, file: '/tmp/growth.db', captures: 20 })
 * console.log(`${m.bytesPerCapture} bytes per capture, ${m.firstCaptureBytes} for the first`)
 */
export function measureGrowthPerCapture(options: GrowthOptions): GrowthMeasurement {
  const captures = options.captures ?? 10;
  if (!Number.isSafeInteger(captures) || captures < 1) throw new RangeError(`captures must be a positive integer (got ${String(captures)})`);
  if (fs.existsSync(options.file)) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${options.file} exists: growth is measured in a new database`, { path: options.file, option: 'file' });
  }
  const store = openStore(options.file);
  try {
    const once = () => {
      const snapshot = captureSnapshot({ pid: options.pid, ...(options.flags === undefined ? {} : { flags: options.flags }), details: options.details ?? false });
      try {
        return writeCapture(store, snapshot);
      } finally {
        snapshot.free();
      }
    };
    once();
    const first = sizeOf(store);
    const perCapture: number[] = [];
    let rows = 0;
    let versions = 0;
    let entries = 0;
    let previous = first;
    for (let i = 0; i < captures; i++) {
      const result = once();
      rows += result.rowsWritten;
      versions += result.versionsWritten;
      entries = result.entries;
      const size = sizeOf(store);
      perCapture.push(size.fileBytes - previous.fileBytes);
      previous = size;
    }
    return {
      firstCaptureBytes: first.fileBytes,
      bytesPerCapture: (previous.fileBytes - first.fileBytes) / captures,
      usedBytesPerCapture: previous.usedBytes === null || first.usedBytes === null ? null : (previous.usedBytes - first.usedBytes) / captures,
      perCapture,
      rowsPerCapture: rows / captures,
      versionsPerCapture: versions / captures,
      entries,
      pageSize: store.db.pragma('page_size', { simple: true }) as number,
    };
  } finally {
    store.close();
  }
}
