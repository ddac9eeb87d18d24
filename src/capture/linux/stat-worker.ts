/**
 * The thread between a capture and the process that makes its blocking stats (stat-child.ts): it
 * passes each request on, and wakes the capture (which waits for it at most a deadline) when the
 * answer comes. This thread never blocks in the kernel itself, so pssql always ends when it should.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { ChildRequest, StatAnswer } from './stat-child.js';
import { FAILED, READY, STARTING } from './stat-ready.js';

export type { StatAnswer };

export type StatRequest =
  | {
      path: string;
      port: MessagePort;
      /** Int32 flag this thread sets to 1 (and notifies) once the answer is on the port. */
      done: SharedArrayBuffer;
    }
  /** The capture gave up waiting on this mount: the process is stuck in the kernel, and a new one serves next. */
  | { abandon: string };

interface Pending {
  port: MessagePort;
  done: SharedArrayBuffer;
}

/** What the thread is started with. */
export interface StatWorkerData {
  /** Int32: STARTING, READY or FAILED, for the stat process of the moment; notified on each change. */
  ready: SharedArrayBuffer;
}

function setReady(state: number): void {
  Atomics.store(ready, 0, state);
  Atomics.notify(ready, 0);
}

const ready = new Int32Array((workerData as StatWorkerData).ready);
let child: ChildProcess | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function answer(waiting: Pending, message: StatAnswer): void {
  waiting.port.postMessage(message);
  waiting.port.close();
  const flag = new Int32Array(waiting.done);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function failAll(reason: string): void {
  for (const waiting of pending.values()) answer(waiting, { error: reason });
  pending.clear();
}

function statProcess(): ChildProcess {
  if (child !== null) return child;
  // Its own process group, so that Ctrl-C is pssql's to handle; no stdio, so a process stuck
  // behind holds no pipe of pssql's open (a shell waits on those).
  const made = fork(fileURLToPath(new URL('./stat-child.js', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], detached: true });
  setReady(STARTING);
  made.on('message', (message: { id: number; answer: StatAnswer } | { ready: true }) => {
    if ('ready' in message) {
      if (child === made) setReady(READY);
      return;
    }
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (waiting !== undefined) answer(waiting, message.answer);
  });
  made.on('exit', () => {
    if (child === made) {
      child = null;
      setReady(FAILED);
      failAll('the stat process ended');
    }
  });
  made.on('error', (error) => {
    if (child === made) {
      child = null;
      setReady(FAILED);
      failAll(error.message);
    }
  });
  child = made;
  return made;
}

parentPort?.on('message', (request: StatRequest) => {
  if ('abandon' in request) {
    if (child !== null) {
      // Killed, and left to end when its file system answers at last; never waited for.
      const stuck = child;
      child = null;
      setReady(STARTING);
      // Said when it ends at last (its file system answered): that mount may be tried again.
      const mount = request.abandon;
      stuck.once('exit', () => parentPort?.postMessage({ released: mount }));
      stuck.kill('SIGKILL');
      if (stuck.connected) stuck.disconnect();
      stuck.unref();
    }
    pending.clear();
    return;
  }
  const id = nextId++;
  pending.set(id, { port: request.port, done: request.done });
  const message: ChildRequest = { id, path: request.path };
  try {
    statProcess().send(message);
  } catch (error) {
    // A fork that throws (out of processes or memory), or a channel that broke: the stat fails
    // now, not after the start limit, and the next one starts another process.
    const broken = child;
    child = null;
    broken?.kill('SIGKILL');
    setReady(FAILED);
    failAll(error instanceof Error ? error.message : String(error));
  }
});
