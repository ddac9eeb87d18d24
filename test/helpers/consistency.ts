/** Checks that a recording holds only whole, internally consistent captures. */
import type { ExecutionContext } from 'ava';
import BetterSqlite3 from 'better-sqlite3';

export interface WholeCaptures {
  /** The capture ids, oldest first. */
  ids: number[];
  /** Items that vanished while they were read, over all these captures. */
  skipped: number;
}

/**
 * Asserts what a stop, a crash or a race must leave: `PRAGMA integrity_check` ok, foreign keys
 * holding, and for every capture its process information, its performance counters (when it
 * measured them), stored counts equal to the rows the views give it, and no entry twice.
 */
export function assertWholeCaptures(t: ExecutionContext, file: string): WholeCaptures {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: 60_000 });
  try {
    t.is(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check');
    t.deepEqual(db.pragma('foreign_key_check'), [], 'foreign keys');
    const broken = db
      .prepare(
        `SELECT c.capture_id,
           c.thread_count, (SELECT count(*) FROM threads t WHERE t.capture_id = c.capture_id) AS threads,
           c.handle_count, (SELECT count(*) FROM handles h WHERE h.capture_id = c.capture_id) AS handles,
           c.region_count, (SELECT count(*) FROM regions r WHERE r.capture_id = c.capture_id) AS regions,
           (SELECT count(*) FROM process_info p WHERE p.capture_id = c.capture_id) AS process_rows,
           (SELECT count(*) FROM performance_counters k WHERE k.capture_id = c.capture_id) AS counter_rows,
           (c.capture_flags & 0x40000000) <> 0 AS measured
         FROM captures c
         WHERE coalesce(c.thread_count, 0) <> threads OR coalesce(c.handle_count, 0) <> handles
            OR coalesce(c.region_count, 0) <> regions OR process_rows <> 1
            OR counter_rows <> CASE WHEN measured THEN 6 ELSE 0 END`,
      )
      .all();
    t.deepEqual(broken, [], 'every capture: recorded counts equal stored rows, its process row and counters');
    const duplicates = db
      .prepare(
        `SELECT 'thread' AS kind, capture_id, thread_id AS k FROM threads GROUP BY capture_id, thread_id HAVING count(*) > 1
         UNION ALL SELECT 'handle', capture_id, handle_value FROM handles GROUP BY capture_id, handle_value HAVING count(*) > 1
         UNION ALL SELECT 'region', capture_id, base_address FROM regions GROUP BY capture_id, base_address HAVING count(*) > 1
         LIMIT 5`,
      )
      .all();
    t.deepEqual(duplicates, [], 'no entry appears twice in a capture');
    const ids = db.prepare('SELECT capture_id FROM captures ORDER BY capture_id').pluck().all() as number[];
    const skipped = db.prepare('SELECT coalesce(sum(skipped_count), 0) FROM captures').pluck().get() as number;
    return { ids, skipped };
  } finally {
    db.close();
  }
}
