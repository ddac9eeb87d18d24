-- name: deleted-files
-- description: Files deleted on disk but still held by one capture: mapped (an old library after an upgrade?) or open as fds (disk space not freed). A file is deleted when it has no link left (as lsof +L1 decides), whatever its name.
-- param: capture capture = latest  the capture to report on
-- example: pssql report deleted-files --name nginx  deleted files nginx still holds, in its newest capture
--
-- Linux appends ' (deleted)' to the name of a deleted file, but a file may be named so: the link
-- count decides. A capture made before pssql recorded link counts has none (NULL), and there the
-- suffix is all there is. Memory that the kernel names like a deleted file (memfds, System V
-- shared memory, shared anonymous mappings, GPU buffers) was never a file on disk: it is left out.
WITH held AS (
  SELECT 'mapped' AS held_as, mapped_file_name AS name, NULL AS handle_value, region_size_bytes AS size_bytes
  FROM regions
  WHERE capture_id = :capture
    AND (link_count = 0 OR (link_count IS NULL AND mapped_file_name LIKE '% (deleted)'))
  UNION ALL
  SELECT 'fd', object_name, handle_value, NULL
  FROM handles
  WHERE capture_id = :capture
    AND type_name IS DISTINCT FROM 'Memfd'
    AND (link_count = 0 OR (link_count IS NULL AND object_name LIKE '% (deleted)'))
)
SELECT
  CASE WHEN name LIKE '% (deleted)' THEN substr(name, 1, length(name) - length(' (deleted)')) ELSE name END AS file,
  held_as,
  count(*) AS entries,
  group_concat(handle_value, ',' ORDER BY handle_value) AS fds,
  sum(size_bytes) AS mapped_bytes
FROM held
WHERE name NOT LIKE '/memfd:%'
  AND name NOT LIKE '/SYSV%'
  AND name NOT LIKE '/dev/zero %'
  AND name NOT LIKE '/[aio] %'
  AND name NOT LIKE '/anon_hugepage %'
  AND name NOT LIKE '/drm mm object %'
GROUP BY file, held_as
ORDER BY file, held_as;
