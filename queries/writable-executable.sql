-- name: writable-executable
-- description: Security: regions of one capture that are writable and executable at once (rwx, or rcx copy-on-write). Outside a JIT compiler, code that can be rewritten is a red flag.
-- param: capture capture = latest  the capture to report on
-- example: pssql report writable-executable --name python3  regions of python3 that are writable and executable
SELECT
  base_address,
  region_size_bytes,
  protection_short(protect) AS protection,
  protection_name(protect) AS protection_name,
  mem_type_name(type) AS type,
  mapped_file_name
FROM regions
WHERE capture_id = :capture
  AND is_writable(protect)
  AND is_executable(protect)
ORDER BY base_address < 0, base_address;
