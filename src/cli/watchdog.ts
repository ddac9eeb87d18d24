import { Worker } from 'node:worker_threads';
import { humanDuration } from '../pss/units.js';
import type { WatchdogData } from './watchdog-worker.js';

/**
 * Runs `body` (a read: a report, a query) with a time limit: past `limitUs` the process says
 * "`what` did not finish within ..." on stderr and ends with `exitCode`, however the read is
 * stuck (a crafted view over an endless recursive CTE, a query that joins everything with
 * everything). No limit when `limitUs` is undefined.
 */
export async function withTimeLimit<T>(limitUs: number | undefined, what: string, exitCode: number, body: () => Promise<T>): Promise<T> {
  if (limitUs === undefined) return body();
  const done = new SharedArrayBuffer(4);
  const data: WatchdogData = {
    done,
    ms: Math.max(1, Math.round(limitUs / 1000)),
    message: `pssql: ${what} did not finish within ${humanDuration(limitUs)} (--timeout): stopped\n`,
    exitCode,
  };
  new Worker(new URL('./watchdog-worker.js', import.meta.url), { workerData: data }).unref();
  try {
    return await body();
  } finally {
    const flag = new Int32Array(done);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
}

/** The limit `--timeout` gives, in µs: a duration, or 0 for none. */
export async function timeLimitOf(text: string): Promise<number | undefined> {
  if (text.trim() === '0') return undefined;
  const { parseDuration } = await import('../recorder/parse-duration.js');
  return parseDuration(text, '--timeout');
}
