import type { ProcFiles } from './proc-files.js';
import type { ProcessCache } from './process-cache.js';
import type { ReaderThread } from './reader-thread.js';
import type { SocketTables } from './read-sockets.js';

/** State shared by the readers of one capture: where to read, and what had to be left out. */
export interface CaptureContext {
  files: ProcFiles;
  pid: number;
  flags: number;
  /** Boot time of the machine behind the proc tree, µs since the Unix epoch. */
  bootTimeUs: number;
  /** What the last capture of this process read (see process-cache.ts). */
  cache: ProcessCache;
  /** The capturer's socket tables, shared with its other captures. */
  sockets: SocketTables;
  /** The capturer's second reading thread. */
  reader: ReaderThread;
  /** Threads, fds and regions that vanished while they were read. */
  skipped: number;
  /** Fields left null because reading them needed more privilege. */
  denied: number;
}
