import { ObjectType } from '../pss/object-type.js';
import { blob, id, integer, jsonId, type Relation, type RowOf, stringId, table, text, u64, view } from './column.js';

/*
 * Every table and view of a pssql recording, declared once: columns with their types, units,
 * descriptions, platforms, and the model fields they are stored from with their codecs. From
 * this come the Kysely `Database` type, the row codecs of the writer and the stored snapshot
 * (row-codec.ts), `pssql schema`, and the SQL that test/store/schema.test.ts compares, both ways,
 * with a recording migrated from empty by migrations/sqlite/*.sql.
 *
 * Entries of threads, handles and regions are stored as versions shared between consecutive
 * captures of one process instance: a version holds from capture `first_seq` to `last_seq`
 * (NULL while it is still current), so an unchanged entry costs nothing in a new capture. The
 * views `threads`, `handles` and `regions` present one row per entry per capture.
 */

const versioned = {
  instance_id: integer('The process instance whose captures share this version.').references('process_instances', 'instance_id'),
  first_seq: integer('Sequence number (captures.seq) of the first capture holding this version.'),
  last_seq: integer('Sequence number of the last capture holding it; NULL while current.').orNull(),
};

/** The key of the store's own recording: the one its captures are written into (recordings.recording_key). */
export const OWN_RECORDING_KEY = 1;

/*
 * The recording a row belongs to, in the tables a central store partitions by recording. Added
 * by a migration to tables that hold rows, so it has a default: the store's own recording.
 */
const recordingKey = () =>
  integer('The recording (recordings.recording_key) it belongs to; 1, the store\'s own, unless it was pushed here.').defaultTo(String(OWN_RECORDING_KEY));

const threadColumns = {
  thread_id: integer('Thread id (Linux tid).').of(),
  exit_status: integer('Exit status; 259 (STILL_ACTIVE) while running.').of(),
  teb_base_address: u64('TEB address in the target (Windows).').orNull().of().on('win32'),
  process_id: integer('Owning process id.').of(),
  affinity_mask: u64('CPU affinity mask (first 64 CPUs).').orNull().of(),
  priority: integer('Dynamic priority (Linux: stat priority).').orNull().of(),
  base_priority: integer('Base priority (Linux: 20 + nice, or the real-time priority).').orNull().of(),
  last_syscall_first_argument: u64('First argument of the system call the thread is blocked in.').orNull().of(),
  last_syscall_number: integer('Number of the system call the thread is blocked in.').orNull().of(),
  create_time_us: integer('Creation time, µs since the Unix epoch.').orNull().of(),
  exit_time_us: integer('Exit time, µs since the Unix epoch.').orNull().of(),
  kernel_time_us: integer('CPU time in kernel mode, µs.').orNull().of(),
  user_time_us: integer('CPU time in user mode, µs.').orNull().of(),
  win32_start_address: u64('Start address (Windows).').orNull().of().on('win32'),
  capture_time_offset_us: integer('Capture time of the entry minus the capture start, µs.').orNull().of('captureTimeUs', 'offset_us'),
  flags: integer('PSS_THREAD_FLAGS (1 = terminated).').of(),
  suspend_count: integer('Suspend count (Linux: 1 while stopped).').orNull().of(),
  instruction_pointer: u64('Instruction pointer (thread context).').orNull().of(),
  stack_pointer: u64('Stack pointer (thread context).').orNull().of(),
  name_id: stringId('Thread name (strings).').orNull(),
  state: text('Linux state letter: R running, S sleeping, D disk sleep, T stopped, Z zombie...').orNull().of().on('linux'),
  voluntary_context_switches: integer('Voluntary context switches.').orNull().of().on('linux'),
  involuntary_context_switches: integer('Involuntary context switches.').orNull().of().on('linux'),
  context_record: blob('Raw CONTEXT record (Windows thread contexts).').orNull().of().on('win32'),
  scheduling_policy: integer('Scheduling policy: 0 SCHED_OTHER, 1 SCHED_FIFO, 2 SCHED_RR, 3 SCHED_BATCH, 5 SCHED_IDLE, 6 SCHED_DEADLINE.').orNull().of().on('linux'),
  realtime_priority: integer('Real-time priority, 1-99 under SCHED_FIFO and SCHED_RR, else 0.').orNull().of().on('linux'),
};

