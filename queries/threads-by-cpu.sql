-- name: threads-by-cpu
-- description: Threads of one capture by CPU time used since they started (user + kernel), busiest first, with their share of the process's.
-- param: capture capture = latest  the capture to report on
-- param: limit integer = 50  at most this many threads
-- example: pssql report threads-by-cpu --capture latest-1 --limit 10  the ten busiest threads of the capture before the newest
SELECT
  t.thread_id,
  t.name,
  thread_state_name(t.state) AS state,
  t.user_time_us + t.kernel_time_us AS cpu_time_us,
  -- The process's own CPU time counts its threads that have ended too.
  round(100 * CAST(t.user_time_us + t.kernel_time_us AS DOUBLE PRECISION) / nullif(p.user_time_us + p.kernel_time_us, 0), 1) AS cpu_percent,
  t.user_time_us,
  t.kernel_time_us,
  t.voluntary_context_switches,
  t.involuntary_context_switches,
  t.create_time_us
FROM threads AS t
JOIN processes AS p ON p.capture_id = t.capture_id
WHERE t.capture_id = :capture
ORDER BY cpu_time_us DESC NULLS LAST, t.thread_id
LIMIT :limit;
