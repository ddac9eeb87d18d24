/*
 * pss-test.dll: the ten documented Pss* functions of kernel32.dll, for Wine (which has none).
 * Behaviour follows ../../shared/pss-reference.md (sections 2 and 7): the order of the checks,
 * exact buffer lengths, opaque walk positions, marker-owned memory that lives until
 * PssWalkMarkerFree. The data is fixed: every snapshot holds the records of known-snapshot.ts
 * (as generated into known-data.h), filtered by the capture flags as Windows would.
 *
 * Like Windows, a walk marker may walk another class or snapshot (it is bound anew, at the start
 * of that class), and a position is not checked: one past the end reads as the end, one inside a
 * record as that record. What Windows would crash on, the binding must refuse itself. Unlike
 * Windows, a stale HPSS or HPSSWALK gives ERROR_INVALID_HANDLE instead of an access violation:
 * handles are looked up in a list of live ones, never dereferenced blindly.
 *
 * PSS_WALK_THREAD_NAME answers ERROR_INVALID_PARAMETER, as it does for a public caller on
 * Windows today, unless the environment of the capturing process asks otherwise. The variable
 * PSS_TEST_FAULTS, read by each PssCaptureSnapshot, sets what a real system does only sometimes:
 *
 *   hang=PID          a capture of PID with handle names blocks forever (a synchronous pipe)
 *   partial-copy=PID  a capture of PID fails with ERROR_PARTIAL_COPY (the process changed)
 *   denied=PID        a capture of PID fails with ERROR_ACCESS_DENIED (a protected process)
 *   trace-off=PID     a capture of PID with PSS_CAPTURE_HANDLE_TRACE fails with
 *                     ERROR_INVALID_PARAMETER, as the handle tracing query does when tracing is off
 *   thread-names=walk thread names can be walked, one per thread (newer Windows builds)
 *   thread-names=fewer  thread names can be walked, but one fewer than the threads
 *   first-tid=TID     the first known thread has thread id TID (a real thread, to name)
 *
 * A process that has exited (or is exiting) cannot be captured: ERROR_ACCESS_DENIED, as Windows
 * answers with STATUS_PROCESS_IS_TERMINATING.
 */
#include <stdlib.h>
#include <string.h>

#include "pss-structs.h"

#include "known-data.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define PSS_API __declspec(dllexport) DWORD WINAPI

/* Positions are byte offsets into a class's records, as on Windows, moved off zero so that a
 * caller who treats them as indexes is caught. */
#define POSITION_BASE 0x1000u

/* A CONTEXT with CONTEXT_XSTATE is followed by a CONTEXT_EX and the XSAVE area (legacy 512,
 * header 64, AVX 256), as RtlGetExtendedContextLength sizes it on an AVX machine. */
#define CONTEXT_XSTATE_FLAGS 0x00100040u
#define XSTATE_EXTRA_BYTES (24u + 512u + 64u + 256u)

enum { THREAD_NAMES_NONE, THREAD_NAMES_WALK, THREAD_NAMES_FEWER };

typedef struct snapshot {
  DWORD magic; /* "PSSD", as in Windows' descriptors */
  DWORD flags;
  DWORD pid;
  DWORD context_flags;
  int thread_names; /* THREAD_NAMES_* at the time of the capture */
  DWORD first_tid;  /* 0: the known one */
  struct snapshot *next;
} snapshot;

typedef struct block { struct block *next; SIZE_T size; } block; /* marker-owned memory */

typedef struct marker {
  const PSS_ALLOCATOR *allocator; /* NULL: the process heap */
  const snapshot *bound_snapshot; /* the first walk binds the marker; NULL while unbound */
  int bound_class;
  ULONG_PTR position;
  block *blocks;
  struct marker *next;
} marker;

static snapshot *snapshots;
static marker *markers;
static CRITICAL_SECTION lock;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance; (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) InitializeCriticalSection(&lock);
  return TRUE;
}

static snapshot *find_snapshot(HPSS handle) {
  for (snapshot *s = snapshots; s != NULL; s = s->next) if ((HPSS)s == handle) return s;
  return NULL;
}

