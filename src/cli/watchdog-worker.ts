/**
 * The watchdog of a read with a time limit (see watchdog.ts): it waits on a flag for the time
 * given, and if the read has not finished by then, says so and ends the process at once. From
 * its own thread, because the read blocks the main one inside SQLite (better-sqlite3 is built
 * without SQLite's progress callback, so a statement cannot be interrupted where it runs), and
 * with _exit (TerminateProcess on Windows), because Node would wait for that thread at exit.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
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
    if (process.platform === 'win32') {
      const { loadKoffi } = await import('../capture/windows/load-koffi.js');
      const kernel32 = loadKoffi().load('kernel32.dll');
      const terminate = kernel32.func('int32_t __stdcall TerminateProcess(uintptr_t hProcess, uint32_t uExitCode)');
      terminate(kernel32.func('uintptr_t __stdcall GetCurrentProcess()')(), exitCode);
    } else {
      const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
      koffi.load(process.arch === 'x64' || process.arch === 'arm64' ? 'libc.so.6' : 'libc.so').func('void _exit(int status)')(exitCode);
    }
  } catch {
    // No koffi for this machine: the process still ends, by a signal.
  }
  process.kill(process.pid, 'SIGKILL');
}
