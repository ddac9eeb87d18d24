-- name: container-processes
-- description: The processes of one container (by the id its cgroups name, or its first digits), in their latest captures, with their fds by type.
-- param: container text  the container id, or its first digits
WITH latest AS (
  SELECT instance_id, max(seq) AS seq FROM captures GROUP BY instance_id
)
SELECT
  c.capture_id,
  c.pid,
  p.namespace_pid,
  p.name,
  p.user_name,
  c.handle_count AS fds,
  (SELECT group_concat(t.type_name || ' ' || t.n, ', ' ORDER BY t.n DESC, t.type_name) FROM (
    SELECT type_name, count(*) AS n FROM handles AS h WHERE h.capture_id = c.capture_id GROUP BY type_name
  ) AS t) AS fd_types,
  c.thread_count AS threads,
  p.working_set_size_bytes,
  p.container
FROM latest
JOIN captures AS c ON c.instance_id = latest.instance_id AND c.seq = latest.seq
JOIN processes AS p ON p.capture_id = c.capture_id
WHERE lower(p.container) LIKE lower(:container) || '%'
ORDER BY c.pid;
