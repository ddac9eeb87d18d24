-- name: fd-limit
-- description: Processes closest to their open-file limit, in the latest capture of each (process-exporter's worst_fd_ratio): fds held, the soft limit, and the share used.
-- param: name text = null  only processes whose name or image path contains this
-- param: limit integer = 50  at most this many processes
WITH latest AS (
  SELECT instance_id, max(seq) AS seq FROM captures WHERE handle_count IS NOT NULL GROUP BY instance_id
)
SELECT
  c.capture_id,
  c.pid,
  p.name,
  p.container,
  c.handle_count AS fds,
  p.open_file_limit,
  p.open_file_limit_hard,
  round(CAST(c.handle_count AS DOUBLE PRECISION) / p.open_file_limit, 4) AS used_share,
  c.started_at_us
FROM latest
JOIN captures AS c ON c.instance_id = latest.instance_id AND c.seq = latest.seq
JOIN processes AS p ON p.capture_id = c.capture_id
WHERE p.open_file_limit > 0
  AND (:name IS NULL OR lower(p.name) LIKE lower('%' || :name || '%') OR lower(p.image_file_name) LIKE lower('%' || :name || '%'))
ORDER BY used_share DESC, c.pid
LIMIT :limit;
