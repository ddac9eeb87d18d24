import { basename } from 'node:path';
import { hostname } from 'node:os';
import { CaptureFlags, CONTEXT_FLAGS, DEFAULT_CAPTURE_FLAGS, hasFlag, PssError, type Snapshot, validateCaptureFlags, Win32Error } from '../../pss/index.js';
import { type CaptureOptions, type Capturer, captureOnce, type ListedProcess } from '../capturer.js';
import { accessMask, describeAccess, type RequiredAccess, requiredAccess } from './access-rights.js';
import { loadKoffi } from './load-koffi.js';
import { loadWindowsApi, type Pointer, type WindowsApi } from './windows-api.js';
import { listWindowsProcesses, loadToolhelpApi, type ToolhelpApi } from './windows-process-list.js';
import { WindowsSnapshot } from './windows-snapshot.js';

/** Options of a one-shot Windows capture: the capture's, and where the Pss* functions come from. */
export interface WindowsCaptureOptions extends CaptureOptions {
  /**
   * A DLL to take the Pss* functions from instead of kernel32.dll (the Wine test harness loads
   * one). Defaults to the environment variable PSSQL_PSS_LIBRARY, then kernel32.dll.
   */
  pssLibrary?: string;
}

/**
 * The Windows backend: captures processes with PssCaptureSnapshot through koffi. It binds the
 * kernel32 functions once (koffi is loaded by the first capturer, never on other platforms).
 */
export class WindowsCapturer implements Capturer {
  readonly backend = 'kernel32';
  private readonly pssLibrary: string | undefined;
  private api: WindowsApi | null = null;
  private toolhelp: ToolhelpApi | null = null;

  constructor(pssLibrary?: string) {
    this.pssLibrary = pssLibrary ?? (process.env.PSSQL_PSS_LIBRARY || undefined);
  }

  listProcesses(): ListedProcess[] {
    // Listing needs no Pss* function (Wine has none): only Toolhelp32.
    this.toolhelp ??= loadToolhelpApi(loadKoffi());
    return listWindowsProcesses(this.toolhelp);
  }

  close(): void {
    this.api = null;
    this.toolhelp = null;
  }

  private windowsApi(): WindowsApi {
    this.api ??= loadWindowsApi(this.pssLibrary);
    return this.api;
  }

  /**
   * Captures `pid` with PssCaptureSnapshot and returns the live snapshot; free it when done.
   * Opens the process with the access rights the flags need, and closes it again.
   */
  capture(options: CaptureOptions): Snapshot {
    const { pid } = options;
    const flags = options.flags ?? DEFAULT_CAPTURE_FLAGS;
    if (!Number.isInteger(pid) || pid < 0 || pid > 0xffffffff) {
      throw new RangeError(`pid must be a process id (a non-negative 32-bit integer), got ${String(pid)}`);
    }
    if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
      throw new RangeError(`flags must be capture flags as an unsigned 32-bit integer, got ${String(flags)}`);
    }
    validateCaptureFlags(flags);
    const threadContextFlags =
      options.threadContextFlags ?? (hasFlag(flags, CaptureFlags.ThreadContext) ? CONTEXT_FLAGS.CONTEXT_FULL : 0);
    const pssLibrary = this.pssLibrary;
    const api = this.windowsApi();

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
        deniedParts: [],
        details: false,
      });
    } finally {
      api.CloseHandle(processHandle);
    }
  }
}

/**
 * Captures `pid` once with PssCaptureSnapshot (see {@link WindowsCapturer} for a series); free
 * the snapshot when done.
 *
 * @example
 * const snapshot = captureWindowsSnapshot({ pid: 4242, flags: CaptureFlags.Handles })
 * try { for (const h of snapshot.entries(WalkClass.Handles)) console.log(h.typeName) }
 * finally { snapshot.free() }
 */
export function captureWindowsSnapshot(options: WindowsCaptureOptions): Snapshot {
  return captureOnce(new WindowsCapturer(options.pssLibrary), options);
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
