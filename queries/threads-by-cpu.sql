-- name: threads-by-cpu
-- description: Threads of one capture by CPU time used since they started (user + kernel), busiest first, with their share of the process's.
-- param: capture capture = latest  the capture to report on
-- param: limit integer = 50  at most this many threads
SELECT
  thread_id,
  name,
  thread_state_name(state) AS state,
  user_time_us + kernel_time_us AS cpu_time_us,
  round(100.0 * (user_time_us + kernel_time_us) / nullif(sum(user_time_us + kernel_time_us) OVER (), 0), 1) AS cpu_percent,
  user_time_us,
  kernel_time_us,
  voluntary_context_switches,
  involuntary_context_switches,
  create_time_us
FROM threads
WHERE capture_id = :capture
ORDER BY cpu_time_us DESC NULLS LAST, thread_id
LIMIT :limit;
