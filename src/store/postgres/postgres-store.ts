import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import type { ReadStore } from '../read-store.js';
import { bindValues } from '../row-reader.js';
import { type Database, U64_COLUMNS } from '../schema.js';
import { POSTGRES_NAMESPACE } from './schema-dialect.js';
import { postgresError } from './postgres-errors.js';

/*
 * pssql's value rules on PostgreSQL, as on SQLite (row-reader.ts): integers are read exactly
 * (int8 as bigint, never rounded) and come back as numbers when exact, except the columns the
 * schema declares unsigned 64-bit, which stay bigint, reinterpreted as unsigned. PostgreSQL tells
 * where a result column comes from (its table and column number, through views, subqueries and
 * CTEs alike), so `SELECT base_address FROM regions` is a bigint here too. Booleans read back as
 * 1 or 0, as SQLite has them; numeric (sums, averages) as numbers; dates and times as the text
 * PostgreSQL writes.
 */

const INT8 = 20;
const BOOL = 16;
const NUMERIC = 1700;
const TEXT_TYPES = new Set([1082, 1083, 1114, 1184, 1186, 1266]); // date, time, timestamp(tz), interval, timetz

function parseNumeric(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/** The type parsers of pssql's connections (per pool: the `pg` module's defaults are left alone). */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    if (oid === INT8) return (text: string) => BigInt(text);
    if (oid === NUMERIC) return parseNumeric;
    if (TEXT_TYPES.has(oid)) return (text: string) => text;
    return pg.types.getTypeParser(oid, 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A result as pssql reads it: its columns (known even without rows) and decoded rows. */
export interface PostgresResult<Row = Record<string, unknown>> {
  columns: string[];
  rows: Row[];
  command: string;
  rowCount: number | null;
}

/** Something that runs SQL with `$n` parameters: a client, in or out of a transaction. */
export interface PostgresQueryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<PostgresResult<Row>>;
}

/**
 * Which result columns are unsigned 64-bit, by their origin (table oid, column number): loaded
 * once for the store's relations, and again for a relation it did not know (a new partition).
 */
class ColumnOrigins {
  /** `oid:attnum` of every u64 column of the store's relations (partitions under their parent's name). */
  private readonly u64 = new Set<string>();
  private readonly known = new Set<number>();

  async load(client: pg.ClientBase, oids: readonly number[] | null): Promise<void> {
    const result = await client.query<{ oid: number; relation: string; attnum: number; column: string }>(
      `SELECT c.oid::int AS oid, coalesce(parent.relname, c.relname) AS relation, a.attnum, a.attname AS column
       FROM pg_class AS c
       JOIN pg_namespace AS n ON n.oid = c.relnamespace
       JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_inherits AS i ON i.inhrelid = c.oid
       LEFT JOIN pg_class AS parent ON parent.oid = i.inhparent
       WHERE n.nspname = $1 AND ($2::oid[] IS NULL OR c.oid = ANY ($2::oid[]))`,
      [POSTGRES_NAMESPACE, oids === null ? null : oids.map(String)],
    );
    for (const oid of oids ?? []) this.known.add(oid);
    for (const row of result.rows) {
      this.known.add(row.oid);
      if (U64_COLUMNS.has(`${row.relation}.${row.column}`)) this.u64.add(`${row.oid}:${row.attnum}`);
    }
  }

  /** The u64 result columns of a result, looking up relations not seen before. */
  async u64Fields(client: pg.ClientBase, fields: readonly pg.FieldDef[]): Promise<Set<string>> {
    const int8 = fields.filter((f) => f.dataTypeID === INT8 && f.tableID !== 0);
    const unknown = [...new Set(int8.map((f) => f.tableID).filter((oid) => !this.known.has(oid)))];
    if (unknown.length > 0) await this.load(client, unknown);
    return new Set(int8.filter((f) => this.u64.has(`${f.tableID}:${f.columnID}`)).map((f) => f.name));
  }
}

function decodeRows(rows: Record<string, unknown>[], fields: readonly pg.FieldDef[], u64: ReadonlySet<string>): Record<string, unknown>[] {
  const int8 = fields.filter((f) => f.dataTypeID === INT8).map((f) => f.name);
  const bool = fields.filter((f) => f.dataTypeID === BOOL).map((f) => f.name);
  if (int8.length === 0 && bool.length === 0) return rows;
  for (const row of rows) {
    for (const name of int8) {
      const value = row[name];
      if (typeof value !== 'bigint') continue;
      if (u64.has(name)) row[name] = BigInt.asUintN(64, value);
      else if (value >= -9007199254740991n && value <= 9007199254740991n) row[name] = Number(value);
    }
    for (const name of bool) {
      const value = row[name];
      if (typeof value === 'boolean') row[name] = value ? 1 : 0;
    }
  }
  return rows;
}

/**
 * A client taken from the pool, kept from crashing the process when its server goes away while
 * it is checked out: `pg` then emits 'error' on it, and the query in flight fails with the cause.
 */
async function checkOut(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (client.listenerCount('error') === 0) client.on('error', () => {});
  return client;
}

/** A client that reads with pssql's value rules. */
function queryable(client: pg.ClientBase, origins: ColumnOrigins): PostgresQueryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<PostgresResult<Row>> {
      const result = await client.query({ text: sql, values: bindValues(params) });
      // A multi-statement text (migrations) answers with one result per statement: the last one counts.
      const last = (Array.isArray(result) ? result[result.length - 1] : result) as pg.QueryResult<Record<string, unknown>>;
      const fields = last?.fields ?? [];
      const u64 = fields.length === 0 ? new Set<string>() : await origins.u64Fields(client, fields);
      return {
        columns: fields.map((f) => f.name),
        rows: decodeRows(last?.rows ?? [], fields, u64) as Row[],
        command: last?.command ?? '',
        rowCount: last?.rowCount ?? null,
      };
    },
  };
}

