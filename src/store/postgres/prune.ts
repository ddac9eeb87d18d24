import type { Retention } from '../prune.js';
import { partTablesOf } from '../row-codec.js';
import { ENTRY_KINDS } from '../entry-kinds.js';
import type { PostgresQueryable } from './postgres-store.js';

/** What a prune of a PostgreSQL store did. */
export interface PostgresPruned {
  captures: number;
  versions: number;
  partitionsDropped: number;
}

/**
 * Deletes the captures a retention no longer keeps from a PostgreSQL store, and the versions
 * only they used, in the transaction of `client`: captures oldest first (per process instance
 * with `keep`), then, per instance touched, the versions that ended before its oldest capture
 * left (all of them when none is left). A recording left without any capture has its version
 * partitions dropped instead of deleted row by row. Process instances stay, with the last seq
 * pushed: a later push of the same recording does not bring back what was pruned.
 */
export async function prunePostgres(client: PostgresQueryable, retention: Retention, nowUs: number): Promise<PostgresPruned> {
  const doomed: string[] = [];
  if (retention.maxAgeUs !== undefined) doomed.push(`SELECT capture_id, instance_id FROM captures WHERE started_at_us < ${Math.floor(nowUs - retention.maxAgeUs)}`);
  if (retention.keep !== undefined) {
    doomed.push(
      `SELECT capture_id, instance_id FROM (SELECT capture_id, instance_id, row_number() OVER (PARTITION BY instance_id ORDER BY seq DESC) AS newest FROM captures) AS ranked WHERE newest > ${retention.keep}`,
    );
  }
  await client.query(`CREATE TEMPORARY TABLE prune_doomed ON COMMIT DROP AS ${doomed.join(' UNION ')}`);
  const captures = (await client.query('DELETE FROM captures WHERE capture_id IN (SELECT capture_id FROM prune_doomed)')).rowCount ?? 0;
  if (captures === 0) return { captures: 0, versions: 0, partitionsDropped: 0 };

  // Recordings with no capture left: their partitions go whole.
  const { rows: empty } = await client.query<{ recording_key: number }>(
    `SELECT r.recording_key FROM recordings AS r
     WHERE NOT EXISTS (SELECT FROM process_instances AS i JOIN captures AS c ON c.instance_id = i.instance_id WHERE i.recording_key = r.recording_key)`,
  );
  let partitionsDropped = 0;
  let versions = 0;
  for (const { recording_key: key } of empty) {
    for (const kind of ENTRY_KINDS) {
      const partition = `${kind.table}_r${key}`;
      const { rows } = await client.query<{ there: number }>('SELECT to_regclass($1) IS NOT NULL AS there', [partition]);
      if (rows[0]?.there !== 1) continue;
      for (const part of partTablesOf(kind.table)) {
        await client.query(`DELETE FROM ${part.table} WHERE ${kind.idColumn} IN (SELECT ${kind.idColumn} FROM ${partition})`);
      }
      versions += Number((await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${partition}`)).rows[0]?.n ?? 0);
      await client.query(`DROP TABLE ${partition}`);
      partitionsDropped++;
    }
  }
  // The other instances touched: what ended before their oldest capture left.
  await client.query(
    `CREATE TEMPORARY TABLE prune_oldest ON COMMIT DROP AS
     SELECT i.instance_id, i.recording_key, (SELECT min(c.seq) FROM captures AS c WHERE c.instance_id = i.instance_id) AS oldest
     FROM process_instances AS i WHERE i.instance_id IN (SELECT DISTINCT instance_id FROM prune_doomed)
       AND i.recording_key NOT IN (${[0, ...empty.map((e) => e.recording_key)].join(', ')})`,
  );
  for (const kind of ENTRY_KINDS) {
    const gone = `SELECT v.${kind.idColumn} FROM ${kind.table} AS v JOIN prune_oldest AS o ON o.instance_id = v.instance_id AND o.recording_key = v.recording_key WHERE o.oldest IS NULL OR v.last_seq < o.oldest`;
    for (const part of partTablesOf(kind.table)) await client.query(`DELETE FROM ${part.table} WHERE ${kind.idColumn} IN (${gone})`);
    versions +=
      (
        await client.query(
          `DELETE FROM ${kind.table} AS v USING prune_oldest AS o WHERE o.instance_id = v.instance_id AND o.recording_key = v.recording_key AND (o.oldest IS NULL OR v.last_seq < o.oldest)`,
        )
      ).rowCount ?? 0;
  }
  return { captures, versions, partitionsDropped };
}
