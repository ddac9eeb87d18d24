import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { PssError } from '../../pss/pss-error.js';
import { openPostgresStore } from '../../store/postgres/open-store.js';
import { postgresError } from '../../store/postgres/postgres-errors.js';
import type { PostgresQueryable, PostgresStore } from '../../store/postgres/postgres-store.js';
import { POSTGRES_SCHEMA, sequenceOf } from '../../store/postgres/schema-dialect.js';
import { TABLES } from '../../store/schema.js';
import { ENTRY_KINDS } from '../../store/entry-kinds.js';
import { stagingTables } from '../push-sql.js';
import type { PushDialect, PushTarget, StageLoad, TargetInstance, TargetRecording, TargetTransaction } from '../push-target.js';

/** The SQL of a push that is PostgreSQL's own: sequences for keys, digests in the strings' unique indexes. */
export const POSTGRES_PUSH: PushDialect = {
  name: 'postgres',
  // In the source's order: a recording pushed into an empty store keeps the ids it had.
  newIds: (table, column, stage) => `SELECT s.${column}, nextval('${sequenceOf(table, column)}') FROM (SELECT ${column} FROM ${stage} ORDER BY ${column}) AS s`,
  addStrings: () => [
    // In digest order: two pushes adding the same texts take their locks in one order, never in a cycle.
    'INSERT INTO strings (value, raw) SELECT value, raw FROM push_strings WHERE raw IS NULL ORDER BY pssql_digest(value) ON CONFLICT (pssql_digest(value)) WHERE raw IS NULL DO NOTHING',
    'INSERT INTO strings (value, raw) SELECT value, raw FROM push_strings WHERE raw IS NOT NULL ORDER BY sha256(raw) ON CONFLICT (sha256(raw)) WHERE raw IS NOT NULL DO NOTHING',
  ],
  mapStrings: () => [
    `INSERT INTO push_map_strings (local_id, id) SELECT st.string_id, s.string_id FROM push_strings AS st
     JOIN strings AS s ON s.raw IS NULL AND pssql_digest(s.value) = pssql_digest(st.value) AND s.value = st.value WHERE st.raw IS NULL`,
    `INSERT INTO push_map_strings (local_id, id) SELECT st.string_id, s.string_id FROM push_strings AS st
     JOIN strings AS s ON s.raw IS NOT NULL AND sha256(s.raw) = sha256(st.raw) AND s.raw = st.raw WHERE st.raw IS NOT NULL`,
  ],
};

/** pssql's advisory lock of a new recording (the recordings table and its partitions). */
const RECORDINGS_LOCK = 0x70737372;

