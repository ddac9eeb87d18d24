import { basename } from 'node:path';
import { hostname } from 'node:os';
import {
  CaptureFlags,
  CONTEXT_FLAGS,
  DEFAULT_CAPTURE_FLAGS,
  HandleFlags,
  hasFlag,
  ProcessFlags,
  PssError,
  QueryClass,
  type Snapshot,
  validateCaptureFlags,
  WalkClass,
  Win32Error,
} from '../../pss/index.js';
import { type CaptureOptions, type Capturer, captureOnce, type ListedProcess } from '../capturer.js';
import { accessMask, describeAccess, type RequiredAccess, requiredAccess } from './access-rights.js';
import { checkWindowsArchitecture } from './architecture.js';
import type { CaptureReply } from './capture-protocol.js';
import { CaptureThread, hungCaptureThreads } from './capture-thread.js';
import { type DebugPrivilege, enableDebugPrivilege, privilegeAdvice } from './debug-privilege.js';
import { decodeQueryRecord, decodeWalkEntry } from './decode-records.js';
import { loadKoffi } from './load-koffi.js';
import { resolvePssLibrary } from './pss-library.js';
import { loadThreadDescriptionReader, type ThreadDescriptionReader } from './thread-description.js';
import { loadWindowsApi, type Pointer, type WindowsApi } from './windows-api.js';
import { listWindowsProcesses, loadToolhelpApi, type ToolhelpApi } from './windows-process-list.js';
import { type SnapshotExtras, walkRaw, WindowsSnapshot } from './windows-snapshot.js';

/** Options of a one-shot Windows capture: the capture's, and where the Pss* functions come from. */
export interface WindowsCaptureOptions extends CaptureOptions {
  /** A DLL to take the Pss* functions from instead of kernel32.dll (the Wine test harness loads one). */
  pssLibrary?: string;
  /** The longest a capture may take before it is given up, ms (default {@link DEFAULT_CAPTURE_TIMEOUT_MS}). */
  captureTimeoutMs?: number;
}

/** How long PssCaptureSnapshot may take before the capture is given up, ms. */
export const DEFAULT_CAPTURE_TIMEOUT_MS = 30_000;
/** Capture threads that may hang at once before captures are refused outright. */
const MAX_HUNG_THREADS = 4;

const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
/** Offsets read from raw walk entries (reference section 4.1). */
const THREAD_ENTRY_THREAD_ID = 20;
const HANDLE_ENTRY_FLAGS = 8;

/** What the capturer learnt about one capture beyond its records. */
interface CaptureFindings {
  extras: SnapshotExtras;
  /** Threads whose names were refused, and handles whose details were. */
  deniedCount: number;
  /** Threads that exited before their names were read. */
  skippedCount: number;
  /** What the capture's backend name says of how it was made. */
  notes: string[];
}

/**
 * The Windows backend: captures processes with PssCaptureSnapshot through koffi. It binds the
 * kernel32 functions once (koffi is loaded by the first capture, never on other platforms),
 * enables SeDebugPrivilege when the token holds it, and calls PssCaptureSnapshot on a thread of
 * its own, so that a capture that hangs is given up after a time limit.
 */
export class WindowsCapturer implements Capturer {
  readonly backend = 'kernel32';
  private readonly pssLibrary: string;
  private readonly timeoutMs: number;
  private api: WindowsApi | null = null;
  private toolhelp: ToolhelpApi | null = null;
  private thread: CaptureThread | null = null;
  private privilege: DebugPrivilege | null = null;
  private threadNames: ThreadDescriptionReader | null | undefined;

