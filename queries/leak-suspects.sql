-- name: leak-suspects
-- description: Suspected handle (fd) leaks: types whose count grows steadily over the captures of a process, with the growth per minute (least squares), how steady it is, and the first and last count.
-- uses: handles-over-time
-- param: min_captures integer = 3  only types counted in at least this many captures
-- param: min_monotonic real = 0.8  only types whose count did not fall in at least this share of steps (0 to 1)
-- example: pssql report leak-suspects  fd types that grow steadily, in every process recorded
-- example: pssql report leak-suspects --name nginx --format json  the same for nginx, for a script
--
-- host says where the process ran (a store of many hosts holds them side by side: pssql push).
-- growth_per_minute is the least-squares slope of the count over time; r2 says how well a line
-- fits (1: perfectly steady); monotonic is the share of steps between consecutive captures in
-- which the count did not fall. The counts are those of handles-over-time, where a type counts 0
-- while absent, so a leak from zero starts at zero. A process instance is one series (a
-- restarted process starts another), named as in its last capture; captures taken without
-- handles are left out.
WITH
steps AS (
  SELECT
    *,
    handle_count - lag(handle_count) OVER run AS step,
    first_value(handle_count) OVER run AS first_count,
    last_value(handle_count) OVER (run ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_count,
    last_value(name) OVER (run ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_name
  FROM handles_over_time
  WHERE handle_count IS NOT NULL
  WINDOW run AS (PARTITION BY instance_id, type_name ORDER BY started_at_us)
),
fits AS (
  SELECT
    instance_id,
    max(pid) AS pid,
    max(last_name) AS name,
    type_name,
    count(*) AS captures,
    max(first_count) AS first_count,
    max(last_count) AS last_count,
    regr_slope(handle_count, started_at_us) * 60e6 AS growth_per_minute,
    regr_r2(handle_count, started_at_us) AS r2,
    avg(CASE WHEN step IS NULL THEN NULL WHEN step >= 0 THEN 1.0 ELSE 0.0 END) AS monotonic,
    max(started_at_us) - min(started_at_us) AS span_us
  FROM steps
  GROUP BY instance_id, type_name
)
SELECT
  i.host,
  f.pid,
  f.name,
  f.type_name,
  f.captures,
  f.first_count,
  f.last_count,
  round(f.growth_per_minute, 2) AS growth_per_minute,
  round(f.r2, 3) AS r2,
  round(f.monotonic, 3) AS monotonic,
  f.span_us
FROM fits AS f
JOIN process_instances AS i ON i.instance_id = f.instance_id
WHERE f.captures >= :min_captures
  AND f.growth_per_minute > 0
  AND f.last_count > f.first_count
  AND f.monotonic >= :min_monotonic
ORDER BY growth_per_minute DESC, f.pid, f.type_name, i.host;
