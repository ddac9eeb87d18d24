import type BetterSqlite3 from 'better-sqlite3';
import { openStore, type Store, sqliteError } from '../../store/open-store.js';
import { SQLITE_SCHEMA } from '../../store/render-schema.js';
import { TABLES } from '../../store/schema.js';
import { stagingNames, stagingTables } from '../push-sql.js';
import type { PushDialect, PushTarget, TargetInstance, TargetRecording, TargetTransaction } from '../push-target.js';

/** The SQL of a push that is SQLite's own: keys after the largest (a push holds the write lock), plain unique indexes. */
export const SQLITE_PUSH: PushDialect = {
  name: 'sqlite',
  newIds: (table, column, stage) => `SELECT s.${column}, (SELECT coalesce(max(${column}), 0) FROM main.${table}) + row_number() OVER (ORDER BY s.${column}) FROM ${stage} AS s`,
  addStrings: () => [
    'INSERT INTO main.strings (value, raw) SELECT value, raw FROM push_strings WHERE raw IS NULL ON CONFLICT (value) WHERE raw IS NULL DO NOTHING',
    'INSERT INTO main.strings (value, raw) SELECT value, raw FROM push_strings WHERE raw IS NOT NULL ON CONFLICT (raw) WHERE raw IS NOT NULL DO NOTHING',
  ],
  mapStrings: () => [
    `INSERT INTO push_map_strings (local_id, id) SELECT st.string_id, s.string_id FROM push_strings AS st
     JOIN main.strings AS s ON s.raw IS NULL AND s.value = st.value WHERE st.raw IS NULL`,
    `INSERT INTO push_map_strings (local_id, id) SELECT st.string_id, s.string_id FROM push_strings AS st
     JOIN main.strings AS s ON s.raw IS NOT NULL AND s.raw = st.raw WHERE st.raw IS NOT NULL`,
  ],
};

/**
 * Pushing into a SQLite file: how the recordings of several hosts merge into one file, without a
 * server. The same batches as into PostgreSQL, each in one IMMEDIATE transaction (writers take
 * turns as recorders do); staging tables are temporary tables of the connection.
 */
export class SqlitePushTarget implements PushTarget {
  readonly dialect = SQLITE_PUSH;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  private constructor(private readonly store: Store) {
    for (const sql of stagingTables('sqlite', (c) => SQLITE_SCHEMA.columnType(c, { table: '', name: '', relation: TABLES.strings }))) store.db.exec(sql);
  }

  get location(): string {
    return this.store.path;
  }

  /** Opens (and when missing, makes) the recording file of a path for pushing into. */
  static open(path: string): SqlitePushTarget {
    return new SqlitePushTarget(openStore(path));
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.store.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private run(sql: string, ...params: unknown[]): { rows: Record<string, unknown>[]; changes: number } {
    try {
      const statement = this.statement(sql);
      if (statement.reader) return { rows: statement.all(...params) as Record<string, unknown>[], changes: 0 };
      return { rows: [], changes: statement.run(...params).changes };
    } catch (error) {
      throw sqliteError(error, this.location);
    }
  }

  async recording(recordingId: string, createdAtUs: number): Promise<TargetRecording> {
    this.run('INSERT INTO recordings (recording_id, created_at_us) VALUES (?, ?) ON CONFLICT (recording_id) DO NOTHING', recordingId, createdAtUs);
    const key = this.run('SELECT recording_key FROM recordings WHERE recording_id = ?', recordingId).rows[0]?.recording_key as number;
    return { key, recordingId };
  }

  async instances(recordingKey: number): Promise<TargetInstance[]> {
    return this.run(
      `SELECT instance_id AS instanceId, coalesce(origin_instance_id, instance_id) AS origin, host, pid, create_time_us AS createTimeUs, last_seq AS lastSeq
       FROM process_instances WHERE recording_key = ?`,
      recordingKey,
    ).rows as unknown as TargetInstance[];
  }

  async captureStartedAt(instanceId: number, seq: number): Promise<number | null> {
    return (this.run('SELECT started_at_us FROM captures WHERE instance_id = ? AND seq = ?', instanceId, seq).rows[0]?.started_at_us as number | undefined) ?? null;
  }

  async transaction<T>(body: (tx: TargetTransaction) => Promise<T>): Promise<T> {
    this.run('BEGIN IMMEDIATE');
    const tx: TargetTransaction = {
      dialect: this.dialect,
      run: async (sql) => this.run(sql),
      load: async ({ stage, columns, rows }) => {
        const insert = this.statement(`INSERT INTO ${stage} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        let n = 0;
        try {
          for (const row of rows) {
            insert.run(...row);
            n++;
          }
        } catch (error) {
          throw sqliteError(error, this.location);
        }
        return n;
      },
    };
    try {
      for (const name of stagingNames()) this.run(`DELETE FROM ${name}`);
      const result = await body(tx);
      this.run('COMMIT');
      return result;
    } catch (error) {
      if (this.store.db.inTransaction) this.store.db.exec('ROLLBACK');
      throw error;
    }
  }

  async analyze(): Promise<void> {
    // SQLite plans with its indexes alone (no sqlite_stat1 in a recording): nothing to refresh.
  }

  async lockRecording(): Promise<() => Promise<void>> {
    // Each batch's transaction holds the file's write lock and checks where the instance is.
    return async () => {};
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
