-- name: handles-matching
-- description: Handles of one capture by type and object name pattern, e.g. --type File --pattern '%.log'.
-- param: capture capture = latest  the capture to report on
-- param: type text = null  only this type (File, Pipe, Socket, Directory...; any case)
-- param: pattern text = %  only object names LIKE this (% any text, _ one character; ASCII case ignored)
-- example: pssql report handles-matching --type File --pattern '%.log'  the log files open in the newest capture
--
-- A handle without a name (Windows handles captured without names) matches only the default '%'.
-- Case is ignored with lower() on both sides, as SQLite's LIKE and PostgreSQL's ILIKE would; the
-- report runs on both.
SELECT
  handle_value,
  type_name,
  object_name,
  access_mode(open_flags) AS access,
  position_bytes,
  inode
FROM handles
WHERE capture_id = :capture
  AND (:type IS NULL OR lower(type_name) = lower(:type))
  AND (lower(object_name) LIKE lower(:pattern) OR (object_name IS NULL AND :pattern = '%'))
ORDER BY type_name NULLS FIRST, handle_value;