static marker *find_marker(HPSSWALK handle) {
  for (marker *m = markers; m != NULL; m = m->next) if ((HPSSWALK)m == handle) return m;
  return NULL;
}

static BOOL is_current_process(HANDLE process) {
  return process == GetCurrentProcess() || GetProcessId(process) == GetCurrentProcessId();
}

static size_t walk_entry_size(int cls) {
  static const size_t sizes[] = { sizeof(PSS_AUXILIARY_PAGE_ENTRY), sizeof(PSS_VA_SPACE_ENTRY),
                                  sizeof(PSS_HANDLE_ENTRY), sizeof(PSS_THREAD_ENTRY), sizeof(PSS_THREAD_NAME) };
  return sizes[cls];
}

/* Number of records of a walk class, or -1 when the snapshot's flags did not capture it. */
static long walk_count(const snapshot *s, int cls) {
  switch (cls) {
    case PSS_WALK_AUXILIARY_PAGES: return (s->flags & PSS_CAPTURE_RESERVED_00000002) ? (long)COUNT(known_aux_pages) : -1;
    case PSS_WALK_VA_SPACE: return (s->flags & PSS_CAPTURE_VA_SPACE) ? (long)COUNT(known_regions) : -1;
    case PSS_WALK_HANDLES: return (s->flags & PSS_CAPTURE_HANDLES) ? (long)COUNT(known_handles) : -1;
    /* Newer Windows capture thread names along with the threads. */
    case PSS_WALK_THREADS: return (s->flags & PSS_CAPTURE_THREADS) ? (long)COUNT(known_threads) : -1;
    case PSS_WALK_THREAD_NAME:
      if (!(s->flags & PSS_CAPTURE_THREADS)) return -1;
      return (long)COUNT(known_thread_names) - (s->thread_names == THREAD_NAMES_FEWER ? 1 : 0);
    default: return -1;
  }
}

/* Copies `bytes` bytes from a pool into memory owned by the marker; NULL for KNOWN_NONE. */
static void *marker_alloc(marker *m, SIZE_T bytes);

static const void *marker_copy(marker *m, const void *pool, known_ref ref) {
  if (ref.offset == KNOWN_NONE) return NULL;
  void *copy = marker_alloc(m, ref.bytes);
  if (copy != NULL) memcpy(copy, (const BYTE *)pool + ref.offset, ref.bytes);
  return copy;
}

/* Memory of `size` bytes owned by the marker, or NULL. */
static void *marker_alloc(marker *m, SIZE_T bytes) {
  SIZE_T size = sizeof(block) + bytes;
  block *b = m->allocator != NULL ? m->allocator->AllocRoutine(m->allocator->Context, (DWORD)size)
                                  : HeapAlloc(GetProcessHeap(), 0, size);
  if (b == NULL) return NULL;
  b->next = m->blocks;
  b->size = size;
  m->blocks = b;
  return b + 1;
}

static DWORD context_length(const snapshot *s) {
  BOOL xstate = (s->context_flags & CONTEXT_XSTATE_FLAGS) == CONTEXT_XSTATE_FLAGS;
  return known_context_length + (xstate ? XSTATE_EXTRA_BYTES : 0);
}

static const void *marker_string(marker *m, known_ref ref) {
  known_ref bytes = { ref.offset == KNOWN_NONE ? KNOWN_NONE : ref.offset * (uint32_t)sizeof(WCHAR), ref.bytes };
  return marker_copy(m, known_strings, bytes);
}

