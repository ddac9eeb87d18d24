/**
 * The binding's decoders on hand-built structures: bytes written at the reference offsets
 * (struct-builder.ts), decoded by the same decodeQueryRecord/decodeWalkEntry a capture uses, must
 * give exactly the model's records. Covers FILETIME units, addresses above 2^53, counted strings
 * with and without a NUL, each union arm, and the x64 CONTEXT registers.
 */
import { NO_LINUX_HANDLE_FIELDS, NO_LINUX_PROCESS_FIELDS, NO_LINUX_REGION_FIELDS, NO_LINUX_THREAD_FIELDS } from '../../../src/pss/linux-only-fields.js';
import test from 'ava';
import { decodeQueryRecord, decodeWalkEntry, fileTimeToDurationUs, fileTimeToUnixUs } from '../../../src/capture/windows/index.js';
import {
  CaptureFlags,
  CONTEXT_FLAGS,
  HandleFlags,
  type HandleTypeSpecific,
  MemState,
  MemType,
  ObjectType,
  QueryClass,
  WalkClass,
} from '../../../src/pss/index.js';
import { buildStruct, type FieldValue, fileTimeTicks, nativeMemory, utf16Bytes } from './struct-builder.js';

const ABOVE_2_53 = 0xffff_f780_0000_0123n;
const NUL = [0, 0];
// Bytes after a string that is not NUL-terminated: decoding up to a NUL would read them.
const GARBAGE = [0x41, 0x00, 0x42, 0x00, 0x43, 0x00, 0, 0];

/** Native memory that lives until the end of the test. */
function memory(t: { teardown: (fn: () => void) => void }, bytes: Uint8Array): bigint {
  const block = nativeMemory(bytes);
  t.teardown(block.free);
  return block.address;
}

const linuxOnlyThread = NO_LINUX_THREAD_FIELDS;
const linuxOnlyHandle = NO_LINUX_HANDLE_FIELDS;
const linuxOnlyRegion = NO_LINUX_REGION_FIELDS;

test('FILETIME: absolute times to µs since 1970 (rounded down, 0 is null), durations to µs', (t) => {
  const split = (ticks: bigint) => ({ dwLowDateTime: Number(ticks & 0xffffffffn), dwHighDateTime: Number(ticks >> 32n) });
  t.is(fileTimeToUnixUs(split(0n)), null);
  t.is(fileTimeToUnixUs(split(fileTimeTicks(0))), 0);
  t.is(fileTimeToUnixUs(split(fileTimeTicks(1_700_000_000_123_456, 9))), 1_700_000_000_123_456);
  t.is(fileTimeToUnixUs(split(fileTimeTicks(-1, 5))), -1, 'before 1970, still rounded down');
  t.is(fileTimeToUnixUs(split(1n)), -11_644_473_600_000_000, 'the FILETIME epoch, 1601');
  t.is(fileTimeToDurationUs(split(0n)), 0);
  t.is(fileTimeToDurationUs(split(123_456_789_019n)), 12_345_678_901);
});

