/**
 * Run by the Windows node.exe under Wine (see run.sh): captures this very process through the
 * real binding, with the Pss* functions of the test DLL, and writes what it saw to a JSON file
 * (Wine cannot give a pipe to a Windows program's stdout):
 *
 *   node.exe dist\test\windows\wine-run.js OUTPUT.json PSS-TEST.dll
 *
 * The file holds the snapshotToJson of a full capture, the result of the contract suite on a
 * full and on a handles-only capture, the return codes of the DLL for the documented error
 * cases (called through the binding's own koffi declarations), the errors the binding raises,
 * and what the binding made of what Windows does only sometimes (the DLL's PSS_TEST_FAULTS):
 * a hung capture, a partial copy, a refusal, an exiting process, the handle trace off, thread
 * names walked or not, extended contexts. The ava test wine-harness.test.ts compares it with
 * known-snapshot.ts.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import {
  CaptureFlags,
  isPssError,
  QueryClass,
  type Snapshot,
  snapshotToJson,
  WalkClass,
} from '../../src/pss/index.js';
import { allowPssLibraryFromEnvironment, captureWindowsSnapshot } from '../../src/capture/windows/index.js';
import { loadKoffi } from '../../src/capture/windows/load-koffi.js';
import { loadWindowsApi, type Pointer } from '../../src/capture/windows/windows-api.js';
import { checkSnapshotContract, type ContractAssert, type ContractExpectations } from '../pss/snapshot-contract.js';
import { KNOWN_CAPTURE_FLAGS } from './known-snapshot.js';

const [output, dll] = process.argv.slice(2);
if (output === undefined || dll === undefined) throw new Error('usage: wine-run.js OUTPUT.json PSS-TEST.dll');

/** What one run of the contract suite gave: every assertion, and the failed ones in full. */
interface ContractResult {
  assertions: number;
  failures: string[];
}

/** An ava-like `t` that records instead of throwing, so that one failure does not hide the rest. */
function runContract(snapshot: Snapshot, expect: ContractExpectations): ContractResult {
  const result: ContractResult = { assertions: 0, failures: [] };
  const check = (ok: boolean, message: string | undefined, detail: string): void => {
    result.assertions++;
    if (!ok) result.failures.push(`${message ?? 'assertion'}: ${detail}`);
  };
  const t: ContractAssert = {
    is: (actual, expected, message) => check(Object.is(actual, expected), message, `${String(actual)} is not ${String(expected)}`),
    deepEqual: (actual, expected, message) => check(isDeepStrictEqual(actual, expected), message, 'not deeply equal'),
    true: (actual, message) => check(actual === true, message, 'not true'),
  };
  try {
    checkSnapshotContract(t, snapshot, expect);
  } catch (error) {
    result.failures.push(`the contract threw: ${error instanceof Error ? error.stack : String(error)}`);
  }
  return result;
}

/** The PssError (code and message) that `fn` throws, or what else happened. */
function errorOf(fn: () => unknown): { code: string; message: string; pid?: number; function?: string } {
  try {
    fn();
    return { code: 'none', message: 'nothing was thrown' };
  } catch (error) {
    if (isPssError(error)) return { code: error.code, message: error.message, pid: error.pid, function: error.function };
    return { code: 'not a PssError', message: String(error) };
  }
}

