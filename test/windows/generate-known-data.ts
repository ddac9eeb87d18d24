/**
 * Writes known-data.h, the C form of known-snapshot.ts, to stdout; setup.sh compiles the test
 * DLL with it. Model values go back to Windows form here (µs to FILETIME ticks, strings to UTF-16
 * code units in one pool), independently of the binding's decoders that the test then checks.
 *
 *   node dist/test/windows/generate-known-data.js > known-data.h
 */
import { HandleFlags, ObjectType, type HandleTypeSpecific } from '../../src/pss/index.js';
import { KNOWN, WITHOUT_NUL } from './known-snapshot.js';

const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
/** Follows each string stored without a NUL, so that reading past its length shows. */
const GUARD = 0x00a7; // §

const strings: number[] = [];
const bytes: number[] = [];

/** `{ offset, bytes }` of `text` in the string pool; KNOWN_NONE for null (a NULL pointer). */
function str(text: string | null): string {
  if (text === null) return '{ KNOWN_NONE, 0 }';
  const offset = strings.length;
  for (let i = 0; i < text.length; i++) strings.push(text.charCodeAt(i));
  strings.push(WITHOUT_NUL.has(text) ? GUARD : 0);
  return `{ ${offset}u, ${text.length * 2}u }`;
}

/** `{ offset, bytes }` of `data` in the byte pool; KNOWN_NONE for null. */
function blob(data: Uint8Array | null): string {
  if (data === null) return '{ KNOWN_NONE, 0 }';
  const offset = bytes.length;
  bytes.push(...data);
  return `{ ${offset}u, ${data.length}u }`;
}

const u32 = (value: number): string => {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`not a DWORD: ${value}`);
  return `0x${value.toString(16)}u`;
};
const i32 = (value: number): string => `${value}`;
const u64 = (value: number | bigint): string => `0x${BigInt(value).toString(16)}ull`;
const ptr = (value: bigint | null): string => `(void *)(uintptr_t)${u64(value ?? 0n)}`;
const bool = (value: boolean): string => (value ? '1' : '0');
const ticks = (value: bigint): string =>
  `{ ${u32(Number(value & 0xffffffffn))}, ${u32(Number(value >> 32n))} }`;
/** 100-ns ticks below the µs, which decoding must round away (down). */
const SUB_US = 7n;
/** An absolute time, µs since 1970, as a FILETIME; null is 0 ("never"). */
const absolute = (us: number | null): string => ticks(us === null ? 0n : BigInt(us) * 10n + SUB_US + FILETIME_UNIX_EPOCH);
/** A duration in µs as a FILETIME. */
const duration = (us: number | null): string => ticks(BigInt(us ?? 0) * 10n + SUB_US);

function fields(values: Record<string, string>): string {
  return `{ ${Object.entries(values).map(([name, value]) => `.${name} = ${value}`).join(', ')} }`;
}

function nullsOnly(record: object, keys: readonly string[], what: string): void {
  for (const key of keys) {
    if ((record as Record<string, unknown>)[key] !== null) throw new Error(`${what}: ${key} has no Windows field and must be null`);
  }
}

function ascending<T>(entries: readonly T[], key: (entry: T) => bigint | number, what: string): void {
  for (let i = 1; i < entries.length; i++) {
    if (BigInt(key(entries[i - 1]!)) >= BigInt(key(entries[i]!))) throw new Error(`${what} must be in ascending order`);
  }
}

function typeSpecific(arm: HandleTypeSpecific): string {
  switch (arm.objectType) {
    case ObjectType.Process:
      return `{ .Process = ${fields({
        ExitStatus: u32(arm.exitStatus ?? 0),
        PebBaseAddress: ptr(arm.pebBaseAddress),
        AffinityMask: u64(arm.affinityMask ?? 0n),
        BasePriority: i32(arm.basePriority ?? 0),
        ProcessId: u32(arm.processId ?? 0),
        ParentProcessId: u32(arm.parentProcessId ?? 0),
        Flags: u32(arm.flags ?? 0),
      })} }`;
    case ObjectType.Thread:
      return `{ .Thread = ${fields({
        ExitStatus: u32(arm.exitStatus ?? 0),
        TebBaseAddress: ptr(arm.tebBaseAddress),
        ProcessId: u32(arm.processId ?? 0),
        ThreadId: u32(arm.threadId ?? 0),
        AffinityMask: u64(arm.affinityMask ?? 0n),
        Priority: i32(arm.priority ?? 0),
        BasePriority: i32(arm.basePriority ?? 0),
        Win32StartAddress: ptr(arm.win32StartAddress),
      })} }`;
    case ObjectType.Mutant:
      return `{ .Mutant = ${fields({
        CurrentCount: i32(arm.currentCount),
        Abandoned: bool(arm.abandoned),
        OwnerProcessId: u32(arm.ownerProcessId),
        OwnerThreadId: u32(arm.ownerThreadId),
      })} }`;
    case ObjectType.Event:
      return `{ .Event = ${fields({ ManualReset: bool(arm.manualReset), Signaled: bool(arm.signaled) })} }`;
    case ObjectType.Section:
      return `{ .Section = ${fields({
        BaseAddress: ptr(arm.baseAddress),
        AllocationAttributes: u32(arm.allocationAttributes ?? 0),
        MaximumSize: `{ .QuadPart = ${arm.maximumSizeBytes ?? 0}ll }`,
      })} }`;
    case ObjectType.Semaphore:
      return `{ .Semaphore = ${fields({ CurrentCount: i32(arm.currentCount), MaximumCount: i32(arm.maximumCount) })} }`;
  }
}

