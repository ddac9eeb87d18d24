import type { MessagePort, Worker } from 'node:worker_threads';
import { PssError } from '../../pss/pss-error.js';
import { endProcessNow } from '../end-process.js';
import { workerThreads } from '../worker-threads.js';
import { CaptureState, type CaptureReply, type CaptureRequest, type CaptureThreadData } from './capture-protocol.js';

/** How long the capture thread may take to bind its functions. */
const START_TIMEOUT_MS = 60_000;

/** Capture threads given up inside a capture that has not returned yet. */
const hung = new Set<Worker>();
let exitGuarded = false;

/**
 * Node joins every worker thread at exit, and a thread blocked in PssCaptureSnapshot never
 * joins: the process would hang when it is done. With such a thread left, the process ends
 * itself at exit, as Windows ends every thread of a process that exits.
 */
function guardExit(): void {
  if (exitGuarded) return;
  exitGuarded = true;
  process.once('exit', (code) => {
    if (hung.size === 0) return;
    endProcessNow(code);
  });
}

/** Capture threads still inside a capture they were given up on. */
export function hungCaptureThreads(): number {
  return hung.size;
}

/**
 * The worker thread that calls PssCaptureSnapshot (capture-worker.ts), seen from the capturer:
 * `capture` waits for it at most `timeoutMs`. A capture that takes longer is given up: the
 * thread frees its snapshot when (if ever) the call returns, and this object is done.
 */
export class CaptureThread {
  private readonly worker: Worker;
  private readonly state: Int32Array;
  private readonly port: MessagePort;
  private startError: Error | null = null;
  /** Given up in a capture, or failed: a new thread is needed. */
  done = false;

  constructor(pssLibrary: string) {
    const shared = new SharedArrayBuffer(4);
    this.state = new Int32Array(shared);
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    this.port = port1;
    const data: CaptureThreadData = { pssLibrary, state: shared, port: port2 };
    this.worker = new (workerThreads().Worker)(new URL('./capture-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
    this.worker.on('error', (error) => {
      this.startError = error;
    });
    this.worker.unref();
    Atomics.wait(this.state, 0, CaptureState.Starting, START_TIMEOUT_MS);
    const started = Atomics.load(this.state, 0);
    if (started !== CaptureState.Idle) {
      void this.worker.terminate();
      this.done = true;
      const reason = (workerThreads().receiveMessageOnPort(port1)?.message as { startError?: string } | undefined)?.startError ?? this.startError?.message;
      throw new PssError('ERROR_NOT_SUPPORTED', `cannot start the capture thread: ${reason ?? 'it did not start in time'}`, {
        function: 'PssCaptureSnapshot',
      });
    }
  }

  /**
   * Runs one capture; null when it did not return within `timeoutMs` (it is then given up, and
   * so is this thread).
   */
  capture(request: CaptureRequest, timeoutMs: number): CaptureReply | null {
    if (this.done) throw new Error('this capture thread was given up');
    Atomics.store(this.state, 0, CaptureState.Pending);
    this.port.postMessage(request);
    Atomics.wait(this.state, 0, CaptureState.Pending, timeoutMs);
    if (Atomics.compareExchange(this.state, 0, CaptureState.Pending, CaptureState.Abandoned) === CaptureState.Pending) {
      this.done = true;
      this.port.close();
      hung.add(this.worker);
      guardExit();
      this.worker.once('exit', () => hung.delete(this.worker));
      return null;
    }
    const reply = workerThreads().receiveMessageOnPort(this.port);
    Atomics.store(this.state, 0, CaptureState.Idle);
    if (reply === undefined) throw new Error('the capture thread replied nothing');
    return reply.message as CaptureReply;
  }

  close(): void {
    if (!this.done) void this.worker.terminate();
    this.done = true;
    this.port.close();
  }
}
