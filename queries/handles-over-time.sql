-- name: handles-over-time
-- description: Handle count per type in each capture of a process (by pid or name), oldest first.
-- param: pid pid = null  only captures of this process id
-- param: name text = null  only processes whose name or image path contains this
--
-- A type absent from a capture has no row there (the typed series of the library, handleTypeSeries,
-- fills in the zeros).
SELECT
  c.capture_id,
  c.pid,
  p.name,
  c.started_at_us,
  coalesce(h.type_name, object_type_name(h.object_type)) AS type_name,
  count(*) AS handles
FROM captures AS c
JOIN processes AS p ON p.capture_id = c.capture_id
JOIN handles AS h ON h.capture_id = c.capture_id
WHERE (:pid IS NULL OR c.pid = :pid)
  AND (:name IS NULL OR p.name LIKE '%' || :name || '%' OR p.image_file_name LIKE '%' || :name || '%')
GROUP BY c.capture_id, type_name
ORDER BY c.capture_id, type_name;