/** How to connect: the URL and what pssql adds to every session. */
export interface PostgresConnection {
  url: string;
  /** The URL without its password, for messages. */
  location: string;
  readonly: boolean;
  connectTimeoutMs: number;
}

/** The pool of a store: search_path set to pssql's schema, sessions read-only for readers. */
export function createPool(connection: PostgresConnection, max: number): pg.Pool {
  const own = [`-c search_path=${POSTGRES_NAMESPACE}`, ...(connection.readonly ? ['-c default_transaction_read_only=on'] : [])].join(' ');
  // The URL as libpq reads it (postgres://user@/db?host=/run/postgresql too), with pssql's
  // session options added to its own.
  const parsed = parseConnectionString(connection.url);
  const fromUrl = typeof parsed.options === 'string' ? parsed.options : null;
  const pool = new pg.Pool({
    ...(parsed as pg.PoolConfig),
    options: fromUrl === null ? own : `${fromUrl} ${own}`,
    max,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: connection.connectTimeoutMs,
    keepAlive: true,
    application_name: 'pssql',
    types: TYPES,
  });
  // An idle client whose server went away must not crash the process: the next query reports it.
  pool.on('error', () => {});
  return pool;
}

/**
 * What the analysis layer needs of a PostgreSQL store beyond {@link ReadStore}: its Kysely, and
 * statements run as they are (one read, or one read-only statement rolled back).
 */
export interface PostgresReader extends ReadStore {
  readonly dialect: 'postgres';
  readonly db: Kysely<Database>;
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<PostgresResult<Row>>;
  readOnlyQuery<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<PostgresResult<Row>>;
}

/** Kysely's view of a pool whose clients read with pssql's value rules. */
export interface KyselyPool {
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

/**
 * An open pssql store in a PostgreSQL database: the typed Kysely query builder with pssql's value
 * rules (`store.db`), one-statement reads and read-only queries, and transactions for the
 * writers (push, prune). Close it when done.
 */
export class PostgresStore implements PostgresReader {
  readonly dialect = 'postgres' as const;
  readonly db: Kysely<Database>;
  private readonly objects = new Map<object, unknown>();
  private readonly origins = new ColumnOrigins();
  private closed: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    readonly path: string,
    readonly readonly: boolean,
  ) {
    this.db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.kyselyPool() }) });
  }

  /** The pool as Kysely takes it: its clients decode rows as pssql does, their errors are PssErrors. The store ends the real pool. */
  kyselyPool(): KyselyPool {
    const { pool, origins, path } = this;
    return {
      async connect() {
        let client: pg.PoolClient;
        try {
          client = await checkOut(pool);
        } catch (error) {
          throw postgresError(error, path, 'cannot connect to');
        }
        const reader = queryable(client, origins);
        return {
          query: async (sql: string, params: readonly unknown[]) => {
            try {
              return await reader.query(sql, params);
            } catch (error) {
              throw postgresError(error, path, 'cannot read');
            }
          },
          release: () => client.release(),
        } as unknown as pg.PoolClient;
      },
      end: async () => {},
    };
  }

  /** Loads what the value rules need to know about the store's columns; run once at open. */
  async prepare(client: pg.ClientBase): Promise<void> {
    await this.origins.load(client, null);
  }

  cached<T>(owner: object, make: () => T): T {
    if (!this.objects.has(owner)) this.objects.set(owner, make());
    return this.objects.get(owner) as T;
  }

  /** Runs `body` with one client of the pool, released afterwards. */
  async withClient<T>(body: (client: PostgresQueryable & { raw: pg.PoolClient }) => Promise<T>, doing = 'cannot use'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await checkOut(this.pool);
    } catch (error) {
      throw postgresError(error, this.path, 'cannot connect to');
    }
    let broken = false;
    try {
      return await body({ ...queryable(client, this.origins), raw: client });
    } catch (error) {
      broken = true;
      throw postgresError(error, this.path, doing);
    } finally {
      // A client that failed mid-transaction or lost its server is not given back to the pool.
      client.release(broken);
    }
  }

  /**
   * A client of its own, for a session that keeps state between transactions (a push's staging
   * tables, its advisory locks): release it when done, saying whether it broke.
   */
  async session(): Promise<{ client: PostgresQueryable; raw: pg.PoolClient; release(broken?: boolean): void }> {
    let client: pg.PoolClient;
    try {
      client = await checkOut(this.pool);
    } catch (error) {
      throw postgresError(error, this.path, 'cannot connect to');
    }
    return { client: queryable(client, this.origins), raw: client, release: (broken = false) => client.release(broken) };
  }

  /** Runs one statement and returns its decoded rows. */
  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<PostgresResult<Row>> {
    return this.withClient((client) => client.query<Row>(sql, params), 'cannot read');
  }

  /**
   * Runs one statement in a read-only transaction that is rolled back: nothing it does stays,
   * not even a setting. PostgreSQL refuses any write in it (SQLSTATE 25006).
   */
  async readOnlyQuery<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<PostgresResult<Row>> {
    return this.withClient(async (client) => {
      await client.query('BEGIN READ ONLY');
      try {
        return await client.query<Row>(sql, params);
      } finally {
        await client.query('ROLLBACK');
      }
    }, 'cannot read');
  }

  /** Runs `body` in one transaction on one client: committed when it returns, rolled back when it throws. */
  async transaction<T>(body: (client: PostgresQueryable & { raw: pg.PoolClient }) => Promise<T>, doing = 'cannot write into'): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await body(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }, doing);
  }

  close(): Promise<void> {
    this.closed ??= this.pool.end().catch(() => {});
    return this.closed;
  }
}
