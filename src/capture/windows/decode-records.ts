import { NO_LINUX_HANDLE_FIELDS, NO_LINUX_PROCESS_FIELDS, NO_LINUX_REGION_FIELDS, NO_LINUX_THREAD_FIELDS } from '../../pss/linux-only-fields.js';
import {
  CaptureFlags,
  CONTEXT_FLAGS,
  HandleFlags,
  hasFlag,
  MemType,
  ObjectType,
  PERFORMANCE_PHASES,
  type PerformanceCounters,
  type PhaseCounters,
  QueryClass,
  type QueryRecordMap,
  type HandleTypeSpecific,
  type MemoryBasicInformation,
  WalkClass,
  type WalkEntryMap,
} from '../../pss/index.js';
import { fileTimeToDurationUs, fileTimeToUnixUs } from './filetime.js';
import { loadKoffi } from './load-koffi.js';
import { pssTypes } from './pss-types.js';

/*
 * Decoders from the Windows structures, as PssQuerySnapshot and PssWalkSnapshot fill them, to
 * the model's records. They run right after the call that filled the buffer: every string and
 * buffer a pointer refers to belongs to the walk marker and is copied here, before the marker
 * can be freed.
 */

// koffi decodes a struct into a plain object shaped by its declaration in pss-types.ts; the
// decoders below are where those untyped fields become typed records.
type Raw = Record<string, any>;


/** A pointer-sized value (`void *`, HANDLE) as a bigint address; NULL is 0. */
function address(pointer: unknown): bigint {
  return pointer === null || pointer === undefined ? 0n : loadKoffi().address(pointer);
}

/** A 64-bit integer, which koffi gives as a number when it is safe and as a bigint otherwise. */
function big(value: number | bigint): bigint {
  return BigInt(value);
}

/**
 * Copies `length` bytes from marker-owned memory. Decoded as `length` consecutive uint8 values:
 * an array type per length (`koffi.array('uint8', n)`) would be a new koffi type per string,
 * context and page, and koffi never frees a type (about 190 bytes each, gigabytes a day for a
 * long recording).
 */
export function copyBytes(pointer: unknown, length: number): Uint8Array | null {
  if (pointer === null || pointer === undefined) return null;
  if (length === 0) return new Uint8Array(0);
  return loadKoffi().decode(pointer, 'uint8', length) as Uint8Array;
}

/**
 * UTF-16 code units as a string, unit for unit. Windows names are not always valid UTF-16 (NTFS
 * and object names may hold a lone surrogate); a UTF-16 decoder would make such a unit U+FFFD,
 * while a JavaScript string holds it as it is, and the store keeps it exactly.
 */
export function exactUtf16(units: Uint16Array): string {
  let text = '';
  // In slices: an argument list as long as a 32 KiB path would overflow the stack.
  for (let at = 0; at < units.length; at += 8192) text += String.fromCharCode(...units.subarray(at, at + 8192));
  return text;
}

/**
 * A counted UTF-16 string: exactly `byteLength` bytes, whether or not a NUL follows (Windows
 * does not promise one) and even if one is inside. Null when the pointer is NULL.
 */
function countedString(pointer: unknown, byteLength: number): string | null {
  const copied = copyBytes(pointer, byteLength - (byteLength % 2));
  if (copied === null) return null;
  const bytes = copied.byteOffset % 2 === 0 ? copied : copied.slice();
  return exactUtf16(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2));
}

/** The inline wchar_t[260] image path: up to the first NUL, or all of it when it is full. */
function inlineString(units: Uint16Array): string | null {
  const end = units.indexOf(0);
  const text = exactUtf16(units.subarray(0, end === -1 ? units.length : end));
  return text === '' ? null : text;
}

