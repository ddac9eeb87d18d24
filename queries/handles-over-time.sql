-- name: handles-over-time
-- description: Handle count per type in each capture of a process (by pid or name), oldest first; a type counts 0 in the captures of its process instance that lack it.
-- uses: process-captures
-- example: pssql report handles-over-time --name nginx --since 1h  fds per type in each capture of nginx in the last hour
--
-- handle_count is NULL in a capture taken without handles. This is the series of the library's
-- handleTypeSeries() and of pssql trend; leak-suspects fits a line to it.
WITH
-- A handle version holds from capture first_seq to last_seq of its instance: it adds 1 to its
-- type's count at first_seq and takes it back after last_seq. The running sum of these changes
-- is the count in every capture, without expanding every handle into every capture.
changes AS (
  SELECT v.instance_id, coalesce(s.value, object_type_name(v.object_type)) AS type_name, v.seq, sum(v.change) AS change
  FROM (
    SELECT instance_id, type_name_id, object_type, first_seq AS seq, 1 AS change FROM handle_versions
    UNION ALL
    SELECT instance_id, type_name_id, object_type, last_seq + 1, -1 FROM handle_versions WHERE last_seq IS NOT NULL
  ) AS v
  LEFT JOIN strings AS s ON s.string_id = v.type_name_id
  WHERE v.instance_id IN (SELECT instance_id FROM process_captures)
  GROUP BY 1, 2, 3
),
-- Every selected capture, once for each type its process instance ever had.
grid AS (
  SELECT c.capture_id, c.instance_id, c.seq, t.type_name
  FROM process_captures AS c
  JOIN (SELECT DISTINCT instance_id, type_name FROM changes) AS t ON t.instance_id = c.instance_id
),
-- The running sum of the changes in seq order, read at each capture (which comes after the
-- changes of its own seq): one sort of changes and captures together, where a join of each
-- capture with the span that holds it would compare every capture with every span.
present AS MATERIALIZED (
  SELECT capture_id, instance_id, type_name, n
  FROM (
    SELECT capture_id, instance_id, type_name, is_capture,
      sum(change) OVER (PARTITION BY instance_id, type_name ORDER BY seq, is_capture ROWS UNBOUNDED PRECEDING) AS n
    FROM (
      SELECT instance_id, type_name, seq, change, NULL AS capture_id, 0 AS is_capture FROM changes
      UNION ALL
      SELECT instance_id, type_name, seq, 0, capture_id, 1 FROM grid
    ) AS events
  ) AS running
  WHERE is_capture = 1
),
-- The types shown: those with a handle in at least one selected capture.
types AS (
  SELECT DISTINCT instance_id, type_name FROM present WHERE n > 0
)
SELECT
  c.capture_id,
  c.instance_id,
  c.seq,
  c.pid,
  c.name,
  c.started_at_us,
  t.type_name,
  CASE WHEN c.handle_count IS NULL THEN NULL ELSE p.n END AS handle_count
FROM process_captures AS c
JOIN present AS p ON p.capture_id = c.capture_id
JOIN types AS t ON t.instance_id = p.instance_id AND t.type_name = p.type_name
ORDER BY c.capture_id, t.type_name;
