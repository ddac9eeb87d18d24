import { NO_LINUX_THREAD_FIELDS } from '../../src/pss/linux-only-fields.js';
import test from 'ava';
import {
  CaptureFlags,
  captureFlagNames,
  combineFlags,
  DEFAULT_CAPTURE_FLAGS,
  decodeBytes,
  DuplicateFlags,
  encodeBytes,
  entrySource,
  HandleFlags,
  isPssError,
  MemorySnapshot,
  MemState,
  MemType,
  ObjectType,
  PageProtection,
  parseCaptureFlags,
  printableText,
  ProcessFlags,
  PssError,
  QUERY_RECORD_SIZE,
  QueryClass,
  type SnapshotData,
  ThreadFlags,
  WALK_ENTRY_SIZE,
  WalkClass,
  Win32Error,
} from '../../src/pss/index.js';
import { checkSnapshotContract, expectPssError } from './snapshot-contract.js';

test('enums keep the Windows values of processsnapshot.h', (t) => {
  t.deepEqual(
    [CaptureFlags.None, CaptureFlags.VaClone, CaptureFlags.Reserved00000002, CaptureFlags.Handles, CaptureFlags.HandleNameInformation,
      CaptureFlags.HandleBasicInformation, CaptureFlags.HandleTypeSpecificInformation, CaptureFlags.HandleTrace, CaptureFlags.Threads,
      CaptureFlags.ThreadContext, CaptureFlags.ThreadContextExtended, CaptureFlags.Reserved00000400, CaptureFlags.VaSpace,
      CaptureFlags.VaSpaceSectionInformation, CaptureFlags.IptTrace, CaptureFlags.Reserved00004000, CaptureFlags.CreateBreakawayOptional,
      CaptureFlags.CreateBreakaway, CaptureFlags.CreateForceBreakaway, CaptureFlags.CreateUseVmAllocations,
      CaptureFlags.CreateMeasurePerformance, CaptureFlags.CreateReleaseSection],
    [0, 1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000, 0x04000000, 0x08000000,
      0x10000000, 0x20000000, 0x40000000, 0x80000000],
  );
  t.deepEqual([QueryClass.ProcessInformation, QueryClass.VaCloneInformation, QueryClass.AuxiliaryPagesInformation, QueryClass.VaSpaceInformation,
    QueryClass.HandleInformation, QueryClass.ThreadInformation, QueryClass.HandleTraceInformation, QueryClass.PerformanceCounters], [0, 1, 2, 3, 4, 5, 6, 7]);
  t.deepEqual([WalkClass.AuxiliaryPages, WalkClass.VaSpace, WalkClass.Handles, WalkClass.Threads, WalkClass.ThreadName], [0, 1, 2, 3, 4]);
  t.deepEqual([HandleFlags.None, HandleFlags.HaveType, HandleFlags.HaveName, HandleFlags.HaveBasicInformation, HandleFlags.HaveTypeSpecificInformation], [0, 1, 2, 4, 8]);
  t.deepEqual([ObjectType.Unknown, ObjectType.Process, ObjectType.Thread, ObjectType.Mutant, ObjectType.Event, ObjectType.Section, ObjectType.Semaphore], [0, 1, 2, 3, 4, 5, 6]);
  t.deepEqual([ProcessFlags.None, ProcessFlags.Protected, ProcessFlags.Wow64, ProcessFlags.Reserved03, ProcessFlags.Reserved04, ProcessFlags.Frozen], [0, 1, 2, 4, 8, 0x10]);
  t.deepEqual([ThreadFlags.None, ThreadFlags.Terminated], [0, 1]);
  t.deepEqual([DuplicateFlags.None, DuplicateFlags.CloseSource], [0, 1]);
  t.deepEqual([MemState.Commit, MemState.Reserve, MemState.Free, MemType.Private, MemType.Mapped, MemType.Image], [0x1000, 0x2000, 0x10000, 0x20000, 0x40000, 0x1000000]);
  t.is(PageProtection.ExecuteWriteCopy, 0x80);
  t.deepEqual(Object.values(QUERY_RECORD_SIZE), [704, 8, 4, 4, 4, 8, 16, 96]);
  t.deepEqual(Object.values(WALK_ENTRY_SIZE), [80, 80, 136, 120, 16]);
  t.like(Win32Error, { ERROR_INVALID_HANDLE: 6, ERROR_BAD_LENGTH: 24, ERROR_INVALID_PARAMETER: 87, ERROR_MORE_DATA: 234, ERROR_NO_MORE_ITEMS: 259, ERROR_NOT_FOUND: 1168 });
});

