-- name: regions-over-time
-- description: Regions, committed and resident bytes per memory type (image, mapped, private) in each capture of a process (by pid or name), oldest first.
-- uses: process-captures
-- example: pssql report regions-over-time --pid 1234  regions and bytes per memory type in each capture of pid 1234
--
-- Free regions (state 65536, MEM_FREE) are left out; reserved ones count as regions but not as
-- committed bytes (state 4096, MEM_COMMIT).
-- resident_bytes needs captures with --details (smaps). The columns are NULL in a capture taken
-- without regions. This is the series of the library's regionTypeSeries().
WITH
-- As in handles-over-time: each region version adds itself to its type's sums at first_seq and
-- takes itself back after last_seq; running sums give every capture's totals.
changes AS (
  SELECT
    v.instance_id,
    coalesce(mem_type_name(v.type), 'none') AS type_name,
    v.seq,
    sum(v.regions) AS regions,
    sum(v.committed) AS committed,
    sum(v.resident) AS resident,
    sum(v.resident_known) AS resident_known
  FROM (
    SELECT
      instance_id, type, first_seq AS seq, 1 AS regions,
      CASE WHEN state = 4096 THEN region_size_bytes ELSE 0 END AS committed,
      coalesce(resident_bytes, 0) AS resident, CASE WHEN resident_bytes IS NULL THEN 0 ELSE 1 END AS resident_known
    FROM region_versions
    WHERE state <> 65536
    UNION ALL
    SELECT
      instance_id, type, last_seq + 1, -1,
      CASE WHEN state = 4096 THEN -region_size_bytes ELSE 0 END,
      -coalesce(resident_bytes, 0), CASE WHEN resident_bytes IS NULL THEN 0 ELSE -1 END
    FROM region_versions
    WHERE state <> 65536 AND last_seq IS NOT NULL
  ) AS v
  WHERE v.instance_id IN (SELECT instance_id FROM process_captures)
  GROUP BY 1, 2, 3
),
-- Every selected capture, once for each memory type its process instance ever had.
grid AS (
  SELECT c.capture_id, c.instance_id, c.seq, t.type_name
  FROM process_captures AS c
  JOIN (SELECT DISTINCT instance_id, type_name FROM changes) AS t ON t.instance_id = c.instance_id
),
-- The running sums of the changes in seq order, read at each capture (after the changes of its
-- own seq), in one sort of changes and captures together.
present AS MATERIALIZED (
  SELECT capture_id, instance_id, type_name, regions, committed, CASE WHEN resident_known > 0 THEN resident END AS resident
  FROM (
    SELECT capture_id, instance_id, type_name, is_capture,
      sum(regions) OVER run AS regions,
      sum(committed) OVER run AS committed,
      sum(resident) OVER run AS resident,
      sum(resident_known) OVER run AS resident_known
    FROM (
      SELECT instance_id, type_name, seq, regions, committed, resident, resident_known, NULL AS capture_id, 0 AS is_capture FROM changes
      UNION ALL
      SELECT instance_id, type_name, seq, 0, 0, 0, 0, capture_id, 1 FROM grid
    ) AS events
    WINDOW run AS (PARTITION BY instance_id, type_name ORDER BY seq, is_capture ROWS UNBOUNDED PRECEDING)
  ) AS running
  WHERE is_capture = 1
),
-- The types shown: those with a region in at least one selected capture.
types AS (
  SELECT DISTINCT instance_id, type_name FROM present WHERE regions > 0
)
SELECT
  c.capture_id,
  c.instance_id,
  c.seq,
  c.pid,
  c.name,
  c.started_at_us,
  t.type_name,
  CASE WHEN c.region_count IS NULL THEN NULL ELSE p.regions END AS region_count,
  CASE WHEN c.region_count IS NULL THEN NULL ELSE p.committed END AS committed_bytes,
  CASE WHEN p.regions > 0 THEN p.resident END AS resident_bytes
FROM process_captures AS c
JOIN present AS p ON p.capture_id = c.capture_id
JOIN types AS t ON t.instance_id = p.instance_id AND t.type_name = p.type_name
ORDER BY c.capture_id, t.type_name;