function decodeProcessInformation(r: Raw): QueryRecordMap[QueryClass.ProcessInformation] {
  const imageFileName = inlineString(r.ImageFileName);
  return {
    exitStatus: r.ExitStatus,
    pebBaseAddress: address(r.PebBaseAddress),
    affinityMask: big(r.AffinityMask),
    basePriority: r.BasePriority,
    processId: r.ProcessId,
    parentProcessId: r.ParentProcessId,
    flags: r.Flags,
    createTimeUs: fileTimeToUnixUs(r.CreateTime),
    exitTimeUs: fileTimeToUnixUs(r.ExitTime),
    kernelTimeUs: fileTimeToDurationUs(r.KernelTime),
    userTimeUs: fileTimeToDurationUs(r.UserTime),
    priorityClass: r.PriorityClass,
    peakVirtualSizeBytes: Number(r.PeakVirtualSize),
    virtualSizeBytes: Number(r.VirtualSize),
    pageFaultCount: r.PageFaultCount,
    peakWorkingSetSizeBytes: Number(r.PeakWorkingSetSize),
    workingSetSizeBytes: Number(r.WorkingSetSize),
    quotaPeakPagedPoolUsageBytes: Number(r.QuotaPeakPagedPoolUsage),
    quotaPagedPoolUsageBytes: Number(r.QuotaPagedPoolUsage),
    quotaPeakNonPagedPoolUsageBytes: Number(r.QuotaPeakNonPagedPoolUsage),
    quotaNonPagedPoolUsageBytes: Number(r.QuotaNonPagedPoolUsage),
    pagefileUsageBytes: Number(r.PagefileUsage),
    peakPagefileUsageBytes: Number(r.PeakPagefileUsage),
    privateUsageBytes: Number(r.PrivateUsage),
    executeFlags: r.ExecuteFlags,
    imageFileName,
    // Windows has no separate short name: the image's file name stands for it, as Task Manager shows.
    name: imageFileName === null ? null : (imageFileName.split(/[\\/]/).pop() ?? null),
    ...NO_LINUX_PROCESS_FIELDS,
  };
}

function decodePerformanceCounters(r: Raw): PerformanceCounters {
  // The Windows field prefix of each model phase: total -> Total, vaClone -> VaClone, ...
  const phase = (name: string): PhaseCounters => {
    const prefix = name[0]!.toUpperCase() + name.slice(1);
    // *WallClockPeriod is in µs (PSS_PERF_RESOLUTION is 1000000), whatever the docs say.
    return { cycleCount: Number(r[`${prefix}CycleCount`]), wallClockUs: Number(r[`${prefix}WallClockPeriod`]), cpuTimeUs: null };
  };
  return Object.fromEntries(PERFORMANCE_PHASES.map((name) => [name, phase(name)])) as unknown as PerformanceCounters;
}

const queryDecoders: { [C in QueryClass]: (r: Raw) => QueryRecordMap[C] } = {
  [QueryClass.ProcessInformation]: decodeProcessInformation,
  [QueryClass.VaCloneInformation]: (r) => ({ vaCloneHandle: address(r.VaCloneHandle) }),
  [QueryClass.AuxiliaryPagesInformation]: (r) => ({ auxPagesCaptured: r.AuxPagesCaptured }),
  [QueryClass.VaSpaceInformation]: (r) => ({ regionCount: r.RegionCount }),
  [QueryClass.HandleInformation]: (r) => ({ handlesCaptured: r.HandlesCaptured }),
  [QueryClass.ThreadInformation]: (r) => ({ threadsCaptured: r.ThreadsCaptured, contextLength: r.ContextLength }),
  [QueryClass.HandleTraceInformation]: (r) => ({ sectionHandle: address(r.SectionHandle), sizeBytes: r.Size }),
  [QueryClass.PerformanceCounters]: decodePerformanceCounters,
};

const QUERY_STRUCT = {
  [QueryClass.ProcessInformation]: 'PSS_PROCESS_INFORMATION',
  [QueryClass.VaCloneInformation]: 'PSS_VA_CLONE_INFORMATION',
  [QueryClass.AuxiliaryPagesInformation]: 'PSS_AUXILIARY_PAGES_INFORMATION',
  [QueryClass.VaSpaceInformation]: 'PSS_VA_SPACE_INFORMATION',
  [QueryClass.HandleInformation]: 'PSS_HANDLE_INFORMATION',
  [QueryClass.ThreadInformation]: 'PSS_THREAD_INFORMATION',
  [QueryClass.HandleTraceInformation]: 'PSS_HANDLE_TRACE_INFORMATION',
  [QueryClass.PerformanceCounters]: 'PSS_PERFORMANCE_COUNTERS',
} as const;

/**
 * Decodes the buffer PssQuerySnapshot filled for `cls` into the model's record.
 *
 * @example decodeQueryRecord(QueryClass.HandleInformation, buffer)  // { handlesCaptured: 12 }
 */
export function decodeQueryRecord<C extends QueryClass>(cls: C, buffer: Uint8Array): QueryRecordMap[C] {
  const raw = loadKoffi().decode(buffer, pssTypes()[QUERY_STRUCT[cls]]) as Raw;
  return (queryDecoders[cls] as (r: Raw) => QueryRecordMap[C])(raw);
}

