/**
 * The Windows binding, proven on a Windows ABI: test/windows/run.sh sets up Wine, a Windows
 * node.exe with koffi's Windows build and the test DLL, captures under Wine through the real
 * binding, and writes what it decoded. Every field must equal known-snapshot.ts, the contract
 * suite must have passed under Wine, and the capture must go through the SQLite store unchanged.
 *
 * When Wine cannot be set up here (not root, no apt-get) the tests skip, unless CI=true: CI must
 * prove the binding on every change.
 */
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CaptureFlags,
  CONTEXT_FLAGS,
  QueryClass,
  type Snapshot,
  snapshotFromJson,
  WalkClass,
  type WalkEntryMap,
} from '../../../src/pss/index.js';
import { openStore, openStoredSnapshot, writeCapture } from '../../../src/store/index.js';
import { pssqlJson } from '../../helpers/cli.js';
import { checkSnapshotContract } from '../../pss/snapshot-contract.js';
import { KNOWN, KNOWN_CAPTURE_FLAGS } from '../../windows/known-snapshot.js';

type ErrorResult = { code: string; message: string; pid?: number; function?: string };
type CaptureResult = { snapshot?: unknown; error?: ErrorResult };

/** What wine-run.ts wrote. */
interface WineResults {
  node: string;
  platform: string;
  arch: string;
  pid: number;
  snapshot: unknown;
  handlesOnly: unknown;
  contract: Record<'full' | 'handlesOnly', { assertions: number; failures: string[] }>;
  dll: Record<string, number>;
  errors: Record<'noSuchProcess' | 'useAfterFree' | 'positionNotHandedOut' | 'otherClassOnBoundMarker', ErrorResult>;
  faults: {
    mainThread: { threadId: number; description: string };
    privilegeBefore: number | null;
    privilege: { attributesAfterCapture: number | null };
    namesByDescription: CaptureResult;
    namesFewer: CaptureResult;
    extendedContext: CaptureResult;
    traceOff: CaptureResult;
    partialCopy: ErrorResult;
    denied: ErrorResult;
    exited: ErrorResult & { exitWait: number };
    hung: { hangs: ErrorResult; nextWorked: boolean; next?: ErrorResult };
  };
}

const root = fileURLToPath(new URL('../../../../', import.meta.url));
/** The default of setup.sh. */
const WINDOWS_NODE_VERSION = process.env.PSSQL_WINDOWS_NODE_VERSION ?? '22.14.0';
const scratch = mkdtempSync(join(tmpdir(), 'pssql-wine-'));
const resultsFile = join(scratch, 'wine-results.json');
const started = Date.now();
const run = spawnSync('bash', [join(root, 'test/windows/run.sh'), resultsFile], { encoding: 'utf8', timeout: 20 * 60_000 });
const seconds = ((Date.now() - started) / 1000).toFixed(1);

function harness(): WineResults | { skip: string } | { failure: string } {
  const stderr = run.stderr?.trim() ?? '';
  if (run.status === 3) {
    const reason = stderr.split('\n').at(-1) ?? 'Wine is unavailable';
    return process.env.CI === 'true' ? { failure: `CI must run the Wine harness, but: ${reason}` } : { skip: reason };
  }
  if (run.status !== 0) return { failure: `run.sh failed (${run.error?.message ?? `exit ${run.status}`}):\n${stderr}` };
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as WineResults | { fatal: string };
  return 'fatal' in results ? { failure: `the Windows node failed:\n${results.fatal}` } : results;
}

const outcome = harness();
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));

if ('skip' in outcome) {
  test.skip(`Wine harness skipped: ${outcome.skip} (set CI=true to make this a failure)`, () => {});
} else if ('failure' in outcome) {
  test('the Wine harness runs', (t) => t.fail(outcome.failure));
} else {
  defineTests(outcome);
}

function walk<C extends WalkClass>(snapshot: Snapshot, cls: C): WalkEntryMap[C][] {
  return [...snapshot.entries(cls)];
}

/** One deepEqual per entry, so that a difference names the entry. */
function sameEntries(t: ExecutionContext, actual: readonly unknown[], expected: readonly unknown[], what: string): void {
  t.is(actual.length, expected.length, `${what}: number of entries`);
  expected.forEach((entry, i) => t.deepEqual(actual[i], entry, `${what} #${i}`));
}

