-- name: process-captures
-- description: The captures of a process (by pid or name), oldest first, with their counts: the series the over-time reports are drawn from.
-- param: pid pid = null  only captures of this process id
-- param: name text = null  only processes whose name or image path contains this
-- param: since time = null  only captures started at or after this time (10m, 2h, 7d ago; 2026-12-01 08:31; µs since the epoch)
-- param: until time = null  only captures started at or before this time
-- param: last integer = null  only the newest this many of those captures
-- example: pssql report process-captures --name nginx --since '2026-12-01 08:00'  the captures of nginx since 8 o'clock
-- param: host text = null  only captures of this host
-- param: recording text = null  only captures of this recording (its id, or the start of it)
--
-- Other reports build on it with '-- uses: process-captures': they read its rows as the table
-- process_captures and take its parameters, so every over-time report selects captures alike.
-- A name matches with ASCII case ignored (lower() on both sides: the report runs on SQLite and
-- PostgreSQL alike).
SELECT capture_id, instance_id, seq, pid, name, started_at_us, duration_us, thread_count, handle_count, region_count, host
FROM (
  SELECT
    c.capture_id, c.instance_id, c.seq, c.pid, p.name, c.started_at_us, c.duration_us,
    c.thread_count, c.handle_count, c.region_count, c.host,
    row_number() OVER (ORDER BY c.capture_id DESC) AS from_newest
  FROM captures AS c
  JOIN processes AS p ON p.capture_id = c.capture_id
  WHERE (:pid IS NULL OR c.pid = :pid)
    AND (:name IS NULL OR lower(p.name) LIKE lower('%' || :name || '%') OR lower(p.image_file_name) LIKE lower('%' || :name || '%'))
    AND (:since IS NULL OR c.started_at_us >= :since)
    AND (:until IS NULL OR c.started_at_us <= :until)
    AND (:host IS NULL OR c.host = :host)
    AND (:recording IS NULL OR c.instance_id IN (
      SELECT i.instance_id FROM process_instances AS i JOIN recordings AS r ON r.recording_key = i.recording_key
      WHERE r.recording_id LIKE lower(:recording) || '%'
    ))
) AS selected
WHERE :last IS NULL OR from_newest <= :last
ORDER BY capture_id;