/** Return codes of the DLL itself for the documented error cases, through the raw declarations. */
function dllCodes(handlesOnly: Snapshot): Record<string, number> {
  const api = loadWindowsApi(dll);
  const codes: Record<string, number> = {};
  const out: [Pointer | null] = [null];
  const self = api.GetCurrentProcess();
  codes.captureUndefinedFlag = api.PssCaptureSnapshot(self, 0x8000, 0, out);
  codes.captureBreakawayOptionalAlone = api.PssCaptureSnapshot(self, CaptureFlags.CreateBreakawayOptional, 0, out);
  codes.captureThreads = api.PssCaptureSnapshot(self, CaptureFlags.Threads | CaptureFlags.Handles, 0, out);
  const snapshot = out[0]!;
  try {
    const process = new Uint8Array(704);
    codes.queryNullHandle = api.PssQuerySnapshot(null, QueryClass.ProcessInformation, process, 704);
    codes.queryBadClass = api.PssQuerySnapshot(snapshot, 8, process, 704);
    codes.queryShortBuffer = api.PssQuerySnapshot(snapshot, QueryClass.ProcessInformation, process, 703);
    codes.queryLongBuffer = api.PssQuerySnapshot(snapshot, QueryClass.ProcessInformation, new Uint8Array(705), 705);
    codes.queryNotCaptured = api.PssQuerySnapshot(snapshot, QueryClass.VaSpaceInformation, new Uint8Array(4), 4);
    const counters = new Uint8Array(96).fill(0xff);
    codes.queryCountersNotMeasured = api.PssQuerySnapshot(snapshot, QueryClass.PerformanceCounters, counters, 96);
    codes.countersNotMeasuredNonZeroBytes = counters.filter((byte) => byte !== 0).length;

    const marker: [Pointer | null] = [null];
    codes.markerCreate = api.PssWalkMarkerCreate(null, marker);
    const m = marker[0]!;
    const entry = new Uint8Array(120);
    const threadId = (): number => new DataView(entry.buffer).getUint32(20, true);
    codes.walkNullHandle = api.PssWalkSnapshot(null, WalkClass.Threads, m, entry, 120);
    codes.walkBadClass = api.PssWalkSnapshot(snapshot, 5, m, entry, 120);
    codes.walkBadLength = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 119);
    codes.walkNotCaptured = api.PssWalkSnapshot(snapshot, WalkClass.VaSpace, m, new Uint8Array(80), 80);
    codes.walkThreadNames = api.PssWalkSnapshot(snapshot, WalkClass.ThreadName, m, new Uint8Array(16), 16);
    codes.walkNullMarker = api.PssWalkSnapshot(snapshot, WalkClass.Threads, null, entry, 120);
    codes.walkNullBuffer = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, null, 0);
    const position: [number | bigint | null] = [null];
    api.PssWalkMarkerGetPosition(m, position);
    codes.nullBufferKeepsPosition = Number(position[0]);
    codes.walkFirst = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.firstThreadId = threadId();
    // Windows lets one marker walk another class: Vanara walks the VA space, then the handles.
    codes.walkOtherClassOnBoundMarker = api.PssWalkSnapshot(snapshot, WalkClass.Handles, m, new Uint8Array(136), 136);
    codes.walkBackToTheFirstClass = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.threadIdAfterRebinding = threadId();
    codes.walkSecond = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.walkEnd = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.walkEndAgain = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    // Positions are not checked, as on Windows: the binding must refuse foreign ones itself.
    codes.setPositionNotFromGet = api.PssWalkMarkerSetPosition(m, 3n);
    codes.walkAtForeignPosition = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.setPositionInsideARecord = api.PssWalkMarkerSetPosition(m, 0x1000n + 5n);
    codes.walkInsideARecord = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.threadIdInsideARecord = threadId();
    codes.markerFree = api.PssWalkMarkerFree(m);
  } finally {
    codes.free = api.PssFreeSnapshot(self, snapshot);
  }
  codes.freeNullHandle = api.PssFreeSnapshot(self, null as unknown as Pointer);
  // The handles-only capture through the binding has no counters: pssql says ERROR_NOT_FOUND.
  codes.bindingCountersNotMeasured = errorOf(() => handlesOnly.query(QueryClass.PerformanceCounters)).code === 'ERROR_NOT_FOUND' ? 1 : 0;
  return codes;
}

/** Kernel32 calls of the test itself: naming its thread, ending a child, reading its token. */
function testApi() {
  const koffi = loadKoffi();
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  return {
    GetCurrentThread: kernel32.func('uintptr_t __stdcall GetCurrentThread()'),
    GetCurrentThreadId: kernel32.func('uint32_t __stdcall GetCurrentThreadId()'),
    SetThreadDescription: kernel32.func('int32_t __stdcall SetThreadDescription(uintptr_t hThread, const char16_t *lpThreadDescription)'),
    OpenProcess: kernel32.func('uintptr_t __stdcall OpenProcess(uint32_t, int32_t, uint32_t)'),
    TerminateProcess: kernel32.func('int32_t __stdcall TerminateProcess(uintptr_t hProcess, uint32_t uExitCode)'),
    WaitForSingleObject: kernel32.func('uint32_t __stdcall WaitForSingleObject(uintptr_t hHandle, uint32_t dwMilliseconds)'),
    CloseHandle: kernel32.func('int32_t __stdcall CloseHandle(uintptr_t hObject)'),
    GetCurrentProcess: kernel32.func('uintptr_t __stdcall GetCurrentProcess()'),
    OpenProcessToken: advapi32.func('int32_t __stdcall OpenProcessToken(uintptr_t ProcessHandle, uint32_t DesiredAccess, _Out_ uintptr_t *TokenHandle)'),
    LookupPrivilegeValueW: advapi32.func('int32_t __stdcall LookupPrivilegeValueW(const char16_t *lpSystemName, const char16_t *lpName, _Out_ uint8_t *lpLuid)'),
    GetTokenInformation: advapi32.func(
      'int32_t __stdcall GetTokenInformation(uintptr_t TokenHandle, uint32_t TokenInformationClass, _Out_ uint8_t *TokenInformation, uint32_t TokenInformationLength, _Out_ uint32_t *ReturnLength)',
    ),
  };
}

