import { type Koffi, loadKoffi } from './load-koffi.js';

type CType = ReturnType<Koffi['struct']>;

/**
 * The koffi declarations of every structure of processsnapshot.h (x64 layout), plus FILETIME,
 * MEMORY_BASIC_INFORMATION and the register part of the x64 CONTEXT.
 *
 * C types are spelled with explicit widths where the C name would change size between Windows
 * and the Linux koffi that runs the layout tests: LONG is `int32` (a C `long` is 8 bytes on
 * Linux), BOOL is `int32`, wchar_t is `char16_t`. FILETIME is a struct of two uint32, never a
 * uint64: it is 4-byte aligned, which puts PSS_THREAD_ENTRY.CreateTime at offset 52.
 */
export interface PssTypes {
  HPSS: CType;
  HPSSWALK: CType;
  FILETIME: CType;
  MEMORY_BASIC_INFORMATION: CType;
  PSS_PROCESS_INFORMATION: CType;
  PSS_VA_CLONE_INFORMATION: CType;
  PSS_AUXILIARY_PAGES_INFORMATION: CType;
  PSS_VA_SPACE_INFORMATION: CType;
  PSS_HANDLE_INFORMATION: CType;
  PSS_THREAD_INFORMATION: CType;
  PSS_HANDLE_TRACE_INFORMATION: CType;
  PSS_PERFORMANCE_COUNTERS: CType;
  PSS_AUXILIARY_PAGE_ENTRY: CType;
  PSS_VA_SPACE_ENTRY: CType;
  PSS_HANDLE_ENTRY: CType;
  PSS_THREAD_ENTRY: CType;
  PSS_THREAD_NAME: CType;
  PSS_ALLOCATOR: CType;
  /** TypeSpecificInformation of PSS_HANDLE_ENTRY, one arm per object type. */
  PSS_HANDLE_TYPE_SPECIFIC: CType;
  /** The x64 CONTEXT up to Rip, padded to its full 1232 bytes. */
  CONTEXT: CType;
}

let types: PssTypes | undefined;

/** The declarations, made once per process (koffi type names are global). */
export function pssTypes(): PssTypes {
  types ??= declareTypes(loadKoffi());
  return types;
}

