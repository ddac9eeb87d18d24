import { blob, id, integer, nullable, type Relation, type RowOf, table, text, u64, view } from './column.js';

/*
 * Every table and view of a pssql recording, declared once. The migrations in migrations/*.sql
 * create them; test/store/schema.test.ts keeps the two equal.
 *
 * Entries of threads, handles and regions are stored as versions shared between consecutive
 * captures of one process instance: a version holds from capture `first_seq` to `last_seq`
 * (NULL while it is still current), so an unchanged entry costs nothing in a new capture. The
 * views `threads`, `handles` and `regions` present one row per entry per capture.
 */

const versioned = {
  instance_id: integer('The process instance whose captures share this version.'),
  first_seq: integer('Sequence number (captures.seq) of the first capture holding this version.'),
  last_seq: nullable(integer('Sequence number of the last capture holding it; NULL while current.')),
};

const threadColumns = {
  thread_id: integer('Thread id (Linux tid).'),
  exit_status: integer('Exit status; 259 (STILL_ACTIVE) while running.'),
  teb_base_address: nullable(u64('TEB address in the target (Windows).')),
  process_id: integer('Owning process id.'),
  affinity_mask: nullable(u64('CPU affinity mask (first 64 CPUs).')),
  priority: nullable(integer('Dynamic priority (Linux: stat priority).')),
  base_priority: nullable(integer('Base priority (Linux: 20 + nice, or the real-time priority).')),
  last_syscall_first_argument: nullable(u64('First argument of the system call the thread is blocked in.')),
  last_syscall_number: nullable(integer('Number of the system call the thread is blocked in.')),
  create_time_us: nullable(integer('Creation time, µs since the Unix epoch.')),
  exit_time_us: nullable(integer('Exit time, µs since the Unix epoch.')),
  kernel_time_us: nullable(integer('CPU time in kernel mode, µs.')),
  user_time_us: nullable(integer('CPU time in user mode, µs.')),
  win32_start_address: nullable(u64('Start address (Windows).')),
  capture_time_offset_us: nullable(integer('Capture time of the entry minus the capture start, µs.')),
  flags: integer('PSS_THREAD_FLAGS (1 = terminated).'),
  suspend_count: nullable(integer('Suspend count (Linux: 1 while stopped).')),
  instruction_pointer: nullable(u64('Instruction pointer (thread context).')),
  stack_pointer: nullable(u64('Stack pointer (thread context).')),
  name_id: nullable(integer('Thread name (strings).')),
  state: nullable(text('Linux state letter: R running, S sleeping, D disk sleep, T stopped, Z zombie...')),
  voluntary_context_switches: nullable(integer('Voluntary context switches.')),
  involuntary_context_switches: nullable(integer('Involuntary context switches.')),
  context_record: nullable(blob('Raw CONTEXT record (Windows thread contexts).')),
};

const handleColumns = {
  handle_value: integer('Handle value in the target; the fd number on Linux.'),
  flags: integer('PSS_HANDLE_FLAGS: which parts are valid.'),
  object_type: integer('PSS_OBJECT_TYPE (0 unknown, 1 process, 2 thread, 3 mutant, 4 event, 5 section, 6 semaphore).'),
  capture_time_offset_us: nullable(integer('Capture time of the entry minus the capture start, µs.')),
  attributes: nullable(integer('Handle attributes (2 = inheritable: no O_CLOEXEC on Linux).')),
  granted_access: nullable(integer('Access mask (Linux: FILE_GENERIC_READ/WRITE from the open mode).')),
  handle_count: nullable(integer('Handles to the object (Windows).')),
  pointer_count: nullable(integer('References to the object (Windows).')),
  paged_pool_charge: nullable(integer('Paged pool charge (Windows).')),
  non_paged_pool_charge: nullable(integer('Non-paged pool charge (Windows).')),
  creation_time_us: nullable(integer('Object creation time, µs since the Unix epoch (Windows).')),
  type_name_id: nullable(integer('Type name (strings): File, Directory, Pipe, Socket, Event, Process, Memfd...')),
  object_name_id: nullable(integer('Object name (strings): the fd link target on Linux.')),
  open_flags: nullable(integer('Linux open flags (O_*), from fdinfo.')),
  position_bytes: nullable(integer('File position, from fdinfo.')),
  inode: nullable(integer('Inode number, from fdinfo.')),
  mount_id: nullable(integer('Mount id, from fdinfo.')),
};

