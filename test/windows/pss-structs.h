/*
 * The declarations of processsnapshot.h (Windows 8.1 SDK), which Debian's mingw-w64 headers do
 * not ship. Layouts are those of ../../shared/pss-reference.md; the sizes are asserted below so
 * that a wrong declaration fails the build instead of the test.
 */
#ifndef PSS_STRUCTS_H
#define PSS_STRUCTS_H

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

DECLARE_HANDLE(HPSS);
DECLARE_HANDLE(HPSSWALK);

typedef enum { PSS_CAPTURE_NONE = 0 } PSS_CAPTURE_FLAGS_; /* flags are passed as DWORD */
#define PSS_CAPTURE_VA_CLONE 0x00000001u
#define PSS_CAPTURE_RESERVED_00000002 0x00000002u
#define PSS_CAPTURE_HANDLES 0x00000004u
#define PSS_CAPTURE_HANDLE_NAME_INFORMATION 0x00000008u
#define PSS_CAPTURE_HANDLE_BASIC_INFORMATION 0x00000010u
#define PSS_CAPTURE_HANDLE_TYPE_SPECIFIC_INFORMATION 0x00000020u
#define PSS_CAPTURE_HANDLE_TRACE 0x00000040u
#define PSS_CAPTURE_THREADS 0x00000080u
#define PSS_CAPTURE_THREAD_CONTEXT 0x00000100u
#define PSS_CAPTURE_VA_SPACE 0x00000800u
#define PSS_CAPTURE_VA_SPACE_SECTION_INFORMATION 0x00001000u
#define PSS_CREATE_BREAKAWAY_OPTIONAL 0x04000000u
#define PSS_CREATE_BREAKAWAY 0x08000000u
#define PSS_CREATE_FORCE_BREAKAWAY 0x10000000u
#define PSS_CREATE_USE_VM_ALLOCATIONS 0x20000000u
#define PSS_CREATE_MEASURE_PERFORMANCE 0x40000000u
#define PSS_UNDEFINED_CAPTURE_BITS 0x03FF8000u

#define PSS_HANDLE_HAVE_TYPE 0x01u
#define PSS_HANDLE_HAVE_NAME 0x02u
#define PSS_HANDLE_HAVE_BASIC_INFORMATION 0x04u
#define PSS_HANDLE_HAVE_TYPE_SPECIFIC_INFORMATION 0x08u

#define PSS_DUPLICATE_CLOSE_SOURCE 0x01u

enum {
  PSS_QUERY_PROCESS_INFORMATION, PSS_QUERY_VA_CLONE_INFORMATION, PSS_QUERY_AUXILIARY_PAGES_INFORMATION,
  PSS_QUERY_VA_SPACE_INFORMATION, PSS_QUERY_HANDLE_INFORMATION, PSS_QUERY_THREAD_INFORMATION,
  PSS_QUERY_HANDLE_TRACE_INFORMATION, PSS_QUERY_PERFORMANCE_COUNTERS, PSS_QUERY_CLASS_COUNT
};
enum {
  PSS_WALK_AUXILIARY_PAGES, PSS_WALK_VA_SPACE, PSS_WALK_HANDLES, PSS_WALK_THREADS, PSS_WALK_THREAD_NAME,
  PSS_WALK_CLASS_COUNT
};

