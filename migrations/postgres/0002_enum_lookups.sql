-- pssql store schema for PostgreSQL, version 2: lookup tables that decode the enums, with the rows
-- of migrations/sqlite/0002_enum_lookups.sql.
--
-- The entry tables keep the raw Windows values (object_type 5, protect 0x04, state 0x1000), so a
-- value read on Windows and one emulated on Linux mean the same thing. These tables give them
-- names in SQL, to join or to read:
--
--   SELECT pp.name, pp.short_name, count(*) FROM regions AS r
--   JOIN page_protections AS pp ON pp.protect = r.protect & 255 GROUP BY 1, 2
--
-- The SQL functions (protection_short(protect), mem_type_name(type)...) decode the same values
-- one at a time; test/analysis/lookups.test.ts keeps both equal to the model's enums.

-- PSS_OBJECT_TYPE: the kind of object a handle refers to (handles.object_type).
CREATE TABLE object_types (
  object_type bigint NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  windows_name text COLLATE "C" NOT NULL
);

INSERT INTO object_types (object_type, name, windows_name) VALUES
  (0, 'unknown', 'PSS_OBJECT_TYPE_UNKNOWN'),
  (1, 'process', 'PSS_OBJECT_TYPE_PROCESS'),
  (2, 'thread', 'PSS_OBJECT_TYPE_THREAD'),
  (3, 'mutant', 'PSS_OBJECT_TYPE_MUTANT'),
  (4, 'event', 'PSS_OBJECT_TYPE_EVENT'),
  (5, 'section', 'PSS_OBJECT_TYPE_SECTION'),
  (6, 'semaphore', 'PSS_OBJECT_TYPE_SEMAPHORE');

-- MEMORY_BASIC_INFORMATION.State of a region (regions.state).
CREATE TABLE memory_states (
  state bigint NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  windows_name text COLLATE "C" NOT NULL
);

INSERT INTO memory_states (state, name, windows_name) VALUES
  (4096, 'commit', 'MEM_COMMIT'),
  (8192, 'reserve', 'MEM_RESERVE'),
  (65536, 'free', 'MEM_FREE');

-- MEMORY_BASIC_INFORMATION.Type of a region (regions.type).
CREATE TABLE memory_types (
  type bigint NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  windows_name text COLLATE "C" NOT NULL
);

INSERT INTO memory_types (type, name, windows_name) VALUES
  (131072, 'private', 'MEM_PRIVATE'),
  (262144, 'mapped', 'MEM_MAPPED'),
  (16777216, 'image', 'MEM_IMAGE');

-- Base page protections (PAGE_*), the low byte of regions.protect: join on `protect & 0xff`.
CREATE TABLE page_protections (
  protect bigint NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  short_name text COLLATE "C" NOT NULL,
  readable bigint NOT NULL,
  writable bigint NOT NULL,
  executable bigint NOT NULL,
  copy_on_write bigint NOT NULL
);

INSERT INTO page_protections (protect, name, short_name, readable, writable, executable, copy_on_write) VALUES
  (1, 'PAGE_NOACCESS', '---', 0, 0, 0, 0),
  (2, 'PAGE_READONLY', 'r--', 1, 0, 0, 0),
  (4, 'PAGE_READWRITE', 'rw-', 1, 1, 0, 0),
  (8, 'PAGE_WRITECOPY', 'rc-', 1, 1, 0, 1),
  (16, 'PAGE_EXECUTE', '--x', 0, 0, 1, 0),
  (32, 'PAGE_EXECUTE_READ', 'r-x', 1, 0, 1, 0),
  (64, 'PAGE_EXECUTE_READWRITE', 'rwx', 1, 1, 1, 0),
  (128, 'PAGE_EXECUTE_WRITECOPY', 'rcx', 1, 1, 1, 1);

-- Linux thread and process state letters (threads.state, processes.state).
CREATE TABLE thread_states (
  state text COLLATE "C" NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL
);

INSERT INTO thread_states (state, name) VALUES
  ('R', 'running'),
  ('S', 'sleeping'),
  ('D', 'disk-sleep'),
  ('T', 'stopped'),
  ('t', 'tracing-stop'),
  ('Z', 'zombie'),
  ('X', 'dead'),
  ('I', 'idle'),
  ('P', 'parked'),
  ('W', 'waking'),
  ('K', 'wakekill');

