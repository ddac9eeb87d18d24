-- name: sockets
-- description: Sockets of one capture with their endpoints: protocol, type, local and remote address, state; listeners first. A connected unix socket names its peer, and the process and fd holding it where the recording has them.
-- param: capture capture = latest  the capture to report on
-- param: state text = null  only sockets in this state (LISTEN, ESTABLISHED, ...; any case)
-- example: pssql report sockets --state LISTEN --name nginx  what nginx listens on, in its newest capture
--
-- The peer is looked for in this capture first (a process talking to itself), then in the
-- capture of another process of the same host nearest in time.
WITH these AS (
  SELECT h.*, c.host, c.started_at_us FROM handles AS h JOIN captures AS c USING (capture_id)
  WHERE h.capture_id = :capture
    AND (h.type_name = 'Socket' OR h.protocol IS NOT NULL)
    AND (:state IS NULL OR lower(h.socket_state) = lower(:state))
)
SELECT
  s.handle_value,
  coalesce(s.protocol, 'unknown') AS protocol,
  s.socket_type AS type,
  s.local_address,
  s.remote_address,
  s.socket_state AS state,
  s.peer_inode,
  peer.pid AS peer_pid,
  peer.handle_value AS peer_fd,
  s.object_name
FROM these AS s
LEFT JOIN (
  SELECT h2.inode, c2.pid, h2.handle_value, c2.host, c2.capture_id, c2.started_at_us
  FROM handles AS h2 JOIN captures AS c2 USING (capture_id)
  WHERE h2.type_name = 'Socket' AND h2.inode IN (SELECT peer_inode FROM these WHERE peer_inode IS NOT NULL)
) AS peer ON peer.inode = s.peer_inode AND peer.host = s.host
  AND peer.capture_id = (
    SELECT c3.capture_id FROM handles AS h3 JOIN captures AS c3 USING (capture_id)
    WHERE h3.inode = s.peer_inode AND h3.type_name = 'Socket' AND c3.host = s.host
    ORDER BY c3.capture_id = s.capture_id DESC, abs(c3.started_at_us - s.started_at_us)
    LIMIT 1
  )
ORDER BY s.protocol NULLS FIRST, s.socket_state IS DISTINCT FROM 'LISTEN', s.local_address NULLS FIRST, s.remote_address NULLS FIRST, s.handle_value;
