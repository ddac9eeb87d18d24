/**
 * The one list of the records the test DLL returns, in the model's terms: the DLL's C data is
 * generated from this file (generate-known-data.ts), and the Wine test compares what the binding
 * decoded under Wine with this file. Every field of every structure has a value here that a
 * wrong offset, width, unit or string rule would change.
 */
import { NO_LINUX_HANDLE_FIELDS, NO_LINUX_PROCESS_FIELDS, NO_LINUX_REGION_FIELDS, NO_LINUX_THREAD_FIELDS } from '../../src/pss/linux-only-fields.js';
import {
  type AuxiliaryPageEntry,
  CaptureFlags,
  combineFlags,
  CONTEXT_FLAGS,
  CONTEXT_SIZE_X64,
  HandleFlags,
  type HandleEntry,
  type HandleTraceInformation,
  MemState,
  MemType,
  ObjectType,
  PageProtection,
  type PerformanceCounters,
  type ProcessInformation,
  ProcessFlags,
  STILL_ACTIVE,
  ThreadFlags,
  type ThreadEntry,
  type ThreadNameEntry,
  type VaCloneInformation,
  type VaSpaceEntry,
} from '../../src/pss/index.js';

/** What the DLL holds; each walk class in ascending key order, as the store reads walks back. */
export interface KnownSnapshot {
  /** `processId` 0 stands for the pid of the captured process, which the DLL reads from the handle. */
  process: ProcessInformation;
  vaClone: VaCloneInformation;
  handleTrace: HandleTraceInformation;
  performance: PerformanceCounters;
  threadContextLength: number;
  auxiliaryPages: AuxiliaryPageEntry[];
  vaSpace: VaSpaceEntry[];
  handles: HandleEntry[];
  threads: ThreadEntry[];
  threadNames: ThreadNameEntry[];
}

/** Everything the DLL can capture: every walk and query class has data. */
export const KNOWN_CAPTURE_FLAGS = combineFlags(
  CaptureFlags.VaClone,
  CaptureFlags.Reserved00000002,
  CaptureFlags.Handles,
  CaptureFlags.HandleNameInformation,
  CaptureFlags.HandleBasicInformation,
  CaptureFlags.HandleTypeSpecificInformation,
  CaptureFlags.HandleTrace,
  CaptureFlags.Threads,
  CaptureFlags.ThreadContext,
  CaptureFlags.VaSpace,
  CaptureFlags.VaSpaceSectionInformation,
  CaptureFlags.CreateMeasurePerformance,
);

/** Offsets in the x64 CONTEXT (winnt.h; the DLL asserts them against mingw-w64's header). */
export const CONTEXT_OFFSETS = { ContextFlags: 0x30, Rsp: 0x98, Rip: 0xf8 } as const;

/** A CONTEXT record: a byte pattern (so a short or shifted copy shows) with flags, Rsp and Rip set. */
function contextRecord(contextFlags: number, rip: bigint, rsp: bigint, seed: number): Uint8Array {
  const bytes = new Uint8Array(CONTEXT_SIZE_X64).map((_, i) => (i * 7 + seed) & 0xff);
  const view = new DataView(bytes.buffer);
  view.setUint32(CONTEXT_OFFSETS.ContextFlags, contextFlags, true);
  view.setBigUint64(CONTEXT_OFFSETS.Rsp, rsp, true);
  view.setBigUint64(CONTEXT_OFFSETS.Rip, rip, true);
  return bytes;
}

function page(size: number, seed: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 31 + seed) & 0xff);
}

/** Fields only Linux fills. */
const NO_LINUX_REGION = NO_LINUX_REGION_FIELDS;
const NO_LINUX_HANDLE = NO_LINUX_HANDLE_FIELDS;
const NO_LINUX_THREAD = NO_LINUX_THREAD_FIELDS;
const ALL_HANDLE_PARTS =
  HandleFlags.HaveType | HandleFlags.HaveName | HandleFlags.HaveBasicInformation | HandleFlags.HaveTypeSpecificInformation;

