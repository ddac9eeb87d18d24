/**
 * The capture thread: the only place PssCaptureSnapshot is called. A capture can block (reading
 * a handle's name waits on a synchronous pipe forever); here it blocks this thread, not the
 * capturer, which waits with a time limit and gives the capture up. The HPSS is an address in
 * this process, usable from any thread: the reply hands it over as a number.
 */
import { workerData } from 'node:worker_threads';
import { CaptureFlags } from '../../pss/capture-flags.js';
import { Win32Error } from '../../pss/win32-error.js';
import { CaptureState, type CaptureReply, type CaptureRequest, type CaptureThreadData } from './capture-protocol.js';
import { loadKoffi } from './load-koffi.js';

const SYNCHRONIZE = 0x0010_0000;
const STILL_ACTIVE = 259;
const WAIT_OBJECT_0 = 0;

const { pssLibrary, state, port } = workerData as CaptureThreadData;
const shared = new Int32Array(state);

type Handle = number | bigint;

function bind() {
  const koffi = loadKoffi();
  const kernel32 = koffi.load('kernel32.dll');
  const pss = pssLibrary.toLowerCase() === 'kernel32.dll' ? kernel32 : koffi.load(pssLibrary);
  // Handles as pointer-sized integers: they cross to the capturer as numbers.
  return {
    OpenProcess: kernel32.func('uintptr_t __stdcall OpenProcess(uint32_t dwDesiredAccess, int32_t bInheritHandle, uint32_t dwProcessId)') as (
      access: number, inherit: number, pid: number) => Handle,
    CloseHandle: kernel32.func('int32_t __stdcall CloseHandle(uintptr_t hObject)') as (handle: Handle) => number,
    GetLastError: kernel32.func('uint32_t __stdcall GetLastError()') as () => number,
    GetCurrentProcess: kernel32.func('uintptr_t __stdcall GetCurrentProcess()') as () => Handle,
    GetExitCodeProcess: kernel32.func('int32_t __stdcall GetExitCodeProcess(uintptr_t hProcess, _Out_ uint32_t *lpExitCode)') as (
      process: Handle, code: [number | null]) => number,
    WaitForSingleObject: kernel32.func('uint32_t __stdcall WaitForSingleObject(uintptr_t hHandle, uint32_t dwMilliseconds)') as (
      handle: Handle, ms: number) => number,
    PssCaptureSnapshot: pss.func(
      'uint32_t __stdcall PssCaptureSnapshot(uintptr_t ProcessHandle, uint32_t CaptureFlags, uint32_t ThreadContextFlags, _Out_ uintptr_t *SnapshotHandle)',
    ) as (process: Handle, flags: number, contextFlags: number, snapshot: [Handle | null]) => number,
    PssFreeSnapshot: pss.func('uint32_t __stdcall PssFreeSnapshot(uintptr_t ProcessHandle, uintptr_t SnapshotHandle)') as (
      process: Handle, snapshot: Handle) => number,
  };
}

let api: ReturnType<typeof bind>;
try {
  api = bind();
} catch (error) {
  port.postMessage({ startError: error instanceof Error ? error.message : String(error) });
  Atomics.store(shared, 0, CaptureState.Failed);
  Atomics.notify(shared, 0);
  throw error;
}
Atomics.store(shared, 0, CaptureState.Idle);
Atomics.notify(shared, 0);

/** Has the process ended, or is it ending? Asked of a capture that failed, so that it is not reported as refused. */
function exitOf(process: Handle, pid: number): { exitCode: number | null; exited: boolean } {
  const code: [number | null] = [null];
  const exitCode = api.GetExitCodeProcess(process, code) !== 0 ? code[0] : null;
  let exited = false;
  const waitable = api.OpenProcess(SYNCHRONIZE, 0, pid);
  if (BigInt(waitable) !== 0n) {
    exited = api.WaitForSingleObject(waitable, 0) === WAIT_OBJECT_0;
    api.CloseHandle(waitable);
  }
  return { exitCode, exited: exited || (exitCode !== null && exitCode !== STILL_ACTIVE) };
}

function capture(request: CaptureRequest): CaptureReply {
  const reply: CaptureReply = {
    failed: null, code: 0, snapshot: 0n, flags: request.flags, handleTraceCode: 0,
    startedAtUs: Date.now() * 1000, durationUs: 0, exitCode: null, exited: false,
  };
  const process = api.OpenProcess(request.access, 0, request.pid);
  if (BigInt(process) === 0n) return { ...reply, failed: 'OpenProcess', code: api.GetLastError() };
  try {
    const once = (flags: number): { code: number; snapshot: bigint } => {
      const out: [Handle | null] = [null];
      const started = globalThis.process.hrtime.bigint();
      reply.startedAtUs = Date.now() * 1000;
      const code = api.PssCaptureSnapshot(process, flags >>> 0, request.threadContextFlags >>> 0, out);
      reply.durationUs = Number((globalThis.process.hrtime.bigint() - started) / 1000n);
      return { code, snapshot: code === 0 && out[0] !== null ? BigInt(out[0]) : 0n };
    };
    let result = once(request.flags);
    if (result.code !== 0) {
      const exit = exitOf(process, request.pid);
      // The handle trace fails the whole capture when tracing is off in the target: try without it.
      if (!exit.exited && result.code !== Win32Error.ERROR_ACCESS_DENIED && (request.flags & CaptureFlags.HandleTrace) !== 0) {
        const withoutTrace = once((request.flags & ~CaptureFlags.HandleTrace) >>> 0);
        if (withoutTrace.code === 0) {
          return { ...reply, snapshot: withoutTrace.snapshot, flags: (request.flags & ~CaptureFlags.HandleTrace) >>> 0, handleTraceCode: result.code };
        }
        result = withoutTrace.code === result.code ? result : withoutTrace;
      }
      return { ...reply, failed: 'PssCaptureSnapshot', code: result.code, ...exit };
    }
    return { ...reply, snapshot: result.snapshot };
  } finally {
    api.CloseHandle(process);
  }
}

port.on('message', (request: CaptureRequest) => {
  const reply = capture(request);
  // The reply goes first, then the state says it is there.
  port.postMessage(reply);
  if (Atomics.compareExchange(shared, 0, CaptureState.Pending, CaptureState.Done) === CaptureState.Pending) {
    Atomics.notify(shared, 0);
    return;
  }
  // The capturer gave this capture up: nobody will free the snapshot but this thread.
  if (reply.snapshot !== 0n) api.PssFreeSnapshot(api.GetCurrentProcess(), reply.snapshot);
  port.close();
  globalThis.process.exit(0); // ends this thread only
});
