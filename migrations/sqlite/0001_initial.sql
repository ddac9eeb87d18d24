-- pssql recording schema, version 1.
--
-- Captures of one process instance (a pid with its creation time on one host) share the versions
-- of their entries: a thread, handle or region version holds from capture first_seq to last_seq
-- (NULL while current), so a new capture of an unchanged process writes almost nothing. The
-- views threads, handles and regions present one row per entry per capture.
--
-- Units are in column names (_us: microseconds, absolute times since the Unix epoch; _bytes).
-- Unsigned 64-bit values (addresses, masks) are stored as signed 64-bit integers and read back
-- as bigint by pssql. NULL means unknown or not captured, never -1.

-- Migrations applied to this database, in order.
CREATE TABLE schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at_us INTEGER NOT NULL
) STRICT;

-- Every repeated text once: paths, type names, thread names, command lines.
CREATE TABLE strings (
  string_id INTEGER PRIMARY KEY,
  value TEXT NOT NULL,
  raw BLOB
) STRICT;

-- A text is stored once: by its value when it is valid UTF-8, by its bytes otherwise.
CREATE UNIQUE INDEX strings_by_text ON strings (value) WHERE raw IS NULL;
CREATE UNIQUE INDEX strings_by_bytes ON strings (raw) WHERE raw IS NOT NULL;

-- One process on one host: a pid with its creation time. Its captures share entry versions.
CREATE TABLE process_instances (
  instance_id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  create_time_us INTEGER,
  name_id INTEGER REFERENCES strings (string_id),
  last_seq INTEGER NOT NULL
) STRICT;

CREATE INDEX process_instances_by_pid ON process_instances (pid, host, create_time_us);

-- One row per capture: who, where, when, with which flags, and counts.
CREATE TABLE captures (
  capture_id INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL REFERENCES process_instances (instance_id),
  seq INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  platform TEXT NOT NULL,
  backend TEXT NOT NULL,
  capture_flags INTEGER NOT NULL,
  thread_context_flags INTEGER NOT NULL,
  details INTEGER NOT NULL,
  started_at_us INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  label TEXT,
  thread_count INTEGER,
  handle_count INTEGER,
  region_count INTEGER,
  aux_page_count INTEGER,
  thread_name_count INTEGER,
  thread_context_length INTEGER NOT NULL,
  skipped_count INTEGER NOT NULL,
  denied_count INTEGER NOT NULL,
  va_clone_handle INTEGER,
  handle_trace_section_handle INTEGER,
  handle_trace_size_bytes INTEGER,
  pssql_version TEXT NOT NULL,
  UNIQUE (instance_id, seq)
) STRICT;

CREATE INDEX captures_by_pid ON captures (pid, started_at_us);
CREATE INDEX captures_by_time ON captures (started_at_us);

-- PSS_PROCESS_INFORMATION of each capture.
CREATE TABLE process_info (
  capture_id INTEGER NOT NULL PRIMARY KEY REFERENCES captures (capture_id) ON DELETE CASCADE,
  exit_status INTEGER NOT NULL,
  peb_base_address INTEGER,
  affinity_mask INTEGER,
  base_priority INTEGER,
  process_id INTEGER NOT NULL,
  parent_process_id INTEGER,
  flags INTEGER NOT NULL,
  create_time_us INTEGER,
  exit_time_us INTEGER,
  kernel_time_us INTEGER,
  user_time_us INTEGER,
  priority_class INTEGER,
  peak_virtual_size_bytes INTEGER,
  virtual_size_bytes INTEGER,
  page_fault_count INTEGER,
  peak_working_set_size_bytes INTEGER,
  working_set_size_bytes INTEGER,
  quota_peak_paged_pool_usage_bytes INTEGER,
  quota_paged_pool_usage_bytes INTEGER,
  quota_peak_non_paged_pool_usage_bytes INTEGER,
  quota_non_paged_pool_usage_bytes INTEGER,
  pagefile_usage_bytes INTEGER,
  peak_pagefile_usage_bytes INTEGER,
  private_usage_bytes INTEGER,
  execute_flags INTEGER,
  image_file_name_id INTEGER REFERENCES strings (string_id),
  name_id INTEGER REFERENCES strings (string_id),
  command_line_id INTEGER REFERENCES strings (string_id),
  state TEXT,
  nice INTEGER,
  thread_count INTEGER,
  major_fault_count INTEGER,
  swap_bytes INTEGER
) STRICT;

