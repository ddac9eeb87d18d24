-- pssql store schema for PostgreSQL, version 4: recordings have an identity, and a store holds
-- several (as migrations/sqlite/0004_recordings.sql); here, the version tables are partitioned by
-- recording.
--
-- A recording gets a random id when it is made; `pssql push` copies recordings into a store keyed
-- by it, each numbered locally (recording_key). The version tables, where most of a recording's
-- rows are, hold a list partition per recording (made by pssql push when it first pushes the
-- recording): one host's rows stay together, and pruning a recording away drops its partitions.

-- The recordings this store holds: its own (recording_key 1, made with the store) and those pushed into it (pssql push).
CREATE SEQUENCE recordings_recording_key_seq;

CREATE TABLE recordings (
  recording_key bigint DEFAULT nextval('recordings_recording_key_seq') PRIMARY KEY,
  recording_id text COLLATE "C" NOT NULL,
  created_at_us bigint NOT NULL,
  pushed_at_us bigint,
  UNIQUE (recording_id)
);

-- The rows a store partitions by recording say which one they belong to. (A PostgreSQL store has
-- no recording of its own: pssql push always says which one.)
ALTER TABLE process_instances ADD COLUMN recording_key bigint NOT NULL DEFAULT 1;
ALTER TABLE process_instances ADD COLUMN origin_instance_id bigint;

-- A table cannot become partitioned: the version tables are made again, as the declaration says.
-- No pssql before this version wrote rows into a PostgreSQL store; a table with rows is left
-- alone and the migration fails.
DO $$
BEGIN
  IF EXISTS (SELECT FROM thread_versions) OR EXISTS (SELECT FROM handle_versions) OR EXISTS (SELECT FROM region_versions) THEN
    RAISE EXCEPTION 'the version tables hold rows: this store cannot be partitioned by migration 4';
  END IF;
END $$;
DROP VIEW threads, handles, regions;
-- The foreign keys of the handle details go with handle_versions: a key of a partitioned table
-- holds its partition column, so nothing can reference handle_version_id alone.
DROP TABLE thread_versions, handle_versions, region_versions CASCADE;

-- Thread entries (PSS_THREAD_ENTRY), shared by the captures they did not change in.
CREATE TABLE thread_versions (
  thread_version_id bigint DEFAULT nextval('thread_versions_thread_version_id_seq') NOT NULL,
  instance_id bigint NOT NULL REFERENCES process_instances (instance_id),
  first_seq bigint NOT NULL,
  last_seq bigint,
  thread_id bigint NOT NULL,
  exit_status bigint NOT NULL,
  teb_base_address bigint,
  process_id bigint NOT NULL,
  affinity_mask bigint,
  priority bigint,
  base_priority bigint,
  last_syscall_first_argument bigint,
  last_syscall_number bigint,
  create_time_us bigint,
  exit_time_us bigint,
  kernel_time_us bigint,
  user_time_us bigint,
  win32_start_address bigint,
  capture_time_offset_us bigint,
  flags bigint NOT NULL,
  suspend_count bigint,
  instruction_pointer bigint,
  stack_pointer bigint,
  name_id bigint REFERENCES strings (string_id),
  state text COLLATE "C",
  voluntary_context_switches bigint,
  involuntary_context_switches bigint,
  context_record bytea,
  scheduling_policy bigint,
  realtime_priority bigint,
  recording_key bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (thread_version_id, recording_key)
) PARTITION BY LIST (recording_key);

CREATE INDEX thread_versions_by_instance ON thread_versions (instance_id, first_seq);

CREATE INDEX thread_versions_by_end ON thread_versions (instance_id, last_seq);

-- Handle entries (PSS_HANDLE_ENTRY; fds on Linux), shared by the captures they did not change in.
CREATE TABLE handle_versions (
  handle_version_id bigint DEFAULT nextval('handle_versions_handle_version_id_seq') NOT NULL,
  instance_id bigint NOT NULL REFERENCES process_instances (instance_id),
  first_seq bigint NOT NULL,
  last_seq bigint,
  handle_value bigint NOT NULL,
  flags bigint NOT NULL,
  object_type bigint NOT NULL,
  capture_time_offset_us bigint,
  attributes bigint,
  granted_access bigint,
  handle_count bigint,
  pointer_count bigint,
  paged_pool_charge bigint,
  non_paged_pool_charge bigint,
  creation_time_us bigint,
  type_name_id bigint REFERENCES strings (string_id),
  object_name_id bigint REFERENCES strings (string_id),
  open_flags bigint,
  position_bytes bigint,
  inode bigint,
  mount_id bigint,
  size_bytes bigint,
  device text COLLATE "C",
  link_count bigint,
  inotify_watch_count bigint,
  recording_key bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (handle_version_id, recording_key)
) PARTITION BY LIST (recording_key);