/* Fills `buffer` with record `index` of `cls`, as the snapshot's flags allow. */
static void fill(const snapshot *s, marker *m, int cls, size_t index, void *buffer) {
  switch (cls) {
    case PSS_WALK_AUXILIARY_PAGES: {
      PSS_AUXILIARY_PAGE_ENTRY e = known_aux_pages[index].entry;
      e.PageContents = (void *)marker_copy(m, known_bytes, known_aux_pages[index].contents);
      memcpy(buffer, &e, sizeof e);
      break;
    }
    case PSS_WALK_VA_SPACE: {
      PSS_VA_SPACE_ENTRY e = known_regions[index].entry;
      if (s->flags & PSS_CAPTURE_VA_SPACE_SECTION_INFORMATION) {
        e.MappedFileName = marker_string(m, known_regions[index].file_name);
        e.MappedFileNameLength = e.MappedFileName == NULL ? 0 : (WORD)known_regions[index].file_name.bytes;
      } else {
        e.TimeDateStamp = e.SizeOfImage = e.CheckSum = 0;
        e.ImageBase = NULL;
      }
      memcpy(buffer, &e, sizeof e);
      break;
    }
    case PSS_WALK_HANDLES: {
      const known_handle *k = &known_handles[index];
      PSS_HANDLE_ENTRY e = k->entry;
      DWORD have = PSS_HANDLE_HAVE_TYPE;
      if (s->flags & PSS_CAPTURE_HANDLE_NAME_INFORMATION) have |= PSS_HANDLE_HAVE_NAME;
      if (s->flags & PSS_CAPTURE_HANDLE_BASIC_INFORMATION) have |= PSS_HANDLE_HAVE_BASIC_INFORMATION;
      if (s->flags & PSS_CAPTURE_HANDLE_TYPE_SPECIFIC_INFORMATION) have |= PSS_HANDLE_HAVE_TYPE_SPECIFIC_INFORMATION;
      e.Flags &= have;
      e.TypeName = marker_string(m, k->type_name);
      e.TypeNameLength = e.TypeName == NULL ? 0 : (WORD)k->type_name.bytes;
      if (e.Flags & PSS_HANDLE_HAVE_NAME) {
        e.ObjectName = marker_string(m, k->object_name);
        e.ObjectNameLength = e.ObjectName == NULL ? 0 : (WORD)k->object_name.bytes;
      }
      if (!(e.Flags & PSS_HANDLE_HAVE_BASIC_INFORMATION)) {
        e.Attributes = e.GrantedAccess = e.HandleCount = e.PointerCount = e.PagedPoolCharge = e.NonPagedPoolCharge = 0;
        e.CreationTime.dwLowDateTime = e.CreationTime.dwHighDateTime = 0;
      }
      if (!(e.Flags & PSS_HANDLE_HAVE_TYPE_SPECIFIC_INFORMATION)) memset(&e.TypeSpecificInformation, 0, sizeof e.TypeSpecificInformation);
      memcpy(buffer, &e, sizeof e);
      break;
    }
    case PSS_WALK_THREADS: {
      PSS_THREAD_ENTRY e = known_threads[index].entry;
      if (index == 0 && s->first_tid != 0) e.ThreadId = s->first_tid;
      known_ref context = known_threads[index].context;
      if ((s->flags & PSS_CAPTURE_THREAD_CONTEXT) && context.offset != KNOWN_NONE) {
        /* The record is as long as the context flags make it: an extended one has XSTATE after. */
        DWORD length = context_length(s);
        BYTE *record = marker_alloc(m, length);
        if (record != NULL) {
          memcpy(record, known_bytes + context.offset, context.bytes);
          for (DWORD i = context.bytes; i < length; i++) record[i] = (BYTE)(i * 13);
          if (length > context.bytes) ((CONTEXT *)record)->ContextFlags |= CONTEXT_XSTATE_FLAGS;
        }
        e.ContextRecord = (PCONTEXT)record;
        e.SizeOfContextRecord = record == NULL ? 0 : (WORD)length;
      }
      memcpy(buffer, &e, sizeof e);
      break;
    }
    case PSS_WALK_THREAD_NAME: {
      PSS_THREAD_NAME e = { 0, NULL };
      e.ThreadName = marker_string(m, known_thread_names[index]);
      e.ThreadNameSize = e.ThreadName == NULL ? 0 : (WORD)known_thread_names[index].bytes;
      memcpy(buffer, &e, sizeof e);
      break;
    }
  }
}