test('PSS_PROCESS_INFORMATION: every field, the inline image path up to its NUL', (t) => {
  const values = {
    ExitStatus: 259, PebBaseAddress: ABOVE_2_53, AffinityMask: 0xffff_ffff_ffff_ffffn, BasePriority: -3,
    ProcessId: 4242, ParentProcessId: 1, Flags: 0x11,
    CreateTime: fileTimeTicks(1_600_000_000_000_001, 3), ExitTime: 0, KernelTime: 15_625_003n, UserTime: 20n,
    PriorityClass: 0x8000, PeakVirtualSize: 0x20_0000_0000, VirtualSize: 0x10_0000_0000, PageFaultCount: 0xffff_fffe,
    PeakWorkingSetSize: 5, WorkingSetSize: 6, QuotaPeakPagedPoolUsage: 7, QuotaPagedPoolUsage: 8,
    QuotaPeakNonPagedPoolUsage: 9, QuotaNonPagedPoolUsage: 10, PagefileUsage: 11, PeakPagefileUsage: 12,
    PrivateUsage: 2 ** 53 - 1, ExecuteFlags: 0x3f,
    ImageFileName: { utf16: 'C:\\Windows\\System32\\ünï.exe\0C:\\stale' },
  };
  t.deepEqual(decodeQueryRecord(QueryClass.ProcessInformation, buildStruct('PSS_PROCESS_INFORMATION', values)), {
    exitStatus: 259, pebBaseAddress: ABOVE_2_53, affinityMask: 0xffff_ffff_ffff_ffffn, basePriority: -3,
    processId: 4242, parentProcessId: 1, flags: 0x11,
    createTimeUs: 1_600_000_000_000_001, exitTimeUs: null, kernelTimeUs: 1_562_500, userTimeUs: 2,
    priorityClass: 0x8000, peakVirtualSizeBytes: 0x20_0000_0000, virtualSizeBytes: 0x10_0000_0000, pageFaultCount: 0xffff_fffe,
    peakWorkingSetSizeBytes: 5, workingSetSizeBytes: 6, quotaPeakPagedPoolUsageBytes: 7, quotaPagedPoolUsageBytes: 8,
    quotaPeakNonPagedPoolUsageBytes: 9, quotaNonPagedPoolUsageBytes: 10, pagefileUsageBytes: 11, peakPagefileUsageBytes: 12,
    privateUsageBytes: 2 ** 53 - 1, executeFlags: 0x3f,
    imageFileName: 'C:\\Windows\\System32\\ünï.exe',
    name: 'ünï.exe', ...NO_LINUX_PROCESS_FIELDS,
  });
});

test('PSS_PROCESS_INFORMATION: a full 260-unit image path has no NUL and is read whole; an empty one is null', (t) => {
  const full = `C:\\${'p'.repeat(253)}.exe`;
  t.is(full.length, 260);
  const decode = (path: string) =>
    decodeQueryRecord(QueryClass.ProcessInformation, buildStruct('PSS_PROCESS_INFORMATION', { ImageFileName: { utf16: path } })).imageFileName;
  t.is(decode(full), full);
  t.is(decode(''), null);
});

test('the small query records: counts, handles above 2^53, performance counters in µs', (t) => {
  t.deepEqual(decodeQueryRecord(QueryClass.VaCloneInformation, buildStruct('PSS_VA_CLONE_INFORMATION', { VaCloneHandle: ABOVE_2_53 })), {
    vaCloneHandle: ABOVE_2_53,
  });
  t.deepEqual(decodeQueryRecord(QueryClass.AuxiliaryPagesInformation, buildStruct('PSS_AUXILIARY_PAGES_INFORMATION', { AuxPagesCaptured: 0xffff_ffff })), {
    auxPagesCaptured: 0xffff_ffff,
  });
  t.deepEqual(decodeQueryRecord(QueryClass.VaSpaceInformation, buildStruct('PSS_VA_SPACE_INFORMATION', { RegionCount: 321 })), { regionCount: 321 });
  t.deepEqual(decodeQueryRecord(QueryClass.HandleInformation, buildStruct('PSS_HANDLE_INFORMATION', { HandlesCaptured: 77 })), { handlesCaptured: 77 });
  t.deepEqual(
    decodeQueryRecord(QueryClass.ThreadInformation, buildStruct('PSS_THREAD_INFORMATION', { ThreadsCaptured: 9, ContextLength: 1232 })),
    { threadsCaptured: 9, contextLength: 1232 },
  );
  t.deepEqual(
    decodeQueryRecord(QueryClass.HandleTraceInformation, buildStruct('PSS_HANDLE_TRACE_INFORMATION', { SectionHandle: 0x1234n, Size: 0x8000_0000 })),
    { sectionHandle: 0x1234n, sizeBytes: 0x8000_0000 },
  );
  const phases = ['Total', 'VaClone', 'VaSpace', 'AuxPages', 'Handles', 'Threads'];
  const counters = Object.fromEntries(
    phases.flatMap((phase, i) => [[`${phase}CycleCount`, 2 ** 40 + i], [`${phase}WallClockPeriod`, 1000 + i]]),
  );
  const phase = (i: number) => ({ cycleCount: 2 ** 40 + i, wallClockUs: 1000 + i, cpuTimeUs: null });
  t.deepEqual(decodeQueryRecord(QueryClass.PerformanceCounters, buildStruct('PSS_PERFORMANCE_COUNTERS', counters)), {
    total: phase(0), vaClone: phase(1), vaSpace: phase(2), auxPages: phase(3), handles: phase(4), threads: phase(5),
  });
});

