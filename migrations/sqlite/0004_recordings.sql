-- pssql recording schema, version 4: recordings have an identity, and a store can hold several.
--
-- A recording gets a random id when it is made: a host name alone collides (two machines called
-- `vm`), and one host may record into two files. `pssql push` copies recordings into another
-- store (a PostgreSQL server, or another SQLite file) keyed by that id, so that the recordings of
-- many hosts sit side by side and never mix. Each store numbers its recordings locally
-- (recording_key); 1 is its own, the one its captures are written into.

-- The recordings this store holds.
CREATE TABLE recordings (
  recording_key INTEGER PRIMARY KEY,
  recording_id TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  pushed_at_us INTEGER,
  UNIQUE (recording_id)
) STRICT;

-- This store's own recording: made now, or with its first capture when it already has some.
INSERT INTO recordings (recording_key, recording_id, created_at_us)
VALUES (
  1,
  lower(hex(randomblob(16))),
  coalesce((SELECT min(recorded_at_us) FROM captures), CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER))
);

-- The rows a central store partitions by recording say which one they belong to. Every row so
-- far is the store's own: the default.
ALTER TABLE process_instances ADD COLUMN recording_key INTEGER NOT NULL DEFAULT 1;
ALTER TABLE process_instances ADD COLUMN origin_instance_id INTEGER;
ALTER TABLE thread_versions ADD COLUMN recording_key INTEGER NOT NULL DEFAULT 1;
ALTER TABLE handle_versions ADD COLUMN recording_key INTEGER NOT NULL DEFAULT 1;
ALTER TABLE region_versions ADD COLUMN recording_key INTEGER NOT NULL DEFAULT 1;