/** The attributes of SeDebugPrivilege in this process's token, or null when the token lacks it. */
function debugPrivilegeAttributes(k: ReturnType<typeof testApi>): number | null {
  const token: [number | bigint | null] = [null];
  if (k.OpenProcessToken(k.GetCurrentProcess(), 0x0008 /* TOKEN_QUERY */, token) === 0) throw new Error('OpenProcessToken failed');
  try {
    const luid = new Uint8Array(8);
    if (k.LookupPrivilegeValueW(null, 'SeDebugPrivilege', luid) === 0) throw new Error('LookupPrivilegeValueW failed');
    const buffer = new Uint8Array(4096);
    const length: [number | null] = [null];
    if (k.GetTokenInformation(token[0], 3 /* TokenPrivileges */, buffer, buffer.length, length) === 0) throw new Error('GetTokenInformation failed');
    const view = new DataView(buffer.buffer);
    for (let i = 0; i < view.getUint32(0, true); i++) {
      const at = 4 + i * 12;
      if (buffer.subarray(at, at + 8).every((byte, j) => byte === luid[j])) return view.getUint32(at + 8, true);
    }
    return null;
  } finally {
    k.CloseHandle(token[0]);
  }
}

/** Sets the DLL's faults for the captures that `fn` makes. */
function withFaults<T>(faults: string, fn: () => T): T {
  process.env.PSS_TEST_FAULTS = faults;
  try {
    return fn();
  } finally {
    delete process.env.PSS_TEST_FAULTS;
  }
}

/** A capture's JSON, or its error. */
function outcomeOf(fn: () => Snapshot): { snapshot?: unknown; error?: ReturnType<typeof errorOf> } {
  let snapshot: Snapshot | undefined;
  const error = errorOf(() => {
    snapshot = fn();
  });
  if (snapshot === undefined) return { error };
  try {
    return { snapshot: snapshotToJson(snapshot) };
  } finally {
    snapshot.free();
  }
}

/** A child process ended with exit code 7, its process object kept by a handle: it exited, it is not refused. */
async function exitedChild(): Promise<ReturnType<typeof errorOf> & { exitWait: number }> {
  const k = testApi();
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid!;
  const held = k.OpenProcess(0x0001 | 0x1000 | 0x0010_0000 /* TERMINATE, QUERY_LIMITED, SYNCHRONIZE */, 0, pid);
  try {
    k.TerminateProcess(held, 7);
    const exitWait = k.WaitForSingleObject(held, 30_000) as number;
    return { ...errorOf(() => captureWindowsSnapshot({ pid, flags: CaptureFlags.Handles, pssLibrary: dll })), exitWait };
  } finally {
    k.CloseHandle(held);
  }
}