const handleColumns = {
  handle_value: integer('Handle value in the target; the fd number on Linux.').of('handle'),
  flags: integer('PSS_HANDLE_FLAGS: which parts are valid.').of(),
  object_type: integer('PSS_OBJECT_TYPE (0 unknown, 1 process, 2 thread, 3 mutant, 4 event, 5 section, 6 semaphore).').of(),
  capture_time_offset_us: integer('Capture time of the entry minus the capture start, µs.').orNull().of('captureTimeUs', 'offset_us'),
  attributes: integer('Handle attributes (2 = inheritable: no O_CLOEXEC on Linux).').orNull().of(),
  granted_access: integer('Access mask (Linux: FILE_GENERIC_READ/WRITE from the open mode).').orNull().of(),
  handle_count: integer('Handles to the object (Windows).').orNull().of().on('win32'),
  pointer_count: integer('References to the object (Windows).').orNull().of().on('win32'),
  paged_pool_charge: integer('Paged pool charge (Windows).').orNull().of().on('win32'),
  non_paged_pool_charge: integer('Non-paged pool charge (Windows).').orNull().of().on('win32'),
  creation_time_us: integer('Object creation time, µs since the Unix epoch (Windows).').orNull().of().on('win32'),
  type_name_id: stringId('Type name (strings): File, Directory, Pipe, Socket, Event, Process, Memfd...').orNull(),
  object_name_id: stringId('Object name (strings): the fd link target on Linux.').orNull(),
  open_flags: integer('Linux open flags (O_*), from fdinfo.').orNull().of().on('linux'),
  position_bytes: integer('File position, from fdinfo.').orNull().of().on('linux'),
  inode: integer('Inode number, from fdinfo.').orNull().of().on('linux'),
  mount_id: integer('Mount id, from fdinfo.').orNull().of().on('linux'),
  size_bytes: integer('Size of the file or directory (lsof SIZE), from stat.').orNull().of().on('linux'),
  device: text('Device, major:minor in hex as in maps: the device itself for a device file, else its file system (lsof DEVICE).').orNull().of().on('linux'),
  link_count: integer('Links to the file (lsof NLINK): 0 once it is deleted.').orNull().of().on('linux'),
  inotify_watch_count: integer('Watches of an inotify fd.').orNull().of().on('linux'),
};

/** MEMORY_BASIC_INFORMATION: the columns regions and auxiliary pages share. */
const basicInformation = (prefix: string) => ({
  base_address: u64('Start address of the region.').of(`${prefix}baseAddress`),
  allocation_base: u64('Start of the allocation the region belongs to.').of(`${prefix}allocationBase`),
  allocation_protect: integer('Protection of the allocation (PAGE_*).').of(`${prefix}allocationProtect`),
  region_size_bytes: integer('Size of the region.').of(`${prefix}regionSizeBytes`),
  state: integer('MEM_COMMIT (0x1000), MEM_RESERVE (0x2000) or MEM_FREE (0x10000).').of(`${prefix}state`),
  protect: integer('Protection (PAGE_*).').of(`${prefix}protect`),
  type: integer('MEM_PRIVATE (0x20000), MEM_MAPPED (0x40000) or MEM_IMAGE (0x1000000).').of(`${prefix}type`),
});

const regionColumns = {
  ...basicInformation(''),
  time_date_stamp: integer('Image timestamp (PE header; file mtime in Unix seconds on Linux).').orNull().of(),
  size_of_image_bytes: integer('Size of the image.').orNull().of(),
  image_base: u64('Base address of the image.').orNull().of(),
  check_sum: integer('Image checksum (Windows).').orNull().of().on('win32'),
  mapped_file_name_id: stringId('Mapped file or Linux pseudo-name like [heap] (strings).').orNull(),
  permissions: text('Linux permissions as in maps, e.g. r-xp.').orNull().of().on('linux'),
  file_offset_bytes: integer('Offset in the mapped file.').orNull().of().on('linux'),
  device: text('Device of the mapped file, major:minor in hex.').orNull().of().on('linux'),
  inode: integer('Inode of the mapped file.').orNull().of().on('linux'),
  resident_bytes: integer('Resident size (smaps Rss, details only).').orNull().of().on('linux'),
  proportional_bytes: integer('Proportional set size (smaps Pss, details only).').orNull().of().on('linux'),
  private_bytes: integer('Private clean + dirty (smaps, details only).').orNull().of().on('linux'),
  swap_bytes: integer('Swapped out (smaps, details only).').orNull().of().on('linux'),
  shared_clean_bytes: integer('Shared clean pages (smaps Shared_Clean, details only).').orNull().of().on('linux'),
  shared_dirty_bytes: integer('Shared dirty pages (smaps Shared_Dirty, details only).').orNull().of().on('linux'),
  private_clean_bytes: integer('Private clean pages (smaps Private_Clean, details only).').orNull().of().on('linux'),
  private_dirty_bytes: integer('Private dirty pages (smaps Private_Dirty, details only).').orNull().of().on('linux'),
  anonymous_bytes: integer('Anonymous pages (smaps Anonymous, details only).').orNull().of().on('linux'),
  locked_bytes: integer('Locked pages (smaps Locked, details only).').orNull().of().on('linux'),
  vm_flags: text('smaps VmFlags, e.g. rd ex mr mw me (details only).').orNull().of().on('linux'),
  link_count: integer('Links to the mapped file: 0 once it is deleted.').orNull().of().on('linux'),
};