function declareTypes(koffi: Koffi): PssTypes {
  // Win32 names, so that the function prototypes read as on MSDN.
  koffi.alias('DWORD', 'uint32');
  koffi.alias('WORD', 'uint16');
  koffi.alias('BOOL', 'int32');
  koffi.alias('ULONG_PTR', 'uintptr_t');
  const HANDLE = koffi.pointer('HANDLE', koffi.opaque());
  // The marker-owned strings are counted, not NUL-terminated: a pointer to char16_t would make
  // koffi decode them up to a NUL, so they are declared as pointers to an opaque type.
  const PCWCH = koffi.pointer('PCWCH_COUNTED', koffi.opaque('WCHAR_COUNTED'));
  const FILETIME = koffi.struct('FILETIME', { dwLowDateTime: 'uint32', dwHighDateTime: 'uint32' });
  const MEMORY_BASIC_INFORMATION = koffi.struct('MEMORY_BASIC_INFORMATION', {
    BaseAddress: 'void *',
    AllocationBase: 'void *',
    AllocationProtect: 'uint32',
    RegionSize: 'size_t',
    State: 'uint32',
    Protect: 'uint32',
    Type: 'uint32',
  });

  // The first seven fields of PSS_PROCESS_INFORMATION are also the Process arm of the union.
  const process = {
    ExitStatus: 'uint32',
    PebBaseAddress: 'void *',
    AffinityMask: 'uintptr_t',
    BasePriority: 'int32',
    ProcessId: 'uint32',
    ParentProcessId: 'uint32',
    Flags: 'uint32',
  };
  const PSS_HANDLE_TYPE_SPECIFIC = koffi.union('PSS_HANDLE_TYPE_SPECIFIC', {
    Process: koffi.struct('PSS_HANDLE_PROCESS_INFO', process),
    Thread: koffi.struct('PSS_HANDLE_THREAD_INFO', {
      ExitStatus: 'uint32',
      TebBaseAddress: 'void *',
      ProcessId: 'uint32',
      ThreadId: 'uint32',
      AffinityMask: 'uintptr_t',
      Priority: 'int32',
      BasePriority: 'int32',
      Win32StartAddress: 'void *',
    }),
    Mutant: koffi.struct('PSS_HANDLE_MUTANT_INFO', {
      CurrentCount: 'int32',
      Abandoned: 'int32',
      OwnerProcessId: 'uint32',
      OwnerThreadId: 'uint32',
    }),
    Event: koffi.struct('PSS_HANDLE_EVENT_INFO', { ManualReset: 'int32', Signaled: 'int32' }),
    Section: koffi.struct('PSS_HANDLE_SECTION_INFO', {
      BaseAddress: 'void *',
      AllocationAttributes: 'uint32',
      MaximumSize: 'int64',
    }),
    Semaphore: koffi.struct('PSS_HANDLE_SEMAPHORE_INFO', { CurrentCount: 'int32', MaximumCount: 'int32' }),
  });

  const PSS_PROCESS_INFORMATION = koffi.struct('PSS_PROCESS_INFORMATION', {
    ...process,
    CreateTime: FILETIME,
    ExitTime: FILETIME,
    KernelTime: FILETIME,
    UserTime: FILETIME,
    PriorityClass: 'uint32',
    PeakVirtualSize: 'uintptr_t',
    VirtualSize: 'uintptr_t',
    PageFaultCount: 'uint32',
    PeakWorkingSetSize: 'uintptr_t',
    WorkingSetSize: 'uintptr_t',
    QuotaPeakPagedPoolUsage: 'uintptr_t',
    QuotaPagedPoolUsage: 'uintptr_t',
    QuotaPeakNonPagedPoolUsage: 'uintptr_t',
    QuotaNonPagedPoolUsage: 'uintptr_t',
    PagefileUsage: 'uintptr_t',
    PeakPagefileUsage: 'uintptr_t',
    PrivateUsage: 'uintptr_t',
    ExecuteFlags: 'uint32',
    // Inline, and without a NUL when the path fills it: decoded as code units, not as a C string.
    ImageFileName: koffi.array('char16_t', 260, 'Typed'),
  });

  const phases = ['Total', 'VaClone', 'VaSpace', 'AuxPages', 'Handles', 'Threads'];
  const PSS_PERFORMANCE_COUNTERS = koffi.struct(
    'PSS_PERFORMANCE_COUNTERS',
    Object.fromEntries(phases.flatMap((phase) => [[`${phase}CycleCount`, 'uint64'], [`${phase}WallClockPeriod`, 'uint64']])),
  );

  // Rip and Rsp are all the backend decodes; the rest keeps the documented offsets and size.
  const registers = ['Rax', 'Rcx', 'Rdx', 'Rbx', 'Rsp', 'Rbp', 'Rsi', 'Rdi', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15', 'Rip'];
  const CONTEXT = koffi.struct('CONTEXT', {
    ...Object.fromEntries(['P1Home', 'P2Home', 'P3Home', 'P4Home', 'P5Home', 'P6Home'].map((name) => [name, 'uint64'])),
    ContextFlags: 'uint32',
    MxCsr: 'uint32',
    ...Object.fromEntries(['SegCs', 'SegDs', 'SegEs', 'SegFs', 'SegGs', 'SegSs'].map((name) => [name, 'uint16'])),
    EFlags: 'uint32',
    ...Object.fromEntries(['Dr0', 'Dr1', 'Dr2', 'Dr3', 'Dr6', 'Dr7'].map((name) => [name, 'uint64'])),
    ...Object.fromEntries(registers.map((name) => [name, 'uint64'])),
    // XMM_SAVE_AREA32 FltSave, M128A VectorRegister[26], VectorControl, DebugControl and the four
    // last-branch/exception registers: 512 + 416 + 6 * 8 bytes.
    Rest: koffi.array('uint8', 976, 'Typed'),
  });

  return {
    HPSS: koffi.pointer('HPSS', koffi.opaque('HPSS__')),
    HPSSWALK: koffi.pointer('HPSSWALK', koffi.opaque('HPSSWALK__')),
    FILETIME,
    MEMORY_BASIC_INFORMATION,
    PSS_PROCESS_INFORMATION,
    PSS_VA_CLONE_INFORMATION: koffi.struct('PSS_VA_CLONE_INFORMATION', { VaCloneHandle: HANDLE }),
    PSS_AUXILIARY_PAGES_INFORMATION: koffi.struct('PSS_AUXILIARY_PAGES_INFORMATION', { AuxPagesCaptured: 'uint32' }),
    PSS_VA_SPACE_INFORMATION: koffi.struct('PSS_VA_SPACE_INFORMATION', { RegionCount: 'uint32' }),
    PSS_HANDLE_INFORMATION: koffi.struct('PSS_HANDLE_INFORMATION', { HandlesCaptured: 'uint32' }),
    PSS_THREAD_INFORMATION: koffi.struct('PSS_THREAD_INFORMATION', { ThreadsCaptured: 'uint32', ContextLength: 'uint32' }),
    PSS_HANDLE_TRACE_INFORMATION: koffi.struct('PSS_HANDLE_TRACE_INFORMATION', { SectionHandle: HANDLE, Size: 'uint32' }),
    PSS_PERFORMANCE_COUNTERS,
    PSS_AUXILIARY_PAGE_ENTRY: koffi.struct('PSS_AUXILIARY_PAGE_ENTRY', {
      Address: 'void *',
      BasicInformation: MEMORY_BASIC_INFORMATION,
      CaptureTime: FILETIME,
      PageContents: 'void *',
      PageSize: 'uint32',
    }),
    PSS_VA_SPACE_ENTRY: koffi.struct('PSS_VA_SPACE_ENTRY', {
      BaseAddress: 'void *',
      AllocationBase: 'void *',
      AllocationProtect: 'uint32',
      RegionSize: 'uintptr_t',
      State: 'uint32',
      Protect: 'uint32',
      Type: 'uint32',
      TimeDateStamp: 'uint32',
      SizeOfImage: 'uint32',
      ImageBase: 'void *',
      CheckSum: 'uint32',
      MappedFileNameLength: 'uint16',
      MappedFileName: PCWCH,
    }),
    PSS_HANDLE_ENTRY: koffi.struct('PSS_HANDLE_ENTRY', {
      Handle: HANDLE,
      Flags: 'uint32',
      ObjectType: 'uint32',
      CaptureTime: FILETIME,
      Attributes: 'uint32',
      GrantedAccess: 'uint32',
      HandleCount: 'uint32',
      PointerCount: 'uint32',
      PagedPoolCharge: 'uint32',
      NonPagedPoolCharge: 'uint32',
      CreationTime: FILETIME,
      TypeNameLength: 'uint16',
      TypeName: PCWCH,
      ObjectNameLength: 'uint16',
      ObjectName: PCWCH,
      TypeSpecificInformation: PSS_HANDLE_TYPE_SPECIFIC,
    }),
    PSS_THREAD_ENTRY: koffi.struct('PSS_THREAD_ENTRY', {
      ExitStatus: 'uint32',
      TebBaseAddress: 'void *',
      ProcessId: 'uint32',
      ThreadId: 'uint32',
      AffinityMask: 'uintptr_t',
      Priority: 'int32',
      BasePriority: 'int32',
      LastSyscallFirstArgument: 'void *',
      LastSyscallNumber: 'uint16',
      CreateTime: FILETIME,
      ExitTime: FILETIME,
      KernelTime: FILETIME,
      UserTime: FILETIME,
      Win32StartAddress: 'void *',
      CaptureTime: FILETIME,
      Flags: 'uint32',
      SuspendCount: 'uint16',
      SizeOfContextRecord: 'uint16',
      ContextRecord: 'void *',
    }),
    PSS_THREAD_NAME: koffi.struct('PSS_THREAD_NAME', { ThreadNameSize: 'uint16', ThreadName: PCWCH }),
    PSS_ALLOCATOR: koffi.struct('PSS_ALLOCATOR', {
      Context: 'void *',
      AllocRoutine: koffi.pointer(koffi.proto('void *__stdcall PssAllocRoutine(void *Context, uint32 Size)')),
      FreeRoutine: koffi.pointer(koffi.proto('void __stdcall PssFreeRoutine(void *Context, void *Address)')),
    }),
    PSS_HANDLE_TYPE_SPECIFIC,
    CONTEXT,
  };
}
