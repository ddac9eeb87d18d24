import { basename } from 'node:path';
import { hostname } from 'node:os';
import { CaptureFlags, CONTEXT_FLAGS, hasFlag, PssError, type Snapshot, Win32Error } from '../../pss/index.js';
import { accessMask, describeAccess, type RequiredAccess, requiredAccess } from './access-rights.js';
import { loadWindowsApi, type Pointer, type WindowsApi } from './windows-api.js';
import { WindowsSnapshot } from './windows-snapshot.js';

/** What {@link captureWindowsSnapshot} captures, and where the Pss* functions come from. */
export interface WindowsCaptureOptions {
  pid: number;
  /** CaptureFlags (PSS_CAPTURE_* | PSS_CREATE_*), as an unsigned 32-bit value. */
  flags: number;
  /** CONTEXT.ContextFlags for PSS_CAPTURE_THREAD_CONTEXT; CONTEXT_FULL when omitted. */
  threadContextFlags?: number;
  /**
   * A DLL to take the Pss* functions from instead of kernel32.dll (the Wine test harness loads
   * one). Defaults to the environment variable PSSQL_PSS_LIBRARY, then kernel32.dll.
   */
  pssLibrary?: string;
}

/**
 * Captures `pid` with PssCaptureSnapshot and returns the live snapshot; free it when done.
 * Opens the process with the access rights the flags need, and closes it again.
 *
 * @example
 * const snapshot = captureWindowsSnapshot({ pid: 4242, flags: CaptureFlags.Handles })
 * try { for (const h of snapshot.entries(WalkClass.Handles)) console.log(h.typeName) }
 * finally { snapshot.free() }
 */
export function captureWindowsSnapshot(options: WindowsCaptureOptions): Snapshot {
  const { pid, flags } = options;
  if (!Number.isInteger(pid) || pid < 0 || pid > 0xffffffff) {
    throw new RangeError(`pid must be a process id (a non-negative 32-bit integer), got ${String(pid)}`);
  }
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw new RangeError(`flags must be capture flags as an unsigned 32-bit integer, got ${String(flags)}`);
  }
  const threadContextFlags =
    options.threadContextFlags ?? (hasFlag(flags, CaptureFlags.ThreadContext) ? CONTEXT_FLAGS.CONTEXT_FULL : 0);
  const pssLibrary = options.pssLibrary ?? (process.env.PSSQL_PSS_LIBRARY || undefined);
  const api = loadWindowsApi(pssLibrary);

  const required = requiredAccess(flags);
  const processHandle = openProcess(api, pid, required);
  try {
    const snapshot: [Pointer | null] = [null];
    const startedAtUs = Date.now() * 1000;
    const started = process.hrtime.bigint();
    const code = api.PssCaptureSnapshot(processHandle, flags >>> 0, threadContextFlags >>> 0, snapshot);
    const durationUs = Number((process.hrtime.bigint() - started) / 1000n);
    if (code === Win32Error.ERROR_ACCESS_DENIED) {
      // The handle had every right pssql asks for; what is refused is the capture itself (a
      // protected process, or a right Windows does not document).
      const asked = required.map((access) => access.name).join(', ');
      throw new PssError(code, `cannot capture pid ${pid}: access denied by PssCaptureSnapshot (the process was opened with ${asked})`, {
        function: 'PssCaptureSnapshot',
        pid,
      });
    }
    if (code !== 0 || snapshot[0] === null) {
      throw new PssError(code, `cannot capture pid ${pid}: PssCaptureSnapshot failed`, { function: 'PssCaptureSnapshot', pid });
    }
    return new WindowsSnapshot(api, snapshot[0], {
      processId: pid,
      platform: 'win32',
      // A capture through a stand-in DLL (the test harness) says so.
      backend: pssLibrary === undefined ? 'kernel32' : `dll:${basename(pssLibrary)}`,
      host: hostname(),
      captureFlags: flags >>> 0,
      threadContextFlags: threadContextFlags >>> 0,
      startedAtUs,
      durationUs,
      skippedCount: 0,
      deniedCount: 0,
      details: false,
    });
  } finally {
    api.CloseHandle(processHandle);
  }
}

/** OpenProcess with the rights of `required`; its failures as errors a person can act on. */
function openProcess(api: WindowsApi, pid: number, required: RequiredAccess[]): Pointer {
  const handle = api.OpenProcess(accessMask(required), 0, pid);
  if (handle !== null) return handle;
  const code = api.GetLastError();
  if (code === Win32Error.ERROR_INVALID_PARAMETER) {
    // What OpenProcess says for a pid that names no process.
    throw new PssError('ERROR_NOT_FOUND', `cannot capture pid ${pid}: no such process`, { function: 'OpenProcess', pid });
  }
  if (code === Win32Error.ERROR_ACCESS_DENIED) {
    // Ask for each right alone to name the ones that are missing.
    const denied = required.filter((access) => {
      const probe = api.OpenProcess(access.right, 0, pid);
      if (probe !== null) api.CloseHandle(probe);
      return probe === null;
    });
    const missing = (denied.length > 0 ? denied : required).map(describeAccess).join(', ');
    throw new PssError('ERROR_ACCESS_DENIED', `cannot capture pid ${pid}: access denied: needs ${missing}`, {
      function: 'OpenProcess',
      pid,
    });
  }
  throw new PssError(code, `cannot capture pid ${pid}: OpenProcess failed`, { function: 'OpenProcess', pid });
}