const processColumns = {
  exit_status: integer('Exit status; 259 (STILL_ACTIVE) while running.').of(),
  peb_base_address: u64('PEB address in the target (Windows).').orNull().of().on('win32'),
  affinity_mask: u64('CPU affinity mask (first 64 CPUs).').orNull().of(),
  base_priority: integer('Base priority (Linux: stat priority).').orNull().of(),
  process_id: integer('Process id.').of(),
  parent_process_id: integer('Parent process id.').orNull().of(),
  flags: integer('PSS_PROCESS_FLAGS (0x10 = frozen/stopped).').of(),
  create_time_us: integer('Creation time, µs since the Unix epoch.').orNull().of(),
  exit_time_us: integer('Exit time, µs since the Unix epoch.').orNull().of(),
  kernel_time_us: integer('CPU time in kernel mode, µs.').orNull().of(),
  user_time_us: integer('CPU time in user mode, µs.').orNull().of(),
  priority_class: integer('Windows priority class (Linux: from policy and nice).').orNull().of(),
  peak_virtual_size_bytes: integer('Peak virtual size.').orNull().of(),
  virtual_size_bytes: integer('Virtual size.').orNull().of(),
  page_fault_count: integer('Page faults, minor and major.').orNull().of(),
  peak_working_set_size_bytes: integer('Peak resident set.').orNull().of(),
  working_set_size_bytes: integer('Resident set.').orNull().of(),
  quota_peak_paged_pool_usage_bytes: integer('Peak paged pool quota (Windows).').orNull().of().on('win32'),
  quota_paged_pool_usage_bytes: integer('Paged pool quota (Windows).').orNull().of().on('win32'),
  quota_peak_non_paged_pool_usage_bytes: integer('Peak non-paged pool quota (Windows).').orNull().of().on('win32'),
  quota_non_paged_pool_usage_bytes: integer('Non-paged pool quota (Windows).').orNull().of().on('win32'),
  pagefile_usage_bytes: integer('Commit charge (Linux: anonymous resident + swap).').orNull().of(),
  peak_pagefile_usage_bytes: integer('Peak commit charge (Windows).').orNull().of().on('win32'),
  private_usage_bytes: integer('Private memory in use.').orNull().of(),
  execute_flags: integer('Execute flags (Windows).').orNull().of().on('win32'),
};

const processStrings = {
  image_file_name_id: stringId('Executable path (strings).').orNull(),
  name_id: stringId('Process name, Linux comm (strings).').orNull(),
  command_line_id: stringId('Command line (strings).').orNull(),
};

const processLinux = {
  state: text('Linux state letter.').orNull().of().on('linux'),
  nice: integer('Nice value.').orNull().of().on('linux'),
  thread_count: integer('Threads, as the process reports.').orNull().of().on('linux'),
  major_fault_count: integer('Major page faults.').orNull().of().on('linux'),
  swap_bytes: integer('Swapped-out memory.').orNull().of().on('linux'),
};

/** What Linux adds to PSS_PROCESS_INFORMATION since schema 3: argv, directories, users, namespaces, cgroup, limits, I/O. */
const processIdentity = {
  argv_id: jsonId('Every argument exactly, as a JSON array (strings); command_line quotes them as a shell would.').orNull().on('linux'),
  current_directory_id: stringId('Working directory (strings; lsof cwd).').orNull().on('linux'),
  root_directory_id: stringId('Root directory (strings; lsof rtd).').orNull().on('linux'),
  uid: integer('Real user id.').orNull().of('realUserId').on('linux'),
  euid: integer('Effective user id.').orNull().of('effectiveUserId').on('linux'),
  gid: integer('Real group id.').orNull().of('realGroupId').on('linux'),
  egid: integer('Effective group id.').orNull().of('effectiveGroupId').on('linux'),
  user_name_id: stringId('Name of the real user on the recording host (strings).').orNull().on('linux'),
  effective_user_name_id: stringId('Name of the effective user (strings).').orNull().on('linux'),
  group_name_id: stringId('Name of the real group (strings).').orNull().on('linux'),
  effective_group_name_id: stringId('Name of the effective group (strings).').orNull().on('linux'),
  namespace_pid: integer('The pid inside its own pid namespace (last of NSpid).').orNull().of().on('linux'),
  pid_namespace: integer('Pid namespace id (the inode of /proc/PID/ns/pid).').orNull().of().on('linux'),
  net_namespace: integer('Network namespace id.').orNull().of().on('linux'),
  mnt_namespace: integer('Mount namespace id.').orNull().of().on('linux'),
  user_namespace: integer('User namespace id.').orNull().of().on('linux'),
  uts_namespace: integer('UTS namespace id.').orNull().of().on('linux'),
  ipc_namespace: integer('IPC namespace id.').orNull().of().on('linux'),
  cgroup_namespace: integer('Cgroup namespace id.').orNull().of().on('linux'),
  cgroup_id: stringId('The cgroup v2 path (strings).').orNull().on('linux'),
  container: text('The container id its cgroup names (docker, containerd, CRI-O, podman, kubepods).').orNull().of('containerId').on('linux'),
  open_file_limit: integer('Open-file limit, soft (RLIMIT_NOFILE); NULL when unlimited.').orNull().of().on('linux'),
  open_file_limit_hard: integer('Open-file limit, hard.').orNull().of().on('linux'),
  io_read_chars_bytes: integer('Bytes read through read calls (/proc/PID/io rchar).').orNull().of().on('linux'),
  io_write_chars_bytes: integer('Bytes written through write calls (wchar).').orNull().of().on('linux'),
  io_read_syscalls: integer('Read calls (syscr).').orNull().of().on('linux'),
  io_write_syscalls: integer('Write calls (syscw).').orNull().of().on('linux'),
  io_read_bytes: integer('Bytes read from storage (read_bytes).').orNull().of().on('linux'),
  io_write_bytes: integer('Bytes written to storage (write_bytes).').orNull().of().on('linux'),
  io_cancelled_write_bytes: integer('Written bytes never stored: the file was truncated or deleted (cancelled_write_bytes).').orNull().of().on('linux'),
};

