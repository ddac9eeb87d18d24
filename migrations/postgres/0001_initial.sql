-- pssql store schema for PostgreSQL, version 1: what migrations/sqlite/0001_initial.sql makes,
-- in PostgreSQL's terms (both are checked against the declaration in src/store/schema.ts).
--
-- pssql runs every migration with search_path set to the schema `pssql`, which it creates; the
-- tables, views and functions below live there. Integers are bigint (SQLite's INTEGER is 64-bit),
-- keys are numbered by sequences, texts compare byte by byte as in SQLite (COLLATE "C", whatever
-- the database's locale), BLOBs are bytea. Unsigned 64-bit values (addresses, masks) are stored
-- as signed bigint and read back as bigint by pssql, as on SQLite.

-- SQL functions: the ones pssql registers on every SQLite connection (src/store/sql-functions.ts),
-- with the same results. regr_slope and regr_r2 are PostgreSQL's own aggregates.

-- A digest of a text for unique indexes: paths and command lines may be longer than a B-tree
-- entry can hold. (convert_to is stable only because of encodings other than the database's.)
CREATE FUNCTION pssql_digest(value text) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN sha256(convert_to(value, 'UTF8'));

-- The exact value of a double as numeric (a cast keeps 15 digits only): the functions that print
-- numbers round the binary value as JavaScript does, so they print what SQLite's print.
CREATE FUNCTION pssql_exact(x double precision) RETURNS numeric
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  bits bytea := float8send(x);
  exponent integer := ((get_byte(bits, 0) & 127) << 4) | (get_byte(bits, 1) >> 4);
  mantissa numeric := get_byte(bits, 1) & 15;
  digits text;
  scale integer;
BEGIN
  IF x = 'infinity'::float8 OR x = '-infinity'::float8 OR x = 'NaN'::float8 THEN
    RETURN x::numeric;
  END IF;
  FOR i IN 2..7 LOOP
    mantissa := mantissa * 256 + get_byte(bits, i);
  END LOOP;
  IF exponent = 0 THEN exponent := 1; ELSE mantissa := mantissa + 4503599627370496; END IF;
  -- x = ±mantissa * 2^(exponent - 1075): a multiple of 2^-k is a multiple of 10^-k (times 5^k).
  IF exponent >= 1075 THEN
    mantissa := trunc(mantissa * 2::numeric ^ (exponent - 1075));
  ELSE
    scale := 1075 - exponent;
    digits := trunc(mantissa * 5::numeric ^ scale)::text;
    IF length(digits) <= scale THEN digits := repeat('0', scale + 1 - length(digits)) || digits; END IF;
    mantissa := (left(digits, length(digits) - scale) || '.' || right(digits, scale))::numeric;
  END IF;
  RETURN CASE WHEN get_byte(bits, 0) >> 7 = 1 THEN -mantissa ELSE mantissa END;
END $$;

-- JavaScript's x.toFixed(digits), for |x| < 1e21.
CREATE FUNCTION pssql_to_fixed(x double precision, digits integer) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE WHEN x < 0 THEN '-' ELSE '' END || round(abs(pssql_exact(x)), digits)::text;

-- JavaScript's Math.round(x): the nearest integer, halves up.
CREATE FUNCTION pssql_js_round(x double precision) RETURNS numeric
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN floor(pssql_exact(x) + 0.5);

-- JavaScript's String(n).padStart(2, '0').
CREATE FUNCTION pssql_pad2(n numeric) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE WHEN length(n::text) < 2 THEN lpad(n::text, 2, '0') ELSE n::text END;

-- SQLite's round(x, digits) of a double: halves away from zero. (PostgreSQL rounds numeric only.)
CREATE FUNCTION round(x double precision, digits integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN pg_catalog.round(pssql_exact(x), digits)::double precision;

-- SQLite's group_concat(x [, separator]): the texts of a group joined, NULLs left out.
CREATE FUNCTION pssql_group_concat_step(joined text, value anyelement, separator text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN joined WHEN joined IS NULL THEN value::text ELSE joined || coalesce(separator, '') || value::text END
  $$;
CREATE FUNCTION pssql_group_concat_step(joined text, value anyelement) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pssql_group_concat_step(joined, value, ',')
  $$;
CREATE AGGREGATE group_concat(anyelement, text) (SFUNC = pssql_group_concat_step, STYPE = text, PARALLEL = SAFE);
CREATE AGGREGATE group_concat(anyelement) (SFUNC = pssql_group_concat_step, STYPE = text, PARALLEL = SAFE);

-- hex_address(x): an address (or any integer) as unsigned hex, '0x7f12...'.
CREATE FUNCTION hex_address(x bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN '0x' || to_hex(x);

-- human_bytes(n): a size as '1.5 MiB'.
CREATE FUNCTION human_bytes(n double precision) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  units text[] := ARRAY['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  value double precision := abs(n);
  unit integer := 1;
BEGIN
  WHILE value >= 1024 AND unit < 6 LOOP
    value := value / 1024;
    unit := unit + 1;
  END LOOP;
  IF unit = 1 THEN RETURN n::text || ' B'; END IF;
  RETURN CASE WHEN n < 0 THEN '-' ELSE '' END
    || CASE WHEN value < 10 THEN pssql_to_fixed(value, 1) ELSE pssql_js_round(value)::text END
    || ' ' || units[unit];
END $$;

-- time_iso(us): µs since the Unix epoch as ISO 8601 UTC.
CREATE FUNCTION time_iso(us double precision) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN to_char(timestamp '1970-01-01' + trunc(us / 1000) * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

-- protection_name(protect): PAGE_* name, e.g. 'PAGE_READWRITE'.
CREATE FUNCTION protection_name(protect bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE protect & 255
      WHEN 1 THEN 'PAGE_NOACCESS' WHEN 2 THEN 'PAGE_READONLY' WHEN 4 THEN 'PAGE_READWRITE' WHEN 8 THEN 'PAGE_WRITECOPY'
      WHEN 16 THEN 'PAGE_EXECUTE' WHEN 32 THEN 'PAGE_EXECUTE_READ' WHEN 64 THEN 'PAGE_EXECUTE_READWRITE' WHEN 128 THEN 'PAGE_EXECUTE_WRITECOPY'
      ELSE '0x' || to_hex(protect & 255)
    END
    || CASE WHEN protect & 256 <> 0 THEN '|PAGE_GUARD' ELSE '' END
    || CASE WHEN protect & 512 <> 0 THEN '|PAGE_NOCACHE' ELSE '' END
    || CASE WHEN protect & 1024 <> 0 THEN '|PAGE_WRITECOMBINE' ELSE '' END;

-- protection_short(protect): rwx form, e.g. 'rw-' ('c' = copy-on-write).
CREATE FUNCTION protection_short(protect bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE protect & 255
    WHEN 1 THEN '---' WHEN 2 THEN 'r--' WHEN 4 THEN 'rw-' WHEN 8 THEN 'rc-'
    WHEN 16 THEN '--x' WHEN 32 THEN 'r-x' WHEN 64 THEN 'rwx' WHEN 128 THEN 'rcx'
    ELSE '???'
  END;

-- An integer as JavaScript's '0x' + n.toString(16) writes it (a sign before the digits).
CREATE FUNCTION pssql_js_hex(n bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE WHEN n < 0 THEN '0x-' || to_hex(-n) ELSE '0x' || to_hex(n) END;

-- mem_state_name(state): 'commit', 'reserve' or 'free'.
CREATE FUNCTION mem_state_name(state bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE state WHEN 4096 THEN 'commit' WHEN 8192 THEN 'reserve' WHEN 65536 THEN 'free' ELSE pssql_js_hex(state) END;

-- mem_type_name(type): 'image', 'mapped' or 'private'.
CREATE FUNCTION mem_type_name(type bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE type WHEN 16777216 THEN 'image' WHEN 262144 THEN 'mapped' WHEN 131072 THEN 'private' WHEN 0 THEN NULL ELSE pssql_js_hex(type) END;

-- object_type_name(object_type): 'process', 'event', 'section', ... or 'unknown'.
CREATE FUNCTION object_type_name(object_type bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE object_type
    WHEN 0 THEN 'unknown' WHEN 1 THEN 'process' WHEN 2 THEN 'thread' WHEN 3 THEN 'mutant'
    WHEN 4 THEN 'event' WHEN 5 THEN 'section' WHEN 6 THEN 'semaphore'
    ELSE 'type-' || object_type
  END;

-- thread_state_name(state): 'running', 'sleeping', 'zombie', ...
CREATE FUNCTION thread_state_name(state text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE state
    WHEN 'R' THEN 'running' WHEN 'S' THEN 'sleeping' WHEN 'D' THEN 'disk-sleep' WHEN 'T' THEN 'stopped'
    WHEN 't' THEN 'tracing-stop' WHEN 'Z' THEN 'zombie' WHEN 'X' THEN 'dead' WHEN 'I' THEN 'idle'
    WHEN 'P' THEN 'parked' WHEN 'W' THEN 'waking' WHEN 'K' THEN 'wakekill'
    ELSE state
  END;

-- access_mode(open_flags): 'r', 'w' or 'rw' from Linux open flags ('path' for O_PATH).
CREATE FUNCTION access_mode(open_flags bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE WHEN open_flags & 2097152 <> 0 THEN 'path' WHEN open_flags & 3 = 0 THEN 'r' WHEN open_flags & 3 = 1 THEN 'w' ELSE 'rw' END;

-- is_writable(protect): whether the protection allows writing (including copy-on-write). A
-- boolean here, 1 or 0 in SQLite; pssql reads booleans back as 1 or 0.
CREATE FUNCTION is_writable(protect bigint) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN protect & 204 <> 0;

-- is_executable(protect): whether the protection allows execution.
CREATE FUNCTION is_executable(protect bigint) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN protect & 240 <> 0;

-- human_duration(us): a duration in µs as '12.3 ms', '2.50 s', '1h05m'.
CREATE FUNCTION human_duration(us double precision) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  magnitude double precision := abs(us);
  s numeric;
  h numeric;
  m numeric;
BEGIN
  IF magnitude < 1000 THEN RETURN us::text || ' µs'; END IF;
  IF magnitude < 1000000 THEN RETURN pssql_to_fixed(us / 1000, CASE WHEN magnitude < 10000 THEN 2 ELSE 1 END) || ' ms'; END IF;
  IF magnitude < 60000000 THEN RETURN pssql_to_fixed(us / 1000000, CASE WHEN magnitude < 10000000 THEN 2 ELSE 1 END) || ' s'; END IF;
  s := pssql_js_round(us / 1000000);
  h := floor(s / 3600);
  m := floor(mod(s, 3600) / 60);
  IF h > 0 THEN RETURN h::text || 'h' || pssql_pad2(m) || 'm'; END IF;
  RETURN m::text || 'm' || pssql_pad2(mod(s, 60)) || 's';
END $$;

-- Migrations applied to this database, in order.
CREATE TABLE schema_migrations (
  version bigint NOT NULL PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  applied_at_us bigint NOT NULL
);

-- Every repeated text once: paths, type names, thread names, command lines.
CREATE SEQUENCE strings_string_id_seq;

CREATE TABLE strings (
  string_id bigint DEFAULT nextval('strings_string_id_seq') PRIMARY KEY,
  value text COLLATE "C" NOT NULL,
  raw bytea
);

CREATE UNIQUE INDEX strings_by_text ON strings (pssql_digest(value)) WHERE raw IS NULL;

CREATE UNIQUE INDEX strings_by_bytes ON strings (sha256(raw)) WHERE raw IS NOT NULL;

-- One process on one host: a pid with its creation time. Its captures share entry versions.
CREATE SEQUENCE process_instances_instance_id_seq;

CREATE TABLE process_instances (
  instance_id bigint DEFAULT nextval('process_instances_instance_id_seq') PRIMARY KEY,
  host text COLLATE "C" NOT NULL,
  pid bigint NOT NULL,
  create_time_us bigint,
  name_id bigint REFERENCES strings (string_id),
  last_seq bigint NOT NULL
);

CREATE INDEX process_instances_by_pid ON process_instances (pid, host, create_time_us);

-- One row per capture: who, where, when, with which flags, and counts.
CREATE SEQUENCE captures_capture_id_seq;

CREATE TABLE captures (
  capture_id bigint DEFAULT nextval('captures_capture_id_seq') PRIMARY KEY,
  instance_id bigint NOT NULL REFERENCES process_instances (instance_id),
  seq bigint NOT NULL,
  pid bigint NOT NULL,
  host text COLLATE "C" NOT NULL,
  platform text COLLATE "C" NOT NULL,
  backend text COLLATE "C" NOT NULL,
  capture_flags bigint NOT NULL,
  thread_context_flags bigint NOT NULL,
  details bigint NOT NULL,
  started_at_us bigint NOT NULL,
  duration_us bigint NOT NULL,
  recorded_at_us bigint NOT NULL,
  label text COLLATE "C",
  thread_count bigint,
  handle_count bigint,
  region_count bigint,
  aux_page_count bigint,
  thread_name_count bigint,
  thread_context_length bigint NOT NULL,
  skipped_count bigint NOT NULL,
  denied_count bigint NOT NULL,
  va_clone_handle bigint,
  handle_trace_section_handle bigint,
  handle_trace_size_bytes bigint,
  pssql_version text COLLATE "C" NOT NULL,
  UNIQUE (instance_id, seq)
);

CREATE INDEX captures_by_pid ON captures (pid, started_at_us);

CREATE INDEX captures_by_time ON captures (started_at_us);

-- PSS_PROCESS_INFORMATION of each capture.
CREATE TABLE process_info (
  capture_id bigint NOT NULL PRIMARY KEY REFERENCES captures (capture_id) ON DELETE CASCADE,
  exit_status bigint NOT NULL,
  peb_base_address bigint,
  affinity_mask bigint,
  base_priority bigint,
  process_id bigint NOT NULL,
  parent_process_id bigint,
  flags bigint NOT NULL,
  create_time_us bigint,
  exit_time_us bigint,
  kernel_time_us bigint,
  user_time_us bigint,
  priority_class bigint,
  peak_virtual_size_bytes bigint,
  virtual_size_bytes bigint,
  page_fault_count bigint,
  peak_working_set_size_bytes bigint,
  working_set_size_bytes bigint,
  quota_peak_paged_pool_usage_bytes bigint,
  quota_paged_pool_usage_bytes bigint,
  quota_peak_non_paged_pool_usage_bytes bigint,
  quota_non_paged_pool_usage_bytes bigint,
  pagefile_usage_bytes bigint,
  peak_pagefile_usage_bytes bigint,
  private_usage_bytes bigint,
  execute_flags bigint,
  image_file_name_id bigint REFERENCES strings (string_id),
  name_id bigint REFERENCES strings (string_id),
  command_line_id bigint REFERENCES strings (string_id),
  state text COLLATE "C",
  nice bigint,
  thread_count bigint,
  major_fault_count bigint,
  swap_bytes bigint
);

-- PSS_PERFORMANCE_COUNTERS: cost of each phase of a capture.
CREATE TABLE performance_counters (
  capture_id bigint NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
  phase text COLLATE "C" NOT NULL,
  cycle_count bigint,
  wall_clock_us bigint NOT NULL,
  cpu_time_us bigint,
  PRIMARY KEY (capture_id, phase)
);

-- Thread entries (PSS_THREAD_ENTRY), shared by the captures they did not change in.
CREATE SEQUENCE thread_versions_thread_version_id_seq;

CREATE TABLE thread_versions (
  thread_version_id bigint DEFAULT nextval('thread_versions_thread_version_id_seq') PRIMARY KEY,
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
  context_record bytea
);

CREATE INDEX thread_versions_by_instance ON thread_versions (instance_id, first_seq);

CREATE INDEX thread_versions_by_end ON thread_versions (instance_id, last_seq);

-- PSS_THREAD_NAME entries, only where they differ from the threads' own names.
CREATE TABLE thread_names (
  capture_id bigint NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
  ord bigint NOT NULL,
  name_id bigint NOT NULL REFERENCES strings (string_id),
  PRIMARY KEY (capture_id, ord)
);

-- Handle entries (PSS_HANDLE_ENTRY; fds on Linux), shared by the captures they did not change in.
CREATE SEQUENCE handle_versions_handle_version_id_seq;

CREATE TABLE handle_versions (
  handle_version_id bigint DEFAULT nextval('handle_versions_handle_version_id_seq') PRIMARY KEY,
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
  mount_id bigint
);

CREATE INDEX handle_versions_by_instance ON handle_versions (instance_id, first_seq);

CREATE INDEX handle_versions_by_end ON handle_versions (instance_id, last_seq);

-- Type-specific information of process handles (pidfds on Linux).
CREATE TABLE handle_process_details (
  handle_version_id bigint NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  exit_status bigint,
  peb_base_address bigint,
  affinity_mask bigint,
  base_priority bigint,
  process_id bigint,
  parent_process_id bigint,
  flags bigint
);

-- Type-specific information of thread handles (Windows).
CREATE TABLE handle_thread_details (
  handle_version_id bigint NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  exit_status bigint,
  teb_base_address bigint,
  process_id bigint,
  thread_id bigint,
  affinity_mask bigint,
  priority bigint,
  base_priority bigint,
  win32_start_address bigint
);

-- Type-specific information of mutant (mutex) handles (Windows).
CREATE TABLE handle_mutant_details (
  handle_version_id bigint NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  current_count bigint NOT NULL,
  abandoned bigint NOT NULL,
  owner_process_id bigint NOT NULL,
  owner_thread_id bigint NOT NULL
);

-- Type-specific information of event handles (eventfds on Linux).
CREATE TABLE handle_event_details (
  handle_version_id bigint NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  manual_reset bigint NOT NULL,
  signaled bigint NOT NULL
);

-- Type-specific information of section handles (memfds on Linux).
CREATE TABLE handle_section_details (
  handle_version_id bigint NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  base_address bigint,
  allocation_attributes bigint,
  maximum_size_bytes bigint
);

-- Type-specific information of semaphore handles (Windows).
CREATE TABLE handle_semaphore_details (
  handle_version_id bigint NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  current_count bigint NOT NULL,
  maximum_count bigint NOT NULL
);

-- Socket endpoints of socket fds (Linux, from /proc/PID/net).
CREATE TABLE handle_socket_details (
  handle_version_id bigint NOT NULL PRIMARY KEY REFERENCES handle_versions (handle_version_id) ON DELETE CASCADE,
  protocol text COLLATE "C" NOT NULL,
  local_address_id bigint REFERENCES strings (string_id),
  remote_address_id bigint REFERENCES strings (string_id),
  state text COLLATE "C"
);

-- VA regions (PSS_VA_SPACE_ENTRY), shared by the captures they did not change in.
CREATE SEQUENCE region_versions_region_version_id_seq;

CREATE TABLE region_versions (
  region_version_id bigint DEFAULT nextval('region_versions_region_version_id_seq') PRIMARY KEY,
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
  swap_bytes bigint
);

CREATE INDEX region_versions_by_instance ON region_versions (instance_id, first_seq);

CREATE INDEX region_versions_by_end ON region_versions (instance_id, last_seq);

-- PSS_AUXILIARY_PAGE_ENTRY of each capture (Windows).
CREATE TABLE auxiliary_pages (
  capture_id bigint NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
  ord bigint NOT NULL,
  address bigint NOT NULL,
  base_address bigint NOT NULL,
  allocation_base bigint NOT NULL,
  allocation_protect bigint NOT NULL,
  region_size_bytes bigint NOT NULL,
  state bigint NOT NULL,
  protect bigint NOT NULL,
  type bigint NOT NULL,
  capture_time_offset_us bigint,
  page_contents bytea,
  page_size bigint NOT NULL,
  PRIMARY KEY (capture_id, ord)
);

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