const regionColumns = {
  base_address: u64('Start address of the region.'),
  allocation_base: u64('Start of the allocation the region belongs to.'),
  allocation_protect: integer('Protection of the allocation (PAGE_*).'),
  region_size_bytes: integer('Size of the region.'),
  state: integer('MEM_COMMIT (0x1000), MEM_RESERVE (0x2000) or MEM_FREE (0x10000).'),
  protect: integer('Protection (PAGE_*).'),
  type: integer('MEM_PRIVATE (0x20000), MEM_MAPPED (0x40000) or MEM_IMAGE (0x1000000).'),
  time_date_stamp: nullable(integer('Image timestamp (PE header; file mtime in Unix seconds on Linux).')),
  size_of_image_bytes: nullable(integer('Size of the image.')),
  image_base: nullable(u64('Base address of the image.')),
  check_sum: nullable(integer('Image checksum (Windows).')),
  mapped_file_name_id: nullable(integer('Mapped file or Linux pseudo-name like [heap] (strings).')),
  permissions: nullable(text('Linux permissions as in maps, e.g. r-xp.')),
  file_offset_bytes: nullable(integer('Offset in the mapped file.')),
  device: nullable(text('Device of the mapped file, major:minor in hex.')),
  inode: nullable(integer('Inode of the mapped file.')),
  resident_bytes: nullable(integer('Resident size (smaps Rss, details only).')),
  proportional_bytes: nullable(integer('Proportional set size (smaps Pss, details only).')),
  private_bytes: nullable(integer('Private clean + dirty (smaps, details only).')),
  swap_bytes: nullable(integer('Swapped out (smaps, details only).')),
};

const processColumns = {
  exit_status: integer('Exit status; 259 (STILL_ACTIVE) while running.'),
  peb_base_address: nullable(u64('PEB address in the target (Windows).')),
  affinity_mask: nullable(u64('CPU affinity mask (first 64 CPUs).')),
  base_priority: nullable(integer('Base priority (Linux: stat priority).')),
  process_id: integer('Process id.'),
  parent_process_id: nullable(integer('Parent process id.')),
  flags: integer('PSS_PROCESS_FLAGS (0x10 = frozen/stopped).'),
  create_time_us: nullable(integer('Creation time, µs since the Unix epoch.')),
  exit_time_us: nullable(integer('Exit time, µs since the Unix epoch.')),
  kernel_time_us: nullable(integer('CPU time in kernel mode, µs.')),
  user_time_us: nullable(integer('CPU time in user mode, µs.')),
  priority_class: nullable(integer('Windows priority class (Linux: from policy and nice).')),
  peak_virtual_size_bytes: nullable(integer('Peak virtual size.')),
  virtual_size_bytes: nullable(integer('Virtual size.')),
  page_fault_count: nullable(integer('Page faults, minor and major.')),
  peak_working_set_size_bytes: nullable(integer('Peak resident set.')),
  working_set_size_bytes: nullable(integer('Resident set.')),
  quota_peak_paged_pool_usage_bytes: nullable(integer('Peak paged pool quota (Windows).')),
  quota_paged_pool_usage_bytes: nullable(integer('Paged pool quota (Windows).')),
  quota_peak_non_paged_pool_usage_bytes: nullable(integer('Peak non-paged pool quota (Windows).')),
  quota_non_paged_pool_usage_bytes: nullable(integer('Non-paged pool quota (Windows).')),
  pagefile_usage_bytes: nullable(integer('Commit charge (Linux: anonymous resident + swap).')),
  peak_pagefile_usage_bytes: nullable(integer('Peak commit charge (Windows).')),
  private_usage_bytes: nullable(integer('Private memory in use.')),
  execute_flags: nullable(integer('Execute flags (Windows).')),
};

const processStrings = {
  image_file_name_id: nullable(integer('Executable path (strings).')),
  name_id: nullable(integer('Process name, Linux comm (strings).')),
  command_line_id: nullable(integer('Command line (strings).')),
};

const processLinux = {
  state: nullable(text('Linux state letter.')),
  nice: nullable(integer('Nice value.')),
  thread_count: nullable(integer('Threads, as the process reports.')),
  major_fault_count: nullable(integer('Major page faults.')),
  swap_bytes: nullable(integer('Swapped-out memory.')),
};

