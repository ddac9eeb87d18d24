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
counts AS (
  SELECT instance_id, type_name, seq AS from_seq, lead(seq) OVER run AS to_seq, sum(change) OVER run AS n
  FROM changes
  WINDOW run AS (PARTITION BY instance_id, type_name ORDER BY seq)
),
present AS (
  SELECT c.capture_id, k.type_name, k.n
  FROM process_captures AS c
  JOIN counts AS k ON k.instance_id = c.instance_id AND k.from_seq <= c.seq AND (k.to_seq IS NULL OR c.seq < k.to_seq)
  WHERE k.n > 0
),
types AS (
  SELECT DISTINCT c.instance_id, p.type_name FROM present AS p JOIN process_captures AS c ON c.capture_id = p.capture_id
)
SELECT
  c.capture_id,
  c.instance_id,
  c.seq,
  c.pid,
  c.name,
  c.started_at_us,
  t.type_name,
  CASE WHEN c.handle_count IS NULL THEN NULL ELSE coalesce(p.n, 0) END AS handle_count
FROM process_captures AS c
JOIN types AS t ON t.instance_id = c.instance_id
LEFT JOIN present AS p ON p.capture_id = c.capture_id AND p.type_name = t.type_name
ORDER BY c.capture_id, t.type_name;
