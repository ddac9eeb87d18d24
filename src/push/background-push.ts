import { Worker } from 'node:worker_threads';
import { PssError } from '../pss/pss-error.js';
import type { Win32ErrorName } from '../pss/win32-error.js';
import type { PushSummary } from './push-recording.js';

/** Options of {@link BackgroundPusher}. */
export interface BackgroundPushOptions {
  /** The recording file (read-only: pushing changes nothing in it). */
  db: string;
  /** The store to push into: a postgres:// URL or a recording file. */
  target: string;
  /** Time from the start of one push to the start of the next, µs. */
  everyUs: number;
  onEvent?: (event: BackgroundPushEvent) => void;
}

/** What a background push did. */
export type BackgroundPushEvent = { type: 'pushed'; summary: PushSummary } | { type: 'push-failed'; error: Error };

/** What the pushes of a recorder did, so far or in the end. */
export interface PushTotals {
  pushes: number;
  failures: number;
  captures: number;
  rows: number;
  lastError: string | null;
}

/**
 * Pushes a recording on a schedule, in a thread of its own, so that the recorder is never slowed
 * or stopped by the target: when it is down, captures stay in the file and go with a later push.
 * `pushed` says, per process instance of the recording, the last seq the target holds: retention
 * that honours it never deletes what was not pushed.
 */
export class BackgroundPusher {
  /** Per process instance of the recording, the last capture seq the target holds. */
  readonly pushed = new Map<number, number>();
  readonly totals: PushTotals = { pushes: 0, failures: 0, captures: 0, rows: 0, lastError: null };
  private readonly worker: Worker;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private next = 0;
  private closed = false;
  private readonly waiting = new Map<number, (message: { type: string; summary?: PushSummary; error?: { message: string; code: string | null } }) => void>();

  constructor(private readonly options: BackgroundPushOptions) {
    this.worker = new Worker(new URL('./push-worker.js', import.meta.url), { workerData: { db: options.db, target: options.target } });
    this.worker.on('message', (message: { id: number; type: string }) => {
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
    // A thread that dies fails the push in flight: reported as a failed push, and the recorder
    // goes on recording (the pushes after it fail the same way, saying why).
    this.worker.on('error', (error) => {
      for (const resolve of this.waiting.values()) resolve({ type: 'failed', error: { message: error.message, code: null } });
      this.waiting.clear();
    });
  }

  private ask(type: 'push' | 'close'): Promise<{ type: string; summary?: PushSummary; error?: { message: string; code: string | null } }> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ type, id });
    });
  }

  /** Starts pushing: now, then every `everyUs` (a push still running when the next is due is not doubled). */
  start(): void {
    const tick = (): void => {
      if (this.inFlight === null) this.inFlight = this.pushOnce().finally(() => (this.inFlight = null));
    };
    tick();
    this.timer = setInterval(tick, Math.max(10, this.options.everyUs / 1000));
    this.timer.unref();
  }

  /** One push; its outcome goes to the totals, the watermarks and the events. */
  async pushOnce(): Promise<void> {
    const answer = await this.ask('push');
    if (answer.type === 'pushed' && answer.summary !== undefined) {
      const summary = answer.summary;
      for (const p of summary.pushed) this.pushed.set(p.instanceId, Math.max(p.seq, this.pushed.get(p.instanceId) ?? 0));
      this.totals.pushes++;
      this.totals.captures += summary.captures;
      this.totals.rows += summary.rows;
      this.totals.lastError = null;
      this.options.onEvent?.({ type: 'pushed', summary });
      return;
    }
    const { message = 'the push failed', code = null } = answer.error ?? {};
    const error = code === null ? new Error(message) : new PssError(code as Win32ErrorName, message);
    this.totals.failures++;
    this.totals.lastError = message;
    this.options.onEvent?.({ type: 'push-failed', error });
  }

  /**
   * Stops the schedule and pushes once more, so that what was recorded last goes too (within
   * `timeoutMs`: a target that is down does not hold the recorder up longer), then ends the thread.
   */
  async finish(timeoutMs = 30_000): Promise<void> {
    if (this.closed) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([
      (async () => {
        await this.inFlight;
        await this.pushOnce();
        await this.ask('close');
      })(),
      deadline,
    ]);
    clearTimeout(timer);
    await this.close();
  }

  /** Ends the thread at once, pushing nothing more. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.worker.terminate();
  }
}