/* The value of `name=` in PSS_TEST_FAULTS (a comma-separated list), or NULL. */
static const char *fault(const char *faults, const char *name) {
  size_t length = strlen(name);
  for (const char *p = faults; p != NULL && *p != '\0';) {
    if (strncmp(p, name, length) == 0 && p[length] == '=') return p + length + 1;
    p = strchr(p, ',');
    if (p != NULL) p++;
  }
  return NULL;
}

/* Whether `name=PID` in PSS_TEST_FAULTS names `pid`. */
static BOOL fault_for(const char *faults, const char *name, DWORD pid) {
  const char *value = fault(faults, name);
  return value != NULL && strtoul(value, NULL, 10) == pid;
}

PSS_API PssCaptureSnapshot(HANDLE ProcessHandle, DWORD CaptureFlags, DWORD ThreadContextFlags, HPSS *SnapshotHandle) {
  if (SnapshotHandle == NULL) return ERROR_INVALID_PARAMETER;
  *SnapshotHandle = NULL;
  if (ProcessHandle == NULL) return ERROR_INVALID_HANDLE;
  if (CaptureFlags & PSS_UNDEFINED_CAPTURE_BITS) return ERROR_INVALID_PARAMETER;
  if ((CaptureFlags & PSS_CREATE_BREAKAWAY_OPTIONAL) && !(CaptureFlags & (PSS_CREATE_BREAKAWAY | PSS_CREATE_FORCE_BREAKAWAY)))
    return ERROR_INVALID_PARAMETER;
  DWORD pid = GetProcessId(ProcessHandle);
  if (pid == 0) return GetLastError();
  DWORD exit_code = STILL_ACTIVE;
  if (GetExitCodeProcess(ProcessHandle, &exit_code) && exit_code != STILL_ACTIVE) return ERROR_ACCESS_DENIED;

  static char faults[512];
  DWORD n = GetEnvironmentVariableA("PSS_TEST_FAULTS", faults, sizeof faults);
  if (n == 0 || n >= sizeof faults) faults[0] = '\0';
  if (fault_for(faults, "denied", pid)) return ERROR_ACCESS_DENIED;
  if (fault_for(faults, "partial-copy", pid)) return ERROR_PARTIAL_COPY;
  if (fault_for(faults, "trace-off", pid) && (CaptureFlags & PSS_CAPTURE_HANDLE_TRACE)) return ERROR_INVALID_PARAMETER;
  if (fault_for(faults, "hang", pid) && (CaptureFlags & PSS_CAPTURE_HANDLE_NAME_INFORMATION)) {
    /* As a name query on a synchronous pipe: it never returns. */
    for (;;) Sleep(INFINITE);
  }
  const char *names = fault(faults, "thread-names");
  const char *first_tid = fault(faults, "first-tid");

  snapshot *s = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *s);
  if (s == NULL) return ERROR_NOT_ENOUGH_MEMORY;
  s->magic = 0x44535350; /* "PSSD" */
  s->flags = CaptureFlags;
  s->pid = pid;
  s->context_flags = ThreadContextFlags;
  s->thread_names = names == NULL ? THREAD_NAMES_NONE
                  : strncmp(names, "walk", 4) == 0 ? THREAD_NAMES_WALK
                  : strncmp(names, "fewer", 5) == 0 ? THREAD_NAMES_FEWER : THREAD_NAMES_NONE;
  s->first_tid = first_tid == NULL ? 0 : (DWORD)strtoul(first_tid, NULL, 10);
  EnterCriticalSection(&lock);
  s->next = snapshots;
  snapshots = s;
  LeaveCriticalSection(&lock);
  *SnapshotHandle = (HPSS)s;
  return ERROR_SUCCESS;
}

static DWORD free_snapshot(HPSS handle) {
  EnterCriticalSection(&lock);
  for (snapshot **p = &snapshots; *p != NULL; p = &(*p)->next) {
    if ((HPSS)*p == handle) {
      snapshot *s = *p;
      *p = s->next;
      LeaveCriticalSection(&lock);
      s->magic = 0;
      HeapFree(GetProcessHeap(), 0, s);
      return ERROR_SUCCESS;
    }
  }
  LeaveCriticalSection(&lock);
  return ERROR_INVALID_HANDLE;
}

