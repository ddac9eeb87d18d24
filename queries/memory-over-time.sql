-- name: memory-over-time
-- description: Memory of a process (by pid or name) in each of its captures, oldest first: virtual, resident and private bytes, and the change in resident since the capture before.
-- uses: process-captures
-- example: pssql report memory-over-time --pid 1234 --last 20  memory in the newest 20 captures of pid 1234
SELECT
  c.capture_id,
  c.pid,
  c.name,
  c.started_at_us,
  p.virtual_size_bytes,
  p.working_set_size_bytes AS resident_bytes,
  p.private_usage_bytes AS private_bytes,
  p.working_set_size_bytes - lag(p.working_set_size_bytes) OVER (PARTITION BY c.instance_id ORDER BY c.seq) AS resident_change_bytes,
  p.swap_bytes
FROM process_captures AS c
JOIN processes AS p ON p.capture_id = c.capture_id
ORDER BY c.capture_id;