CREATE INDEX handle_versions_by_instance ON handle_versions (instance_id, first_seq);

CREATE INDEX handle_versions_by_end ON handle_versions (instance_id, last_seq);

-- VA regions (PSS_VA_SPACE_ENTRY), shared by the captures they did not change in.
CREATE TABLE region_versions (
  region_version_id bigint DEFAULT nextval('region_versions_region_version_id_seq') NOT NULL,
  instance_id bigint NOT NULL REFERENCES process_instances (instance_id),
  first_seq bigint NOT NULL,
  last_seq bigint,
  base_address bigint NOT NULL,
  allocation_base bigint NOT NULL,
  allocation_protect bigint NOT NULL,
  region_size_bytes bigint NOT NULL,
  state bigint NOT NULL,
  protect bigint NOT NULL,
  type bigint NOT NULL,
  time_date_stamp bigint,
  size_of_image_bytes bigint,
  image_base bigint,
  check_sum bigint,
  mapped_file_name_id bigint REFERENCES strings (string_id),
  permissions text COLLATE "C",
  file_offset_bytes bigint,
  device text COLLATE "C",
  inode bigint,
  resident_bytes bigint,
  proportional_bytes bigint,
  private_bytes bigint,
  swap_bytes bigint,
  shared_clean_bytes bigint,
  shared_dirty_bytes bigint,
  private_clean_bytes bigint,
  private_dirty_bytes bigint,
  anonymous_bytes bigint,
  locked_bytes bigint,
  vm_flags text COLLATE "C",
  link_count bigint,
  recording_key bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (region_version_id, recording_key)
) PARTITION BY LIST (recording_key);

CREATE INDEX region_versions_by_instance ON region_versions (instance_id, first_seq);

CREATE INDEX region_versions_by_end ON region_versions (instance_id, last_seq);

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
  v.scheduling_policy,
  v.realtime_priority,
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
  v.size_bytes,
  v.device,
  v.link_count,
  v.inotify_watch_count,
  s0.value AS type_name,
  s1.value AS object_name,
  k.protocol,
  s2.value AS local_address,
  s3.value AS remote_address,
  k.state AS socket_state,
  k.socket_type,
  k.peer_inode,
  ev.count AS event_count,
  tm.interval_ns AS timer_interval_ns,
  CAST((SELECT group_concat(e.target_fd, ',') FROM handle_epoll_targets AS e WHERE e.handle_version_id = v.handle_version_id) AS TEXT) AS epoll_target_fds
FROM captures AS c
JOIN handle_versions AS v ON v.instance_id = c.instance_id AND v.first_seq <= c.seq AND (v.last_seq IS NULL OR v.last_seq >= c.seq)
LEFT JOIN strings AS s0 ON s0.string_id = v.type_name_id
LEFT JOIN strings AS s1 ON s1.string_id = v.object_name_id
LEFT JOIN handle_socket_details AS k ON k.handle_version_id = v.handle_version_id
LEFT JOIN strings AS s2 ON s2.string_id = k.local_address_id
LEFT JOIN strings AS s3 ON s3.string_id = k.remote_address_id
LEFT JOIN handle_event_details AS ev ON ev.handle_version_id = v.handle_version_id
LEFT JOIN handle_timer_details AS tm ON tm.handle_version_id = v.handle_version_id;

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
  v.shared_clean_bytes,
  v.shared_dirty_bytes,
  v.private_clean_bytes,
  v.private_dirty_bytes,
  v.anonymous_bytes,
  v.locked_bytes,
  v.vm_flags,
  v.link_count,
  s0.value AS mapped_file_name
FROM captures AS c
JOIN region_versions AS v ON v.instance_id = c.instance_id AND v.first_seq <= c.seq AND (v.last_seq IS NULL OR v.last_seq >= c.seq)
LEFT JOIN strings AS s0 ON s0.string_id = v.mapped_file_name_id;