PSS_API PssDuplicateSnapshot(HANDLE SourceProcessHandle, HPSS SnapshotHandle, HANDLE TargetProcessHandle,
                             HPSS *TargetSnapshotHandle, DWORD Flags) {
  if (TargetSnapshotHandle == NULL) return ERROR_INVALID_PARAMETER;
  *TargetSnapshotHandle = NULL;
  EnterCriticalSection(&lock);
  snapshot *source = find_snapshot(SnapshotHandle);
  snapshot copy = source != NULL ? *source : (snapshot){ 0 };
  LeaveCriticalSection(&lock);
  if (source == NULL) return ERROR_INVALID_HANDLE;
  DWORD result = ERROR_SUCCESS;
  /* Only the current process holds snapshots here: a remote context is not supported. */
  if (!is_current_process(SourceProcessHandle) || !is_current_process(TargetProcessHandle)) {
    result = ERROR_NOT_SUPPORTED;
  } else {
    HANDLE self = GetCurrentProcess();
    result = PssCaptureSnapshot(self, copy.flags, copy.context_flags, TargetSnapshotHandle);
    if (result == ERROR_SUCCESS) {
      /* The same data: what the source captured, not what the environment says now. */
      snapshot *target = (snapshot *)*TargetSnapshotHandle;
      target->pid = copy.pid;
      target->thread_names = copy.thread_names;
      target->first_tid = copy.first_tid;
    }
  }
  /* Windows frees the source even when the duplication fails. */
  if (Flags & PSS_DUPLICATE_CLOSE_SOURCE) free_snapshot(SnapshotHandle);
  return result;
}

PSS_API PssFreeSnapshot(HANDLE ProcessHandle, HPSS SnapshotHandle) {
  if (SnapshotHandle == NULL) return ERROR_INVALID_HANDLE;
  /* A remote free works only for snapshots made with PSS_CREATE_USE_VM_ALLOCATIONS there. */
  if (!is_current_process(ProcessHandle)) return ERROR_NOT_SUPPORTED;
  return free_snapshot(SnapshotHandle);
}

