-- name: sockets
-- description: Sockets of one capture with their endpoints: protocol, local and remote address, state; listeners first.
-- param: capture capture = latest  the capture to report on
-- param: state text = null  only sockets in this state (LISTEN, ESTABLISHED, ...; any case)
SELECT
  handle_value,
  coalesce(protocol, 'unknown') AS protocol,
  local_address,
  remote_address,
  socket_state AS state,
  object_name
FROM handles
WHERE capture_id = :capture
  AND (type_name = 'Socket' OR protocol IS NOT NULL)
  AND (:state IS NULL OR lower(socket_state) = lower(:state))
ORDER BY protocol, socket_state IS DISTINCT FROM 'LISTEN', local_address NULLS FIRST, remote_address NULLS FIRST, handle_value;
