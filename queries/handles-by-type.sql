-- name: handles-by-type
-- description: Handles (fds on Linux) of one capture counted by type, most first, with one name of each type as an example.
-- param: capture capture = latest  the capture to report on
-- example: pssql report handles-by-type --capture 1234@latest  the fds of pid 1234's newest capture, by type
SELECT
  coalesce(type_name, object_type_name(object_type)) AS type_name,
  count(*) AS handles,
  count(DISTINCT object_name) AS distinct_names,
  min(object_name) AS example
FROM handles
WHERE capture_id = :capture
GROUP BY 1
ORDER BY handles DESC, type_name;