PSS_API PssQuerySnapshot(HPSS SnapshotHandle, DWORD InformationClass, void *Buffer, DWORD BufferLength) {
  static const size_t sizes[PSS_QUERY_CLASS_COUNT] = {
    sizeof(PSS_PROCESS_INFORMATION), sizeof(PSS_VA_CLONE_INFORMATION), sizeof(PSS_AUXILIARY_PAGES_INFORMATION),
    sizeof(PSS_VA_SPACE_INFORMATION), sizeof(PSS_HANDLE_INFORMATION), sizeof(PSS_THREAD_INFORMATION),
    sizeof(PSS_HANDLE_TRACE_INFORMATION), sizeof(PSS_PERFORMANCE_COUNTERS) };
  /* Order of the checks: handle, class, length, presence (ntdll). */
  if (SnapshotHandle == NULL) return ERROR_INVALID_HANDLE;
  EnterCriticalSection(&lock);
  snapshot *found = find_snapshot(SnapshotHandle);
  snapshot s = found != NULL ? *found : (snapshot){ 0 };
  LeaveCriticalSection(&lock);
  if (found == NULL) return ERROR_INVALID_HANDLE;
  if (InformationClass >= PSS_QUERY_CLASS_COUNT) return ERROR_INVALID_PARAMETER;
  if (Buffer == NULL || BufferLength != sizes[InformationClass]) return ERROR_BAD_LENGTH;
  union {
    PSS_PROCESS_INFORMATION process; PSS_VA_CLONE_INFORMATION clone; PSS_AUXILIARY_PAGES_INFORMATION aux;
    PSS_VA_SPACE_INFORMATION va; PSS_HANDLE_INFORMATION handles; PSS_THREAD_INFORMATION threads;
    PSS_HANDLE_TRACE_INFORMATION trace; PSS_PERFORMANCE_COUNTERS perf;
  } r;
  memset(&r, 0, sizeof r);
  switch (InformationClass) {
    case PSS_QUERY_PROCESS_INFORMATION:
      r.process = known_process;
      r.process.ProcessId = s.pid;
      break;
    case PSS_QUERY_VA_CLONE_INFORMATION:
      if (!(s.flags & PSS_CAPTURE_VA_CLONE)) return ERROR_NOT_FOUND;
      r.clone = known_va_clone;
      break;
    case PSS_QUERY_AUXILIARY_PAGES_INFORMATION:
      if (walk_count(&s, PSS_WALK_AUXILIARY_PAGES) < 0) return ERROR_NOT_FOUND;
      r.aux.AuxPagesCaptured = (DWORD)walk_count(&s, PSS_WALK_AUXILIARY_PAGES);
      break;
    case PSS_QUERY_VA_SPACE_INFORMATION:
      if (walk_count(&s, PSS_WALK_VA_SPACE) < 0) return ERROR_NOT_FOUND;
      r.va.RegionCount = (DWORD)walk_count(&s, PSS_WALK_VA_SPACE);
      break;
    case PSS_QUERY_HANDLE_INFORMATION:
      if (walk_count(&s, PSS_WALK_HANDLES) < 0) return ERROR_NOT_FOUND;
      r.handles.HandlesCaptured = (DWORD)walk_count(&s, PSS_WALK_HANDLES);
      break;
    case PSS_QUERY_THREAD_INFORMATION:
      if (walk_count(&s, PSS_WALK_THREADS) <= 0) return ERROR_NOT_FOUND;
      r.threads.ThreadsCaptured = (DWORD)walk_count(&s, PSS_WALK_THREADS);
      r.threads.ContextLength = (s.flags & PSS_CAPTURE_THREAD_CONTEXT) ? context_length(&s) : 0;
      break;
    case PSS_QUERY_HANDLE_TRACE_INFORMATION:
      if (!(s.flags & PSS_CAPTURE_HANDLE_TRACE)) return ERROR_NOT_FOUND;
      r.trace = known_handle_trace;
      break;
    case PSS_QUERY_PERFORMANCE_COUNTERS:
      /* Windows answers zeros, not ERROR_NOT_FOUND, when nothing was measured. */
      if (s.flags & PSS_CREATE_MEASURE_PERFORMANCE) r.perf = known_performance;
      break;
  }
  memcpy(Buffer, &r, BufferLength);
  return ERROR_SUCCESS;
}

PSS_API PssWalkSnapshot(HPSS SnapshotHandle, DWORD InformationClass, HPSSWALK WalkMarkerHandle, void *Buffer,
                        DWORD BufferLength) {
  /* Order of the checks (reference section 7.4): handle, class, length (only with a buffer),
   * captured, marker, end, NULL buffer; then fill and advance. */
  if (SnapshotHandle == NULL) return ERROR_INVALID_HANDLE;
  DWORD result = ERROR_SUCCESS;
  EnterCriticalSection(&lock);
  const snapshot *s = find_snapshot(SnapshotHandle);
  marker *m = find_marker(WalkMarkerHandle);
  int cls = (int)InformationClass;
  if (s == NULL) {
    result = ERROR_INVALID_HANDLE;
  } else if (InformationClass >= PSS_WALK_CLASS_COUNT) {
    result = ERROR_INVALID_PARAMETER;
  } else if (cls == PSS_WALK_THREAD_NAME && s->thread_names == THREAD_NAMES_NONE) {
    result = ERROR_INVALID_PARAMETER; /* what a public caller gets on Windows today */
  } else if (Buffer != NULL && BufferLength != walk_entry_size(cls)) {
    result = ERROR_BAD_LENGTH;
  } else if (walk_count(s, cls) < 0) {
    result = ERROR_NOT_FOUND;
  } else if (WalkMarkerHandle == NULL) {
    result = ERROR_INVALID_PARAMETER;
  } else if (m == NULL) {
    result = ERROR_INVALID_HANDLE;
  } else {
    /* Windows walks another class (or snapshot) with the same marker: Vanara walks the VA space
     * and then the handles with one. Here it starts that class from its beginning. */
    if (m->bound_snapshot != NULL && (m->bound_snapshot != s || m->bound_class != cls)) m->position = POSITION_BASE;
    size_t size = walk_entry_size(cls);
    size_t count = (size_t)walk_count(s, cls);
    /* Positions are not checked, as on Windows: a position inside a record reads that record,
     * one outside the records reads as the end (where Windows would read whatever is there). */
    size_t index = m->position < POSITION_BASE ? count : (size_t)((m->position - POSITION_BASE) / size);
    if (index >= count) {
      result = ERROR_NO_MORE_ITEMS;
    } else if (Buffer == NULL) {
      result = ERROR_MORE_DATA;
    } else {
      m->bound_snapshot = s;
      m->bound_class = cls;
      fill(s, m, cls, index, Buffer);
      m->position = POSITION_BASE + (index + 1) * size;
    }
  }
  LeaveCriticalSection(&lock);
  return result;
}

