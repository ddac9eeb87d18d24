-- name: containers
-- description: Containers in the recording (by the id their cgroups name), with the processes of each in their latest captures: how many, which, their fds, threads and resident memory.
-- param: container text = null  only containers whose id starts with this
WITH latest AS (
  SELECT instance_id, max(seq) AS seq FROM captures GROUP BY instance_id
)
SELECT
  p.container,
  c.host,
  count(*) AS processes,
  group_concat(DISTINCT p.name) AS names,
  sum(c.handle_count) AS fds,
  sum(c.thread_count) AS threads,
  sum(p.working_set_size_bytes) AS working_set_size_bytes,
  max(c.started_at_us) AS last_seen_us
FROM latest
JOIN captures AS c ON c.instance_id = latest.instance_id AND c.seq = latest.seq
JOIN processes AS p ON p.capture_id = c.capture_id
WHERE p.container IS NOT NULL
  AND (:container IS NULL OR lower(p.container) LIKE lower(:container) || '%')
GROUP BY p.container, c.host
ORDER BY processes DESC, p.container;