test('capture flags are combined unsigned and parsed from readable names', (t) => {
  t.is(combineFlags(CaptureFlags.CreateReleaseSection, CaptureFlags.Handles), 0x80000004);
  t.is(parseCaptureFlags('handles,handle-names'), 0xc);
  t.is(parseCaptureFlags('PSS_CAPTURE_HANDLES | PSS_CAPTURE_THREADS'), 0x84);
  t.is(parseCaptureFlags('0x804'), 0x804);
  t.is(parseCaptureFlags('default,-thread-context'), (DEFAULT_CAPTURE_FLAGS & ~CaptureFlags.ThreadContext) >>> 0);
  t.deepEqual(captureFlagNames(0x80000804), ['handles', 'va-space', 'release-section']);
  const error = t.throws(() => parseCaptureFlags('handles,oops'));
  t.true(isPssError(error, 'ERROR_INVALID_PARAMETER'));
  t.is((error as PssError).option, 'flags');
});

test('errors carry the Win32 code name and number', (t) => {
  const error = new PssError('ERROR_NOT_FOUND', 'x', { pid: 7 });
  t.is(error.code, 'ERROR_NOT_FOUND');
  t.is(error.win32, 1168);
  t.is(error.pid, 7);
  t.is(new PssError(259, 'end').code, 'ERROR_NO_MORE_ITEMS');
  t.is(new PssError(4242, 'odd').code, 'WIN32_4242');
});

test('bytes that are not UTF-8 survive decoding exactly and print safely', (t) => {
  const samples = [
    Buffer.from('plain'),
    Buffer.from('caf\u00e9 \u{1f600}'),
    Buffer.from([0x61, 0xff, 0x62, 0xc3]),
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate: not valid UTF-8
    Buffer.from([0xe2, 0x82]), // truncated sequence
  ];
  for (const bytes of samples) t.deepEqual(encodeBytes(decodeBytes(bytes)), bytes);
  t.is(decodeBytes(Buffer.from([0x61, 0xff])), 'a\udcff');
  t.is(printableText('a\nb\x1b[31m\udcff'), 'a\\nb\\x1b[31m\\xff');
});

function syntheticData(): SnapshotData {
  const thread = (tid: number) => ({
    exitStatus: 259, tebBaseAddress: 0x7ff0000n + BigInt(tid), processId: 1, threadId: tid, affinityMask: 1n, priority: 8, basePriority: 8,
    lastSyscallFirstArgument: null, lastSyscallNumber: null, createTimeUs: 1, exitTimeUs: null, kernelTimeUs: 0, userTimeUs: 0,
    win32StartAddress: null, captureTimeUs: 5, flags: 0, suspendCount: 0, contextRecord: null, instructionPointer: null,
    stackPointer: null, ...NO_LINUX_THREAD_FIELDS, name: `t${tid}`,
  });
  const threads = [thread(10), thread(11), thread(12)];
  return {
    info: { processId: 1, platform: 'linux', backend: 'test', host: 'h', captureFlags: 0x80, threadContextFlags: 0, startedAtUs: 5, durationUs: 1, skippedCount: 0, deniedCount: 0, deniedParts: [], details: false },
    process: { processId: 1 } as SnapshotData['process'],
    performance: null,
    vaClone: null,
    handleTrace: null,
    threadContextLength: 0,
    walks: { [WalkClass.Threads]: entrySource(threads), [WalkClass.ThreadName]: entrySource(threads.map((th) => ({ threadName: th.name }))) },
  };
}

test('the in-memory snapshot keeps the contract', (t) => {
  checkSnapshotContract(t, new MemorySnapshot(syntheticData()), {
    captured: [WalkClass.Threads, WalkClass.ThreadName],
    notCaptured: [WalkClass.Handles, WalkClass.VaSpace, WalkClass.AuxiliaryPages],
  });
});

test('markers: positions are byte offsets into the class, bound to one walk, checked', (t) => {
  const snapshot = new MemorySnapshot(syntheticData());
  const marker = snapshot.createWalkMarker();
  snapshot.walk(WalkClass.Threads, marker);
  t.is(marker.getPosition(), 120n, 'one PSS_THREAD_ENTRY further');
  expectPssError(t, () => snapshot.walk(WalkClass.ThreadName, marker), 'ERROR_INVALID_PARAMETER', 'a marker bound to Threads used for ThreadName');
  marker.setPosition(7n);
  expectPssError(t, () => snapshot.walk(WalkClass.Threads, marker), 'ERROR_INVALID_PARAMETER', 'a position that no walk gave');
  marker.seekToBeginning();
  t.is(snapshot.walk(WalkClass.ThreadName, marker)?.threadName, 't10', 'seekToBeginning unbinds');
  t.throws(() => marker.setPosition(-1n), { instanceOf: TypeError });
  const other = new MemorySnapshot(syntheticData());
  expectPssError(t, () => other.walk(WalkClass.ThreadName, marker), 'ERROR_INVALID_PARAMETER', 'a marker of another snapshot');
  expectPssError(t, () => snapshot.query(QueryClass.PerformanceCounters), 'ERROR_NOT_FOUND', 'performance counters not measured');
});
