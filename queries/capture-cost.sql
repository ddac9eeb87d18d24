-- name: capture-cost
-- description: What each capture of a process (by pid or name) cost, oldest first: wall-clock and CPU time in total and per phase (performance counters), with what it took.
-- uses: process-captures
--
-- Phases that a capture did not time (taken without measure-performance) are empty.
SELECT
  c.capture_id,
  c.pid,
  c.name,
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
FROM process_captures AS c
LEFT JOIN performance_counters AS pc ON pc.capture_id = c.capture_id
GROUP BY c.capture_id, c.pid, c.name, c.started_at_us, c.duration_us, c.handle_count, c.thread_count, c.region_count
ORDER BY c.capture_id;