const socketColumns = {
  protocol: text('tcp, tcp6, udp, udp6, unix, raw, netlink, packet or unknown.').of(),
  // Unix socket paths are file names: any bytes, so they are strings like other names.
  local_address_id: stringId('Local endpoint (strings), e.g. 127.0.0.1:8080 or a unix path.').orNull(),
  remote_address_id: stringId('Remote endpoint (strings), when connected.').orNull(),
  state: text('TCP or unix socket state, e.g. LISTEN, ESTABLISHED; UNCONN for an unconnected datagram socket.').orNull().of(),
  socket_type: text('STREAM, DGRAM, SEQPACKET or RAW.').orNull().of(),
  peer_inode: integer('Inode of the socket at the other end of a connected unix socket (sock_diag).').orNull().of(),
};

const partOf = (objectType?: ObjectType) => ({
  part: { parent: 'handle_versions', field: objectType === undefined ? 'socket' : 'typeSpecific', ...(objectType === undefined ? {} : { objectType }) },
});

const part = {
  handle_version_id: integer('The handle version (handle_versions) this detail belongs to.')
    .key()
    .references('handle_versions', 'handle_version_id', 'cascade'),
};

const captureKey = (description = 'The capture.') => integer(description).references('captures', 'capture_id', 'cascade');

const versionIndexes = (prefix: string) => [
  { name: `${prefix}_by_instance`, columns: ['instance_id', 'first_seq'] },
  { name: `${prefix}_by_end`, columns: ['instance_id', 'last_seq'] },
];

const lookupKey = (description: string) => integer(description).key();

