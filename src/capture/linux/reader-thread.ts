import type { Worker } from 'node:worker_threads';
import { PssError } from '../../pss/pss-error.js';
import { workerThreads } from '../worker-threads.js';
import type { ProcFiles } from './proc-files.js';
import { type RawItem, type RawJob, rawWidth, readRaw, unpackRaw } from './raw-reads.js';
import type { WorkerAnswer, WorkerRequest } from './read-worker.js';

/** Below this many ids, one thread reads everything: a second one would not pay for itself. */
export const PARALLEL_THRESHOLD = 1500;
const WORKER_TIMEOUT_MS = 60_000;
/** Heap limits of the reader thread (MB): a job's texts are garbage once packed. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/**
 * The thread's share of the next job, from the rates (items per ms) of the last one: halfway
 * from the last share to the one that would have made both sides end together, within a quarter
 * and three quarters (a job that was slow for one side by chance does not swing the split).
 */
export function nextShare(share: number, threadRate: number, callerRate: number): number {
  const balanced = threadRate / (threadRate + callerRate);
  return Math.min(0.75, Math.max(0.25, (share + balanced) / 2));
}

/**
 * A second thread that reads a share of a large job's /proc files (about half) while the calling
 * thread reads the rest, so the two cores overlap their system calls. It starts with the first large
 * job and lives until {@link close}; it never keeps the process alive.
 */
export class ReaderThread {
  private worker: Worker | null = null;
  private failed = false;
  /**
   * The share of a job the thread reads, per kind of job (fd, task): it starts at half and
   * follows what each side read per ms in the last job, so that neither waits long for the other
   * (the thread also packs its results, and is not always as fast as the caller).
   */
  private readonly shares = new Map<string, number>();

  private thread(): Worker | null {
    if (this.worker === null && !this.failed) {
      try {
        // It keeps nothing between jobs: a small young generation collects a job's texts
        // soon, where V8's default would let them pile up to tens of megabytes first.
        const worker = new (workerThreads().Worker)(new URL('./read-worker.js', import.meta.url), { resourceLimits: WORKER_LIMITS });
        worker.unref();
        worker.on('error', () => {
          this.failed = true;
          this.worker = null;
        });
        this.worker = worker;
      } catch {
        this.failed = true;
      }
    }
    return this.worker;
  }

  /** Whether the thread is running (tests). */
  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Reads the files of every id of a job, in id order. A large job is split: the reader thread
   * reads the first share while this thread reads the rest, then this thread waits for the
   * thread's share (synchronously: a capture is synchronous). Results are the same as reading alone.
   */
  read(files: ProcFiles, job: RawJob): RawItem[] {
    const count = job.ids.length;
    const thread = count >= PARALLEL_THRESHOLD ? this.thread() : null;
    if (thread === null) return readRaw(files, job, 0, count);

    const share = this.shares.get(job.dir) ?? 0.5;
    const half = Math.min(count - 1, Math.max(1, Math.round(count * share)));
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    const done = new SharedArrayBuffer(4);
    const request: WorkerRequest = { job, from: 0, to: half, port: port2, done };
    const startedAtMs = performance.timeOrigin + performance.now();
    thread.postMessage(request, [port2]);
    const mine = readRaw(files, job, half, count);
    const mineAtMs = performance.timeOrigin + performance.now();
    const flag = new Int32Array(done);
    if (Atomics.wait(flag, 0, 0, WORKER_TIMEOUT_MS) === 'timed-out') {
      port1.close();
      throw new PssError('ERROR_BUSY', `the /proc reader thread did not answer within ${WORKER_TIMEOUT_MS / 1000} s`, { pid: job.pid });
    }
    const answer = workerThreads().receiveMessageOnPort(port1)?.message as WorkerAnswer | undefined;
    port1.close();
    if (answer === undefined) throw new PssError('ERROR_READ_FAULT', 'the /proc reader thread gave no answer', { pid: job.pid });
    if ('error' in answer) {
      // Its PssErrors (too many open files) keep their code; anything else is a read fault.
      const code = answer.code === 'ERROR_TOO_MANY_OPEN_FILES' ? answer.code : 'ERROR_READ_FAULT';
      throw new PssError(code, answer.error, { pid: job.pid });
    }
    this.shares.set(job.dir, nextShare(share, half / Math.max(0.01, answer.doneAtMs - startedAtMs), (count - half) / Math.max(0.01, mineAtMs - startedAtMs)));
    return [...unpackRaw(answer.data, rawWidth(job.dir)), ...mine];
  }

  /** Stops the thread. A later large job starts another. */
  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
