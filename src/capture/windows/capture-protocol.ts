import type { MessagePort } from 'node:worker_threads';

/*
 * What the capturer and its capture thread (capture-worker.ts) say to each other. A request goes
 * over a MessagePort; the reply too, and a shared Int32 says when it is there, so the capturer
 * can wait for it with a time limit (Atomics.wait) and give up a capture that hangs.
 */

/** States of the shared Int32. */
export const CaptureState = {
  /** The thread is binding its functions. */
  Starting: 0,
  /** Ready for a request, or the last reply was taken. */
  Idle: 1,
  /** A request is being captured. */
  Pending: 2,
  /** The reply is on the port. */
  Done: 3,
  /** The capturer stopped waiting: the thread frees what it captures, and ends. */
  Abandoned: 4,
  /** The thread could not start; the reason is on the port. */
  Failed: 5,
} as const;

/** Data the capture thread starts with. */
export interface CaptureThreadData {
  pssLibrary: string;
  /** One Int32: a {@link CaptureState}. */
  state: SharedArrayBuffer;
  /** Requests come in and replies go out here; the capturer reads replies with receiveMessageOnPort. */
  port: MessagePort;
}

/** One capture to make. */
export interface CaptureRequest {
  pid: number;
  /** OpenProcess rights. */
  access: number;
  flags: number;
  threadContextFlags: number;
}

/** What one capture gave. */
export interface CaptureReply {
  /** The function that failed, or null. */
  failed: 'OpenProcess' | 'PssCaptureSnapshot' | null;
  /** Its Win32 code (0 when nothing failed). */
  code: number;
  /** The HPSS, an address valid in this whole process; 0 when the capture failed. */
  snapshot: bigint;
  /** The flags of the capture that was made: without PSS_CAPTURE_HANDLE_TRACE if that had to be dropped. */
  flags: number;
  /** The code of the capture with the handle trace, when it failed and one without it did not; else 0. */
  handleTraceCode: number;
  startedAtUs: number;
  durationUs: number;
  /** After a failed capture: the process's exit code (259, STILL_ACTIVE, while it runs), when it could be read. */
  exitCode: number | null;
  /** After a failed capture: the process has ended (its handle is signaled). */
  exited: boolean;
}
