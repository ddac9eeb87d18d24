-- name: memory-by-type
-- description: One capture's address space by region type (image, mapped, private), state and protection: regions and bytes.
-- param: capture capture = latest  the capture to report on
-- example: pssql report memory-by-type --pid 1234  the address space of pid 1234's newest capture, by type
--
-- resident_bytes and private_bytes need a capture with --details (smaps).
SELECT
  coalesce(mt.name, '-') AS type,
  ms.name AS state,
  coalesce(pp.short_name, '???') AS protection,
  coalesce(pp.name, protection_name(r.protect)) AS protection_name,
  count(*) AS regions,
  sum(r.region_size_bytes) AS size_bytes,
  sum(r.resident_bytes) AS resident_bytes,
  sum(r.private_bytes) AS private_bytes
FROM regions AS r
LEFT JOIN memory_types AS mt ON mt.type = r.type
LEFT JOIN memory_states AS ms ON ms.state = r.state
LEFT JOIN page_protections AS pp ON pp.protect = r.protect & 255
WHERE r.capture_id = :capture
GROUP BY 1, 2, 3, 4
ORDER BY size_bytes DESC, type, protection;