function decodeBasicInformation(r: Raw): MemoryBasicInformation {
  return {
    baseAddress: address(r.BaseAddress),
    allocationBase: address(r.AllocationBase),
    allocationProtect: r.AllocationProtect,
    regionSizeBytes: Number(r.RegionSize),
    state: r.State,
    protect: r.Protect,
    type: r.Type,
  };
}

function decodeTypeSpecific(objectType: number, union: Raw): HandleTypeSpecific | null {
  switch (objectType) {
    case ObjectType.Process: {
      const a = union.Process as Raw;
      return {
        objectType,
        exitStatus: a.ExitStatus,
        pebBaseAddress: address(a.PebBaseAddress),
        affinityMask: big(a.AffinityMask),
        basePriority: a.BasePriority,
        processId: a.ProcessId,
        parentProcessId: a.ParentProcessId,
        flags: a.Flags,
      };
    }
    case ObjectType.Thread: {
      const a = union.Thread as Raw;
      return {
        objectType,
        exitStatus: a.ExitStatus,
        tebBaseAddress: address(a.TebBaseAddress),
        processId: a.ProcessId,
        threadId: a.ThreadId,
        affinityMask: big(a.AffinityMask),
        priority: a.Priority,
        basePriority: a.BasePriority,
        win32StartAddress: address(a.Win32StartAddress),
      };
    }
    case ObjectType.Mutant: {
      const a = union.Mutant as Raw;
      return {
        objectType,
        currentCount: a.CurrentCount,
        abandoned: a.Abandoned !== 0,
        ownerProcessId: a.OwnerProcessId,
        ownerThreadId: a.OwnerThreadId,
      };
    }
    case ObjectType.Event: {
      const a = union.Event as Raw;
      return { objectType, manualReset: a.ManualReset !== 0, signaled: a.Signaled !== 0, count: null };
    }
    case ObjectType.Section: {
      const a = union.Section as Raw;
      return {
        objectType,
        baseAddress: address(a.BaseAddress),
        allocationAttributes: a.AllocationAttributes,
        maximumSizeBytes: Number(a.MaximumSize),
      };
    }
    case ObjectType.Semaphore: {
      const a = union.Semaphore as Raw;
      return { objectType, currentCount: a.CurrentCount, maximumCount: a.MaximumCount };
    }
    default:
      // PSS_OBJECT_TYPE_UNKNOWN, or a type newer than this binding: no arm to read.
      return null;
  }
}

/** Instruction and stack pointer of an x64 CONTEXT, when it holds the control registers. */
function decodeContext(record: Uint8Array | null): { rip: bigint; rsp: bigint } | null {
  const type = pssTypes().CONTEXT;
  // An extended (XSTATE) record starts with the plain CONTEXT; a shorter one is not a CONTEXT.
  if (record === null || record.length < loadKoffi().sizeof(type)) return null;
  const context = loadKoffi().decode(record, type) as Raw;
  if (!hasFlag(context.ContextFlags, CONTEXT_FLAGS.CONTEXT_CONTROL)) return null;
  return { rip: big(context.Rip), rsp: big(context.Rsp) };
}

type WalkDecoder<C extends WalkClass> = (r: Raw, captureFlags: number) => WalkEntryMap[C];

