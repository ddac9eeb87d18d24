-- pssql recording schema, version 3: Linux data as lsof, ss, ps and pmap show it.
--
-- Processes: argv exactly (a JSON array), the working and root directories, real and effective
-- users and groups with their names, the pid in its own pid namespace and the namespace ids, the
-- cgroup and the container it names, the open-file limit and the I/O counters. Threads: the
-- scheduling policy and real-time priority. Handles (fds): size, device and link count from
-- stat, a socket's type and its unix peer, an eventfd's counter, a timerfd's settings, the fds an
-- epoll watches, an inotify's watch count. Regions: the rest of smaps with --details, and the
-- link count of the mapped file (0: deleted). Captures: the parts left out for lack of privilege.
-- Recordings made before have NULL in every new column: unknown, not captured.

DROP VIEW processes;
DROP VIEW threads;
DROP VIEW handles;
DROP VIEW regions;

ALTER TABLE captures ADD COLUMN denied_parts TEXT;
ALTER TABLE process_info ADD COLUMN argv_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN current_directory_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN root_directory_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN uid INTEGER;
ALTER TABLE process_info ADD COLUMN euid INTEGER;
ALTER TABLE process_info ADD COLUMN gid INTEGER;
ALTER TABLE process_info ADD COLUMN egid INTEGER;
ALTER TABLE process_info ADD COLUMN user_name_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN effective_user_name_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN group_name_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN effective_group_name_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN namespace_pid INTEGER;
ALTER TABLE process_info ADD COLUMN pid_namespace INTEGER;
ALTER TABLE process_info ADD COLUMN net_namespace INTEGER;
ALTER TABLE process_info ADD COLUMN mnt_namespace INTEGER;
ALTER TABLE process_info ADD COLUMN user_namespace INTEGER;
ALTER TABLE process_info ADD COLUMN uts_namespace INTEGER;
ALTER TABLE process_info ADD COLUMN ipc_namespace INTEGER;
ALTER TABLE process_info ADD COLUMN cgroup_namespace INTEGER;
ALTER TABLE process_info ADD COLUMN cgroup_id INTEGER REFERENCES strings (string_id);
ALTER TABLE process_info ADD COLUMN container TEXT;
ALTER TABLE process_info ADD COLUMN open_file_limit INTEGER;
ALTER TABLE process_info ADD COLUMN open_file_limit_hard INTEGER;
ALTER TABLE process_info ADD COLUMN io_read_chars_bytes INTEGER;
ALTER TABLE process_info ADD COLUMN io_write_chars_bytes INTEGER;
ALTER TABLE process_info ADD COLUMN io_read_syscalls INTEGER;
ALTER TABLE process_info ADD COLUMN io_write_syscalls INTEGER;
ALTER TABLE process_info ADD COLUMN io_read_bytes INTEGER;
ALTER TABLE process_info ADD COLUMN io_write_bytes INTEGER;
ALTER TABLE process_info ADD COLUMN io_cancelled_write_bytes INTEGER;
ALTER TABLE thread_versions ADD COLUMN scheduling_policy INTEGER;
ALTER TABLE thread_versions ADD COLUMN realtime_priority INTEGER;
ALTER TABLE handle_versions ADD COLUMN size_bytes INTEGER;
ALTER TABLE handle_versions ADD COLUMN device TEXT;
ALTER TABLE handle_versions ADD COLUMN link_count INTEGER;
ALTER TABLE handle_versions ADD COLUMN inotify_watch_count INTEGER;
ALTER TABLE handle_event_details ADD COLUMN count INTEGER;
ALTER TABLE handle_socket_details ADD COLUMN socket_type TEXT;
ALTER TABLE handle_socket_details ADD COLUMN peer_inode INTEGER;

CREATE TABLE handle_timer_details (
  handle_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  clock_id INTEGER NOT NULL,
  ticks INTEGER NOT NULL,
  settime_flags INTEGER NOT NULL,
  interval_ns INTEGER NOT NULL
) STRICT;

CREATE TABLE handle_epoll_targets (
  handle_version_id INTEGER NOT NULL REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  target_fd INTEGER NOT NULL,
  events INTEGER NOT NULL,
  data INTEGER NOT NULL,
  PRIMARY KEY (handle_version_id, ord)
) STRICT, WITHOUT ROWID;
ALTER TABLE region_versions ADD COLUMN shared_clean_bytes INTEGER;
ALTER TABLE region_versions ADD COLUMN shared_dirty_bytes INTEGER;
ALTER TABLE region_versions ADD COLUMN private_clean_bytes INTEGER;
ALTER TABLE region_versions ADD COLUMN private_dirty_bytes INTEGER;
ALTER TABLE region_versions ADD COLUMN anonymous_bytes INTEGER;
ALTER TABLE region_versions ADD COLUMN locked_bytes INTEGER;
ALTER TABLE region_versions ADD COLUMN vm_flags TEXT;
ALTER TABLE region_versions ADD COLUMN link_count INTEGER;


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
  p.swap_bytes,
  sa.value AS argv,
  sw.value AS current_directory,
  sr.value AS root_directory,
  p.uid,
  p.euid,
  p.gid,
  p.egid,
  su.value AS user_name,
  seu.value AS effective_user_name,
  sg.value AS group_name,
  seg.value AS effective_group_name,
  p.namespace_pid,
  p.pid_namespace,
  p.net_namespace,
  p.mnt_namespace,
  p.user_namespace,
  p.uts_namespace,
  p.ipc_namespace,
  p.cgroup_namespace,
  scg.value AS cgroup,
  p.container,
  p.open_file_limit,
  p.open_file_limit_hard,
  p.io_read_chars_bytes,
  p.io_write_chars_bytes,
  p.io_read_syscalls,
  p.io_write_syscalls,
  p.io_read_bytes,
  p.io_write_bytes,
  p.io_cancelled_write_bytes
FROM process_info AS p
JOIN captures AS c ON c.capture_id = p.capture_id
LEFT JOIN strings AS si ON si.string_id = p.image_file_name_id
LEFT JOIN strings AS sn ON sn.string_id = p.name_id
LEFT JOIN strings AS sc ON sc.string_id = p.command_line_id
LEFT JOIN strings AS sa ON sa.string_id = p.argv_id
LEFT JOIN strings AS sw ON sw.string_id = p.current_directory_id
LEFT JOIN strings AS sr ON sr.string_id = p.root_directory_id
LEFT JOIN strings AS su ON su.string_id = p.user_name_id
LEFT JOIN strings AS seu ON seu.string_id = p.effective_user_name_id
LEFT JOIN strings AS sg ON sg.string_id = p.group_name_id
LEFT JOIN strings AS seg ON seg.string_id = p.effective_group_name_id
LEFT JOIN strings AS scg ON scg.string_id = p.cgroup_id;

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
