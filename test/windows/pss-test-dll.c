/*
 * pss-test.dll: the ten documented Pss* functions of kernel32.dll, for Wine (which has none).
 * Behaviour follows ../../shared/pss-reference.md (sections 2 and 7): the order of the checks,
 * exact buffer lengths, opaque walk positions, marker-owned memory that lives until
 * PssWalkMarkerFree. The data is fixed: every snapshot holds the records of known-snapshot.ts
 * (as generated into known-data.h), filtered by the capture flags as Windows would.
 *
 * Unlike Windows, a stale HPSS or HPSSWALK gives ERROR_INVALID_HANDLE instead of an access
 * violation: handles are looked up in a list of live ones, never dereferenced blindly.
 */
#include "pss-structs.h"

#include "known-data.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define PSS_API __declspec(dllexport) DWORD WINAPI

/* Positions are byte offsets into a class's records, as on Windows, moved off zero so that a
 * caller who treats them as indexes is caught. */
#define POSITION_BASE 0x1000u

typedef struct snapshot {
  DWORD magic; /* "PSSD", as in Windows' descriptors */
  DWORD flags;
  DWORD pid;
  DWORD context_flags;
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
    case PSS_WALK_THREAD_NAME: return (s->flags & PSS_CAPTURE_THREADS) ? (long)COUNT(known_thread_names) : -1;
    default: return -1;
  }
}

/* Copies `bytes` bytes from a pool into memory owned by the marker; NULL for KNOWN_NONE. */
static const void *marker_copy(marker *m, const void *pool, known_ref ref) {
  if (ref.offset == KNOWN_NONE) return NULL;
  SIZE_T size = sizeof(block) + ref.bytes;
  block *b = m->allocator != NULL ? m->allocator->AllocRoutine(m->allocator->Context, (DWORD)size)
                                  : HeapAlloc(GetProcessHeap(), 0, size);
  if (b == NULL) return NULL;
  b->next = m->blocks;
  b->size = size;
  m->blocks = b;
  memcpy(b + 1, (const BYTE *)pool + ref.offset, ref.bytes);
  return b + 1;
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
      if (s->flags & PSS_CAPTURE_THREAD_CONTEXT) {
        e.ContextRecord = (PCONTEXT)marker_copy(m, known_bytes, known_threads[index].context);
        e.SizeOfContextRecord = e.ContextRecord == NULL ? 0 : (WORD)known_threads[index].context.bytes;
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

PSS_API PssCaptureSnapshot(HANDLE ProcessHandle, DWORD CaptureFlags, DWORD ThreadContextFlags, HPSS *SnapshotHandle) {
  if (SnapshotHandle == NULL) return ERROR_INVALID_PARAMETER;
  *SnapshotHandle = NULL;
  if (ProcessHandle == NULL) return ERROR_INVALID_HANDLE;
  if (CaptureFlags & PSS_UNDEFINED_CAPTURE_BITS) return ERROR_INVALID_PARAMETER;
  if ((CaptureFlags & PSS_CREATE_BREAKAWAY_OPTIONAL) && !(CaptureFlags & (PSS_CREATE_BREAKAWAY | PSS_CREATE_FORCE_BREAKAWAY)))
    return ERROR_INVALID_PARAMETER;
  DWORD pid = GetProcessId(ProcessHandle);
  if (pid == 0) return GetLastError();
  snapshot *s = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *s);
  if (s == NULL) return ERROR_NOT_ENOUGH_MEMORY;
  s->magic = 0x44535350; /* "PSSD" */
  s->flags = CaptureFlags;
  s->pid = pid;
  s->context_flags = ThreadContextFlags;
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
    if (result == ERROR_SUCCESS) ((snapshot *)*TargetSnapshotHandle)->pid = copy.pid;
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
      r.threads.ContextLength = (s.flags & PSS_CAPTURE_THREAD_CONTEXT) ? known_context_length : 0;
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
  } else if (Buffer != NULL && BufferLength != walk_entry_size(cls)) {
    result = ERROR_BAD_LENGTH;
  } else if (walk_count(s, cls) < 0) {
    result = ERROR_NOT_FOUND;
  } else if (WalkMarkerHandle == NULL) {
    result = ERROR_INVALID_PARAMETER;
  } else if (m == NULL) {
    result = ERROR_INVALID_HANDLE;
  } else if (m->bound_snapshot != NULL && (m->bound_snapshot != s || m->bound_class != cls)) {
    result = ERROR_INVALID_PARAMETER; /* one marker per (snapshot, class) */
  } else {
    size_t size = walk_entry_size(cls);
    size_t count = (size_t)walk_count(s, cls);
    ULONG_PTR offset = m->position - POSITION_BASE;
    if (m->position < POSITION_BASE || offset % size != 0 || offset / size > count) {
      result = ERROR_INVALID_PARAMETER; /* not a position of this walk */
    } else if (offset / size == count) {
      result = ERROR_NO_MORE_ITEMS;
    } else if (Buffer == NULL) {
      result = ERROR_MORE_DATA;
    } else {
      m->bound_snapshot = s;
      m->bound_class = cls;
      fill(s, m, cls, offset / size, Buffer);
      m->position += size;
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