test('PSS_AUXILIARY_PAGE_ENTRY: the embedded MEMORY_BASIC_INFORMATION and a copy of the page', (t) => {
  const contents = new Uint8Array(4096).map((_, i) => (i * 13) & 0xff);
  const values = {
    Address: ABOVE_2_53, 'BasicInformation.BaseAddress': ABOVE_2_53 - 0x123n, 'BasicInformation.AllocationBase': 0x10000n,
    'BasicInformation.AllocationProtect': 0x40, 'BasicInformation.RegionSize': 0x1_0000_0000,
    'BasicInformation.State': MemState.Commit, 'BasicInformation.Protect': 0x104, 'BasicInformation.Type': MemType.Private,
    CaptureTime: fileTimeTicks(1_700_000_000_000_000), PageContents: memory(t, contents), PageSize: contents.length,
  };
  const entry = decodeWalkEntry(WalkClass.AuxiliaryPages, buildStruct('PSS_AUXILIARY_PAGE_ENTRY', values), 0);
  t.deepEqual(entry, {
    address: ABOVE_2_53,
    basicInformation: {
      baseAddress: ABOVE_2_53 - 0x123n, allocationBase: 0x10000n, allocationProtect: 0x40, regionSizeBytes: 0x1_0000_0000,
      state: MemState.Commit, protect: 0x104, type: MemType.Private,
    },
    captureTimeUs: 1_700_000_000_000_000,
    pageContents: contents,
    pageSize: 4096,
  });
  const without = decodeWalkEntry(WalkClass.AuxiliaryPages, buildStruct('PSS_AUXILIARY_PAGE_ENTRY', { PageSize: 4096 }), 0);
  t.is(without.pageContents, null, 'a NULL PageContents is null');
});

test('PSS_VA_SPACE_ENTRY: a mapped file name without NUL, PE fields only for images with section information', (t) => {
  const path = `\\Device\\HarddiskVolume3\\${'long directory\\'.repeat(20)}module.dll`;
  t.true(path.length > 260);
  const values = {
    BaseAddress: ABOVE_2_53, AllocationBase: ABOVE_2_53, AllocationProtect: 0x80, RegionSize: 0x3000,
    State: MemState.Commit, Protect: 0x20, Type: MemType.Image, TimeDateStamp: 0xdeadbeef, SizeOfImage: 0x5000,
    ImageBase: 0x1_8000_0000n, CheckSum: 0x1234, MappedFileNameLength: path.length * 2,
    MappedFileName: memory(t, utf16Bytes(path, ...GARBAGE)),
  };
  const buffer = buildStruct('PSS_VA_SPACE_ENTRY', values);
  const region = {
    baseAddress: ABOVE_2_53, allocationBase: ABOVE_2_53, allocationProtect: 0x80, regionSizeBytes: 0x3000,
    state: MemState.Commit, protect: 0x20, type: MemType.Image, mappedFileName: path, ...linuxOnlyRegion,
  };
  t.deepEqual(decodeWalkEntry(WalkClass.VaSpace, buffer, CaptureFlags.VaSpace | CaptureFlags.VaSpaceSectionInformation), {
    ...region, timeDateStamp: 0xdeadbeef, sizeOfImageBytes: 0x5000, imageBase: 0x1_8000_0000n, checkSum: 0x1234,
  });
  t.deepEqual(decodeWalkEntry(WalkClass.VaSpace, buffer, CaptureFlags.VaSpace), {
    ...region, timeDateStamp: null, sizeOfImageBytes: null, imageBase: null, checkSum: null,
  }, 'without section information the PE fields are unknown');
  const mapped = buildStruct('PSS_VA_SPACE_ENTRY', {
    Type: MemType.Mapped, TimeDateStamp: 1, MappedFileNameLength: 8, MappedFileName: memory(t, utf16Bytes('a.db', ...NUL)),
  });
  const decoded = decodeWalkEntry(WalkClass.VaSpace, mapped, CaptureFlags.VaSpace | CaptureFlags.VaSpaceSectionInformation);
  t.is(decoded.mappedFileName, 'a.db', 'a NUL-terminated name');
  t.is(decoded.timeDateStamp, null, 'PE fields of a mapped (not image) region are unknown');
  t.is(decodeWalkEntry(WalkClass.VaSpace, buildStruct('PSS_VA_SPACE_ENTRY', {}), 0).mappedFileName, null);
});

