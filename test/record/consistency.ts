/** Checks that a recording holds only whole captures, as a stop or a signal must leave it. */
import type { ExecutionContext } from 'ava';
import BetterSqlite3 from 'better-sqlite3';

/**
 * Integrity check, foreign keys, and for every capture: its process information, its six
 * performance counters, and stored counts equal to the rows the views give it. Returns the ids.
 */
export function assertWholeCaptures(t: ExecutionContext, file: string): number[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    t.is(db.pragma('integrity_check', { simple: true }), 'ok');
    t.deepEqual(db.pragma('foreign_key_check'), []);
    const captures = db.prepare('SELECT capture_id, thread_count, handle_count, region_count FROM captures ORDER BY capture_id').all() as {
      capture_id: number;
      thread_count: number | null;
      handle_count: number | null;
      region_count: number | null;
    }[];
    const count = (view: string, id: number) => db.prepare(`SELECT count(*) FROM ${view} WHERE capture_id = ?`).pluck().get(id) as number;
    for (const c of captures) {
      t.is(count('threads', c.capture_id), c.thread_count ?? 0, `threads of capture ${c.capture_id}`);
      t.is(count('handles', c.capture_id), c.handle_count ?? 0, `handles of capture ${c.capture_id}`);
      t.is(count('regions', c.capture_id), c.region_count ?? 0, `regions of capture ${c.capture_id}`);
      t.is(count('process_info', c.capture_id), 1, `process information of capture ${c.capture_id}`);
      t.is(count('performance_counters', c.capture_id), 6, `performance counters of capture ${c.capture_id}`);
    }
    return captures.map((c) => c.capture_id);
  } finally {
    db.close();
  }
}
