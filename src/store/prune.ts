import type BetterSqlite3 from 'better-sqlite3';

/** How many captures to keep: per process instance, and by age. */
export interface Retention {
  /** Keep only the newest N captures of each process instance that is recorded. */
  keep?: number;
  /** Delete captures that started more than this long ago (µs), in the whole recording; the capture just written stays. */
  maxAgeUs?: number;
  /**
   * The time captures are aged against, µs since the Unix epoch; the wall clock by default. A
   * recorder gives the wall clock less the jumps it saw (a suspend, a step ahead), so that time
   * it did not run through does not age what it recorded.
   */
  nowUs?: number;
  /**
   * Pushing is on: only what a push target holds may go. Per process instance, the last seq the
   * target holds; captures before it may be deleted, it and those after it stay (an instance not
   * in the map keeps all of its captures).
   */
  pushed?: ReadonlyMap<number, number>;
}

const VERSION_TABLES = ['thread_versions', 'handle_versions', 'region_versions'] as const;

/** Checks retention options at the boundary. */
export function checkRetention(retention: Retention): void {
  if (retention.keep !== undefined && (!Number.isSafeInteger(retention.keep) || retention.keep < 1)) {
    throw new RangeError(`keep must be a positive integer (got ${String(retention.keep)})`);
  }
  if (retention.maxAgeUs !== undefined && (!Number.isFinite(retention.maxAgeUs) || retention.maxAgeUs <= 0)) {
    throw new RangeError(`maxAgeUs must be a positive duration (got ${String(retention.maxAgeUs)})`);
  }
}

/**
 * Deletes the captures that retention no longer keeps, and the entry versions only they used.
 * Run it inside the transaction that records a capture, so that a recording never holds a
 * half-pruned state. Captures are always deleted oldest first, so a version that ended before
 * the oldest capture left of its instance is garbage; current versions (last_seq NULL) are the
 * state the next capture is compared with and stay while the instance has any capture.
 *
 * @returns the number of captures deleted
 */
export function pruneCaptures(db: BetterSqlite3.Database, retention: Retention, instanceIds: readonly number[], nowUs: number): number {
  const doomed = new Set<number>();
  // With pushing on, a capture the target does not hold yet stays (so does the last one it holds).
  const pushed = retention.pushed;
  const add = (rows: { capture_id: number; instance_id: number; seq: number }[]): void => {
    for (const row of rows) if (pushed === undefined || row.seq < (pushed.get(row.instance_id) ?? 0)) doomed.add(row.capture_id);
  };
  if (retention.keep !== undefined) {
    const old = db.prepare('SELECT capture_id, instance_id, seq FROM captures WHERE instance_id = ? ORDER BY seq DESC LIMIT -1 OFFSET ?');
    for (const instanceId of instanceIds) add(old.all(instanceId, retention.keep) as { capture_id: number; instance_id: number; seq: number }[]);
  }
  if (retention.maxAgeUs !== undefined) {
    const cutoff = Math.floor(nowUs - retention.maxAgeUs);
    // The newest capture of each process being recorded (the one just written) is kept whatever
    // its age: a clock stepped back must not take it.
    const old = db.prepare(
      `SELECT capture_id, instance_id, seq FROM captures WHERE started_at_us < ?
         AND capture_id NOT IN (SELECT max(capture_id) FROM captures WHERE instance_id IN (${instanceIds.map(() => '?').join(', ') || 'NULL'}) GROUP BY instance_id)`,
    );
    add(old.all(cutoff, ...instanceIds) as { capture_id: number; instance_id: number; seq: number }[]);
  }
  if (doomed.size === 0) return 0;

  const affected = new Set<number>();
  const instanceOf = db.prepare('SELECT instance_id FROM captures WHERE capture_id = ?').pluck();
  const remove = db.prepare('DELETE FROM captures WHERE capture_id = ?');
  for (const id of doomed) {
    affected.add(instanceOf.get(id) as number);
    remove.run(id);
  }
  for (const instanceId of affected) {
    const oldest = db.prepare('SELECT min(seq) FROM captures WHERE instance_id = ?').pluck().get(instanceId) as number | null;
    if (oldest === null) {
      // No capture left: the instance and all its versions go (detail rows follow by cascade). An
      // instance pushed here from another recording stays, with the last seq pushed, so that a
      // later push does not bring back what was pruned.
      for (const table of VERSION_TABLES) db.prepare(`DELETE FROM ${table} WHERE instance_id = ?`).run(instanceId);
      db.prepare('DELETE FROM process_instances WHERE instance_id = ? AND recording_key = 1').run(instanceId);
    } else {
      for (const table of VERSION_TABLES) db.prepare(`DELETE FROM ${table} WHERE instance_id = ? AND last_seq < ?`).run(instanceId, oldest);
    }
  }
  return doomed.size;
}