test('counted names keep lone surrogates unit for unit, as NTFS and the object manager allow them', (t) => {
  for (const name of ['\\Device\\HarddiskVolume3\\lone \ud800 high', 'C:\\x\udfff\udc41.log', 'pair \ud83d\ude00 and \ud83d']) {
    const entry = buildStruct('PSS_VA_SPACE_ENTRY', {
      Type: MemType.Mapped, MappedFileNameLength: name.length * 2, MappedFileName: memory(t, utf16Bytes(name, ...GARBAGE)),
    });
    const decoded = decodeWalkEntry(WalkClass.VaSpace, entry, CaptureFlags.VaSpace | CaptureFlags.VaSpaceSectionInformation);
    t.is(decoded.mappedFileName, name, JSON.stringify(name));
  }
});

const HANDLE_HEADER = {
  Handle: 0x1234, Flags: 0x0f, CaptureTime: fileTimeTicks(1_700_000_000_000_002, 1), Attributes: 2, GrantedAccess: 0x1f0003,
  HandleCount: 3, PointerCount: 4, PagedPoolCharge: 5, NonPagedPoolCharge: 6, CreationTime: fileTimeTicks(1_000),
};
const DECODED_HEADER = {
  handle: 0x1234, flags: 0x0f, captureTimeUs: 1_700_000_000_000_002, attributes: 2, grantedAccess: 0x1f0003,
  handleCount: 3, pointerCount: 4, pagedPoolCharge: 5, nonPagedPoolCharge: 6, creationTimeUs: 1_000, ...linuxOnlyHandle,
};

const ARMS: { type: ObjectType; values: Record<string, FieldValue>; arm: HandleTypeSpecific }[] = [
  {
    type: ObjectType.Process,
    values: {
      'TypeSpecificInformation.Process.ExitStatus': 0xc0000005, 'TypeSpecificInformation.Process.PebBaseAddress': ABOVE_2_53,
      'TypeSpecificInformation.Process.AffinityMask': 0x8000_0000_0000_0000n, 'TypeSpecificInformation.Process.BasePriority': -8,
      'TypeSpecificInformation.Process.ProcessId': 100, 'TypeSpecificInformation.Process.ParentProcessId': 4,
      'TypeSpecificInformation.Process.Flags': 1,
    },
    arm: {
      objectType: ObjectType.Process, exitStatus: 0xc0000005, pebBaseAddress: ABOVE_2_53, affinityMask: 0x8000_0000_0000_0000n,
      basePriority: -8, processId: 100, parentProcessId: 4, flags: 1,
    },
  },
  {
    type: ObjectType.Thread,
    values: {
      'TypeSpecificInformation.Thread.ExitStatus': 259, 'TypeSpecificInformation.Thread.TebBaseAddress': 0x7ff0_0000n,
      'TypeSpecificInformation.Thread.ProcessId': 100, 'TypeSpecificInformation.Thread.ThreadId': 104,
      'TypeSpecificInformation.Thread.AffinityMask': 3n, 'TypeSpecificInformation.Thread.Priority': -15,
      'TypeSpecificInformation.Thread.BasePriority': 31, 'TypeSpecificInformation.Thread.Win32StartAddress': ABOVE_2_53,
    },
    arm: {
      objectType: ObjectType.Thread, exitStatus: 259, tebBaseAddress: 0x7ff0_0000n, processId: 100, threadId: 104,
      affinityMask: 3n, priority: -15, basePriority: 31, win32StartAddress: ABOVE_2_53,
    },
  },
  {
    type: ObjectType.Mutant,
    values: {
      'TypeSpecificInformation.Mutant.CurrentCount': -2, 'TypeSpecificInformation.Mutant.Abandoned': 1,
      'TypeSpecificInformation.Mutant.OwnerProcessId': 100, 'TypeSpecificInformation.Mutant.OwnerThreadId': 104,
    },
    arm: { objectType: ObjectType.Mutant, currentCount: -2, abandoned: true, ownerProcessId: 100, ownerThreadId: 104 },
  },
  {
    type: ObjectType.Event,
    values: { 'TypeSpecificInformation.Event.ManualReset': 0, 'TypeSpecificInformation.Event.Signaled': 1 },
    arm: { objectType: ObjectType.Event, manualReset: false, signaled: true, count: null },
  },
  {
    type: ObjectType.Section,
    values: {
      'TypeSpecificInformation.Section.BaseAddress': ABOVE_2_53, 'TypeSpecificInformation.Section.AllocationAttributes': 0x1000000,
      'TypeSpecificInformation.Section.MaximumSize': 0x2_0000_0000,
    },
    arm: { objectType: ObjectType.Section, baseAddress: ABOVE_2_53, allocationAttributes: 0x1000000, maximumSizeBytes: 0x2_0000_0000 },
  },
  {
    type: ObjectType.Semaphore,
    values: { 'TypeSpecificInformation.Semaphore.CurrentCount': 7, 'TypeSpecificInformation.Semaphore.MaximumCount': 0x7fff_ffff },
    arm: { objectType: ObjectType.Semaphore, currentCount: 7, maximumCount: 0x7fff_ffff },
  },
];