function generate(): string {
  const out: string[] = [];
  const p = KNOWN.process;
  nullsOnly(p, ['commandLine', 'state', 'nice', 'threadCount', 'majorFaultCount', 'swapBytes'], 'process');
  const image = p.imageFileName ?? '';
  // The decoder derives the short name from the image path: the DLL has no field for it.
  if (p.name !== (image.split(/[\\/]/).pop() || null)) throw new Error('process: name must be the last part of imageFileName');
  if (image.length > 260) throw new Error('imageFileName is a wchar_t[260]');
  const imageUnits = Array.from({ length: image.length }, (_, i) => image.charCodeAt(i));
  out.push(`static const PSS_PROCESS_INFORMATION known_process = ${fields({
    ExitStatus: u32(p.exitStatus),
    PebBaseAddress: ptr(p.pebBaseAddress),
    AffinityMask: u64(p.affinityMask ?? 0n),
    BasePriority: i32(p.basePriority ?? 0),
    ProcessId: '0 /* the pid of the captured process handle */',
    ParentProcessId: u32(p.parentProcessId ?? 0),
    Flags: u32(p.flags),
    CreateTime: absolute(p.createTimeUs),
    ExitTime: absolute(p.exitTimeUs),
    KernelTime: duration(p.kernelTimeUs),
    UserTime: duration(p.userTimeUs),
    PriorityClass: u32(p.priorityClass ?? 0),
    PeakVirtualSize: u64(p.peakVirtualSizeBytes ?? 0),
    VirtualSize: u64(p.virtualSizeBytes ?? 0),
    PageFaultCount: u32(p.pageFaultCount ?? 0),
    PeakWorkingSetSize: u64(p.peakWorkingSetSizeBytes ?? 0),
    WorkingSetSize: u64(p.workingSetSizeBytes ?? 0),
    QuotaPeakPagedPoolUsage: u64(p.quotaPeakPagedPoolUsageBytes ?? 0),
    QuotaPagedPoolUsage: u64(p.quotaPagedPoolUsageBytes ?? 0),
    QuotaPeakNonPagedPoolUsage: u64(p.quotaPeakNonPagedPoolUsageBytes ?? 0),
    QuotaNonPagedPoolUsage: u64(p.quotaNonPagedPoolUsageBytes ?? 0),
    PagefileUsage: u64(p.pagefileUsageBytes ?? 0),
    PeakPagefileUsage: u64(p.peakPagefileUsageBytes ?? 0),
    PrivateUsage: u64(p.privateUsageBytes ?? 0),
    ExecuteFlags: u32(p.executeFlags ?? 0),
    ImageFileName: `{ ${imageUnits.join(', ')} }`,
  })};`);
  out.push(`static const PSS_VA_CLONE_INFORMATION known_va_clone = { (HANDLE)(uintptr_t)${u64(KNOWN.vaClone.vaCloneHandle)} };`);
  out.push(
    `static const PSS_HANDLE_TRACE_INFORMATION known_handle_trace = { (HANDLE)(uintptr_t)${u64(KNOWN.handleTrace.sectionHandle)}, ${u32(KNOWN.handleTrace.sizeBytes)} };`,
  );
  const perf = KNOWN.performance;
  out.push(`static const PSS_PERFORMANCE_COUNTERS known_performance = ${fields(
    Object.fromEntries(
      (['total', 'vaClone', 'vaSpace', 'auxPages', 'handles', 'threads'] as const).flatMap((phase) => {
        const prefix = phase[0]!.toUpperCase() + phase.slice(1);
        if (perf[phase].cpuTimeUs !== null) throw new Error('cpuTimeUs has no Windows field');
        return [
          [`${prefix}CycleCount`, u64(perf[phase].cycleCount ?? 0)],
          [`${prefix}WallClockPeriod`, u64(perf[phase].wallClockUs)],
        ];
      }),
    ),
  )};`);
  out.push(`static const DWORD known_context_length = ${u32(KNOWN.threadContextLength)};`);

  ascending(KNOWN.auxiliaryPages, (e) => e.address, 'auxiliary pages');
  out.push('static const known_aux_page known_aux_pages[] = {');
  for (const e of KNOWN.auxiliaryPages) {
    const mbi = e.basicInformation;
    out.push(`  { ${fields({
      Address: ptr(e.address),
      BasicInformation: fields({
        BaseAddress: ptr(mbi.baseAddress),
        AllocationBase: ptr(mbi.allocationBase),
        AllocationProtect: u32(mbi.allocationProtect),
        RegionSize: u64(mbi.regionSizeBytes),
        State: u32(mbi.state),
        Protect: u32(mbi.protect),
        Type: u32(mbi.type),
      }),
      CaptureTime: absolute(e.captureTimeUs),
      PageSize: u32(e.pageSize),
    })}, ${blob(e.pageContents)} },`);
  }
  out.push('};');

  ascending(KNOWN.vaSpace, (e) => e.baseAddress, 'VA regions');
  out.push('static const known_region known_regions[] = {');
  for (const e of KNOWN.vaSpace) {
    nullsOnly(e, ['permissions', 'fileOffsetBytes', 'device', 'inode', 'residentBytes', 'proportionalBytes', 'privateBytes', 'swapBytes'], 'region');
    out.push(`  { ${fields({
      BaseAddress: ptr(e.baseAddress),
      AllocationBase: ptr(e.allocationBase),
      AllocationProtect: u32(e.allocationProtect),
      RegionSize: u64(e.regionSizeBytes),
      State: u32(e.state),
      Protect: u32(e.protect),
      Type: u32(e.type),
      TimeDateStamp: u32(e.timeDateStamp ?? 0),
      SizeOfImage: u32(e.sizeOfImageBytes ?? 0),
      ImageBase: ptr(e.imageBase),
      CheckSum: u32(e.checkSum ?? 0),
    })}, ${str(e.mappedFileName)} },`);
  }
  out.push('};');

  ascending(KNOWN.handles, (e) => e.handle, 'handles');
  out.push('static const known_handle known_handles[] = {');
  for (const e of KNOWN.handles) {
    nullsOnly(e, ['openFlags', 'positionBytes', 'inode', 'mountId', 'socket'], 'handle');
    const has = (flag: HandleFlags): boolean => (e.flags & flag) === flag;
    if (!has(HandleFlags.HaveName) && e.objectName !== null) throw new Error(`handle ${e.handle}: a name without HaveName`);
    if (!has(HandleFlags.HaveTypeSpecificInformation) && e.typeSpecific !== null) throw new Error(`handle ${e.handle}: an arm without its flag`);
    out.push(`  { ${fields({
      Handle: `(HANDLE)(uintptr_t)${u64(e.handle)}`,
      Flags: u32(e.flags),
      ObjectType: u32(e.objectType),
      CaptureTime: absolute(e.captureTimeUs),
      Attributes: u32(e.attributes ?? 0),
      GrantedAccess: u32(e.grantedAccess ?? 0),
      HandleCount: u32(e.handleCount ?? 0),
      PointerCount: u32(e.pointerCount ?? 0),
      PagedPoolCharge: u32(e.pagedPoolCharge ?? 0),
      NonPagedPoolCharge: u32(e.nonPagedPoolCharge ?? 0),
      CreationTime: absolute(e.creationTimeUs),
      // Without an arm the union stays zero, as Windows leaves it.
      ...(e.typeSpecific === null ? {} : { TypeSpecificInformation: typeSpecific(e.typeSpecific) }),
    })}, ${str(e.typeName)}, ${str(e.objectName)} },`);
  }
  out.push('};');

  ascending(KNOWN.threads, (e) => e.threadId, 'threads');
  if (KNOWN.threadNames.length !== KNOWN.threads.length) throw new Error('one thread name per thread');
  out.push('static const known_thread known_threads[] = {');
  for (const e of KNOWN.threads) {
    nullsOnly(e, ['name', 'state', 'voluntaryContextSwitches', 'involuntaryContextSwitches'], 'thread');
    out.push(`  { ${fields({
      ExitStatus: u32(e.exitStatus),
      TebBaseAddress: ptr(e.tebBaseAddress),
      ProcessId: u32(e.processId),
      ThreadId: u32(e.threadId),
      AffinityMask: u64(e.affinityMask ?? 0n),
      Priority: i32(e.priority ?? 0),
      BasePriority: i32(e.basePriority ?? 0),
      LastSyscallFirstArgument: ptr(e.lastSyscallFirstArgument),
      LastSyscallNumber: `${e.lastSyscallNumber ?? 0}`,
      CreateTime: absolute(e.createTimeUs),
      ExitTime: absolute(e.exitTimeUs),
      KernelTime: duration(e.kernelTimeUs),
      UserTime: duration(e.userTimeUs),
      Win32StartAddress: ptr(e.win32StartAddress),
      CaptureTime: absolute(e.captureTimeUs),
      Flags: u32(e.flags),
      SuspendCount: `${e.suspendCount ?? 0}`,
    })}, ${blob(e.contextRecord)} },`);
  }
  out.push('};');
  out.push(`static const known_ref known_thread_names[] = { ${KNOWN.threadNames.map((e) => str(e.threadName)).join(', ')} };`);

  const pools = [
    `static const WCHAR known_strings[] = { ${strings.join(', ')} };`,
    `static const BYTE known_bytes[] = { ${bytes.join(', ')} };`,
  ];
  return [
    '/* Generated by test/windows/generate-known-data.ts from known-snapshot.ts: do not edit. */',
    ...pools,
    ...out,
    '',
  ].join('\n');
}

process.stdout.write(generate());
