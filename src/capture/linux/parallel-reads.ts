import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { PssError } from '../../pss/pss-error.js';
import type { ProcFiles } from './proc-files.js';
import { type RawItem, type RawJob, rawWidth, readRaw, unpackRaw } from './raw-reads.js';
import type { WorkerAnswer, WorkerRequest } from './read-worker.js';

/** Below this many ids, one thread reads everything: a second one would not pay for itself. */
export const PARALLEL_THRESHOLD = 1500;
const WORKER_TIMEOUT_MS = 60_000;

let worker: Worker | null = null;
let workerFailed = false;

function readerThread(): Worker | null {
  if (worker === null && !workerFailed) {
    try {
      worker = new Worker(new URL('./read-worker.js', import.meta.url));
      worker.unref(); // never keeps the process alive
      worker.on('error', () => {
        workerFailed = true;
        worker = null;
      });
    } catch {
      workerFailed = true;
    }
  }
  return worker;
}

/**
 * Reads the files of every id of a job, in id order. A large job is split: a reader thread reads
 * the first half while this thread reads the second, then this thread waits for the other half
 * (synchronously: a capture is synchronous). Results are the same as reading alone.
 */
export function readRawParallel(files: ProcFiles, job: RawJob): RawItem[] {
  const count = job.ids.length;
  const thread = count >= PARALLEL_THRESHOLD ? readerThread() : null;
  if (thread === null) return readRaw(files, job, 0, count);

  const half = Math.floor(count / 2);
  const { port1, port2 } = new MessageChannel();
  const done = new SharedArrayBuffer(4);
  const request: WorkerRequest = { job, from: 0, to: half, port: port2, done };
  thread.postMessage(request, [port2]);
  const mine = readRaw(files, job, half, count);
  const flag = new Int32Array(done);
  if (Atomics.wait(flag, 0, 0, WORKER_TIMEOUT_MS) === 'timed-out') {
    port1.close();
    throw new PssError('ERROR_BUSY', `the /proc reader thread did not answer within ${WORKER_TIMEOUT_MS / 1000} s`, { pid: job.pid });
  }
  const answer = receiveMessageOnPort(port1)?.message as WorkerAnswer | undefined;
  port1.close();
  if (answer === undefined) throw new PssError('ERROR_READ_FAULT', 'the /proc reader thread gave no answer', { pid: job.pid });
  if ('error' in answer) {
    // Its PssErrors (too many open files) keep their code; anything else is a read fault.
    const code = answer.code === 'ERROR_TOO_MANY_OPEN_FILES' ? answer.code : 'ERROR_READ_FAULT';
    throw new PssError(code, answer.error, { pid: job.pid });
  }
  return [...unpackRaw(answer.data, rawWidth(job.dir)), ...mine];
}