for (const { type, values, arm } of ARMS) {
  test(`PSS_HANDLE_ENTRY: the ${ObjectType[type]} arm of the union, chosen by ObjectType`, (t) => {
    const typeName = ObjectType[type];
    const buffer = buildStruct('PSS_HANDLE_ENTRY', {
      ...HANDLE_HEADER, ...values, ObjectType: type,
      TypeNameLength: typeName.length * 2, TypeName: memory(t, utf16Bytes(typeName, ...GARBAGE)),
      ObjectNameLength: 12, ObjectName: memory(t, utf16Bytes('name\0x', ...NUL)),
    });
    t.deepEqual(decodeWalkEntry(WalkClass.Handles, buffer, 0), {
      ...DECODED_HEADER, objectType: type, typeName, objectName: 'name\0x', typeSpecific: arm,
    });
  });
}

test('PSS_HANDLE_ENTRY: Flags say which parts exist; an unknown type has no arm', (t) => {
  const buffer = buildStruct('PSS_HANDLE_ENTRY', {
    ...HANDLE_HEADER, ...ARMS[0]!.values, Flags: HandleFlags.HaveType, ObjectType: ObjectType.Process,
    TypeNameLength: 8, TypeName: memory(t, utf16Bytes('File', ...NUL)),
    ObjectNameLength: 8, ObjectName: memory(t, utf16Bytes('stale', ...NUL)),
  });
  t.deepEqual(decodeWalkEntry(WalkClass.Handles, buffer, 0), {
    ...DECODED_HEADER, flags: HandleFlags.HaveType, objectType: ObjectType.Process, typeName: 'File', objectName: null,
    attributes: null, grantedAccess: null, handleCount: null, pointerCount: null, pagedPoolCharge: null,
    nonPagedPoolCharge: null, creationTimeUs: null, typeSpecific: null,
  });
  const unknown = buildStruct('PSS_HANDLE_ENTRY', { ...HANDLE_HEADER, ObjectType: ObjectType.Unknown, TypeNameLength: 0, TypeName: 0 });
  const entry = decodeWalkEntry(WalkClass.Handles, unknown, 0);
  t.is(entry.typeSpecific, null);
  t.is(entry.typeName, null, 'a NULL TypeName is null');
});

function context(flags: number, rip: bigint, rsp: bigint): Uint8Array {
  const bytes = new Uint8Array(1232).fill(0x5a);
  const view = new DataView(bytes.buffer);
  view.setUint32(0x30, flags, true);
  view.setBigUint64(0x98, rsp, true);
  view.setBigUint64(0xf8, rip, true);
  return bytes;
}

