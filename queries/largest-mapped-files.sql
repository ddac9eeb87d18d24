-- name: largest-mapped-files
-- description: Files mapped into one capture's address space (images and mapped data), largest first: bytes mapped, regions, protections.
-- param: capture capture = latest  the capture to report on
-- param: limit integer = 20  at most this many files
-- example: pssql report largest-mapped-files --capture nginx@latest --limit 5  the five largest files nginx maps
--
-- resident_bytes needs a capture with --details (smaps); it is empty otherwise. Pseudo-names
-- like [vdso] are not files and are left out.
SELECT
  mapped_file_name AS file,
  group_concat(DISTINCT mem_type_name(type) ORDER BY mem_type_name(type)) AS type,
  count(*) AS regions,
  sum(region_size_bytes) AS mapped_bytes,
  sum(resident_bytes) AS resident_bytes,
  group_concat(DISTINCT protection_short(protect) ORDER BY protection_short(protect)) AS protections
FROM regions
WHERE capture_id = :capture
  AND mapped_file_name IS NOT NULL
  AND mapped_file_name NOT LIKE '[%'
  AND mem_type_name(type) IN ('image', 'mapped')
GROUP BY mapped_file_name
ORDER BY mapped_bytes DESC, file
LIMIT :limit;