  constructor(pssLibrary?: string, options: { captureTimeoutMs?: number } = {}) {
    checkWindowsArchitecture();
    this.pssLibrary = resolvePssLibrary(pssLibrary);
    const timeoutMs = options.captureTimeoutMs ?? DEFAULT_CAPTURE_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(`captureTimeoutMs must be a positive number of ms, got ${String(timeoutMs)}`);
    }
    this.timeoutMs = timeoutMs;
  }

  listProcesses(): ListedProcess[] {
    // Listing needs no Pss* function (Wine has none): only Toolhelp32.
    this.toolhelp ??= loadToolhelpApi(loadKoffi());
    return listWindowsProcesses(this.toolhelp);
  }

  close(): void {
    this.thread?.close();
    this.thread = null;
    this.api = null;
    this.toolhelp = null;
  }

  private windowsApi(): WindowsApi {
    this.api ??= loadWindowsApi(this.pssLibrary);
    this.privilege ??= enableDebugPrivilege(loadKoffi());
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
    const threadContextFlags = options.threadContextFlags ?? defaultContextFlags(flags);
    if (!Number.isInteger(threadContextFlags) || threadContextFlags < 0 || threadContextFlags > 0xffffffff) {
      throw new RangeError(`threadContextFlags must be CONTEXT flags as an unsigned 32-bit integer, got ${String(threadContextFlags)}`);
    }
    const api = this.windowsApi();
    const required = requiredAccess(flags);
    const reply = this.captureOnThread(pid, {
      pid,
      // The limited right is implied by PROCESS_QUERY_INFORMATION; asked for so the exit code may be read.
      access: (accessMask(required) | PROCESS_QUERY_LIMITED_INFORMATION) >>> 0,
      flags: flags >>> 0,
      threadContextFlags: threadContextFlags >>> 0,
    });
    if (reply.failed === 'OpenProcess') throw this.openProcessError(api, pid, required, reply.code);
    if (reply.failed !== null) throw this.captureError(pid, required, reply);

    const handle = pointerAt(reply.snapshot);
    try {
      const findings = this.inspect(api, handle, pid, reply);
      return new WindowsSnapshot(
        api,
        handle,
        {
          processId: pid,
          platform: 'win32',
          backend: [this.pssLibrary.toLowerCase() === 'kernel32.dll' ? 'kernel32' : `dll:${basename(this.pssLibrary)}`, ...findings.notes].join('; '),
          host: hostname(),
          captureFlags: flags >>> 0,
          threadContextFlags: threadContextFlags >>> 0,
          startedAtUs: reply.startedAtUs,
          durationUs: reply.durationUs,
          skippedCount: findings.skippedCount,
          deniedCount: findings.deniedCount,
          deniedParts: [],
          details: false,
        },
        findings.extras,
      );
    } catch (error) {
      api.PssFreeSnapshot(api.GetCurrentProcess(), handle);
      throw error;
    }
  }

  /** PssCaptureSnapshot on the capture thread, within the time limit. */
  private captureOnThread(pid: number, request: Parameters<CaptureThread['capture']>[0]): CaptureReply {
    if (hungCaptureThreads() >= MAX_HUNG_THREADS) {
      throw new PssError('ERROR_BUSY', `cannot capture pid ${pid}: ${hungCaptureThreads()} earlier captures are still hung in PssCaptureSnapshot`, {
        function: 'PssCaptureSnapshot',
        pid,
      });
    }
    if (this.thread === null || this.thread.done) this.thread = new CaptureThread(this.pssLibrary);
    const reply = this.thread.capture(request, this.timeoutMs);
    if (reply !== null) return reply;
    this.thread = null;
    throw new PssError(
      'ERROR_TIMEOUT',
      `cannot capture pid ${pid}: PssCaptureSnapshot did not return within ${this.timeoutMs / 1000} s ` +
        '(reading a handle name can block, as on a synchronous pipe; capture without handle-names to avoid it): capture skipped',
      { function: 'PssCaptureSnapshot', pid },
    );
  }

  /** OpenProcess's failures as errors a person can act on. */
  private openProcessError(api: WindowsApi, pid: number, required: RequiredAccess[], code: number): PssError {
    if (code === Win32Error.ERROR_INVALID_PARAMETER) {
      // What OpenProcess says for a pid that names no process.
      return new PssError('ERROR_NOT_FOUND', `cannot capture pid ${pid}: no such process`, { function: 'OpenProcess', pid });
    }
    if (code === Win32Error.ERROR_ACCESS_DENIED) {
      // Ask for each right alone to name the ones that are missing.
      const denied = required.filter((access) => {
        const probe = api.OpenProcess(access.right, 0, pid);
        if (probe !== null) api.CloseHandle(probe);
        return probe === null;
      });
      const missing = (denied.length > 0 ? denied : required).map(describeAccess).join(', ');
      return new PssError('ERROR_ACCESS_DENIED', `cannot capture pid ${pid}: access denied: needs ${missing}; ${privilegeAdvice(this.privilege ?? 'unknown')}`, {
        function: 'OpenProcess',
        pid,
      });
    }
    return new PssError(code, `cannot capture pid ${pid}: OpenProcess failed`, { function: 'OpenProcess', pid });
  }

  /** PssCaptureSnapshot's failures: an exiting process is gone, not refused. */
  private captureError(pid: number, required: RequiredAccess[], reply: CaptureReply): PssError {
    const fn = 'PssCaptureSnapshot';
    if (reply.exited) {
      // Windows refuses a terminating process as access denied (STATUS_PROCESS_IS_TERMINATING).
      const status = reply.exitCode === null ? '' : ` (exit code ${reply.exitCode})`;
      return new PssError('ERROR_NOT_FOUND', `cannot capture pid ${pid}: the process exited during the capture${status}`, { function: fn, pid });
    }
    if (reply.code === Win32Error.ERROR_ACCESS_DENIED) {
      // The handle had every right pssql asks for; what is refused is the capture itself (a
      // protected process, or a right Windows does not document).
      const asked = required.map((access) => access.name).join(', ');
      return new PssError(
        reply.code,
        `cannot capture pid ${pid}: access denied by PssCaptureSnapshot (the process was opened with ${asked}); ${privilegeAdvice(this.privilege ?? 'unknown')}`,
        { function: fn, pid },
      );
    }
    if (reply.code === Win32Error.ERROR_PARTIAL_COPY) {
      return new PssError(reply.code, `cannot capture pid ${pid}: PssCaptureSnapshot read only part of the process (ERROR_PARTIAL_COPY): it changed while it was read; try again`, {
        function: fn,
        pid,
      });
    }
    return new PssError(reply.code, `cannot capture pid ${pid}: PssCaptureSnapshot failed`, { function: fn, pid });
  }

  /**
   * What the records alone do not say: the threads' names (paired with PSS_WALK_THREAD_NAME only
   * when the counts prove it, else read with GetThreadDescription), what was refused or vanished,
   * whether the handle trace is there, and whose registers a WoW64 process's contexts hold.
   */
  private inspect(api: WindowsApi, handle: Pointer, pid: number, reply: CaptureReply): CaptureFindings {
    const findings: CaptureFindings = {
      extras: { threadNames: null, threadNameWalk: true, handleTraceUnavailable: null },
      deniedCount: 0,
      skippedCount: 0,
      notes: [],
    };
    const flags = reply.flags;
    if (reply.handleTraceCode !== 0) {
      findings.extras.handleTraceUnavailable = `PssCaptureSnapshot answered ${new PssError(reply.handleTraceCode, '').code} with it`;
    } else if (hasFlag(flags, CaptureFlags.HandleTrace)) {
      const trace = new Uint8Array(16);
      const code = api.PssQuerySnapshot(handle, QueryClass.HandleTraceInformation, trace, trace.length);
      if (code !== 0) findings.extras.handleTraceUnavailable = `PssQuerySnapshot answered ${new PssError(code, '').code}`;
    }
    if (findings.extras.handleTraceUnavailable !== null) findings.notes.push('handle trace: not available');

    if (hasFlag(flags, CaptureFlags.Handles) && hasFlag(flags, CaptureFlags.HandleBasicInformation)) {
      // A handle that Windows could not duplicate into the capture has its type only.
      walkRaw(api, handle, WalkClass.Handles, (entry) => {
        const have = new DataView(entry.buffer).getUint32(HANDLE_ENTRY_FLAGS, true);
        if (!hasFlag(have, HandleFlags.HaveBasicInformation)) findings.deniedCount++;
      });
    }

    if (hasFlag(flags, CaptureFlags.Threads)) {
      const threadIds: number[] = [];
      if (walkRaw(api, handle, WalkClass.Threads, (entry) => threadIds.push(new DataView(entry.buffer).getUint32(THREAD_ENTRY_THREAD_ID, true))) === 0) {
        this.nameThreads(api, handle, threadIds, findings);
      }
      const process = queryProcess(api, handle);
      if (hasFlag(flags, CaptureFlags.ThreadContext) && process !== null && hasFlag(process.flags, ProcessFlags.Wow64)) {
        findings.notes.push("thread contexts: the 64-bit layer's registers of a WoW64 process");
      }
    }
    return findings;
  }

  private nameThreads(api: WindowsApi, handle: Pointer, threadIds: number[], findings: CaptureFindings): void {
    const walked: string[] = [];
    const code = walkRaw(api, handle, WalkClass.ThreadName, (entry) => walked.push(decodeWalkEntry(WalkClass.ThreadName, entry, 0).threadName));
    findings.extras.threadNameWalk = code === 0;
    const names = new Map<number, string | null>();
    // PSS_THREAD_NAME has no thread id: its names belong to the threads by position only when
    // there is exactly one per thread.
    if (code === 0 && walked.length === threadIds.length) {
      threadIds.forEach((tid, i) => names.set(tid, walked[i] === '' ? null : (walked[i] as string)));
      findings.extras.threadNames = names;
      findings.notes.push('thread names: PSS_WALK_THREAD_NAME');
      return;
    }
    if (this.threadNames === undefined) this.threadNames = loadThreadDescriptionReader(loadKoffi());
    if (this.threadNames === null) {
      findings.notes.push('thread names: not available (GetThreadDescription needs Windows 10 1607)');
      return;
    }
    for (const tid of threadIds) {
      const read = this.threadNames.read(tid);
      names.set(tid, read.name);
      if (read.outcome === 'denied') findings.deniedCount++;
      if (read.outcome === 'vanished') findings.skippedCount++;
    }
    findings.extras.threadNames = names;
    findings.notes.push('thread names: GetThreadDescription');
  }
}