test('PSS_THREAD_ENTRY: every field, FILETIMEs from offset 52, Rip and Rsp from the CONTEXT', (t) => {
  const record = context(CONTEXT_FLAGS.CONTEXT_CONTROL, ABOVE_2_53, 0x0000_00d2_3a6f_f7c8n);
  const values = {
    ExitStatus: 259, TebBaseAddress: 0xd2_3a70_1000n, ProcessId: 100, ThreadId: 104, AffinityMask: 0xffff_ffff_ffff_fff0n,
    Priority: -2, BasePriority: 8, LastSyscallFirstArgument: ABOVE_2_53, LastSyscallNumber: 0xfffe,
    CreateTime: fileTimeTicks(1_700_000_000_000_003, 9), ExitTime: 0, KernelTime: 10n, UserTime: 99n,
    Win32StartAddress: 0x7ff6_1234_0000n, CaptureTime: fileTimeTicks(1_700_000_000_000_004), Flags: 1, SuspendCount: 2,
    SizeOfContextRecord: record.length, ContextRecord: memory(t, record),
  };
  t.deepEqual(decodeWalkEntry(WalkClass.Threads, buildStruct('PSS_THREAD_ENTRY', values), 0), {
    exitStatus: 259, tebBaseAddress: 0xd2_3a70_1000n, processId: 100, threadId: 104, affinityMask: 0xffff_ffff_ffff_fff0n,
    priority: -2, basePriority: 8, lastSyscallFirstArgument: ABOVE_2_53, lastSyscallNumber: 0xfffe,
    createTimeUs: 1_700_000_000_000_003, exitTimeUs: null, kernelTimeUs: 1, userTimeUs: 9,
    win32StartAddress: 0x7ff6_1234_0000n, captureTimeUs: 1_700_000_000_000_004, flags: 1, suspendCount: 2,
    contextRecord: record, instructionPointer: ABOVE_2_53, stackPointer: 0x0000_00d2_3a6f_f7c8n, ...linuxOnlyThread,
  });
});

test('PSS_THREAD_ENTRY: registers only when the CONTEXT holds the control registers; no record, no registers', (t) => {
  const integerOnly = context(CONTEXT_FLAGS.CONTEXT_INTEGER, 0x1111n, 0x2222n);
  const entry = decodeWalkEntry(
    WalkClass.Threads,
    buildStruct('PSS_THREAD_ENTRY', { SizeOfContextRecord: integerOnly.length, ContextRecord: memory(t, integerOnly) }),
    0,
  );
  t.deepEqual(entry.contextRecord, integerOnly);
  t.is(entry.instructionPointer, null);
  t.is(entry.stackPointer, null);
  const extended = new Uint8Array([...context(CONTEXT_FLAGS.CONTEXT_FULL, 0x3333n, 0x4444n), ...new Uint8Array(512).fill(1)]);
  const xstate = decodeWalkEntry(
    WalkClass.Threads,
    buildStruct('PSS_THREAD_ENTRY', { SizeOfContextRecord: extended.length, ContextRecord: memory(t, extended) }),
    0,
  );
  t.is(xstate.contextRecord?.length, 1744, 'an extended record is copied whole');
  t.is(xstate.instructionPointer, 0x3333n, 'and starts with a plain CONTEXT');
  const none = decodeWalkEntry(WalkClass.Threads, buildStruct('PSS_THREAD_ENTRY', { ThreadId: 5 }), 0);
  t.deepEqual([none.contextRecord, none.instructionPointer, none.stackPointer], [null, null, null]);
});

test('PSS_THREAD_NAME: a counted name, with or without a NUL', (t) => {
  const name = 'wörker 🧵';
  const decode = (bytes: Uint8Array) =>
    decodeWalkEntry(WalkClass.ThreadName, buildStruct('PSS_THREAD_NAME', { ThreadNameSize: name.length * 2, ThreadName: memory(t, bytes) }), 0);
  t.deepEqual(decode(utf16Bytes(name, ...GARBAGE)), { threadName: name });
  t.deepEqual(decode(utf16Bytes(name, ...NUL)), { threadName: name });
});
