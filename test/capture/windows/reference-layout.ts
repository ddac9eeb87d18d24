/**
 * The x64 layouts of ../../../../shared/pss-reference.md section 4 (compiler-verified there),
 * transcribed as data: the layout test checks the binding's koffi declarations against it, and
 * the decode tests write their hand-built buffers at these offsets, never at koffi's.
 */

/** A field: offset from the start of the outermost struct, and size, in bytes. */
export type FieldLayout = readonly [path: string, offset: number, size: number];

export interface StructLayout {
  size: number;
  /** Omitted where koffi need not match C: a CONTEXT (align 16) is only decoded from a copy. */
  align?: number;
  fields: readonly FieldLayout[];
}

const phases = ['Total', 'VaClone', 'VaSpace', 'AuxPages', 'Handles', 'Threads'];

export const REFERENCE_LAYOUT: Readonly<Record<string, StructLayout>> = {
  FILETIME: { size: 8, align: 4, fields: [['dwLowDateTime', 0, 4], ['dwHighDateTime', 4, 4]] },
  MEMORY_BASIC_INFORMATION: {
    size: 48,
    align: 8,
    fields: [
      ['BaseAddress', 0, 8], ['AllocationBase', 8, 8], ['AllocationProtect', 16, 4], ['RegionSize', 24, 8],
      ['State', 32, 4], ['Protect', 36, 4], ['Type', 40, 4],
    ],
  },
  PSS_PROCESS_INFORMATION: {
    size: 704,
    align: 8,
    fields: [
      ['ExitStatus', 0, 4], ['PebBaseAddress', 8, 8], ['AffinityMask', 16, 8], ['BasePriority', 24, 4],
      ['ProcessId', 28, 4], ['ParentProcessId', 32, 4], ['Flags', 36, 4], ['CreateTime', 40, 8],
      ['ExitTime', 48, 8], ['KernelTime', 56, 8], ['UserTime', 64, 8], ['PriorityClass', 72, 4],
      ['PeakVirtualSize', 80, 8], ['VirtualSize', 88, 8], ['PageFaultCount', 96, 4],
      ['PeakWorkingSetSize', 104, 8], ['WorkingSetSize', 112, 8], ['QuotaPeakPagedPoolUsage', 120, 8],
      ['QuotaPagedPoolUsage', 128, 8], ['QuotaPeakNonPagedPoolUsage', 136, 8], ['QuotaNonPagedPoolUsage', 144, 8],
      ['PagefileUsage', 152, 8], ['PeakPagefileUsage', 160, 8], ['PrivateUsage', 168, 8], ['ExecuteFlags', 176, 4],
      ['ImageFileName', 180, 520],
    ],
  },
  PSS_VA_CLONE_INFORMATION: { size: 8, align: 8, fields: [['VaCloneHandle', 0, 8]] },
  PSS_AUXILIARY_PAGES_INFORMATION: { size: 4, align: 4, fields: [['AuxPagesCaptured', 0, 4]] },
  PSS_VA_SPACE_INFORMATION: { size: 4, align: 4, fields: [['RegionCount', 0, 4]] },
  PSS_HANDLE_INFORMATION: { size: 4, align: 4, fields: [['HandlesCaptured', 0, 4]] },
  PSS_THREAD_INFORMATION: { size: 8, align: 4, fields: [['ThreadsCaptured', 0, 4], ['ContextLength', 4, 4]] },
  PSS_HANDLE_TRACE_INFORMATION: { size: 16, align: 8, fields: [['SectionHandle', 0, 8], ['Size', 8, 4]] },
  PSS_PERFORMANCE_COUNTERS: {
    size: 96,
    align: 8,
    fields: phases.flatMap((phase, i): FieldLayout[] => [
      [`${phase}CycleCount`, i * 16, 8],
      [`${phase}WallClockPeriod`, i * 16 + 8, 8],
    ]),
  },
  PSS_AUXILIARY_PAGE_ENTRY: {
    size: 80,
    align: 8,
    fields: [
      ['Address', 0, 8], ['BasicInformation', 8, 48], ['BasicInformation.BaseAddress', 8, 8],
      ['BasicInformation.AllocationBase', 16, 8], ['BasicInformation.AllocationProtect', 24, 4],
      ['BasicInformation.RegionSize', 32, 8], ['BasicInformation.State', 40, 4], ['BasicInformation.Protect', 44, 4],
      ['BasicInformation.Type', 48, 4], ['CaptureTime', 56, 8], ['PageContents', 64, 8], ['PageSize', 72, 4],
    ],
  },
  PSS_VA_SPACE_ENTRY: {
    size: 80,
    align: 8,
    fields: [
      ['BaseAddress', 0, 8], ['AllocationBase', 8, 8], ['AllocationProtect', 16, 4], ['RegionSize', 24, 8],
      ['State', 32, 4], ['Protect', 36, 4], ['Type', 40, 4], ['TimeDateStamp', 44, 4], ['SizeOfImage', 48, 4],
      ['ImageBase', 56, 8], ['CheckSum', 64, 4], ['MappedFileNameLength', 68, 2], ['MappedFileName', 72, 8],
    ],
  },
  PSS_HANDLE_ENTRY: {
    size: 136,
    align: 8,
    fields: [
      ['Handle', 0, 8], ['Flags', 8, 4], ['ObjectType', 12, 4], ['CaptureTime', 16, 8], ['Attributes', 24, 4],
      ['GrantedAccess', 28, 4], ['HandleCount', 32, 4], ['PointerCount', 36, 4], ['PagedPoolCharge', 40, 4],
      ['NonPagedPoolCharge', 44, 4], ['CreationTime', 48, 8], ['TypeNameLength', 56, 2], ['TypeName', 64, 8],
      ['ObjectNameLength', 72, 2], ['ObjectName', 80, 8], ['TypeSpecificInformation', 88, 48],
      ['TypeSpecificInformation.Process', 88, 40],
      ['TypeSpecificInformation.Process.ExitStatus', 88, 4], ['TypeSpecificInformation.Process.PebBaseAddress', 96, 8],
      ['TypeSpecificInformation.Process.AffinityMask', 104, 8], ['TypeSpecificInformation.Process.BasePriority', 112, 4],
      ['TypeSpecificInformation.Process.ProcessId', 116, 4], ['TypeSpecificInformation.Process.ParentProcessId', 120, 4],
      ['TypeSpecificInformation.Process.Flags', 124, 4],
      ['TypeSpecificInformation.Thread', 88, 48],
      ['TypeSpecificInformation.Thread.ExitStatus', 88, 4], ['TypeSpecificInformation.Thread.TebBaseAddress', 96, 8],
      ['TypeSpecificInformation.Thread.ProcessId', 104, 4], ['TypeSpecificInformation.Thread.ThreadId', 108, 4],
      ['TypeSpecificInformation.Thread.AffinityMask', 112, 8], ['TypeSpecificInformation.Thread.Priority', 120, 4],
      ['TypeSpecificInformation.Thread.BasePriority', 124, 4], ['TypeSpecificInformation.Thread.Win32StartAddress', 128, 8],
      ['TypeSpecificInformation.Mutant', 88, 16],
      ['TypeSpecificInformation.Mutant.CurrentCount', 88, 4], ['TypeSpecificInformation.Mutant.Abandoned', 92, 4],
      ['TypeSpecificInformation.Mutant.OwnerProcessId', 96, 4], ['TypeSpecificInformation.Mutant.OwnerThreadId', 100, 4],
      ['TypeSpecificInformation.Event', 88, 8],
      ['TypeSpecificInformation.Event.ManualReset', 88, 4], ['TypeSpecificInformation.Event.Signaled', 92, 4],
      ['TypeSpecificInformation.Section', 88, 24],
      ['TypeSpecificInformation.Section.BaseAddress', 88, 8], ['TypeSpecificInformation.Section.AllocationAttributes', 96, 4],
      ['TypeSpecificInformation.Section.MaximumSize', 104, 8],
      ['TypeSpecificInformation.Semaphore', 88, 8],
      ['TypeSpecificInformation.Semaphore.CurrentCount', 88, 4], ['TypeSpecificInformation.Semaphore.MaximumCount', 92, 4],
    ],
  },
  PSS_THREAD_ENTRY: {
    size: 120,
    align: 8,
    fields: [
      ['ExitStatus', 0, 4], ['TebBaseAddress', 8, 8], ['ProcessId', 16, 4], ['ThreadId', 20, 4], ['AffinityMask', 24, 8],
      ['Priority', 32, 4], ['BasePriority', 36, 4], ['LastSyscallFirstArgument', 40, 8], ['LastSyscallNumber', 48, 2],
      ['CreateTime', 52, 8], ['ExitTime', 60, 8], ['KernelTime', 68, 8], ['UserTime', 76, 8],
      ['Win32StartAddress', 88, 8], ['CaptureTime', 96, 8], ['Flags', 104, 4], ['SuspendCount', 108, 2],
      ['SizeOfContextRecord', 110, 2], ['ContextRecord', 112, 8],
    ],
  },
  PSS_THREAD_NAME: { size: 16, align: 8, fields: [['ThreadNameSize', 0, 2], ['ThreadName', 8, 8]] },
  PSS_ALLOCATOR: { size: 24, align: 8, fields: [['Context', 0, 8], ['AllocRoutine', 8, 8], ['FreeRoutine', 16, 8]] },
  // The register part of the x64 CONTEXT (winnt.h); pss-structs.h asserts these against mingw-w64.
  CONTEXT: { size: 1232, fields: [['ContextFlags', 0x30, 4], ['Rsp', 0x98, 8], ['Rip', 0xf8, 8]] },
};

/** The fourteen structures of processsnapshot.h. */
export const PSS_STRUCTS = Object.keys(REFERENCE_LAYOUT).filter((name) => name.startsWith('PSS_'));