-- PSS_PERFORMANCE_COUNTERS: cost of each phase of a capture.
CREATE TABLE performance_counters (
  capture_id INTEGER NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
  phase TEXT NOT NULL,
  cycle_count INTEGER,
  wall_clock_us INTEGER NOT NULL,
  cpu_time_us INTEGER,
  PRIMARY KEY (capture_id, phase)
) STRICT, WITHOUT ROWID;

-- Thread entries (PSS_THREAD_ENTRY), shared by the captures they did not change in.
CREATE TABLE thread_versions (
  thread_version_id INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL REFERENCES process_instances (instance_id),
  first_seq INTEGER NOT NULL,
  last_seq INTEGER,
  thread_id INTEGER NOT NULL,
  exit_status INTEGER NOT NULL,
  teb_base_address INTEGER,
  process_id INTEGER NOT NULL,
  affinity_mask INTEGER,
  priority INTEGER,
  base_priority INTEGER,
  last_syscall_first_argument INTEGER,
  last_syscall_number INTEGER,
  create_time_us INTEGER,
  exit_time_us INTEGER,
  kernel_time_us INTEGER,
  user_time_us INTEGER,
  win32_start_address INTEGER,
  capture_time_offset_us INTEGER,
  flags INTEGER NOT NULL,
  suspend_count INTEGER,
  instruction_pointer INTEGER,
  stack_pointer INTEGER,
  name_id INTEGER REFERENCES strings (string_id),
  state TEXT,
  voluntary_context_switches INTEGER,
  involuntary_context_switches INTEGER,
  context_record BLOB
) STRICT;

CREATE INDEX thread_versions_by_instance ON thread_versions (instance_id, first_seq);
CREATE INDEX thread_versions_by_end ON thread_versions (instance_id, last_seq);

-- PSS_THREAD_NAME entries, only where they differ from the threads' own names.
CREATE TABLE thread_names (
  capture_id INTEGER NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  name_id INTEGER NOT NULL REFERENCES strings (string_id),
  PRIMARY KEY (capture_id, ord)
) STRICT, WITHOUT ROWID;

-- Handle entries (PSS_HANDLE_ENTRY; fds on Linux), shared by the captures they did not change in.
CREATE TABLE handle_versions (
  handle_version_id INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL REFERENCES process_instances (instance_id),
  first_seq INTEGER NOT NULL,
  last_seq INTEGER,
  handle_value INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  object_type INTEGER NOT NULL,
  capture_time_offset_us INTEGER,
  attributes INTEGER,
  granted_access INTEGER,
  handle_count INTEGER,
  pointer_count INTEGER,
  paged_pool_charge INTEGER,
  non_paged_pool_charge INTEGER,
  creation_time_us INTEGER,
  type_name_id INTEGER REFERENCES strings (string_id),
  object_name_id INTEGER REFERENCES strings (string_id),
  open_flags INTEGER,
  position_bytes INTEGER,
  inode INTEGER,
  mount_id INTEGER
) STRICT;

CREATE INDEX handle_versions_by_instance ON handle_versions (instance_id, first_seq);
CREATE INDEX handle_versions_by_end ON handle_versions (instance_id, last_seq);

-- Type-specific information of process handles (pidfds on Linux).
CREATE TABLE handle_process_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  exit_status INTEGER,
  peb_base_address INTEGER,
  affinity_mask INTEGER,
  base_priority INTEGER,
  process_id INTEGER,
  parent_process_id INTEGER,
  flags INTEGER
) STRICT;

-- Type-specific information of thread handles (Windows).
CREATE TABLE handle_thread_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  exit_status INTEGER,
  teb_base_address INTEGER,
  process_id INTEGER,
  thread_id INTEGER,
  affinity_mask INTEGER,
  priority INTEGER,
  base_priority INTEGER,
  win32_start_address INTEGER
) STRICT;