typedef struct {
  DWORD ExitStatus; void *PebBaseAddress; ULONG_PTR AffinityMask; LONG BasePriority; DWORD ProcessId;
  DWORD ParentProcessId; DWORD Flags; FILETIME CreateTime; FILETIME ExitTime; FILETIME KernelTime;
  FILETIME UserTime; DWORD PriorityClass; ULONG_PTR PeakVirtualSize; ULONG_PTR VirtualSize;
  DWORD PageFaultCount; ULONG_PTR PeakWorkingSetSize; ULONG_PTR WorkingSetSize;
  ULONG_PTR QuotaPeakPagedPoolUsage; ULONG_PTR QuotaPagedPoolUsage; ULONG_PTR QuotaPeakNonPagedPoolUsage;
  ULONG_PTR QuotaNonPagedPoolUsage; ULONG_PTR PagefileUsage; ULONG_PTR PeakPagefileUsage;
  ULONG_PTR PrivateUsage; DWORD ExecuteFlags; wchar_t ImageFileName[MAX_PATH];
} PSS_PROCESS_INFORMATION;
typedef struct { HANDLE VaCloneHandle; } PSS_VA_CLONE_INFORMATION;
typedef struct { DWORD AuxPagesCaptured; } PSS_AUXILIARY_PAGES_INFORMATION;
typedef struct { DWORD RegionCount; } PSS_VA_SPACE_INFORMATION;
typedef struct { DWORD HandlesCaptured; } PSS_HANDLE_INFORMATION;
typedef struct { DWORD ThreadsCaptured; DWORD ContextLength; } PSS_THREAD_INFORMATION;
typedef struct { HANDLE SectionHandle; DWORD Size; } PSS_HANDLE_TRACE_INFORMATION;
typedef struct {
  UINT64 TotalCycleCount; UINT64 TotalWallClockPeriod; UINT64 VaCloneCycleCount; UINT64 VaCloneWallClockPeriod;
  UINT64 VaSpaceCycleCount; UINT64 VaSpaceWallClockPeriod; UINT64 AuxPagesCycleCount; UINT64 AuxPagesWallClockPeriod;
  UINT64 HandlesCycleCount; UINT64 HandlesWallClockPeriod; UINT64 ThreadsCycleCount; UINT64 ThreadsWallClockPeriod;
} PSS_PERFORMANCE_COUNTERS;
typedef struct {
  void *Address; MEMORY_BASIC_INFORMATION BasicInformation; FILETIME CaptureTime; void *PageContents; DWORD PageSize;
} PSS_AUXILIARY_PAGE_ENTRY;
typedef struct {
  void *BaseAddress; void *AllocationBase; DWORD AllocationProtect; ULONG_PTR RegionSize; DWORD State;
  DWORD Protect; DWORD Type; DWORD TimeDateStamp; DWORD SizeOfImage; void *ImageBase; DWORD CheckSum;
  WORD MappedFileNameLength; const wchar_t *MappedFileName;
} PSS_VA_SPACE_ENTRY;
typedef struct {
  HANDLE Handle; DWORD Flags; DWORD ObjectType; FILETIME CaptureTime; DWORD Attributes; DWORD GrantedAccess;
  DWORD HandleCount; DWORD PointerCount; DWORD PagedPoolCharge; DWORD NonPagedPoolCharge; FILETIME CreationTime;
  WORD TypeNameLength; const wchar_t *TypeName; WORD ObjectNameLength; const wchar_t *ObjectName;
  union {
    struct { DWORD ExitStatus; void *PebBaseAddress; ULONG_PTR AffinityMask; LONG BasePriority; DWORD ProcessId;
             DWORD ParentProcessId; DWORD Flags; } Process;
    struct { DWORD ExitStatus; void *TebBaseAddress; DWORD ProcessId; DWORD ThreadId; ULONG_PTR AffinityMask;
             int Priority; int BasePriority; void *Win32StartAddress; } Thread;
    struct { LONG CurrentCount; BOOL Abandoned; DWORD OwnerProcessId; DWORD OwnerThreadId; } Mutant;
    struct { BOOL ManualReset; BOOL Signaled; } Event;
    struct { void *BaseAddress; DWORD AllocationAttributes; LARGE_INTEGER MaximumSize; } Section;
    struct { LONG CurrentCount; LONG MaximumCount; } Semaphore;
  } TypeSpecificInformation;
} PSS_HANDLE_ENTRY;
typedef struct {
  DWORD ExitStatus; void *TebBaseAddress; DWORD ProcessId; DWORD ThreadId; ULONG_PTR AffinityMask; int Priority;
  int BasePriority; void *LastSyscallFirstArgument; WORD LastSyscallNumber; FILETIME CreateTime; FILETIME ExitTime;
  FILETIME KernelTime; FILETIME UserTime; void *Win32StartAddress; FILETIME CaptureTime; DWORD Flags;
  WORD SuspendCount; WORD SizeOfContextRecord; PCONTEXT ContextRecord;
} PSS_THREAD_ENTRY;
typedef struct { WORD ThreadNameSize; const wchar_t *ThreadName; } PSS_THREAD_NAME;
typedef struct {
  void *Context;
  void *(WINAPI *AllocRoutine)(void *Context, DWORD Size);
  void (WINAPI *FreeRoutine)(void *Context, void *Address);
} PSS_ALLOCATOR;

#define PSS_ASSERT_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " is " #size " bytes on x64")
PSS_ASSERT_SIZE(PSS_PROCESS_INFORMATION, 704);
PSS_ASSERT_SIZE(PSS_VA_CLONE_INFORMATION, 8);
PSS_ASSERT_SIZE(PSS_AUXILIARY_PAGES_INFORMATION, 4);
PSS_ASSERT_SIZE(PSS_VA_SPACE_INFORMATION, 4);
PSS_ASSERT_SIZE(PSS_HANDLE_INFORMATION, 4);
PSS_ASSERT_SIZE(PSS_THREAD_INFORMATION, 8);
PSS_ASSERT_SIZE(PSS_HANDLE_TRACE_INFORMATION, 16);
PSS_ASSERT_SIZE(PSS_PERFORMANCE_COUNTERS, 96);
PSS_ASSERT_SIZE(PSS_AUXILIARY_PAGE_ENTRY, 80);
PSS_ASSERT_SIZE(PSS_VA_SPACE_ENTRY, 80);
PSS_ASSERT_SIZE(PSS_HANDLE_ENTRY, 136);
PSS_ASSERT_SIZE(PSS_THREAD_ENTRY, 120);
PSS_ASSERT_SIZE(PSS_THREAD_NAME, 16);
PSS_ASSERT_SIZE(PSS_ALLOCATOR, 24);
PSS_ASSERT_SIZE(CONTEXT, 1232);
_Static_assert(offsetof(PSS_THREAD_ENTRY, CreateTime) == 52, "FILETIME is 4-byte aligned");
_Static_assert(offsetof(PSS_HANDLE_ENTRY, TypeSpecificInformation) == 88, "the union follows ObjectName");
/* The CONTEXT offsets the binding and known-snapshot.ts use, checked against mingw-w64's winnt.h. */
_Static_assert(offsetof(CONTEXT, ContextFlags) == 0x30, "CONTEXT.ContextFlags");
_Static_assert(offsetof(CONTEXT, Rsp) == 0x98, "CONTEXT.Rsp");
_Static_assert(offsetof(CONTEXT, Rip) == 0xF8, "CONTEXT.Rip");

/* How the generated known-data.h refers to its pools: an offset and a length in bytes. */
#define KNOWN_NONE 0xFFFFFFFFu /* a NULL pointer */
typedef struct { uint32_t offset; uint32_t bytes; } known_ref;
typedef struct { PSS_AUXILIARY_PAGE_ENTRY entry; known_ref contents; } known_aux_page;
typedef struct { PSS_VA_SPACE_ENTRY entry; known_ref file_name; } known_region;
typedef struct { PSS_HANDLE_ENTRY entry; known_ref type_name; known_ref object_name; } known_handle;
typedef struct { PSS_THREAD_ENTRY entry; known_ref context; } known_thread;

#endif
