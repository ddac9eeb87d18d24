/**
 * The reader thread: reads its share of a capture's /proc files while the main thread reads the
 * rest, so the two cores overlap their system calls. It answers through a MessagePort and wakes
 * the main thread, which waits synchronously (captures are synchronous).
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { ProcFiles } from './proc-files.js';
import { packRaw, type RawJob, rawWidth, readRaw } from './raw-reads.js';

export interface WorkerRequest {
  job: RawJob;
  from: number;
  to: number;
  port: MessagePort;
  /** Int32 flag the worker sets to 1 (and notifies) once the answer is on the port. */
  done: SharedArrayBuffer;
}

/** `doneAtMs`: when the share was read, in ms since the epoch (performance.timeOrigin + now), for the split of the next job. */
export type WorkerAnswer = { data: ArrayBuffer; doneAtMs: number } | { error: string; code?: string };

const files = new Map<string, ProcFiles>();

parentPort?.on('message', (request: WorkerRequest) => {
  let answer: WorkerAnswer;
  try {
    let reader = files.get(request.job.root);
    if (reader === undefined) files.set(request.job.root, (reader = new ProcFiles(request.job.root)));
    const data = packRaw(readRaw(reader, request.job, request.from, request.to), rawWidth(request.job.dir));
    answer = { data, doneAtMs: performance.timeOrigin + performance.now() };
    request.port.postMessage(answer, [data]);
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') answer.code = code;
    request.port.postMessage(answer);
  }
  request.port.close();
  const flag = new Int32Array(request.done);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
