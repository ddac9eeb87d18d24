/**
 * The watchdog of a read with a time limit (see watchdog.ts): it waits on a flag for the time
 * given, and if the read has not finished by then, says so and ends the process at once. From
 * its own thread, because the read blocks the main one inside SQLite (better-sqlite3 is built
 * without SQLite's progress callback, so a statement cannot be interrupted where it runs), and
 * with _exit (TerminateProcess on Windows), because Node would wait for that thread at exit.
 */
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

export interface WatchdogData {
  /** Int32 set to 1 (and notified) when the read is done. */
  done: SharedArrayBuffer;
  ms: number;
  message: string;
  exitCode: number;
}

const { done, ms, message, exitCode } = workerData as WatchdogData;
if (Atomics.wait(new Int32Array(done), 0, 0, ms) === 'timed-out') {
  writeSync(2, message);
  try {
    const { endProcessNow } = await import('../capture/end-process.js');
    endProcessNow(exitCode);
  } catch {
    // No koffi for this machine: the process still ends, by a signal.
  }
  process.kill(process.pid, 'SIGKILL');
}