/** The tables of a recording. */
export const TABLES = {
  schema_migrations: table('Migrations applied to this database, in order.', {
    version: integer('Migration number.').key(),
    name: text('Migration file name.'),
    applied_at_us: integer('When it was applied, µs since the Unix epoch.'),
  }),
  recordings: table(
    'The recordings this store holds: its own (recording_key 1, made with the store) and those pushed into it (pssql push).',
    {
      recording_key: id('Key, local to this store: 1 is the store\'s own recording.'),
      recording_id: text('Random id given when the recording was made (32 hex digits): the same in every store it is pushed into.'),
      created_at_us: integer('When the recording was made, µs since the Unix epoch.'),
      pushed_at_us: integer('When it was last pushed into this store, µs since the Unix epoch; NULL for the store\'s own.').orNull(),
    },
    { unique: [['recording_id']] },
  ),
  strings: table(
    'Every repeated text once: paths, type names, thread names, command lines.',
    {
      string_id: id('Key.'),
      value: text('The text; bytes that are not UTF-8 are shown as \\xNN.'),
      raw: blob('The exact bytes, when the text is not valid UTF-8.').orNull(),
    },
    {
      indexes: [
        { name: 'strings_by_text', columns: ['value'], unique: true, where: 'raw IS NULL', hashed: true },
        { name: 'strings_by_bytes', columns: ['raw'], unique: true, where: 'raw IS NOT NULL', hashed: true },
      ],
    },
  ),
  process_instances: table(
    'One process on one host: a pid with its creation time. Its captures share entry versions.',
    {
      instance_id: id('Key.'),
      host: text('Host name.'),
      pid: integer('Process id.'),
      create_time_us: integer('Creation time, µs since the Unix epoch.').orNull(),
      name_id: stringId('Process name (strings).').orNull(),
      last_seq: integer('Sequence number of the last capture recorded for it (in a store pushed into: the last pushed).'),
      recording_key: recordingKey(),
      origin_instance_id: integer('Its instance_id in the recording it was captured in, when that is another store (pushed here); NULL otherwise.').orNull(),
    },
    { indexes: [{ name: 'process_instances_by_pid', columns: ['pid', 'host', 'create_time_us'] }] },
  ),
  captures: table(
    'One row per capture: who, where, when, with which flags, and counts.',
    {
      capture_id: id('Key.'),
      instance_id: integer('The process instance (process_instances).').references('process_instances', 'instance_id'),
      seq: integer('1, 2, 3... within the process instance.'),
      pid: integer('Process id.').of('processId'),
      host: text('Host name.').of(),
      platform: text('linux or win32.').of(),
      backend: text('procfs (Linux) or kernel32 (Windows).').of(),
      capture_flags: integer('PSS_CAPTURE_FLAGS used.').of('captureFlags', 'u32'),
      thread_context_flags: integer('CONTEXT flags used for thread contexts.').of('threadContextFlags', 'u32'),
      details: integer('1 when per-region smaps sizes were read.').of('details', 'bool'),
      started_at_us: integer('Start of the capture, µs since the Unix epoch.').of(),
      duration_us: integer('Wall-clock duration of the capture, µs.').of(),
      recorded_at_us: integer('When it was written to this database, µs since the Unix epoch.'),
      label: text('Free text given with --label.').orNull(),
      thread_count: integer('Threads captured; NULL when threads were not captured.').orNull(),
      handle_count: integer('Handles captured; NULL when handles were not captured.').orNull(),
      region_count: integer('Regions captured; NULL when the VA space was not captured.').orNull(),
      aux_page_count: integer('Auxiliary pages captured (Windows).').orNull().on('win32'),
      thread_name_count: integer('Thread names captured; NULL when not captured.').orNull(),
      thread_context_length: integer('Bytes of each CONTEXT record (Windows).'),
      skipped_count: integer('Threads, handles or regions that vanished while they were read.').of('skippedCount'),
      denied_count: integer('Fields left NULL because they needed more privilege.').of('deniedCount'),
      va_clone_handle: u64('Handle of the VA clone (Windows).').orNull().on('win32'),
      handle_trace_section_handle: u64('Section handle of the handle trace (Windows).').orNull().on('win32'),
      handle_trace_size_bytes: integer('Size of the handle trace (Windows).').orNull().on('win32'),
      pssql_version: text('Version of pssql that recorded it.'),
      denied_parts: text('Parts left out because they needed more privilege, comma-separated (handles, regions, namespaces...).').orNull().of('deniedParts', 'words'),
    },
    {
      unique: [['instance_id', 'seq']],
      indexes: [
        { name: 'captures_by_pid', columns: ['pid', 'started_at_us'] },
        { name: 'captures_by_time', columns: ['started_at_us'] },
      ],
      // CaptureInfo, in the model's order.
      recordKeys: ['processId', 'platform', 'backend', 'host', 'captureFlags', 'threadContextFlags', 'startedAtUs', 'durationUs', 'skippedCount', 'deniedCount', 'deniedParts', 'details'],
    },
  ),
  process_info: table('PSS_PROCESS_INFORMATION of each capture.', {
    capture_id: captureKey().key(),
    ...processColumns,
    ...processStrings,
    ...processLinux,
    ...processIdentity,
  }),
  performance_counters: table(
    'PSS_PERFORMANCE_COUNTERS: cost of each phase of a capture.',
    {
      capture_id: captureKey(),
      phase: text('total, va_clone, va_space, aux_pages, handles or threads.'),
      cycle_count: integer('CPU cycles (Windows).').orNull().of(),
      wall_clock_us: integer('Wall-clock time, µs.').of(),
      cpu_time_us: integer('CPU time of the capturing process, µs (Linux).').orNull().of(),
    },
    { primaryKey: ['capture_id', 'phase'], withoutRowid: true },
  ),
  thread_versions: table(
    'Thread entries (PSS_THREAD_ENTRY), shared by the captures they did not change in.',
    {
      thread_version_id: id('Key.'),
      ...versioned,
      ...threadColumns,
      recording_key: recordingKey(),
    },
    {
      indexes: versionIndexes('thread_versions'),
      partitionBy: 'recording_key',
      // ThreadEntry, in the model's order.
      recordKeys: [
        'exitStatus',
        'tebBaseAddress',
        'processId',
        'threadId',
        'affinityMask',
        'priority',
        'basePriority',
        'lastSyscallFirstArgument',
        'lastSyscallNumber',
        'createTimeUs',
        'exitTimeUs',
        'kernelTimeUs',
        'userTimeUs',
        'win32StartAddress',
        'captureTimeUs',
        'flags',
        'suspendCount',
        'contextRecord',
        'instructionPointer',
        'stackPointer',
        'name',
        'state',
        'voluntaryContextSwitches',
        'involuntaryContextSwitches',
      ],
    },
  ),
  thread_names: table(
    "PSS_THREAD_NAME entries, only where they differ from the threads' own names.",
    {
      capture_id: captureKey(),
      ord: integer('Position in the walk.'),
      name_id: stringId('Thread name (strings).').of('threadName', 'string'),
    },
    { primaryKey: ['capture_id', 'ord'], withoutRowid: true },
  ),
  handle_versions: table(
    'Handle entries (PSS_HANDLE_ENTRY; fds on Linux), shared by the captures they did not change in.',
    {
      handle_version_id: id('Key.'),
      ...versioned,
      ...handleColumns,
      recording_key: recordingKey(),
    },
    {
      indexes: versionIndexes('handle_versions'),
      partitionBy: 'recording_key',
      // HandleEntry, in the model's order: its parts (typeSpecific, socket) are tables of their own.
      recordKeys: [
        'handle',
        'flags',
        'objectType',
        'captureTimeUs',
        'attributes',
        'grantedAccess',
        'handleCount',
        'pointerCount',
        'pagedPoolCharge',
        'nonPagedPoolCharge',
        'creationTimeUs',
        'typeName',
        'objectName',
        'typeSpecific',
        'openFlags',
        'positionBytes',
        'inode',
        'mountId',
        'socket',
        'sizeBytes',
        'device',
        'linkCount',
        'epollTargets',
        'timer',
        'inotifyWatchCount',
      ],
    },
  ),
  handle_process_details: table(
    'Type-specific information of process handles (pidfds on Linux).',
    {
      ...part,
      exit_status: integer('Exit status of the process.').orNull().of(),
      peb_base_address: u64('PEB address.').orNull().of().on('win32'),
      affinity_mask: u64('Affinity mask.').orNull().of().on('win32'),
      base_priority: integer('Base priority.').orNull().of().on('win32'),
      process_id: integer('Process id the handle refers to.').orNull().of(),
      parent_process_id: integer('Its parent.').orNull().of().on('win32'),
      flags: integer('PSS_PROCESS_FLAGS.').orNull().of().on('win32'),
    },
    partOf(ObjectType.Process),
  ),
  handle_thread_details: table(
    'Type-specific information of thread handles (Windows).',
    {
      ...part,
      exit_status: integer('Exit status of the thread.').orNull().of(),
      teb_base_address: u64('TEB address.').orNull().of(),
      process_id: integer('Owning process.').orNull().of(),
      thread_id: integer('Thread id.').orNull().of(),
      affinity_mask: u64('Affinity mask.').orNull().of(),
      priority: integer('Dynamic priority.').orNull().of(),
      base_priority: integer('Base priority.').orNull().of(),
      win32_start_address: u64('Start address.').orNull().of(),
    },
    partOf(ObjectType.Thread),
  ),
  handle_mutant_details: table(
    'Type-specific information of mutant (mutex) handles (Windows).',
    {
      ...part,
      current_count: integer('Current count.').of(),
      abandoned: integer('1 when abandoned.').of('abandoned', 'bool'),
      owner_process_id: integer('Owning process.').of(),
      owner_thread_id: integer('Owning thread.').of(),
    },
    partOf(ObjectType.Mutant),
  ),
  handle_event_details: table(
    'Type-specific information of event handles (eventfds on Linux).',
    {
      ...part,
      manual_reset: integer('1 for a manual-reset event.').of('manualReset', 'bool'),
      signaled: integer('1 when signaled (eventfd count not 0).').of('signaled', 'bool'),
      count: u64('The eventfd counter (Linux).').orNull().of().on('linux'),
    },
    partOf(ObjectType.Event),
  ),
  handle_section_details: table(
    'Type-specific information of section handles (memfds on Linux).',
    {
      ...part,
      base_address: u64('Base address.').orNull().of().on('win32'),
      allocation_attributes: integer('Allocation attributes.').orNull().of().on('win32'),
      maximum_size_bytes: integer('Maximum size (memfd size on Linux).').orNull().of(),
    },
    partOf(ObjectType.Section),
  ),
  handle_semaphore_details: table(
    'Type-specific information of semaphore handles (Windows).',
    {
      ...part,
      current_count: integer('Current count.').of(),
      maximum_count: integer('Maximum count.').of(),
    },
    partOf(ObjectType.Semaphore),
  ),
  handle_socket_details: table('Socket endpoints of socket fds (Linux, from /proc/PID/net).', { ...part, ...socketColumns }, partOf()),
  handle_timer_details: table(
    'Settings of timerfds (Linux fdinfo).',
    {
      ...part,
      clock_id: integer('CLOCK_REALTIME (0), CLOCK_MONOTONIC (1), CLOCK_BOOTTIME (7)...').of(),
      ticks: integer('Expirations not yet read.').of(),
      settime_flags: integer('timerfd_settime flags (1 = TFD_TIMER_ABSTIME).').of(),
      interval_ns: integer('Interval, ns (0: one-shot or disarmed).').of(),
    },
    { part: { parent: 'handle_versions', field: 'timer' } },
  ),
  handle_epoll_targets: table(
    'The fds each epoll fd watches (Linux fdinfo tfd lines), a row per fd.',
    {
      handle_version_id: integer('The epoll fd (handle_versions).').references('handle_versions', 'handle_version_id', 'cascade'),
      ord: integer('Position in fdinfo.'),
      target_fd: integer('The watched fd.').of(),
      events: integer('EPOLL* event mask.').of(),
      data: u64('User data registered with it.').of(),
    },
    { primaryKey: ['handle_version_id', 'ord'], withoutRowid: true, part: { parent: 'handle_versions', field: 'epollTargets', list: true } },
  ),
  region_versions: table(
    'VA regions (PSS_VA_SPACE_ENTRY), shared by the captures they did not change in.',
    {
      region_version_id: id('Key.'),
      ...versioned,
      ...regionColumns,
      recording_key: recordingKey(),
    },
    { indexes: versionIndexes('region_versions'), partitionBy: 'recording_key' },
  ),
  auxiliary_pages: table(
    'PSS_AUXILIARY_PAGE_ENTRY of each capture (Windows).',
    {
      capture_id: captureKey(),
      ord: integer('Position in the walk.'),
      address: u64('Page address.').of(),
      base_address: u64('MEMORY_BASIC_INFORMATION.BaseAddress.').of('basicInformation.baseAddress'),
      allocation_base: u64('AllocationBase.').of('basicInformation.allocationBase'),
      allocation_protect: integer('AllocationProtect.').of('basicInformation.allocationProtect'),
      region_size_bytes: integer('RegionSize.').of('basicInformation.regionSizeBytes'),
      state: integer('State.').of('basicInformation.state'),
      protect: integer('Protect.').of('basicInformation.protect'),
      type: integer('Type.').of('basicInformation.type'),
      capture_time_offset_us: integer('Capture time minus the capture start, µs.').orNull().of('captureTimeUs', 'offset_us'),
      page_contents: blob('The page.').orNull().of(),
      page_size: integer('Page size.').of(),
    },
    { primaryKey: ['capture_id', 'ord'], withoutRowid: true },
  ),
  object_types: table('Lookup: PSS_OBJECT_TYPE values (handles.object_type) with their names.', {
    object_type: lookupKey('The value, as in handles.object_type.'),
    name: text("pssql's name: unknown, process, thread, mutant, event, section, semaphore."),
    windows_name: text('The Windows name, e.g. PSS_OBJECT_TYPE_EVENT.'),
  }),
  memory_states: table('Lookup: region states (regions.state) with their names.', {
    state: lookupKey('The value, as in regions.state.'),
    name: text('commit, reserve or free.'),
    windows_name: text('MEM_COMMIT, MEM_RESERVE or MEM_FREE.'),
  }),
  memory_types: table('Lookup: region types (regions.type) with their names.', {
    type: lookupKey('The value, as in regions.type.'),
    name: text('private, mapped or image.'),
    windows_name: text('MEM_PRIVATE, MEM_MAPPED or MEM_IMAGE.'),
  }),
  page_protections: table('Lookup: base page protections; join on `protect & 0xff` (the high bits are modifiers like PAGE_GUARD).', {
    protect: lookupKey('The base protection, the low byte of regions.protect.'),
    name: text('The Windows name, e.g. PAGE_READWRITE.'),
    short_name: text("rwx form, e.g. 'rw-' ('c' = copy-on-write)."),
    readable: integer('1 when the pages can be read.'),
    writable: integer('1 when the pages can be written (including copy-on-write).'),
    executable: integer('1 when the pages can be executed.'),
    copy_on_write: integer('1 for copy-on-write (PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY).'),
  }),
  thread_states: table(
    'Lookup: Linux thread and process state letters (threads.state, processes.state).',
    {
      state: text('The letter: R, S, D, T, Z...').key(),
      name: text('running, sleeping, disk-sleep, stopped, zombie...'),
    },
    { withoutRowid: true },
  ),
  handle_flags: table('Lookup: PSS_HANDLE_FLAGS bits (handles.flags & flag): which parts of a handle entry are valid.', {
    flag: lookupKey('The bit.'),
    name: text("pssql's name, e.g. have-name."),
    windows_name: text('The Windows name, e.g. PSS_HANDLE_HAVE_NAME.'),
  }),
  capture_flags: table('Lookup: PSS_CAPTURE_FLAGS bits (captures.capture_flags & flag): what a capture took.', {
    flag: lookupKey('The bit.'),
    name: text('The name `pssql capture --flags` accepts, e.g. handles.'),
    windows_name: text('The Windows name, e.g. PSS_CAPTURE_HANDLES.'),
    description: text('What it captures.'),
  }),
} as const satisfies Record<string, Relation>;