// A path of more than MAX_PATH (260) characters, as a \\?\ path or an NT path may be.
const LONG_PATH = `\\Device\\HarddiskVolume3\\${'very long directory name\\'.repeat(12)}pssql-test-module.dll`;
// Exactly MAX_PATH characters: the inline ImageFileName is then full and has no NUL.
const IMAGE_DIR = 'C:\\Program Files\\pssql ünïcødé 🧪\\';
const FULL_IMAGE_PATH = `${IMAGE_DIR}${'x'.repeat(260 - IMAGE_DIR.length - 8)}\\app.exe`;

const PAGE_CONTENTS = page(4096, 3);
const MAIN_RIP = 0x7ffa_1234_5678n;
const MAIN_RSP = 0x0000_00d2_3a6f_f7c8n;

/** The records. */
export const KNOWN: KnownSnapshot = {
  process: {
    exitStatus: STILL_ACTIVE,
    pebBaseAddress: 0x0000_00d2_3a6f_1000n,
    affinityMask: 0xffff_ffff_ffff_ffffn,
    basePriority: -2,
    processId: 0,
    parentProcessId: 4242,
    flags: ProcessFlags.Frozen | ProcessFlags.Wow64,
    createTimeUs: 1_700_000_000_123_456,
    exitTimeUs: null,
    kernelTimeUs: 1_234_567,
    userTimeUs: 76_543_210_987,
    priorityClass: 0x20,
    peakVirtualSizeBytes: 2_203_318_222_848,
    virtualSizeBytes: 2_203_318_210_560,
    pageFaultCount: 4_000_000_001,
    peakWorkingSetSizeBytes: 6_000_000_000_000,
    workingSetSizeBytes: 123_456_789_012,
    quotaPeakPagedPoolUsageBytes: 456_789,
    quotaPagedPoolUsageBytes: 345_678,
    quotaPeakNonPagedPoolUsageBytes: 23_456,
    quotaNonPagedPoolUsageBytes: 12_345,
    pagefileUsageBytes: 9_007_199_254_740_991,
    peakPagefileUsageBytes: 4_503_599_627_370_496,
    privateUsageBytes: 98_765_432_109,
    executeFlags: 0x0000_0035,
    imageFileName: FULL_IMAGE_PATH,
    name: 'app.exe',
    ...NO_LINUX_PROCESS_FIELDS,
  },
  vaClone: { vaCloneHandle: 0x1f4n },
  handleTrace: { sectionHandle: 0xffff_ffff_ffff_fffan, sizeBytes: 65_536 },
  performance: {
    total: { cycleCount: 9_007_199_254_740_991, wallClockUs: 1_500_000, cpuTimeUs: null },
    vaClone: { cycleCount: 1_000, wallClockUs: 2, cpuTimeUs: null },
    vaSpace: { cycleCount: 2_000_000_000_001, wallClockUs: 300_000, cpuTimeUs: null },
    auxPages: { cycleCount: 0, wallClockUs: 0, cpuTimeUs: null },
    handles: { cycleCount: 4_294_967_296, wallClockUs: 4_294_967_297, cpuTimeUs: null },
    threads: { cycleCount: 77_777, wallClockUs: 777, cpuTimeUs: null },
  },
  threadContextLength: CONTEXT_SIZE_X64,
  auxiliaryPages: [
    {
      address: 0x0000_7ff6_0000_1000n,
      basicInformation: {
        baseAddress: 0x0000_7ff6_0000_1000n,
        allocationBase: 0x0000_7ff6_0000_0000n,
        allocationProtect: PageProtection.ExecuteWriteCopy,
        regionSizeBytes: 8_192,
        state: MemState.Commit,
        protect: PageProtection.ReadOnly | PageProtection.Guard,
        type: MemType.Image,
      },
      captureTimeUs: 1_700_000_001_000_001,
      pageContents: PAGE_CONTENTS,
      pageSize: PAGE_CONTENTS.length,
    },
    {
      address: 0xffff_f780_0000_0000n,
      basicInformation: {
        baseAddress: 0xffff_f780_0000_0000n,
        allocationBase: 0xffff_f780_0000_0000n,
        allocationProtect: PageProtection.ReadOnly,
        regionSizeBytes: 4_096,
        state: MemState.Commit,
        protect: PageProtection.ReadOnly,
        type: MemType.Private,
      },
      captureTimeUs: 1_700_000_001_000_002,
      pageContents: null,
      pageSize: 4_096,
    },
  ],
  vaSpace: [
    {
      baseAddress: 0n,
      allocationBase: 0n,
      allocationProtect: 0,
      regionSizeBytes: 0x7ffe_0000,
      state: MemState.Free,
      protect: PageProtection.NoAccess,
      type: 0,
      timeDateStamp: null,
      sizeOfImageBytes: null,
      imageBase: null,
      checkSum: null,
      mappedFileName: null,
      ...NO_LINUX_REGION,
    },
    {
      baseAddress: 0x0000_0230_0000_0000n,
      allocationBase: 0x0000_0230_0000_0000n,
      allocationProtect: PageProtection.ReadOnly,
      regionSizeBytes: 1_048_576,
      state: MemState.Commit,
      protect: PageProtection.ReadOnly,
      type: MemType.Mapped,
      timeDateStamp: null,
      sizeOfImageBytes: null,
      imageBase: null,
      checkSum: null,
      // Lone surrogates, as NTFS allows them: one that stands for a byte on Linux (U+DCFF) and one not.
      mappedFileName: '\\Device\\HarddiskVolume3\\Windows\\Fonts\\Static\udcffCache\ud800.dat',
      ...NO_LINUX_REGION,
    },
    {
      baseAddress: 0x0000_7ff6_0000_0000n,
      allocationBase: 0x0000_7ff6_0000_0000n,
      allocationProtect: PageProtection.ExecuteWriteCopy,
      regionSizeBytes: 0x1_0000_0000_1000,
      state: MemState.Commit,
      protect: PageProtection.ExecuteRead,
      type: MemType.Image,
      timeDateStamp: 0xfedc_ba98,
      sizeOfImageBytes: 0x0010_2000,
      imageBase: 0xffff_8000_1234_0000n,
      checkSum: 0x8765_4321,
      mappedFileName: LONG_PATH,
      ...NO_LINUX_REGION,
    },
    {
      baseAddress: 0xffff_f780_0000_0000n,
      allocationBase: 0xffff_f780_0000_0000n,
      allocationProtect: PageProtection.ReadWrite,
      regionSizeBytes: 4_096,
      state: MemState.Reserve,
      protect: 0,
      type: MemType.Private,
      timeDateStamp: null,
      sizeOfImageBytes: null,
      imageBase: null,
      checkSum: null,
      mappedFileName: null,
      ...NO_LINUX_REGION,
    },
  ],
  handles: [
    {
      handle: 0x4,
      flags: HandleFlags.HaveType | HandleFlags.HaveName | HandleFlags.HaveBasicInformation,
      objectType: ObjectType.Unknown,
      captureTimeUs: 1_700_000_002_000_001,
      attributes: 0x2,
      grantedAccess: 0x0012_019f,
      handleCount: 1,
      pointerCount: 32_769,
      pagedPoolCharge: 0,
      nonPagedPoolCharge: 0,
      creationTimeUs: 1_600_000_000_000_000,
      typeName: 'File',
      objectName: '\\Device\\HarddiskVolume3\\Users\\tester\\AppData\\Local\\Temp\\pssql ünïcødé.log',
      typeSpecific: null,
      ...NO_LINUX_HANDLE,
    },
    {
      handle: 0x8,
      flags: HandleFlags.HaveType | HandleFlags.HaveBasicInformation | HandleFlags.HaveTypeSpecificInformation,
      objectType: ObjectType.Process,
      captureTimeUs: 1_700_000_002_000_002,
      attributes: 0,
      grantedAccess: 0x001f_ffff,
      handleCount: 7,
      pointerCount: 123_456,
      pagedPoolCharge: 0,
      nonPagedPoolCharge: 0,
      creationTimeUs: null,
      typeName: 'Process',
      objectName: null,
      typeSpecific: {
        objectType: ObjectType.Process,
        exitStatus: 0xc000_0005,
        pebBaseAddress: 0x0000_00a1_b2c3_d000n,
        affinityMask: 0x8000_0000_0000_0001n,
        basePriority: 13,
        processId: 8_888,
        parentProcessId: 4,
        flags: ProcessFlags.Protected,
      },
      ...NO_LINUX_HANDLE,
    },
    {
      handle: 0xc,
      flags: ALL_HANDLE_PARTS,
      objectType: ObjectType.Thread,
      captureTimeUs: 1_700_000_002_000_003,
      attributes: 0,
      grantedAccess: 0x001f_ffff,
      handleCount: 2,
      pointerCount: 3,
      pagedPoolCharge: 0,
      nonPagedPoolCharge: 0,
      creationTimeUs: null,
      typeName: 'Thread',
      objectName: '',
      typeSpecific: {
        objectType: ObjectType.Thread,
        exitStatus: STILL_ACTIVE,
        tebBaseAddress: 0x0000_00d2_3a70_0000n,
        processId: 8_888,
        threadId: 9_999,
        affinityMask: 0x0000_0000_0000_00f0n,
        priority: 15,
        basePriority: -15,
        win32StartAddress: 0xffff_fa80_dead_beefn,
      },
      ...NO_LINUX_HANDLE,
    },
    {
      handle: 0x10,
      flags: ALL_HANDLE_PARTS,
      objectType: ObjectType.Mutant,
      captureTimeUs: 1_700_000_002_000_004,
      attributes: 0x10,
      grantedAccess: 0x001f_0001,
      handleCount: 4,
      pointerCount: 5,
      pagedPoolCharge: 208,
      nonPagedPoolCharge: 96,
      creationTimeUs: null,
      typeName: 'Mutant',
      objectName: '\\Sessions\\1\\BaseNamedObjects\\pssql-mutex',
      typeSpecific: { objectType: ObjectType.Mutant, currentCount: -1, abandoned: true, ownerProcessId: 8_888, ownerThreadId: 9_999 },
      ...NO_LINUX_HANDLE,
    },
    {
      handle: 0x14,
      flags: ALL_HANDLE_PARTS,
      objectType: ObjectType.Event,
      captureTimeUs: 1_700_000_002_000_005,
      attributes: 0,
      grantedAccess: 0x001f_0003,
      handleCount: 1,
      pointerCount: 1,
      pagedPoolCharge: 0,
      nonPagedPoolCharge: 0,
      creationTimeUs: null,
      typeName: 'Event',
      objectName: '\\BaseNamedObjects\\pssql-event-\udc00\ud83d',
      typeSpecific: { objectType: ObjectType.Event, manualReset: true, signaled: false, count: null },
      ...NO_LINUX_HANDLE,
    },
    {
      handle: 0x18,
      flags: ALL_HANDLE_PARTS,
      objectType: ObjectType.Section,
      captureTimeUs: 1_700_000_002_000_006,
      attributes: 0,
      grantedAccess: 0x000f_001f,
      handleCount: 1,
      pointerCount: 2,
      pagedPoolCharge: 0,
      nonPagedPoolCharge: 0,
      creationTimeUs: null,
      typeName: 'Section',
      objectName: '\\BaseNamedObjects\\pssql-section',
      typeSpecific: {
        objectType: ObjectType.Section,
        baseAddress: 0xffff_ffff_fff0_0000n,
        allocationAttributes: 0x0800_0000,
        maximumSizeBytes: 6_442_450_944,
      },
      ...NO_LINUX_HANDLE,
    },
    {
      handle: 0x1c,
      flags: ALL_HANDLE_PARTS,
      objectType: ObjectType.Semaphore,
      captureTimeUs: 1_700_000_002_000_007,
      attributes: 0,
      grantedAccess: 0x001f_0003,
      handleCount: 1,
      pointerCount: 1,
      pagedPoolCharge: 0,
      nonPagedPoolCharge: 0,
      creationTimeUs: null,
      typeName: 'Semaphore',
      objectName: '\\BaseNamedObjects\\pssql-semaphore',
      typeSpecific: { objectType: ObjectType.Semaphore, currentCount: 3, maximumCount: 2_147_483_647 },
      ...NO_LINUX_HANDLE,
    },
    {
      handle: 0xfffc,
      flags: HandleFlags.HaveType,
      objectType: ObjectType.Unknown,
      captureTimeUs: 1_700_000_002_000_008,
      attributes: null,
      grantedAccess: null,
      handleCount: null,
      pointerCount: null,
      pagedPoolCharge: null,
      nonPagedPoolCharge: null,
      creationTimeUs: null,
      typeName: 'Key',
      objectName: null,
      typeSpecific: null,
      ...NO_LINUX_HANDLE,
    },
  ],
  threads: [
    {
      exitStatus: STILL_ACTIVE,
      tebBaseAddress: 0x0000_00d2_3a70_1000n,
      processId: 8_888,
      threadId: 0x100,
      affinityMask: 0xffff_ffff_ffff_fffen,
      priority: 10,
      basePriority: 8,
      lastSyscallFirstArgument: 0xffff_a000_0000_1234n,
      lastSyscallNumber: 0x1234,
      createTimeUs: 1_700_000_000_200_000,
      exitTimeUs: null,
      kernelTimeUs: 15_625,
      userTimeUs: 31_250,
      win32StartAddress: 0x0000_7ff6_0000_1230n,
      captureTimeUs: 1_700_000_003_000_001,
      flags: ThreadFlags.None,
      suspendCount: 1,
      contextRecord: contextRecord(CONTEXT_FLAGS.CONTEXT_FULL, MAIN_RIP, MAIN_RSP, 11),
      instructionPointer: MAIN_RIP,
      stackPointer: MAIN_RSP,
      ...NO_LINUX_THREAD,
    },
    {
      exitStatus: 0,
      tebBaseAddress: 0x0000_00d2_3a70_3000n,
      processId: 8_888,
      threadId: 0x2f04,
      affinityMask: 0x1n,
      priority: -1,
      basePriority: 0,
      lastSyscallFirstArgument: 0n,
      lastSyscallNumber: 0xffff,
      createTimeUs: 1_700_000_000_300_000,
      exitTimeUs: 1_700_000_000_999_999,
      kernelTimeUs: 0,
      userTimeUs: 1,
      win32StartAddress: 0x0000_7ffa_9999_0000n,
      captureTimeUs: 1_700_000_003_000_002,
      flags: ThreadFlags.Terminated,
      suspendCount: 65_535,
      // Only the integer registers: Rip and Rsp are in the record but not valid, so not decoded.
      contextRecord: contextRecord(CONTEXT_FLAGS.CONTEXT_INTEGER, 0x1111n, 0x2222n, 99),
      instructionPointer: null,
      stackPointer: null,
      ...NO_LINUX_THREAD,
    },
  ],
  threadNames: [{ threadName: 'main' }, { threadName: 'wörker 🧵 #2' }],
};

/**
 * The counted strings the DLL stores without a terminating NUL (Windows promises none): each is
 * followed in the DLL's string pool by the first character of the next string, so decoding up
 * to a NUL instead of by length would read past it.
 */
export const WITHOUT_NUL: ReadonlySet<string> = new Set([
  LONG_PATH,
  'Mutant',
  '\\Sessions\\1\\BaseNamedObjects\\pssql-mutex',
  '\\BaseNamedObjects\\pssql-section',
  'Event',
  'wörker 🧵 #2',
]);
