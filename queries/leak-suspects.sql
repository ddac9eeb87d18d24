-- name: leak-suspects
-- description: Suspected handle (fd) leaks: types whose count grows steadily over the captures of a process, with the growth per minute (least squares), how steady it is, and the first and last count.
-- param: pid pid = null  only captures of this process id
-- param: name text = null  only processes whose name or image path contains this
-- param: min_captures integer = 3  only types seen in at least this many captures
-- param: min_monotonic real = 0.8  only types whose count did not fall in at least this share of steps (0 to 1)
--
-- growth_per_minute is the least-squares slope of the count over time; r2 says how well a line
-- fits (1: perfectly steady); monotonic is the share of steps between consecutive captures in
-- which the count did not fall. A process instance is one series: a restarted process starts
-- another. Captures taken without handles are left out.
WITH selected AS (
  SELECT c.capture_id, c.instance_id, c.pid, p.name, c.started_at_us
  FROM captures AS c
  JOIN processes AS p ON p.capture_id = c.capture_id
  WHERE c.handle_count IS NOT NULL
    AND (:pid IS NULL OR c.pid = :pid)
    AND (:name IS NULL OR p.name LIKE '%' || :name || '%' OR p.image_file_name LIKE '%' || :name || '%')
),
present AS (
  SELECT s.capture_id, coalesce(h.type_name, object_type_name(h.object_type)) AS type_name, count(*) AS n
  FROM selected AS s
  JOIN handles AS h ON h.capture_id = s.capture_id
  GROUP BY 1, 2
),
-- Every type seen in a process instance counts 0 in its captures without it: a leak from zero
-- starts at zero.
counts AS (
  SELECT s.instance_id, s.pid, s.name, s.started_at_us, t.type_name, coalesce(k.n, 0) AS n
  FROM selected AS s
  JOIN (SELECT DISTINCT s.instance_id, k.type_name FROM present AS k JOIN selected AS s ON s.capture_id = k.capture_id) AS t
    ON t.instance_id = s.instance_id
  LEFT JOIN present AS k ON k.capture_id = s.capture_id AND k.type_name = t.type_name
),
steps AS (
  SELECT
    *,
    n - lag(n) OVER series AS step,
    first_value(n) OVER series AS first_count,
    last_value(n) OVER (series ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_count
  FROM counts
  WINDOW series AS (PARTITION BY instance_id, type_name ORDER BY started_at_us)
),
fits AS (
  SELECT
    pid,
    name,
    type_name,
    count(*) AS captures,
    max(first_count) AS first_count,
    max(last_count) AS last_count,
    regr_slope(n, started_at_us) * 60e6 AS growth_per_minute,
    regr_r2(n, started_at_us) AS r2,
    avg(CASE WHEN step IS NOT NULL THEN step >= 0 END) AS monotonic,
    max(started_at_us) - min(started_at_us) AS span_us
  FROM steps
  GROUP BY instance_id, type_name
)
SELECT
  pid,
  name,
  type_name,
  captures,
  first_count,
  last_count,
  round(growth_per_minute, 2) AS growth_per_minute,
  round(r2, 3) AS r2,
  round(monotonic, 3) AS monotonic,
  span_us
FROM fits
WHERE captures >= :min_captures
  AND growth_per_minute > 0
  AND last_count > first_count
  AND monotonic >= :min_monotonic
ORDER BY growth_per_minute DESC, pid, type_name;
