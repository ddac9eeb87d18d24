import type { Worker } from 'node:worker_threads';
import { PssError } from '../../pss/pss-error.js';
import { workerThreads } from '../worker-threads.js';
import { DENIED, type ReadFailure, VANISHED } from './proc-files.js';
import { FAILED, STARTING } from './stat-ready.js';
import type { StatAnswer, StatRequest, StatWorkerData } from './stat-worker.js';

/** How long the stats of one capture on network and FUSE file systems may take in all, ms. */
export const BLOCKING_STAT_TIMEOUT_MS = 1000;
/**
 * How long starting the stat process (a thread and a Node process) may take, ms. It is not the
 * file systems' time: the budget starts again when the process is ready. On a loaded machine a
 * Node process can take seconds to start; one that does not start in this long fails the capture.
 */
const STAT_PROCESS_START_LIMIT_MS = 20_000;
/** How long a file system that did not answer is left alone (its files' stats unknown), ms. */
const UNRESPONSIVE_FOR_MS = 60_000;

/**
 * The stat() calls a capture makes of files on network and FUSE file systems, made by a process
 * of their own (stat-child.ts, through the thread of stat-worker.ts) with a deadline, so that a
 * file system that hangs (a dead NFS server, a stuck FUSE daemon) cannot hang the capture or keep
 * Ctrl-C waiting. Past the deadline that process is killed and left behind (a stat stuck in a
 * FUSE request ends only when the daemon answers, whatever the signal; a process with such a
 * thread could not end, so pssql never makes one itself), the capture fails with ERROR_TIMEOUT
 * (it is skipped, the recording goes on), and that file system is left alone for a minute: the
 * stats of its files are unknown (null) meanwhile. While the process left behind has not ended
 * (its stat never answered), that file system stays left alone: one such process per hang, not
 * one a minute.
 */
export class BlockingStats {
  private worker: Worker | null = null;
  private readonly unresponsive = new Map<string, number>();
  /** Mounts whose stat process was left behind stuck, and has not ended yet. */
  private readonly stuck = new Set<string>();
  /** Int32 the thread sets (stat-ready.ts): STARTING while a stat process starts, READY once it is, FAILED when it ended or could not start. */
  private readonly ready = new SharedArrayBuffer(4);

  constructor(private readonly timeoutMs = BLOCKING_STAT_TIMEOUT_MS) {}

  private thread(): Worker {
    if (this.worker === null) {
      // A new thread starts a new stat process: whatever the last one said does not hold.
      Atomics.store(new Int32Array(this.ready), 0, STARTING);
      const workerData: StatWorkerData = { ready: this.ready };
      this.worker = new (workerThreads().Worker)(new URL('./stat-worker.js', import.meta.url), { workerData });
      const worker = this.worker;
      worker.on('message', (message: { released: string }) => this.stuck.delete(message.released));
      // A thread that failed is started again by the next stat (its stats meanwhile fail as vanished).
      worker.on('error', () => {
        if (this.worker === worker) this.worker = null;
      });
      worker.unref();
    }
    return this.worker;
  }

  /** A deadline for one capture's blocking stats, shared by all of them. */
  budget(): { endsAtMs: number } {
    return { endsAtMs: performance.now() + this.timeoutMs };
  }

  /**
   * stat(2) of `path` (on the file system `mount` names) as text; '' when the file system is left
   * alone as unresponsive. Throws ERROR_TIMEOUT when it does not answer within the budget.
   */
  stat(path: string, mount: string, budget: { endsAtMs: number }, pid: number): string | ReadFailure {
    const until = this.unresponsive.get(mount);
    if (until !== undefined) {
      if (performance.now() < until || this.stuck.has(mount)) return '';
      this.unresponsive.delete(mount);
    }
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    const done = new SharedArrayBuffer(4);
    const request: StatRequest = { path, port: port2, done };
    // After a process that ended, this request starts the next: wait for it as for the first.
    Atomics.compareExchange(new Int32Array(this.ready), 0, FAILED, STARTING);
    this.thread().postMessage(request, [port2]);
    try {
      this.waitUntilStarted(budget, done, pid);
    } catch (error) {
      port1.close();
      throw error;
    }
    const waitMs = Math.max(1, budget.endsAtMs - performance.now());
    if (Atomics.wait(new Int32Array(done), 0, 0, waitMs) === 'timed-out') {
      port1.close();
      // The next stat waits for the next stat process to start, whenever the thread reads this.
      Atomics.store(new Int32Array(this.ready), 0, STARTING);
      const abandon: StatRequest = { abandon: mount };
      this.thread().postMessage(abandon);
      this.stuck.add(mount);
      this.unresponsive.set(mount, performance.now() + UNRESPONSIVE_FOR_MS);
      throw new PssError(
        'ERROR_TIMEOUT',
        `cannot capture pid ${pid}: ${path} did not answer within ${this.timeoutMs / 1000} s (a network or FUSE file system that hangs): ` +
          'the capture is skipped, and that file system is left alone for a minute',
        { pid, path },
      );
    }
    const answer = workerThreads().receiveMessageOnPort(port1)?.message as StatAnswer | undefined;
    port1.close();
    if (answer === undefined || 'error' in answer) return VANISHED;
    if ('failure' in answer) return answer.failure === 'denied' ? DENIED : VANISHED;
    return answer.text;
  }

  /**
   * Waits while the stat process starts (the first stat, or the first after one was left behind
   * or ended), and moves the budget's end on by that time: a slow start is not a file system
   * that hangs. Returns at once when the process could not start or ended (the thread then
   * answers every waiting stat with an error), or when the answer is there already. It waits in
   * short steps, since the answer and the start are two flags.
   */
  private waitUntilStarted(budget: { endsAtMs: number }, done: SharedArrayBuffer, pid: number): void {
    const ready = new Int32Array(this.ready);
    const answered = new Int32Array(done);
    const from = performance.now();
    while (Atomics.load(ready, 0) === STARTING && Atomics.load(answered, 0) === 0) {
      if (performance.now() - from >= STAT_PROCESS_START_LIMIT_MS) {
        throw new PssError(
          'ERROR_TIMEOUT',
          `cannot capture pid ${pid}: the process that makes the stats of network and FUSE files did not start within ${STAT_PROCESS_START_LIMIT_MS / 1000} s (a machine short of CPU or memory)`,
          { pid },
        );
      }
      Atomics.wait(ready, 0, STARTING, 50);
    }
    budget.endsAtMs += performance.now() - from;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
