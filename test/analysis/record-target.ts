/**
 * Recordings of the C target for analysis tests: a target started with known fds, threads and
 * regions, captured a number of times into a fresh recording through the library.
 */
import { captureSnapshot, type CaptureOptions, openStore, writeCapture } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';
import { startTarget, type Target } from '../helpers/target.js';

export interface RecordedTarget {
  target: Target;
  /** The recording's path. */
  db: string;
  /** The ids of the captures, in order. */
  captureIds: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Captures `pid` `count` times, `intervalMs` apart, into `db` (created when missing). */
export async function recordCaptures(db: string, pid: number, count: number, intervalMs = 0, options: Omit<CaptureOptions, 'pid'> = {}): Promise<number[]> {
  const store = openStore(db);
  try {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0 && intervalMs > 0) await sleep(intervalMs);
      const snapshot = captureSnapshot({ pid, ...options });
      try {
        ids.push(writeCapture(store, snapshot).captureId);
      } finally {
        snapshot.free();
      }
    }
    return ids;
  } finally {
    store.close();
  }
}

/** Starts a target with `args` and records `count` captures of it into a new recording. */
export async function recordTarget(args: string[], count = 1, intervalMs = 0): Promise<RecordedTarget> {
  const target = await startTarget(args);
  const db = `${tempDir()}/recording.db`;
  try {
    return { target, db, captureIds: await recordCaptures(db, target.pid, count, intervalMs) };
  } catch (error) {
    await target.stop();
    throw error;
  }
}