-- Type-specific information of mutant (mutex) handles (Windows).
CREATE TABLE handle_mutant_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  current_count INTEGER NOT NULL,
  abandoned INTEGER NOT NULL,
  owner_process_id INTEGER NOT NULL,
  owner_thread_id INTEGER NOT NULL
) STRICT;

-- Type-specific information of event handles (eventfds on Linux).
CREATE TABLE handle_event_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  manual_reset INTEGER NOT NULL,
  signaled INTEGER NOT NULL
) STRICT;

-- Type-specific information of section handles (memfds on Linux).
CREATE TABLE handle_section_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  base_address INTEGER,
  allocation_attributes INTEGER,
  maximum_size_bytes INTEGER
) STRICT;

-- Type-specific information of semaphore handles (Windows).
CREATE TABLE handle_semaphore_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  current_count INTEGER NOT NULL,
  maximum_count INTEGER NOT NULL
) STRICT;

-- Socket endpoints of socket fds (Linux, from /proc/PID/net).
CREATE TABLE handle_socket_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  protocol TEXT NOT NULL,
  local_address_id INTEGER REFERENCES strings (string_id),
  remote_address_id INTEGER REFERENCES strings (string_id),
  state TEXT
) STRICT;

-- VA regions (PSS_VA_SPACE_ENTRY), shared by the captures they did not change in.
CREATE TABLE region_versions (
  region_version_id INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL REFERENCES process_instances (instance_id),
  first_seq INTEGER NOT NULL,
  last_seq INTEGER,
  base_address INTEGER NOT NULL,
  allocation_base INTEGER NOT NULL,
  allocation_protect INTEGER NOT NULL,
  region_size_bytes INTEGER NOT NULL,
  state INTEGER NOT NULL,
  protect INTEGER NOT NULL,
  type INTEGER NOT NULL,
  time_date_stamp INTEGER,
  size_of_image_bytes INTEGER,
  image_base INTEGER,
  check_sum INTEGER,
  mapped_file_name_id INTEGER REFERENCES strings (string_id),
  permissions TEXT,
  file_offset_bytes INTEGER,
  device TEXT,
  inode INTEGER,
  resident_bytes INTEGER,
  proportional_bytes INTEGER,
  private_bytes INTEGER,
  swap_bytes INTEGER
) STRICT;

CREATE INDEX region_versions_by_instance ON region_versions (instance_id, first_seq);
CREATE INDEX region_versions_by_end ON region_versions (instance_id, last_seq);

-- PSS_AUXILIARY_PAGE_ENTRY of each capture (Windows).
CREATE TABLE auxiliary_pages (
  capture_id INTEGER NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  address INTEGER NOT NULL,
  base_address INTEGER NOT NULL,
  allocation_base INTEGER NOT NULL,
  allocation_protect INTEGER NOT NULL,
  region_size_bytes INTEGER NOT NULL,
  state INTEGER NOT NULL,
  protect INTEGER NOT NULL,
  type INTEGER NOT NULL,
  capture_time_offset_us INTEGER,
  page_contents BLOB,
  page_size INTEGER NOT NULL,
  PRIMARY KEY (capture_id, ord)
) STRICT, WITHOUT ROWID;

-- Process information of each capture, with its names and command line.
CREATE VIEW processes AS
SELECT
  p.capture_id,
  c.pid,
  c.started_at_us,
  p.exit_status,
  p.peb_base_address,
  p.affinity_mask,
  p.base_priority,
  p.process_id,
  p.parent_process_id,
  p.flags,
  p.create_time_us,
  p.exit_time_us,
  p.kernel_time_us,
  p.user_time_us,
  p.priority_class,
  p.peak_virtual_size_bytes,
  p.virtual_size_bytes,
  p.page_fault_count,
  p.peak_working_set_size_bytes,
  p.working_set_size_bytes,
  p.quota_peak_paged_pool_usage_bytes,
  p.quota_paged_pool_usage_bytes,
  p.quota_peak_non_paged_pool_usage_bytes,
  p.quota_non_paged_pool_usage_bytes,
  p.pagefile_usage_bytes,
  p.peak_pagefile_usage_bytes,
  p.private_usage_bytes,
  p.execute_flags,
  si.value AS image_file_name,
  sn.value AS name,
  sc.value AS command_line,
  p.state,
  p.nice,
  p.thread_count,
  p.major_fault_count,
  p.swap_bytes
