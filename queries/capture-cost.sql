-- name: capture-cost
-- description: What each capture of a process (by pid or name) cost, oldest first: wall-clock and CPU time in total and per phase (performance counters), with what it took.
-- uses: process-captures
-- example: pssql report capture-cost --name nginx --last 10  what the newest 10 captures of nginx cost, phase by phase
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
  -- Only Windows clones the address space; a Linux capture times the phase as 0.
  CASE WHEN k.platform = 'win32' THEN max(CASE pc.phase WHEN 'va_clone' THEN pc.wall_clock_us END) END AS va_clone_us,
  c.handle_count,
  c.thread_count,
  c.region_count
FROM process_captures AS c
JOIN captures AS k ON k.capture_id = c.capture_id
LEFT JOIN performance_counters AS pc ON pc.capture_id = c.capture_id
GROUP BY c.capture_id, c.pid, c.name, c.started_at_us, c.duration_us, c.handle_count, c.thread_count, c.region_count, k.platform
ORDER BY c.capture_id;
