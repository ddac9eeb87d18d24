/** Checks that a recording holds only whole, internally consistent captures. */
import type { ExecutionContext } from 'ava';
import BetterSqlite3 from 'better-sqlite3';

export interface ConsistencyReport {
  captures: number;
  skipped: number;
}

/**
 * Asserts, on a recording file: `PRAGMA integrity_check` is ok, foreign keys hold, every capture
 * has its process row, its recorded counts equal its stored rows, and no entry appears twice.
 */
export function assertConsistent(t: ExecutionContext, path: string): ConsistencyReport {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: 60_000 });
  try {
    t.is(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check');
    t.deepEqual(db.pragma('foreign_key_check'), [], 'foreign keys');
    const bad = db
      .prepare(
        `SELECT c.capture_id,
           c.thread_count, (SELECT count(*) FROM threads t WHERE t.capture_id = c.capture_id) AS threads,
           c.handle_count, (SELECT count(*) FROM handles h WHERE h.capture_id = c.capture_id) AS handles,
           c.region_count, (SELECT count(*) FROM regions r WHERE r.capture_id = c.capture_id) AS regions,
           (SELECT count(*) FROM process_info p WHERE p.capture_id = c.capture_id) AS process_rows
         FROM captures c
         WHERE coalesce(c.thread_count, 0) <> threads OR coalesce(c.handle_count, 0) <> handles
            OR coalesce(c.region_count, 0) <> regions OR process_rows <> 1`,
      )
      .all();
    t.deepEqual(bad, [], 'every capture: recorded counts equal stored rows, one process row');
    const duplicates = db
      .prepare(
        `SELECT 'thread' AS kind, capture_id, thread_id AS k FROM threads GROUP BY capture_id, thread_id HAVING count(*) > 1
         UNION ALL SELECT 'handle', capture_id, handle_value FROM handles GROUP BY capture_id, handle_value HAVING count(*) > 1
         UNION ALL SELECT 'region', capture_id, base_address FROM regions GROUP BY capture_id, base_address HAVING count(*) > 1
         LIMIT 5`,
      )
      .all();
    t.deepEqual(duplicates, [], 'no entry appears twice in a capture');
    const totals = db.prepare('SELECT count(*) AS captures, coalesce(sum(skipped_count), 0) AS skipped FROM captures').get() as ConsistencyReport;
    return totals;
  } finally {
    db.close();
  }
}