const walkDecoders: { [C in WalkClass]: WalkDecoder<C> } = {
  [WalkClass.AuxiliaryPages]: (r) => ({
    address: address(r.Address),
    basicInformation: decodeBasicInformation(r.BasicInformation),
    captureTimeUs: fileTimeToUnixUs(r.CaptureTime),
    pageContents: copyBytes(r.PageContents, r.PageSize),
    pageSize: r.PageSize,
  }),
  [WalkClass.VaSpace]: (r, captureFlags) => {
    // The PE fields are only filled for images, and only with section information.
    const image = hasFlag(captureFlags, CaptureFlags.VaSpaceSectionInformation) && r.Type === MemType.Image;
    return {
      baseAddress: address(r.BaseAddress),
      allocationBase: address(r.AllocationBase),
      allocationProtect: r.AllocationProtect,
      regionSizeBytes: Number(r.RegionSize),
      state: r.State,
      protect: r.Protect,
      type: r.Type,
      timeDateStamp: image ? r.TimeDateStamp : null,
      sizeOfImageBytes: image ? r.SizeOfImage : null,
      imageBase: image ? address(r.ImageBase) : null,
      checkSum: image ? r.CheckSum : null,
      mappedFileName: countedString(r.MappedFileName, r.MappedFileNameLength),
      ...NO_LINUX_REGION_FIELDS,
    };
  },
  [WalkClass.Handles]: (r) => {
    const flags: number = r.Flags;
    const basic = hasFlag(flags, HandleFlags.HaveBasicInformation);
    return {
      // Handle values fit in 32 bits on 64-bit Windows (they are shared with 32-bit processes).
      handle: Number(address(r.Handle)),
      flags,
      objectType: r.ObjectType,
      captureTimeUs: fileTimeToUnixUs(r.CaptureTime),
      attributes: basic ? r.Attributes : null,
      grantedAccess: basic ? r.GrantedAccess : null,
      handleCount: basic ? r.HandleCount : null,
      pointerCount: basic ? r.PointerCount : null,
      pagedPoolCharge: basic ? r.PagedPoolCharge : null,
      nonPagedPoolCharge: basic ? r.NonPagedPoolCharge : null,
      creationTimeUs: basic ? fileTimeToUnixUs(r.CreationTime) : null,
      typeName: hasFlag(flags, HandleFlags.HaveType) ? countedString(r.TypeName, r.TypeNameLength) : null,
      objectName: hasFlag(flags, HandleFlags.HaveName) ? countedString(r.ObjectName, r.ObjectNameLength) : null,
      typeSpecific: hasFlag(flags, HandleFlags.HaveTypeSpecificInformation)
        ? decodeTypeSpecific(r.ObjectType, r.TypeSpecificInformation)
        : null,
      ...NO_LINUX_HANDLE_FIELDS,
    };
  },
  [WalkClass.Threads]: (r) => {
    const contextRecord = r.SizeOfContextRecord === 0 ? null : copyBytes(r.ContextRecord, r.SizeOfContextRecord);
    const registers = decodeContext(contextRecord);
    return {
      exitStatus: r.ExitStatus,
      tebBaseAddress: address(r.TebBaseAddress),
      processId: r.ProcessId,
      threadId: r.ThreadId,
      affinityMask: big(r.AffinityMask),
      priority: r.Priority,
      basePriority: r.BasePriority,
      lastSyscallFirstArgument: address(r.LastSyscallFirstArgument),
      lastSyscallNumber: r.LastSyscallNumber,
      createTimeUs: fileTimeToUnixUs(r.CreateTime),
      exitTimeUs: fileTimeToUnixUs(r.ExitTime),
      kernelTimeUs: fileTimeToDurationUs(r.KernelTime),
      userTimeUs: fileTimeToDurationUs(r.UserTime),
      win32StartAddress: address(r.Win32StartAddress),
      captureTimeUs: fileTimeToUnixUs(r.CaptureTime),
      flags: r.Flags,
      suspendCount: r.SuspendCount,
      contextRecord,
      instructionPointer: registers?.rip ?? null,
      stackPointer: registers?.rsp ?? null,
      ...NO_LINUX_THREAD_FIELDS,
    };
  },
  [WalkClass.ThreadName]: (r) => ({ threadName: countedString(r.ThreadName, r.ThreadNameSize) ?? '' }),
};

const WALK_STRUCT = {
  [WalkClass.AuxiliaryPages]: 'PSS_AUXILIARY_PAGE_ENTRY',
  [WalkClass.VaSpace]: 'PSS_VA_SPACE_ENTRY',
  [WalkClass.Handles]: 'PSS_HANDLE_ENTRY',
  [WalkClass.Threads]: 'PSS_THREAD_ENTRY',
  [WalkClass.ThreadName]: 'PSS_THREAD_NAME',
} as const;

/**
 * Decodes the buffer PssWalkSnapshot filled for `cls` into the model's entry, copying the
 * marker-owned strings and buffers it points to. `captureFlags` tells which optional parts
 * Windows filled (the PE fields of a region exist only with section information).
 */
export function decodeWalkEntry<C extends WalkClass>(cls: C, buffer: Uint8Array, captureFlags: number): WalkEntryMap[C] {
  const raw = loadKoffi().decode(buffer, pssTypes()[WALK_STRUCT[cls]]) as Raw;
  return (walkDecoders[cls] as WalkDecoder<C>)(raw, captureFlags);
}

/** The Windows structure behind each query and walk class, by name (for tests and docs). */
export const PSS_STRUCT_OF = { query: QUERY_STRUCT, walk: WALK_STRUCT } as const;
