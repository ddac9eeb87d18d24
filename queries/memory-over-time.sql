-- name: memory-over-time
-- description: Memory of a process (by pid or name) in each of its captures, oldest first: virtual, resident and private bytes, and the change in resident since the capture before.
-- param: pid pid = null  only captures of this process id
-- param: name text = null  only processes whose name or image path contains this
SELECT
  c.capture_id,
  c.pid,
  p.name,
  c.started_at_us,
  p.virtual_size_bytes,
  p.working_set_size_bytes AS resident_bytes,
  p.private_usage_bytes AS private_bytes,
  p.working_set_size_bytes - lag(p.working_set_size_bytes) OVER (PARTITION BY c.instance_id ORDER BY c.seq) AS resident_change_bytes,
  p.swap_bytes
FROM captures AS c
JOIN processes AS p ON p.capture_id = c.capture_id
WHERE (:pid IS NULL OR c.pid = :pid)
  AND (:name IS NULL OR p.name LIKE '%' || :name || '%' OR p.image_file_name LIKE '%' || :name || '%')
ORDER BY c.capture_id;