PSS_API PssWalkMarkerCreate(const PSS_ALLOCATOR *Allocator, HPSSWALK *WalkMarkerHandle) {
  if (WalkMarkerHandle == NULL) return ERROR_INVALID_PARAMETER;
  marker *m = Allocator != NULL ? Allocator->AllocRoutine(Allocator->Context, sizeof *m)
                                : HeapAlloc(GetProcessHeap(), 0, sizeof *m);
  if (m == NULL) return ERROR_NOT_ENOUGH_MEMORY;
  memset(m, 0, sizeof *m);
  m->allocator = Allocator;
  m->position = POSITION_BASE;
  EnterCriticalSection(&lock);
  m->next = markers;
  markers = m;
  LeaveCriticalSection(&lock);
  *WalkMarkerHandle = (HPSSWALK)m;
  return ERROR_SUCCESS;
}

PSS_API PssWalkMarkerFree(HPSSWALK WalkMarkerHandle) {
  EnterCriticalSection(&lock);
  marker *m = NULL;
  for (marker **p = &markers; *p != NULL; p = &(*p)->next) {
    if ((HPSSWALK)*p == WalkMarkerHandle) { m = *p; *p = m->next; break; }
  }
  LeaveCriticalSection(&lock);
  if (m == NULL) return ERROR_INVALID_HANDLE;
  const PSS_ALLOCATOR *allocator = m->allocator;
  while (m->blocks != NULL) {
    block *b = m->blocks;
    m->blocks = b->next;
    /* Poison what the marker handed out: a caller that still reads it gets garbage, not data. */
    memset(b + 1, 0xDD, b->size - sizeof *b);
    if (allocator != NULL) allocator->FreeRoutine(allocator->Context, b);
    else HeapFree(GetProcessHeap(), 0, b);
  }
  if (allocator != NULL) allocator->FreeRoutine(allocator->Context, m);
  else HeapFree(GetProcessHeap(), 0, m);
  return ERROR_SUCCESS;
}

PSS_API PssWalkMarkerGetPosition(HPSSWALK WalkMarkerHandle, ULONG_PTR *Position) {
  if (Position == NULL) return ERROR_INVALID_PARAMETER;
  EnterCriticalSection(&lock);
  marker *m = find_marker(WalkMarkerHandle);
  if (m != NULL) *Position = m->position;
  LeaveCriticalSection(&lock);
  return m != NULL ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}

PSS_API PssWalkMarkerSetPosition(HPSSWALK WalkMarkerHandle, ULONG_PTR Position) {
  EnterCriticalSection(&lock);
  marker *m = find_marker(WalkMarkerHandle);
  if (m != NULL) m->position = Position; /* checked by the next walk, as on Windows */
  LeaveCriticalSection(&lock);
  return m != NULL ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}

PSS_API PssWalkMarkerSeekToBeginning(HPSSWALK WalkMarkerHandle) {
  EnterCriticalSection(&lock);
  marker *m = find_marker(WalkMarkerHandle);
  if (m != NULL) {
    /* The state of a fresh marker: unbound, at the start. Memory handed out stays valid. */
    m->bound_snapshot = NULL;
    m->bound_class = 0;
    m->position = POSITION_BASE;
  }
  LeaveCriticalSection(&lock);
  return m != NULL ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}
