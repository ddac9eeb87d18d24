import type { ProcFiles } from './proc-files.js';
import type { ProcessCache } from './process-cache.js';

/** State shared by the readers of one capture: where to read, and what had to be left out. */
export interface CaptureContext {
  files: ProcFiles;
  pid: number;
  flags: number;
  /** What the last capture of this process read (see process-cache.ts). */
  cache: ProcessCache;
  /** Threads, fds and regions that vanished while they were read. */
  skipped: number;
  /** Fields left null because reading them needed more privilege. */
  denied: number;
}