FROM process_info AS p
JOIN captures AS c ON c.capture_id = p.capture_id
LEFT JOIN strings AS si ON si.string_id = p.image_file_name_id
LEFT JOIN strings AS sn ON sn.string_id = p.name_id
LEFT JOIN strings AS sc ON sc.string_id = p.command_line_id;

-- Threads of each capture.
CREATE VIEW threads AS
SELECT
  c.capture_id,
  v.thread_version_id,
  v.thread_id,
  v.exit_status,
  v.teb_base_address,
  v.process_id,
  v.affinity_mask,
  v.priority,
  v.base_priority,
  v.last_syscall_first_argument,
  v.last_syscall_number,
  v.create_time_us,
  v.exit_time_us,
  v.kernel_time_us,
  v.user_time_us,
  v.win32_start_address,
  v.capture_time_offset_us,
  v.flags,
  v.suspend_count,
  v.instruction_pointer,
  v.stack_pointer,
  v.name_id,
  v.state,
  v.voluntary_context_switches,
  v.involuntary_context_switches,
  v.context_record,
  s0.value AS name
FROM captures AS c
JOIN thread_versions AS v ON v.instance_id = c.instance_id AND v.first_seq <= c.seq AND (v.last_seq IS NULL OR v.last_seq >= c.seq)
LEFT JOIN strings AS s0 ON s0.string_id = v.name_id;

-- Handles (fds) of each capture, with names and socket endpoints.
CREATE VIEW handles AS
SELECT
  c.capture_id,
  v.handle_version_id,
  v.handle_value,
  v.flags,
  v.object_type,
  v.capture_time_offset_us,
  v.attributes,
  v.granted_access,
  v.handle_count,
  v.pointer_count,
  v.paged_pool_charge,
  v.non_paged_pool_charge,
  v.creation_time_us,
  v.type_name_id,
  v.object_name_id,
  v.open_flags,
  v.position_bytes,
  v.inode,
  v.mount_id,
  s0.value AS type_name,
  s1.value AS object_name,
  k.protocol,
  s2.value AS local_address,
  s3.value AS remote_address,
  k.state AS socket_state
FROM captures AS c
JOIN handle_versions AS v ON v.instance_id = c.instance_id AND v.first_seq <= c.seq AND (v.last_seq IS NULL OR v.last_seq >= c.seq)
LEFT JOIN strings AS s0 ON s0.string_id = v.type_name_id
LEFT JOIN strings AS s1 ON s1.string_id = v.object_name_id
LEFT JOIN handle_socket_details AS k ON k.handle_version_id = v.handle_version_id
LEFT JOIN strings AS s2 ON s2.string_id = k.local_address_id
LEFT JOIN strings AS s3 ON s3.string_id = k.remote_address_id;

-- VA regions of each capture, with mapped file names.
CREATE VIEW regions AS
SELECT
  c.capture_id,
  v.region_version_id,
  v.base_address,
  v.allocation_base,
  v.allocation_protect,
  v.region_size_bytes,
  v.state,
  v.protect,
  v.type,
  v.time_date_stamp,
  v.size_of_image_bytes,
  v.image_base,
  v.check_sum,
  v.mapped_file_name_id,
  v.permissions,
  v.file_offset_bytes,
  v.device,
  v.inode,
  v.resident_bytes,
  v.proportional_bytes,
  v.private_bytes,
  v.swap_bytes,
  s0.value AS mapped_file_name
FROM captures AS c
JOIN region_versions AS v ON v.instance_id = c.instance_id AND v.first_seq <= c.seq AND (v.last_seq IS NULL OR v.last_seq >= c.seq)
LEFT JOIN strings AS s0 ON s0.string_id = v.mapped_file_name_id;