/** What the binding makes of what Windows does only sometimes. */
async function faults(): Promise<Record<string, unknown>> {
  const k = testApi();
  const self = process.pid;
  // A real thread with a name, a lone surrogate in it: GetThreadDescription must read it exactly.
  const description = 'pssql main \ud83e\uddf5 \udfff';
  k.SetThreadDescription(k.GetCurrentThread(), description);
  const mainTid = k.GetCurrentThreadId() as number;
  const threadsOnly = CaptureFlags.Threads | CaptureFlags.ThreadContext;
  return {
    mainThread: { threadId: mainTid, description },
    privilege: { attributesAfterCapture: debugPrivilegeAttributes(k) },
    namesByDescription: withFaults(`first-tid=${mainTid}`, () => outcomeOf(() => captureWindowsSnapshot({ pid: self, flags: threadsOnly, pssLibrary: dll }))),
    namesFewer: withFaults(`thread-names=fewer,first-tid=${mainTid}`, () =>
      outcomeOf(() => captureWindowsSnapshot({ pid: self, flags: threadsOnly, pssLibrary: dll }))),
    extendedContext: withFaults('thread-names=walk', () =>
      outcomeOf(() => captureWindowsSnapshot({ pid: self, flags: threadsOnly | CaptureFlags.ThreadContextExtended, pssLibrary: dll }))),
    traceOff: withFaults(`trace-off=${self}`, () =>
      outcomeOf(() => captureWindowsSnapshot({ pid: self, flags: CaptureFlags.Handles | CaptureFlags.HandleTrace, pssLibrary: dll }))),
    partialCopy: withFaults(`partial-copy=${self}`, () => errorOf(() => captureWindowsSnapshot({ pid: self, flags: CaptureFlags.VaSpace, pssLibrary: dll }))),
    denied: withFaults(`denied=${self}`, () => errorOf(() => captureWindowsSnapshot({ pid: self, flags: CaptureFlags.Handles, pssLibrary: dll }))),
    exited: await exitedChild(),
    // The hung capture is given up after a second; the next capture (of the same capturer) works.
    hung: withFaults(`hang=${self}`, () => {
      const names = CaptureFlags.Handles | CaptureFlags.HandleNameInformation;
      const hangs = errorOf(() => captureWindowsSnapshot({ pid: self, flags: names, pssLibrary: dll, captureTimeoutMs: 1000 }));
      const next = outcomeOf(() => captureWindowsSnapshot({ pid: self, flags: CaptureFlags.Handles, pssLibrary: dll, captureTimeoutMs: 1000 }));
      return { hangs, nextWorked: next.snapshot !== undefined, next: next.error };
    }),
  };
}

const ALL_WALKS = [WalkClass.AuxiliaryPages, WalkClass.VaSpace, WalkClass.Handles, WalkClass.Threads, WalkClass.ThreadName];

async function run(): Promise<unknown> {
  // Before any capture: pssql is what enables SeDebugPrivilege.
  const privilegeBefore = debugPrivilegeAttributes(testApi());
  // Newer Windows builds answer PSS_WALK_THREAD_NAME: the full capture walks the known names.
  const full = withFaults('thread-names=walk', () => captureWindowsSnapshot({ pid: process.pid, flags: KNOWN_CAPTURE_FLAGS, pssLibrary: dll }));
  try {
    // This one finds the DLL through the environment variable, which only the harness may use.
    allowPssLibraryFromEnvironment();
    process.env.PSSQL_PSS_LIBRARY = dll;
    const handlesOnly = captureWindowsSnapshot({ pid: process.pid, flags: CaptureFlags.Handles });
    delete process.env.PSSQL_PSS_LIBRARY;
    try {
      const marker = full.createWalkMarker();
      const result = {
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        pid: process.pid,
        snapshot: snapshotToJson(full),
        handlesOnly: snapshotToJson(handlesOnly),
        contract: {
          full: runContract(full, { captured: ALL_WALKS, notCaptured: [] }),
          handlesOnly: runContract(handlesOnly, {
            captured: [WalkClass.Handles],
            notCaptured: ALL_WALKS.filter((cls) => cls !== WalkClass.Handles),
          }),
        },
        dll: dllCodes(handlesOnly),
        errors: {
          noSuchProcess: errorOf(() => captureWindowsSnapshot({ pid: 0x7ffffff0, flags: 0, pssLibrary: dll })),
          useAfterFree: errorOf(() => {
            const snapshot = full.duplicate();
            snapshot.free();
            return snapshot.query(QueryClass.ProcessInformation);
          }),
          positionNotHandedOut: errorOf(() => marker.setPosition(3n)),
          otherClassOnBoundMarker: errorOf(() => {
            full.walk(WalkClass.Threads, marker);
            return full.walk(WalkClass.Handles, marker);
          }),
        },
        faults: { ...(await faults()), privilegeBefore },
      };
      marker.free();
      return result;
    } finally {
      handlesOnly.free();
    }
  } finally {
    full.free();
  }
}

let result: unknown;
try {
  result = await run();
} catch (error) {
  result = { fatal: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
writeFileSync(output, JSON.stringify(result, null, 1));
