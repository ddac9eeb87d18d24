import type { ProcFiles } from './proc-files.js';

/** State shared by the readers of one capture: where to read, and what had to be left out. */
export interface CaptureContext {
  files: ProcFiles;
  pid: number;
  flags: number;
  /** Capture time given to every entry: the start of the capture, µs since the Unix epoch. */
  captureTimeUs: number;
  /** Threads, fds and regions that vanished while they were read. */
  skipped: number;
  /** Fields left null because reading them needed more privilege. */
  denied: number;
}
