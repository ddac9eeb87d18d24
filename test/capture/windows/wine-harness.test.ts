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
  errors: Record<'noSuchProcess' | 'useAfterFree', { code: string; message: string; pid?: number; function?: string }>;
}

const root = fileURLToPath(new URL('../../../../', import.meta.url));
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
    t.is(results.node, process.version, 'the Windows node is the version of the host');
  });

  test('capture info of a Windows capture', (t) => {
    const { host, startedAtUs, durationUs, ...rest } = snapshot.info;
    t.deepEqual(rest, {
      processId: results.pid,
      platform: 'win32',
      backend: 'dll:pss-test.dll',
      captureFlags: KNOWN_CAPTURE_FLAGS,
      threadContextFlags: CONTEXT_FLAGS.CONTEXT_FULL,
      skippedCount: 0,
      deniedCount: 0,
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
    sameEntries(t, walk(snapshot, WalkClass.Threads), KNOWN.threads, 'thread');
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

  test('the test DLL returns the documented codes, in the documented order of checks', (t) => {
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
      walkNullMarker: 87,
      walkNullBuffer: 234, // ERROR_MORE_DATA
      nullBufferKeepsPosition: 0x1000,
      walkFirst: 0,
      walkOtherClassOnBoundMarker: 87,
      walkSecond: 0,
      walkEnd: 259, // ERROR_NO_MORE_ITEMS
      walkEndAgain: 259,
      setPositionNotFromGet: 0,
      walkAtForeignPosition: 87,
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