function defineTests(results: WineResults): void {
  const snapshot = snapshotFromJson(results.snapshot);
  const knownProcess = { ...KNOWN.process, processId: results.pid };

  test(`ran under Wine: a Windows node ${results.node} with koffi's win32_x64 build (run.sh took ${seconds}s)`, (t) => {
    t.is(results.platform, 'win32');
    t.is(results.arch, 'x64');
    // Node 22: the version better-sqlite3's Windows build needs, for the CLI under Wine.
    t.is(results.node, `v${WINDOWS_NODE_VERSION}`, 'the Windows node of the harness');
  });

  test('capture info of a Windows capture: how names were read, what was refused, whose registers', (t) => {
    const { host, startedAtUs, durationUs, ...rest } = snapshot.info;
    t.deepEqual(rest, {
      processId: results.pid,
      platform: 'win32',
      // The known process is WoW64: its contexts are those of the 64-bit layer (wow64cpu), not of its 32-bit code.
      backend: "dll:pss-test.dll; thread names: PSS_WALK_THREAD_NAME; thread contexts: the 64-bit layer's registers of a WoW64 process",
      captureFlags: KNOWN_CAPTURE_FLAGS,
      threadContextFlags: CONTEXT_FLAGS.CONTEXT_FULL,
      skippedCount: 0,
      // The Key handle has its type only, though basic information was asked for: refused.
      deniedCount: 1,
      deniedParts: [],
      details: false,
    });
    t.true(host.length > 0, 'the host is named');
    t.true(Number.isInteger(startedAtUs) && startedAtUs > 1_600_000_000_000_000, 'the start is µs since 1970');
    t.true(Number.isInteger(durationUs) && durationUs >= 0, 'the duration is µs');
  });

  test('every query record decodes to the known values', (t) => {
    t.deepEqual(snapshot.query(QueryClass.ProcessInformation), knownProcess);
    t.deepEqual(snapshot.query(QueryClass.VaCloneInformation), KNOWN.vaClone);
    t.deepEqual(snapshot.query(QueryClass.HandleTraceInformation), KNOWN.handleTrace);
    t.deepEqual(snapshot.query(QueryClass.PerformanceCounters), KNOWN.performance);
    t.deepEqual(snapshot.query(QueryClass.AuxiliaryPagesInformation), { auxPagesCaptured: KNOWN.auxiliaryPages.length });
    t.deepEqual(snapshot.query(QueryClass.VaSpaceInformation), { regionCount: KNOWN.vaSpace.length });
    t.deepEqual(snapshot.query(QueryClass.HandleInformation), { handlesCaptured: KNOWN.handles.length });
    t.deepEqual(snapshot.query(QueryClass.ThreadInformation), {
      threadsCaptured: KNOWN.threads.length,
      contextLength: KNOWN.threadContextLength,
    });
  });

  test('every walk entry decodes to the known values', (t) => {
    sameEntries(t, walk(snapshot, WalkClass.AuxiliaryPages), KNOWN.auxiliaryPages, 'auxiliary page');
    sameEntries(t, walk(snapshot, WalkClass.VaSpace), KNOWN.vaSpace, 'region');
    sameEntries(t, walk(snapshot, WalkClass.Handles), KNOWN.handles, 'handle');
    // One name per thread: the counts prove the pairing.
    sameEntries(t, walk(snapshot, WalkClass.Threads), KNOWN.threads.map((th, i) => ({ ...th, name: KNOWN.threadNames[i]!.threadName })), 'thread');
    sameEntries(t, walk(snapshot, WalkClass.ThreadName), KNOWN.threadNames, 'thread name');
  });

  test('a handles-only capture has handle values and types, and nothing the flags did not ask for', (t) => {
    const handlesOnly = snapshotFromJson(results.handlesOnly);
    t.is(handlesOnly.info.captureFlags, CaptureFlags.Handles);
    sameEntries(
      t,
      walk(handlesOnly, WalkClass.Handles),
      KNOWN.handles.map((h) => ({
        ...h,
        flags: h.flags & 0x1,
        objectName: null,
        typeSpecific: null,
        attributes: null,
        grantedAccess: null,
        handleCount: null,
        pointerCount: null,
        pagedPoolCharge: null,
        nonPagedPoolCharge: null,
        creationTimeUs: null,
      })),
      'handle',
    );
  });

  test('the Snapshot contract passed under Wine, on a full and on a handles-only capture', (t) => {
    for (const [name, contract] of Object.entries(results.contract)) {
      t.deepEqual(contract.failures, [], `${name}: no failed assertion`);
      t.true(contract.assertions > 40, `${name}: the contract ran (${contract.assertions} assertions)`);
    }
  });

  test('the test DLL returns the documented codes, in the documented order of checks, and checks no more than Windows', (t) => {
    t.deepEqual(results.dll, {
      captureUndefinedFlag: 87, // ERROR_INVALID_PARAMETER
      captureBreakawayOptionalAlone: 87,
      captureThreads: 0,
      queryNullHandle: 6, // ERROR_INVALID_HANDLE
      queryBadClass: 87,
      queryShortBuffer: 24, // ERROR_BAD_LENGTH
      queryLongBuffer: 24,
      queryNotCaptured: 1168, // ERROR_NOT_FOUND
      queryCountersNotMeasured: 0, // Windows: zeros, not ERROR_NOT_FOUND...
      countersNotMeasuredNonZeroBytes: 0,
      bindingCountersNotMeasured: 1, // ...which the binding turns into ERROR_NOT_FOUND
      markerCreate: 0,
      walkNullHandle: 6,
      walkBadClass: 87,
      walkBadLength: 24,
      walkNotCaptured: 1168,
      walkThreadNames: 87, // what a public caller of PSS_WALK_THREAD_NAME gets on Windows
      walkNullMarker: 87,
      walkNullBuffer: 234, // ERROR_MORE_DATA
      nullBufferKeepsPosition: 0x1000,
      walkFirst: 0,
      firstThreadId: KNOWN.threads[0]!.threadId,
      walkOtherClassOnBoundMarker: 0, // Windows lets a marker walk another class...
      walkBackToTheFirstClass: 0,
      threadIdAfterRebinding: KNOWN.threads[0]!.threadId, // ...from that class's beginning
      walkSecond: 0,
      walkEnd: 259, // ERROR_NO_MORE_ITEMS
      walkEndAgain: 259,
      setPositionNotFromGet: 0, // positions are not checked: the binding refuses foreign ones
      walkAtForeignPosition: 259,
      setPositionInsideARecord: 0,
      walkInsideARecord: 0,
      threadIdInsideARecord: KNOWN.threads[0]!.threadId,
      markerFree: 0,
      free: 0,
      freeNullHandle: 6,
    });
  });

  test('the binding reports a missing process and use after free as PssErrors', (t) => {
    t.like(results.errors.noSuchProcess, {
      code: 'ERROR_NOT_FOUND',
      message: `cannot capture pid ${0x7ffffff0}: no such process`,
      pid: 0x7ffffff0,
    });
    t.like(results.errors.useAfterFree, { code: 'ERROR_INVALID_HANDLE', function: 'PssQuerySnapshot', pid: results.pid });
  });

  test('the binding refuses itself what Windows would not check: a position it did not hand out, a marker of another walk', (t) => {
    t.like(results.errors.positionNotHandedOut, { code: 'ERROR_INVALID_PARAMETER', function: 'PssWalkMarkerSetPosition' });
    t.like(results.errors.otherClassOnBoundMarker, { code: 'ERROR_INVALID_PARAMETER', function: 'PssWalkSnapshot' });
  });

  const faults = results.faults;
  const captured = (result: CaptureResult, what: string): Snapshot => {
    if (result.snapshot === undefined) throw new Error(`${what}: ${result.error?.code}: ${result.error?.message}`);
    return snapshotFromJson(result.snapshot);
  };

  test('without PSS_WALK_THREAD_NAME, thread names are read with GetThreadDescription, exactly, and the capture says so', (t) => {
    const byDescription = captured(faults.namesByDescription, 'names by description');
    const threads = walk(byDescription, WalkClass.Threads);
    t.deepEqual(threads.map((th) => [th.threadId, th.name]), [
      [faults.mainThread.threadId, faults.mainThread.description], // a lone surrogate kept
      [KNOWN.threads[1]!.threadId, null],
    ]);
    t.true(byDescription.info.backend.includes('thread names: GetThreadDescription'), byDescription.info.backend);
    t.is(byDescription.info.skippedCount, 1, 'the second known thread does not exist here: it vanished');
    t.throws(() => walk(byDescription, WalkClass.ThreadName), { message: /not captured/ }, 'no names walked: the threads carry them');

    // Names walked, but fewer than the threads: they cannot be paired, so the threads are named by description.
    const fewer = captured(faults.namesFewer, 'fewer names');
    t.deepEqual(walk(fewer, WalkClass.Threads).map((th) => th.name), [faults.mainThread.description, null]);
    t.deepEqual(walk(fewer, WalkClass.ThreadName), [KNOWN.threadNames[0]], 'the walked names are kept as they came');
    t.true(fewer.info.backend.includes('thread names: GetThreadDescription'));
  });

  test('extended contexts ask for CONTEXT_XSTATE, and the longer records keep their registers', (t) => {
    const extended = captured(faults.extendedContext, 'extended context');
    t.is(extended.info.threadContextFlags, (CONTEXT_FLAGS.CONTEXT_FULL | CONTEXT_FLAGS.CONTEXT_XSTATE) >>> 0);
    const length = extended.query(QueryClass.ThreadInformation).contextLength;
    t.true(length > KNOWN.threadContextLength, `an XSTATE context is longer (${length} bytes)`);
    const [main] = walk(extended, WalkClass.Threads);
    t.is(main!.contextRecord?.length, length);
    t.is(main!.instructionPointer, KNOWN.threads[0]!.instructionPointer);
  });

  test('a handle trace that Windows refuses (tracing off) is recorded as not available, and the capture goes on', (t) => {
    const traceOff = captured(faults.traceOff, 'trace off');
    t.true(traceOff.info.backend.includes('handle trace: not available'), traceOff.info.backend);
    t.throws(() => traceOff.query(QueryClass.HandleTraceInformation), { message: /not captured|not available/ });
    t.is(walk(traceOff, WalkClass.Handles).length, KNOWN.handles.length);
  });

  test('an exited process is reported as exited, a refused one as denied with the privilege, a partial copy by its name', (t) => {
    t.is(faults.exited.exitWait, 0, 'the child ended');
    t.like(faults.exited, { code: 'ERROR_NOT_FOUND', function: 'PssCaptureSnapshot' });
    t.regex(faults.exited.message, /exited during the capture \(exit code 7\)/);
    t.like(faults.denied, { code: 'ERROR_ACCESS_DENIED', pid: results.pid });
    t.regex(faults.denied.message, /SeDebugPrivilege/);
    t.like(faults.partialCopy, { code: 'ERROR_PARTIAL_COPY', pid: results.pid });
    t.regex(faults.partialCopy.message, /^cannot capture pid \d+: .*ERROR_PARTIAL_COPY/);
  });

  test('a capture that hangs is given up after its time limit, and the next one works', (t) => {
    t.like(faults.hung.hangs, { code: 'ERROR_TIMEOUT', function: 'PssCaptureSnapshot', pid: results.pid });
    t.true(faults.hung.nextWorked, faults.hung.next?.message);
    // And the Windows node ended although a capture thread is still blocked: run.sh returned.
  });

  test('SeDebugPrivilege, held but disabled in the token, is enabled by the capturer', (t) => {
    const SE_PRIVILEGE_ENABLED = 2;
    t.not(faults.privilegeBefore, null, "Wine's token holds SeDebugPrivilege");
    t.is((faults.privilegeBefore ?? 0) & SE_PRIVILEGE_ENABLED, 0, 'disabled before pssql ran');
    t.is((faults.privilege.attributesAfterCapture ?? 0) & SE_PRIVILEGE_ENABLED, SE_PRIVILEGE_ENABLED, 'enabled by the capture');
  });

  test('the Windows capture goes through the SQLite store and reads back identical', (t) => {
    const store = openStore(join(scratch, 'windows.db'));
    try {
      const captureId = writeCapture(store, snapshot, { label: 'wine' }).captureId;
      const stored = openStoredSnapshot(store, captureId);
      try {
        t.deepEqual(stored.info, snapshot.info, 'capture info');
        for (const cls of [QueryClass.ProcessInformation, QueryClass.VaCloneInformation, QueryClass.HandleTraceInformation,
          QueryClass.PerformanceCounters, QueryClass.AuxiliaryPagesInformation, QueryClass.VaSpaceInformation,
          QueryClass.HandleInformation, QueryClass.ThreadInformation]) {
          t.deepEqual(stored.query(cls), snapshot.query(cls), QueryClass[cls]);
        }
        for (const cls of [WalkClass.AuxiliaryPages, WalkClass.VaSpace, WalkClass.Handles, WalkClass.Threads, WalkClass.ThreadName]) {
          sameEntries(t, walk(stored, cls), walk(snapshot, cls), WalkClass[cls]);
        }
        checkSnapshotContract(t, stored, {
          captured: [WalkClass.AuxiliaryPages, WalkClass.VaSpace, WalkClass.Handles, WalkClass.Threads, WalkClass.ThreadName],
          notCaptured: [],
        });
      } finally {
        stored.free();
      }
    } finally {
      store.close();
    }
  });

  test('the same commands record and show a Windows capture as a Linux one', (t) => {
    const file = join(scratch, 'windows-snapshot.json');
    writeFileSync(file, JSON.stringify(results.snapshot));
    const db = join(scratch, 'cli.db');
    const [imported] = pssqlJson(['import', file, '--db', db]);
    t.like(imported, { capture_id: 1, pid: results.pid, platform: 'win32', handles: KNOWN.handles.length });
    const [listed] = pssqlJson(['list', '--db', db]);
    t.like(listed, { pid: results.pid, name: 'app.exe', handles: KNOWN.handles.length, threads: KNOWN.threads.length });
    const handles = pssqlJson(['show', 'latest', 'handles', '--db', db]);
    t.deepEqual(
      handles.map((h) => h.type_name),
      KNOWN.handles.map((h) => h.typeName),
    );
    const regions = pssqlJson(['show', 'latest', 'regions', '--db', db]);
    t.deepEqual(
      regions.map((r) => r.base_address),
      KNOWN.vaSpace.map((r) => `0x${r.baseAddress.toString(16)}`),
    );
    const [summary] = pssqlJson(['show', 'latest', '--db', db]);
    t.like(summary, { platform: 'win32', name: 'app.exe' });
  });
}