-- PSS_HANDLE_FLAGS bits: which parts of a handle entry are valid (handles.flags & flag).
CREATE TABLE handle_flags (
  flag bigint NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  windows_name text COLLATE "C" NOT NULL
);

INSERT INTO handle_flags (flag, name, windows_name) VALUES
  (1, 'have-type', 'PSS_HANDLE_HAVE_TYPE'),
  (2, 'have-name', 'PSS_HANDLE_HAVE_NAME'),
  (4, 'have-basic-information', 'PSS_HANDLE_HAVE_BASIC_INFORMATION'),
  (8, 'have-type-specific-information', 'PSS_HANDLE_HAVE_TYPE_SPECIFIC_INFORMATION');

-- PSS_CAPTURE_FLAGS bits: what a capture took (captures.capture_flags & flag), with the names
-- `pssql capture --flags` accepts.
CREATE TABLE capture_flags (
  flag bigint NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  windows_name text COLLATE "C" NOT NULL,
  description text COLLATE "C" NOT NULL
);

INSERT INTO capture_flags (flag, name, windows_name, description) VALUES
  (1, 'va-clone', 'PSS_CAPTURE_VA_CLONE', 'clone the address space (Windows only)'),
  (2, 'aux-pages', 'PSS_CAPTURE_RESERVED_00000002', 'auxiliary pages (undocumented, Windows only)'),
  (4, 'handles', 'PSS_CAPTURE_HANDLES', 'handles (file descriptors on Linux)'),
  (8, 'handle-names', 'PSS_CAPTURE_HANDLE_NAME_INFORMATION', 'object name of each handle'),
  (16, 'handle-basic', 'PSS_CAPTURE_HANDLE_BASIC_INFORMATION', 'access, attributes, position and inode of each handle'),
  (32, 'handle-type-specific', 'PSS_CAPTURE_HANDLE_TYPE_SPECIFIC_INFORMATION', 'type-specific detail: processes, events, sections, sockets'),
  (64, 'handle-trace', 'PSS_CAPTURE_HANDLE_TRACE', 'handle trace table (Windows only)'),
  (128, 'threads', 'PSS_CAPTURE_THREADS', 'threads'),
  (256, 'thread-context', 'PSS_CAPTURE_THREAD_CONTEXT', 'instruction and stack pointer of each thread'),
  (512, 'thread-context-extended', 'PSS_CAPTURE_THREAD_CONTEXT_EXTENDED', 'extended thread context (Windows only)'),
  (1024, 'reserved-400', 'PSS_CAPTURE_RESERVED_00000400', 'reserved'),
  (2048, 'va-space', 'PSS_CAPTURE_VA_SPACE', 'virtual address space regions'),
  (4096, 'section-info', 'PSS_CAPTURE_VA_SPACE_SECTION_INFORMATION', 'mapped file name and image information of each region'),
  (8192, 'ipt-trace', 'PSS_CAPTURE_IPT_TRACE', 'Intel Processor Trace (Windows only)'),
  (16384, 'reserved-4000', 'PSS_CAPTURE_RESERVED_00004000', 'reserved'),
  (67108864, 'breakaway-optional', 'PSS_CREATE_BREAKAWAY_OPTIONAL', 'VA clone: fall back to the job if breakaway fails'),
  (134217728, 'breakaway', 'PSS_CREATE_BREAKAWAY', 'VA clone: leave the job'),
  (268435456, 'force-breakaway', 'PSS_CREATE_FORCE_BREAKAWAY', 'VA clone: forced breakaway (Tcb privilege)'),
  (536870912, 'use-vm-allocations', 'PSS_CREATE_USE_VM_ALLOCATIONS', 'never use the process heap'),
  (1073741824, 'measure-performance', 'PSS_CREATE_MEASURE_PERFORMANCE', 'time each capture phase (performance counters)'),
  (2147483648, 'release-section', 'PSS_CREATE_RELEASE_SECTION', 'VA clone: do not keep the image section');
