import type BetterSqlite3 from 'better-sqlite3';
import { ENTRY_KINDS } from './entry-kinds.js';

/*
 * `pssql check`: is a recording whole? SQLite's own integrity check, then the recording's
 * invariants: every capture's counts equal its rows, it has its process information, versions of
 * one entry never overlap, and each process instance knows its last capture.
 */

/** One check and what it found. */
export interface CheckResult {
  check: string;
  ok: boolean;
  /** What is wrong (the first few problems), or what was checked. */
  detail: string;
}

function run(check: string, body: () => string[], what: string): CheckResult {
  try {
    const problems = body();
    return problems.length === 0 ? { check, ok: true, detail: what } : { check, ok: false, detail: problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '') };
  } catch (error) {
    return { check, ok: false, detail: `cannot be read: ${(error as Error).message}` };
  }
}

/**
 * Checks a recording (a raw connection, so that a damaged one can be checked too). `full` runs
 * SQLite's integrity_check, else its quick_check (no index against its table).
 *
 * @example
 * const failed = checkRecording(store.db).filter((r) => !r.ok)
 */
export function checkRecording(db: BetterSqlite3.Database, options: { full?: boolean } = {}): CheckResult[] {
  const pragma = options.full === false ? 'quick_check' : 'integrity_check';
  const results: CheckResult[] = [
    run(
      pragma,
      () => (db.pragma(pragma) as { [key: string]: string }[]).map((r) => Object.values(r)[0] as string).filter((m) => m !== 'ok'),
      'every page, cell and index of the file',
    ),
    run('foreign keys', () => (db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]).map((r) => `${r.table} row ${r.rowid} names a missing ${r.parent} row`), 'every row names rows that exist'),
  ];
  let captures: number | string = '?';
  try {
    captures = db.prepare('SELECT count(*) FROM captures').pluck().get() as number;
  } catch {
    // Said by the checks that need the captures.
  }
  for (const kind of ENTRY_KINDS) {
    results.push(
      run(
        `${kind.kind} counts`,
        () =>
          (
            db
              .prepare(
                `SELECT c.capture_id, c.${kind.countColumn} AS recorded, (SELECT count(*) FROM ${kind.view} AS e WHERE e.capture_id = c.capture_id) AS stored
                 FROM captures AS c WHERE coalesce(c.${kind.countColumn}, 0) <> (SELECT count(*) FROM ${kind.view} AS e WHERE e.capture_id = c.capture_id)`,
              )
              .all() as { capture_id: number; recorded: number | null; stored: number }[]
          ).map((r) => `capture ${r.capture_id} records ${r.recorded ?? 'no'} ${kind.kind} but holds ${r.stored}`),
        `the ${kind.kind} of ${captures} captures`,
      ),
    );
    results.push(
      run(
        `${kind.kind} versions`,
        () =>
          (
            db
              .prepare(
                `SELECT a.instance_id, a.${kind.keyColumn} AS entry, a.first_seq AS a_first, b.first_seq AS b_first
                 FROM ${kind.table} AS a JOIN ${kind.table} AS b
                   ON b.instance_id = a.instance_id AND b.${kind.keyColumn} = a.${kind.keyColumn} AND b.${kind.idColumn} > a.${kind.idColumn}
                 WHERE a.first_seq <= coalesce(b.last_seq, 9223372036854775807) AND b.first_seq <= coalesce(a.last_seq, 9223372036854775807)
                 LIMIT 20`,
              )
              .all() as { instance_id: number; entry: unknown; a_first: number; b_first: number }[]
          ).map((r) => `process instance ${r.instance_id}: two versions of ${kind.keyColumn} ${String(r.entry)} overlap (from captures ${r.a_first} and ${r.b_first})`),
        `no entry is in a capture twice`,
      ),
    );
  }
  results.push(
    run(
      'process information',
      () =>
        (db.prepare('SELECT c.capture_id FROM captures AS c LEFT JOIN process_info AS p USING (capture_id) WHERE p.capture_id IS NULL').pluck().all() as number[]).map(
          (id) => `capture ${id} has no process information`,
        ),
      `every capture has its process information`,
    ),
  );
  results.push(
    run(
      'process instances',
      () =>
        (
          db
            .prepare('SELECT i.instance_id, i.last_seq, max(c.seq) AS seq FROM process_instances AS i JOIN captures AS c USING (instance_id) GROUP BY i.instance_id HAVING max(c.seq) > i.last_seq')
            .all() as { instance_id: number; last_seq: number; seq: number }[]
        ).map((r) => `process instance ${r.instance_id} says its last capture is ${r.last_seq}, but holds ${r.seq}`),
      'each process knows its last capture',
    ),
  );
  return results;
}
