-- name: capture-cost
-- description: What each capture of a process (by pid or name) cost, oldest first: wall-clock and CPU time in total and per phase (performance counters), with what it took.
-- param: pid pid = null  only captures of this process id
-- param: name text = null  only processes whose name or image path contains this
--
-- Phases that a capture did not time (taken without measure-performance) are empty.
SELECT
  c.capture_id,
  c.pid,
  p.name,
  c.started_at_us,
  c.duration_us,
  max(CASE pc.phase WHEN 'total' THEN pc.cpu_time_us END) AS cpu_time_us,
  max(CASE pc.phase WHEN 'handles' THEN pc.wall_clock_us END) AS handles_us,
  max(CASE pc.phase WHEN 'threads' THEN pc.wall_clock_us END) AS threads_us,
  max(CASE pc.phase WHEN 'va_space' THEN pc.wall_clock_us END) AS va_space_us,
  max(CASE pc.phase WHEN 'va_clone' THEN pc.wall_clock_us END) AS va_clone_us,
  c.handle_count AS handles,
  c.thread_count AS threads,
  c.region_count AS regions
FROM captures AS c
JOIN processes AS p ON p.capture_id = c.capture_id
LEFT JOIN performance_counters AS pc ON pc.capture_id = c.capture_id
WHERE (:pid IS NULL OR c.pid = :pid)
  AND (:name IS NULL OR p.name LIKE '%' || :name || '%' OR p.image_file_name LIKE '%' || :name || '%')
GROUP BY c.capture_id
ORDER BY c.capture_id;