const socketColumns = {
  protocol: text('tcp, tcp6, udp, udp6, unix, raw, netlink, packet or unknown.'),
  // Unix socket paths are file names: any bytes, so they are strings like other names.
  local_address_id: nullable(integer('Local endpoint (strings), e.g. 127.0.0.1:8080 or a unix path.')),
  remote_address_id: nullable(integer('Remote endpoint (strings), when connected.')),
  state: nullable(text('TCP or unix socket state, e.g. LISTEN, ESTABLISHED.')),
};

const detail = { handle_version_id: integer('The handle version (handle_versions) this detail belongs to.') };

/** The tables of a recording. */
export const TABLES = {
  schema_migrations: table('Migrations applied to this database, in order.', {
    version: integer('Migration number.'),
    name: text('Migration file name.'),
    applied_at_us: integer('When it was applied, µs since the Unix epoch.'),
  }),
  strings: table('Every repeated text once: paths, type names, thread names, command lines.', {
    string_id: id('Key.'),
    value: text('The text; bytes that are not UTF-8 are shown as \\xNN.'),
    raw: nullable(blob('The exact bytes, when the text is not valid UTF-8.')),
  }),
  process_instances: table('One process on one host: a pid with its creation time. Its captures share entry versions.', {
    instance_id: id('Key.'),
    host: text('Host name.'),
    pid: integer('Process id.'),
    create_time_us: nullable(integer('Creation time, µs since the Unix epoch.')),
    name_id: nullable(integer('Process name (strings).')),
    last_seq: integer('Sequence number of the last capture recorded for it.'),
  }),
  captures: table('One row per capture: who, where, when, with which flags, and counts.', {
    capture_id: id('Key.'),
    instance_id: integer('The process instance (process_instances).'),
    seq: integer('1, 2, 3... within the process instance.'),
    pid: integer('Process id.'),
    host: text('Host name.'),
    platform: text('linux or win32.'),
    backend: text('procfs (Linux) or kernel32 (Windows).'),
    capture_flags: integer('PSS_CAPTURE_FLAGS used.'),
    thread_context_flags: integer('CONTEXT flags used for thread contexts.'),
    details: integer('1 when per-region smaps sizes were read.'),
    started_at_us: integer('Start of the capture, µs since the Unix epoch.'),
    duration_us: integer('Wall-clock duration of the capture, µs.'),
    recorded_at_us: integer('When it was written to this database, µs since the Unix epoch.'),
    label: nullable(text('Free text given with --label.')),
    thread_count: nullable(integer('Threads captured; NULL when threads were not captured.')),
    handle_count: nullable(integer('Handles captured; NULL when handles were not captured.')),
    region_count: nullable(integer('Regions captured; NULL when the VA space was not captured.')),
    aux_page_count: nullable(integer('Auxiliary pages captured (Windows).')),
    thread_name_count: nullable(integer('Thread names captured; NULL when not captured.')),
    thread_context_length: integer('Bytes of each CONTEXT record (Windows).'),
    skipped_count: integer('Threads, handles or regions that vanished while they were read.'),
    denied_count: integer('Fields left NULL because they needed more privilege.'),
    va_clone_handle: nullable(u64('Handle of the VA clone (Windows).')),
    handle_trace_section_handle: nullable(u64('Section handle of the handle trace (Windows).')),
    handle_trace_size_bytes: nullable(integer('Size of the handle trace (Windows).')),
    pssql_version: text('Version of pssql that recorded it.'),
  }),
  process_info: table('PSS_PROCESS_INFORMATION of each capture.', {
    capture_id: integer('The capture.'),
    ...processColumns,
    ...processStrings,
    ...processLinux,
  }),
  performance_counters: table('PSS_PERFORMANCE_COUNTERS: cost of each phase of a capture.', {
    capture_id: integer('The capture.'),
    phase: text('total, va_clone, va_space, aux_pages, handles or threads.'),
    cycle_count: nullable(integer('CPU cycles (Windows).')),
    wall_clock_us: integer('Wall-clock time, µs.'),
    cpu_time_us: nullable(integer('CPU time of the capturing process, µs (Linux).')),
  }),
  thread_versions: table('Thread entries (PSS_THREAD_ENTRY), shared by the captures they did not change in.', {
    thread_version_id: id('Key.'),
    ...versioned,
    ...threadColumns,
  }),
  thread_names: table('PSS_THREAD_NAME entries, only where they differ from the threads\' own names.', {
    capture_id: integer('The capture.'),
    ord: integer('Position in the walk.'),
    name_id: integer('Thread name (strings).'),
  }),
  handle_versions: table('Handle entries (PSS_HANDLE_ENTRY; fds on Linux), shared by the captures they did not change in.', {
    handle_version_id: id('Key.'),
    ...versioned,
    ...handleColumns,
  }),
  handle_process_details: table('Type-specific information of process handles (pidfds on Linux).', {
    ...detail,
    exit_status: nullable(integer('Exit status of the process.')),
    peb_base_address: nullable(u64('PEB address.')),
    affinity_mask: nullable(u64('Affinity mask.')),
    base_priority: nullable(integer('Base priority.')),
    process_id: nullable(integer('Process id the handle refers to.')),
    parent_process_id: nullable(integer('Its parent.')),
    flags: nullable(integer('PSS_PROCESS_FLAGS.')),
  }),
  handle_thread_details: table('Type-specific information of thread handles (Windows).', {
    ...detail,
    exit_status: nullable(integer('Exit status of the thread.')),
    teb_base_address: nullable(u64('TEB address.')),
    process_id: nullable(integer('Owning process.')),
    thread_id: nullable(integer('Thread id.')),
    affinity_mask: nullable(u64('Affinity mask.')),
    priority: nullable(integer('Dynamic priority.')),
    base_priority: nullable(integer('Base priority.')),
    win32_start_address: nullable(u64('Start address.')),
  }),
  handle_mutant_details: table('Type-specific information of mutant (mutex) handles (Windows).', {
    ...detail,
    current_count: integer('Current count.'),
    abandoned: integer('1 when abandoned.'),
    owner_process_id: integer('Owning process.'),
    owner_thread_id: integer('Owning thread.'),
  }),
  handle_event_details: table('Type-specific information of event handles (eventfds on Linux).', {
    ...detail,
    manual_reset: integer('1 for a manual-reset event.'),
    signaled: integer('1 when signaled (eventfd count not 0).'),
  }),
  handle_section_details: table('Type-specific information of section handles (memfds on Linux).', {
    ...detail,
    base_address: nullable(u64('Base address.')),
    allocation_attributes: nullable(integer('Allocation attributes.')),
    maximum_size_bytes: nullable(integer('Maximum size (memfd size on Linux).')),
  }),
  handle_semaphore_details: table('Type-specific information of semaphore handles (Windows).', {
    ...detail,
    current_count: integer('Current count.'),
    maximum_count: integer('Maximum count.'),
  }),
  handle_socket_details: table('Socket endpoints of socket fds (Linux, from /proc/PID/net).', {
    ...detail,
    ...socketColumns,
  }),
  region_versions: table('VA regions (PSS_VA_SPACE_ENTRY), shared by the captures they did not change in.', {
    region_version_id: id('Key.'),
    ...versioned,
    ...regionColumns,
  }),
  auxiliary_pages: table('PSS_AUXILIARY_PAGE_ENTRY of each capture (Windows).', {
    capture_id: integer('The capture.'),
    ord: integer('Position in the walk.'),
    address: u64('Page address.'),
    base_address: u64('MEMORY_BASIC_INFORMATION.BaseAddress.'),
    allocation_base: u64('AllocationBase.'),
    allocation_protect: integer('AllocationProtect.'),
    region_size_bytes: integer('RegionSize.'),
    state: integer('State.'),
    protect: integer('Protect.'),
    type: integer('Type.'),
    capture_time_offset_us: nullable(integer('Capture time minus the capture start, µs.')),
    page_contents: nullable(blob('The page.')),
    page_size: integer('Page size.'),
  }),
  object_types: table('Lookup: PSS_OBJECT_TYPE values (handles.object_type) with their names.', {
    object_type: integer('The value, as in handles.object_type.'),
    name: text("pssql's name: unknown, process, thread, mutant, event, section, semaphore."),
    windows_name: text('The Windows name, e.g. PSS_OBJECT_TYPE_EVENT.'),
  }),
  memory_states: table('Lookup: region states (regions.state) with their names.', {
    state: integer('The value, as in regions.state.'),
    name: text('commit, reserve or free.'),
    windows_name: text('MEM_COMMIT, MEM_RESERVE or MEM_FREE.'),
  }),
  memory_types: table('Lookup: region types (regions.type) with their names.', {
    type: integer('The value, as in regions.type.'),
    name: text('private, mapped or image.'),
    windows_name: text('MEM_PRIVATE, MEM_MAPPED or MEM_IMAGE.'),
  }),
  page_protections: table('Lookup: base page protections; join on `protect & 0xff` (the high bits are modifiers like PAGE_GUARD).', {
    protect: integer('The base protection, the low byte of regions.protect.'),
    name: text('The Windows name, e.g. PAGE_READWRITE.'),
    short_name: text("rwx form, e.g. 'rw-' ('c' = copy-on-write)."),
    readable: integer('1 when the pages can be read.'),
    writable: integer('1 when the pages can be written (including copy-on-write).'),
    executable: integer('1 when the pages can be executed.'),
    copy_on_write: integer('1 for copy-on-write (PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY).'),
  }),
  thread_states: table('Lookup: Linux thread and process state letters (threads.state, processes.state).', {
    state: text('The letter: R, S, D, T, Z...'),
    name: text('running, sleeping, disk-sleep, stopped, zombie...'),
  }),
  handle_flags: table('Lookup: PSS_HANDLE_FLAGS bits (handles.flags & flag): which parts of a handle entry are valid.', {
    flag: integer('The bit.'),
    name: text("pssql's name, e.g. have-name."),
    windows_name: text('The Windows name, e.g. PSS_HANDLE_HAVE_NAME.'),
  }),
  capture_flags: table('Lookup: PSS_CAPTURE_FLAGS bits (captures.capture_flags & flag): what a capture took.', {
    flag: integer('The bit.'),
    name: text('The name `pssql capture --flags` accepts, e.g. handles.'),
    windows_name: text('The Windows name, e.g. PSS_CAPTURE_HANDLES.'),
    description: text('What it captures.'),
  }),
} as const satisfies Record<string, Relation>;