/** A value in COPY's text format. */
function copyValue(value: unknown, column: string): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `\\\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'string') {
    if (value.includes('\0')) {
      throw new PssError('ERROR_INVALID_DATA', `${column} holds a NUL character, which PostgreSQL text cannot: this value cannot be pushed`, { option: column });
    }
    return value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
  }
  return String(value);
}

/** A text with a NUL (valid in SQLite, not in PostgreSQL text) keeps its exact bytes in `raw`, as texts that are not UTF-8 do. */
function withoutNul(row: readonly unknown[]): readonly unknown[] {
  const [id, value, raw] = row;
  if (raw !== null || typeof value !== 'string' || !value.includes('\0')) return row;
  return [id, value.replaceAll('\0', '\\x00'), Buffer.from(value, 'utf8')];
}

/** Rows as COPY text, in chunks of about 64 KiB. */
function* copyText(load: StageLoad, counter: { rows: number }): Generator<string> {
  let chunk = '';
  for (const source of load.rows) {
    const row = load.stage === 'push_strings' ? withoutNul(source) : source;
    chunk += `${row.map((v, i) => copyValue(v, load.columns[i] as string)).join('\t')}\n`;
    counter.rows++;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Pushing into a PostgreSQL store: one session, whose temporary staging tables rows are loaded
 * into with COPY (the fastest way in), and whose advisory lock keeps two pushes of one recording
 * apart. Partitions of a new recording are made in their own short transaction, so that a long
 * first batch does not hold a lock on the parent tables.
 */
export class PostgresPushTarget implements PushTarget {
  readonly dialect = POSTGRES_PUSH;
  private staged = false;

  private constructor(
    private readonly store: PostgresStore,
    private readonly client: PostgresQueryable,
    private readonly raw: pg.PoolClient,
    private readonly release: (broken?: boolean) => void,
  ) {}

  get location(): string {
    return this.store.path;
  }

  /** Opens (and when new, makes) the store of a URL for pushing into. */
  static async open(url: string): Promise<PostgresPushTarget> {
    const store = await openPostgresStore(url, { maxConnections: 1 });
    try {
      const { client, raw, release } = await store.session();
      return new PostgresPushTarget(store, client, raw, release);
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  private async query(sql: string, params: readonly unknown[] = []) {
    try {
      return await this.client.query(sql, params);
    } catch (error) {
      throw postgresError(error, this.location, 'cannot push into');
    }
  }

  async recording(recordingId: string, createdAtUs: number): Promise<TargetRecording> {
    await this.query('BEGIN');
    try {
      await this.query('SELECT pg_advisory_xact_lock($1)', [RECORDINGS_LOCK]);
      await this.query('INSERT INTO recordings (recording_id, created_at_us) VALUES ($1, $2) ON CONFLICT (recording_id) DO NOTHING', [recordingId, createdAtUs]);
      const key = Number((await this.query('SELECT recording_key FROM recordings WHERE recording_id = $1', [recordingId])).rows[0]?.recording_key);
      for (const kind of ENTRY_KINDS) {
        const partition = `${kind.table}_r${key}`;
        const exists = (await this.query('SELECT to_regclass($1) IS NOT NULL AS there', [partition])).rows[0]?.there;
        if (exists !== 1) await this.query(`CREATE TABLE ${partition} PARTITION OF ${kind.table} FOR VALUES IN (${key})`);
      }
      await this.query('COMMIT');
      return { key, recordingId };
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  async instances(recordingKey: number): Promise<TargetInstance[]> {
    const { rows } = await this.query(
      `SELECT instance_id AS "instanceId", coalesce(origin_instance_id, instance_id) AS origin, host, pid, create_time_us AS "createTimeUs", last_seq AS "lastSeq"
       FROM process_instances WHERE recording_key = $1`,
      [recordingKey],
    );
    return rows as unknown as TargetInstance[];
  }

  async captureStartedAt(instanceId: number, seq: number): Promise<number | null> {
    const { rows } = await this.query('SELECT started_at_us FROM captures WHERE instance_id = $1 AND seq = $2', [instanceId, seq]);
    return (rows[0]?.started_at_us as number | undefined) ?? null;
  }

  async transaction<T>(body: (tx: TargetTransaction) => Promise<T>): Promise<T> {
    if (!this.staged) {
      for (const sql of stagingTables('postgres', (c) => POSTGRES_SCHEMA.columnType(c, { table: '', name: '', relation: TABLES.strings }))) await this.query(sql);
      this.staged = true;
    }
    await this.query('BEGIN');
    const tx: TargetTransaction = {
      dialect: this.dialect,
      run: async (sql) => {
        const result = await this.query(sql);
        return { rows: result.rows, changes: result.rowCount ?? 0 };
      },
      load: async (load) => {
        // Nothing to load is no COPY at all (a round trip saved, most batches have many empty tables).
        const iterator = load.rows[Symbol.iterator]();
        const first = iterator.next();
        if (first.done === true) return 0;
        const rows: Iterable<readonly unknown[]> = {
          *[Symbol.iterator]() {
            try {
              yield first.value;
              for (let next = iterator.next(); next.done !== true; next = iterator.next()) yield next.value;
            } finally {
              // A COPY that fails ends the source's statement too, so that its connection is free again.
              iterator.return?.();
            }
          },
        };
        load = { ...load, rows };
        const counter = { rows: 0 };
        const copy = this.raw.query(copyStreams.from(`COPY ${load.stage} (${load.columns.join(', ')}) FROM STDIN`));
        try {
          await pipeline(Readable.from(copyText(load, counter)), copy);
        } catch (error) {
          throw postgresError(error, this.location, 'cannot push into');
        }
        return counter.rows;
      },
    };
    try {
      const result = await body(tx);
      await this.query('COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /**
   * Autovacuum analyzes tables, but never a partitioned table's parent, whose statistics the
   * planner uses for every query of the version tables: without them the reports' joins are
   * planned blind. ANALYZE samples (30 000 rows a table), so it costs little beside a big push.
   */
  async analyze(): Promise<void> {
    await this.query(`ANALYZE ${ENTRY_KINDS.map((k) => k.table).join(', ')}, captures, process_instances, process_info, strings`);
  }

  async lockRecording(recordingId: string): Promise<() => Promise<void>> {
    await this.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`pssql push ${recordingId}`]);
    return async () => {
      await this.client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`pssql push ${recordingId}`]).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.release();
    await this.store.close();
  }
}
