/**
 * Run by the Windows node.exe under Wine (see run.sh): captures this very process through the
 * real binding, with the Pss* functions of the test DLL, and writes what it saw to a JSON file
 * (Wine cannot give a pipe to a Windows program's stdout):
 *
 *   node.exe dist\test\windows\wine-run.js OUTPUT.json PSS-TEST.dll
 *
 * The file holds the snapshotToJson of a full capture, the result of the contract suite on a
 * full and on a handles-only capture, the return codes of the DLL for the documented error
 * cases (called through the binding's own koffi declarations), and the errors the binding
 * raises. The ava test wine-harness.test.ts compares it with known-snapshot.ts.
 */
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
import { captureWindowsSnapshot } from '../../src/capture/windows/index.js';
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
  codes.captureThreads = api.PssCaptureSnapshot(self, CaptureFlags.Threads, 0, out);
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
    codes.walkNullHandle = api.PssWalkSnapshot(null, WalkClass.Threads, m, entry, 120);
    codes.walkBadClass = api.PssWalkSnapshot(snapshot, 5, m, entry, 120);
    codes.walkBadLength = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 119);
    codes.walkNotCaptured = api.PssWalkSnapshot(snapshot, WalkClass.Handles, m, new Uint8Array(136), 136);
    codes.walkNullMarker = api.PssWalkSnapshot(snapshot, WalkClass.Threads, null, entry, 120);
    codes.walkNullBuffer = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, null, 0);
    const position: [number | bigint | null] = [null];
    api.PssWalkMarkerGetPosition(m, position);
    codes.nullBufferKeepsPosition = Number(position[0]);
    codes.walkFirst = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.walkOtherClassOnBoundMarker = api.PssWalkSnapshot(snapshot, WalkClass.ThreadName, m, new Uint8Array(16), 16);
    codes.walkSecond = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.walkEnd = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.walkEndAgain = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.setPositionNotFromGet = api.PssWalkMarkerSetPosition(m, 3n);
    codes.walkAtForeignPosition = api.PssWalkSnapshot(snapshot, WalkClass.Threads, m, entry, 120);
    codes.markerFree = api.PssWalkMarkerFree(m);
  } finally {
    codes.free = api.PssFreeSnapshot(self, snapshot);
  }
  codes.freeNullHandle = api.PssFreeSnapshot(self, null as unknown as Pointer);
  // The handles-only capture through the binding has no counters: pssql says ERROR_NOT_FOUND.
  codes.bindingCountersNotMeasured = errorOf(() => handlesOnly.query(QueryClass.PerformanceCounters)).code === 'ERROR_NOT_FOUND' ? 1 : 0;
  return codes;
}

const ALL_WALKS = [WalkClass.AuxiliaryPages, WalkClass.VaSpace, WalkClass.Handles, WalkClass.Threads, WalkClass.ThreadName];

function run(): unknown {
  const full = captureWindowsSnapshot({ pid: process.pid, flags: KNOWN_CAPTURE_FLAGS, pssLibrary: dll });
  try {
    // This one finds the DLL through the environment variable, as a user would set it.
    process.env.PSSQL_PSS_LIBRARY = dll;
    const handlesOnly = captureWindowsSnapshot({ pid: process.pid, flags: CaptureFlags.Handles });
    try {
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
        },
      };
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
  result = run();
} catch (error) {
  result = { fatal: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
writeFileSync(output, JSON.stringify(result, null, 1));