/** The views: one row per entry per capture, with names decoded. */
export const VIEWS = {
  processes: view('Process information of each capture, with its names and command line.', {
    capture_id: integer('The capture.'),
    pid: integer('Process id.'),
    started_at_us: integer('Start of the capture, µs since the Unix epoch.'),
    ...processColumns,
    image_file_name: nullable(text('Executable path.')),
    name: nullable(text('Process name.')),
    command_line: nullable(text('Command line.')),
    ...processLinux,
  }),
  threads: view('Threads of each capture.', {
    capture_id: integer('The capture.'),
    thread_version_id: integer('The stored version (thread_versions).'),
    ...threadColumns,
    name: nullable(text('Thread name.')),
  }),
  handles: view('Handles (fds) of each capture, with names and socket endpoints.', {
    capture_id: integer('The capture.'),
    handle_version_id: integer('The stored version (handle_versions).'),
    ...handleColumns,
    type_name: nullable(text('Type name.')),
    object_name: nullable(text('Object name (fd target).')),
    protocol: nullable(text('Socket protocol.')),
    local_address: nullable(text('Socket local endpoint.')),
    remote_address: nullable(text('Socket remote endpoint.')),
    socket_state: nullable(text('Socket state.')),
  }),
  regions: view('VA regions of each capture, with mapped file names.', {
    capture_id: integer('The capture.'),
    region_version_id: integer('The stored version (region_versions).'),
    ...regionColumns,
    mapped_file_name: nullable(text('Mapped file or pseudo-name.')),
  }),
} as const satisfies Record<string, Relation>;

/** The Kysely database type of a recording: every table and view. */
export type Database = { [K in keyof typeof TABLES]: RowOf<(typeof TABLES)[K]> } & {
  [K in keyof typeof VIEWS]: RowOf<(typeof VIEWS)[K]>;
};

/** Every relation by name. */
export const RELATIONS: Readonly<Record<string, Relation>> = { ...TABLES, ...VIEWS };

/** `table.column` of every unsigned 64-bit column: these read back as bigint. */
export const U64_COLUMNS: ReadonlySet<string> = new Set(
  Object.entries(RELATIONS).flatMap(([name, relation]) =>
    Object.entries(relation.columns)
      .filter(([, c]) => c.kind === 'u64')
      .map(([column]) => `${name}.${column}`),
  ),
);