/**
 * The CONTEXT flags a capture asks for by default: the control and integer registers
 * (CONTEXT_FULL), and with them the extended state when the capture asks for extended contexts.
 */
export function defaultContextFlags(flags: number): number {
  if (!hasFlag(flags, CaptureFlags.ThreadContext)) return 0;
  return hasFlag(flags, CaptureFlags.ThreadContextExtended)
    ? (CONTEXT_FLAGS.CONTEXT_FULL | CONTEXT_FLAGS.CONTEXT_XSTATE) >>> 0
    : CONTEXT_FLAGS.CONTEXT_FULL;
}

/**
 * The HPSS at `address`, which the capture thread handed over as a number. koffi takes an address
 * for a pointer parameter of any type (a decoded pointer it would refuse as not an HPSS).
 */
function pointerAt(address: bigint): Pointer {
  return address;
}

function queryProcess(api: WindowsApi, handle: Pointer) {
  const buffer = new Uint8Array(704);
  if (api.PssQuerySnapshot(handle, QueryClass.ProcessInformation, buffer, buffer.length) !== 0) return null;
  return decodeQueryRecord(QueryClass.ProcessInformation, buffer);
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
  return captureOnce(new WindowsCapturer(options.pssLibrary, options.captureTimeoutMs === undefined ? {} : { captureTimeoutMs: options.captureTimeoutMs }), options);
}