/** A view column selected from the version (`v.`) or another relation. */
const selected = <C extends Record<string, { from(expression: string): unknown }>>(alias: string, columns: C): C =>
  Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, c.from(`${alias}.${name}`)])) as C;

/** The rows of a versions table that each capture of its instance holds. */
const versionsOf = (versions: string) =>
  `captures AS c\nJOIN ${versions} AS v ON v.instance_id = c.instance_id AND v.first_seq <= c.seq AND (v.last_seq IS NULL OR v.last_seq >= c.seq)`;

/** The views: one row per entry per capture, with names decoded. */
export const VIEWS = {
  processes: view(
    'Process information of each capture, with its names and command line.',
    {
      from: [
        'process_info AS p',
        'JOIN captures AS c ON c.capture_id = p.capture_id',
        'LEFT JOIN strings AS si ON si.string_id = p.image_file_name_id',
        'LEFT JOIN strings AS sn ON sn.string_id = p.name_id',
        'LEFT JOIN strings AS sc ON sc.string_id = p.command_line_id',
        'LEFT JOIN strings AS sa ON sa.string_id = p.argv_id',
        'LEFT JOIN strings AS sw ON sw.string_id = p.current_directory_id',
        'LEFT JOIN strings AS sr ON sr.string_id = p.root_directory_id',
        'LEFT JOIN strings AS su ON su.string_id = p.user_name_id',
        'LEFT JOIN strings AS seu ON seu.string_id = p.effective_user_name_id',
        'LEFT JOIN strings AS sg ON sg.string_id = p.group_name_id',
        'LEFT JOIN strings AS seg ON seg.string_id = p.effective_group_name_id',
        'LEFT JOIN strings AS scg ON scg.string_id = p.cgroup_id',
      ].join('\n'),
    },
    {
      capture_id: integer('The capture.').from('p.capture_id'),
      pid: integer('Process id.').from('c.pid'),
      started_at_us: integer('Start of the capture, µs since the Unix epoch.').from('c.started_at_us'),
      ...selected('p', processColumns),
      image_file_name: text('Executable path.').orNull().from('si.value'),
      name: text('Process name.').orNull().from('sn.value'),
      command_line: text('Command line.').orNull().from('sc.value'),
      ...selected('p', processLinux),
      argv: text('Every argument exactly, a JSON array (json_each(argv) lists them).').orNull().from('sa.value'),
      current_directory: text('Working directory.').orNull().from('sw.value'),
      root_directory: text('Root directory.').orNull().from('sr.value'),
      uid: integer('Real user id.').orNull().from('p.uid'),
      euid: integer('Effective user id.').orNull().from('p.euid'),
      gid: integer('Real group id.').orNull().from('p.gid'),
      egid: integer('Effective group id.').orNull().from('p.egid'),
      user_name: text('Real user.').orNull().from('su.value'),
      effective_user_name: text('Effective user.').orNull().from('seu.value'),
      group_name: text('Real group.').orNull().from('sg.value'),
      effective_group_name: text('Effective group.').orNull().from('seg.value'),
      namespace_pid: integer('The pid inside its own pid namespace.').orNull().from('p.namespace_pid'),
      pid_namespace: integer('Pid namespace id.').orNull().from('p.pid_namespace'),
      net_namespace: integer('Network namespace id.').orNull().from('p.net_namespace'),
      mnt_namespace: integer('Mount namespace id.').orNull().from('p.mnt_namespace'),
      user_namespace: integer('User namespace id.').orNull().from('p.user_namespace'),
      uts_namespace: integer('UTS namespace id.').orNull().from('p.uts_namespace'),
      ipc_namespace: integer('IPC namespace id.').orNull().from('p.ipc_namespace'),
      cgroup_namespace: integer('Cgroup namespace id.').orNull().from('p.cgroup_namespace'),
      cgroup: text('The cgroup v2 path.').orNull().from('scg.value'),
      container: text('The container id its cgroup names.').orNull().from('p.container'),
      open_file_limit: integer('Open-file limit, soft; NULL when unlimited.').orNull().from('p.open_file_limit'),
      open_file_limit_hard: integer('Open-file limit, hard.').orNull().from('p.open_file_limit_hard'),
      io_read_chars_bytes: integer('Bytes read through read calls.').orNull().from('p.io_read_chars_bytes'),
      io_write_chars_bytes: integer('Bytes written through write calls.').orNull().from('p.io_write_chars_bytes'),
      io_read_syscalls: integer('Read calls.').orNull().from('p.io_read_syscalls'),
      io_write_syscalls: integer('Write calls.').orNull().from('p.io_write_syscalls'),
      io_read_bytes: integer('Bytes read from storage.').orNull().from('p.io_read_bytes'),
      io_write_bytes: integer('Bytes written to storage.').orNull().from('p.io_write_bytes'),
      io_cancelled_write_bytes: integer('Written bytes never stored.').orNull().from('p.io_cancelled_write_bytes'),
    },
  ),
  threads: view(
    'Threads of each capture.',
    { from: `${versionsOf('thread_versions')}\nLEFT JOIN strings AS s0 ON s0.string_id = v.name_id` },
    {
      capture_id: integer('The capture.').from('c.capture_id'),
      thread_version_id: integer('The stored version (thread_versions).').from('v.thread_version_id'),
      ...selected('v', threadColumns),
      name: text('Thread name.').orNull().from('s0.value'),
    },
  ),
  handles: view(
    'Handles (fds) of each capture, with names and socket endpoints.',
    {
      from: [
        versionsOf('handle_versions'),
        'LEFT JOIN strings AS s0 ON s0.string_id = v.type_name_id',
        'LEFT JOIN strings AS s1 ON s1.string_id = v.object_name_id',
        'LEFT JOIN handle_socket_details AS k ON k.handle_version_id = v.handle_version_id',
        'LEFT JOIN strings AS s2 ON s2.string_id = k.local_address_id',
        'LEFT JOIN strings AS s3 ON s3.string_id = k.remote_address_id',
        'LEFT JOIN handle_event_details AS ev ON ev.handle_version_id = v.handle_version_id',
        'LEFT JOIN handle_timer_details AS tm ON tm.handle_version_id = v.handle_version_id',
      ].join('\n'),
    },
    {
      capture_id: integer('The capture.').from('c.capture_id'),
      handle_version_id: integer('The stored version (handle_versions).').from('v.handle_version_id'),
      ...selected('v', handleColumns),
      type_name: text('Type name.').orNull().from('s0.value'),
      object_name: text('Object name (fd target).').orNull().from('s1.value'),
      protocol: text('Socket protocol.').orNull().from('k.protocol'),
      local_address: text('Socket local endpoint.').orNull().from('s2.value'),
      remote_address: text('Socket remote endpoint.').orNull().from('s3.value'),
      socket_state: text('Socket state.').orNull().from('k.state'),
      socket_type: text('Socket type: STREAM, DGRAM, SEQPACKET, RAW.').orNull().from('k.socket_type'),
      peer_inode: integer('Inode of the peer of a connected unix socket.').orNull().from('k.peer_inode'),
      event_count: u64('An eventfd counter.').orNull().from('ev.count'),
      timer_interval_ns: integer('A timerfd interval, ns.').orNull().from('tm.interval_ns'),
      epoll_target_fds: text('The fds an epoll fd watches, comma-separated (handle_epoll_targets has their events).')
        .orNull()
        .from('CAST((SELECT group_concat(e.target_fd, \',\') FROM handle_epoll_targets AS e WHERE e.handle_version_id = v.handle_version_id) AS TEXT)'),
    },
  ),
  regions: view(
    'VA regions of each capture, with mapped file names.',
    { from: `${versionsOf('region_versions')}\nLEFT JOIN strings AS s0 ON s0.string_id = v.mapped_file_name_id` },
    {
      capture_id: integer('The capture.').from('c.capture_id'),
      region_version_id: integer('The stored version (region_versions).').from('v.region_version_id'),
      ...selected('v', regionColumns),
      mapped_file_name: text('Mapped file or pseudo-name.').orNull().from('s0.value'),
    },
  ),
} as const satisfies Record<string, Relation>;

/** The Kysely database type of a recording: every table and view. */
export type Database = { [K in keyof typeof TABLES]: RowOf<(typeof TABLES)[K]> } & {
  [K in keyof typeof VIEWS]: RowOf<(typeof VIEWS)[K]>;
};

/** A table of a recording, by name. */
export type TableName = keyof typeof TABLES;

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
