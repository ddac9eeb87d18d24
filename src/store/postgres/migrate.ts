import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PssError } from '../../pss/pss-error.js';
import type { Migration } from '../migrate.js';
import { POSTGRES_NAMESPACE } from './schema-dialect.js';
import type { PostgresQueryable } from './postgres-store.js';

/** Where the PostgreSQL migrations live: migrations/postgres/ at the package root, numbered as SQLite's. */
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../../../migrations/postgres/', import.meta.url));

/** The comment on pssql's schema that tells a pssql store from a namesake (SQLite has its application_id). */
export const STORE_MARK = 'pssql store: process snapshot recordings (application_id 0x70737371)';

/** pssql's advisory lock: one migration at a time, however many pssql push into a new store at once. */
const MIGRATION_LOCK = 0x70737371;

let cached: Migration[] | undefined;

/** The PostgreSQL migrations shipped with pssql, in order: `NNNN_name.sql`, the same numbers and names as SQLite's. */
export function loadPostgresMigrations(): Migration[] {
  if (cached !== undefined) return cached;
  const migrations = fs
    .readdirSync(POSTGRES_MIGRATIONS_DIR)
    .map((name) => ({ name, match: /^(\d{4})_[\w-]+\.sql$/.exec(name) }))
    .filter((m) => m.match !== null)
    .map(({ name, match }) => ({ version: Number(match?.[1]), name, sql: fs.readFileSync(`${POSTGRES_MIGRATIONS_DIR}/${name}`, 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 0001, 0002, ... without gaps: ${m.name}`);
  });
  cached = migrations;
  return migrations;
}

/** What a database holds, as far as pssql is concerned. */
export type DatabaseState =
  | { kind: 'empty' }
  | { kind: 'foreign'; tables: number }
  | { kind: 'namesake' }
  | { kind: 'store'; version: number };

/** Whether a database is empty, another application's, or a pssql store (and of which version). */
export async function databaseState(client: PostgresQueryable): Promise<DatabaseState> {
  const { rows } = await client.query<{ mark: string | null; has_schema: number; tables: number; migrations: number }>(
    `SELECT
       (SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = $1) AS mark,
       (SELECT count(*) FROM pg_namespace WHERE nspname = $1) AS has_schema,
       (SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1)
          AND n.nspname NOT LIKE 'pg\\_%') AS tables,
       (SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = 'schema_migrations') AS migrations`,
    [POSTGRES_NAMESPACE],
  );
  const row = rows[0] as { mark: string | null; has_schema: number; tables: number; migrations: number };
  if (row.has_schema > 0) {
    if (row.mark !== STORE_MARK) return { kind: 'namesake' };
    if (row.migrations === 0) return { kind: 'store', version: 0 };
    const version = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${POSTGRES_NAMESPACE}.schema_migrations`);
    return { kind: 'store', version: version.rows[0]?.v ?? 0 };
  }
  return row.tables > 0 ? { kind: 'foreign', tables: row.tables } : { kind: 'empty' };
}

/** The error of a database pssql must not use, or null when it may (read it, or migrate it when writing). */
export function refusal(state: DatabaseState, location: string, writing: boolean): PssError | null {
  const latest = loadPostgresMigrations().length;
  switch (state.kind) {
    case 'foreign':
      return new PssError(
        'ERROR_BAD_FORMAT',
        `${location} is a PostgreSQL database of another application (${state.tables} tables, no pssql store): give pssql a database of its own (createdb pssql)`,
        { path: location },
      );
    case 'namesake':
      return new PssError('ERROR_BAD_FORMAT', `${location} has a schema named ${POSTGRES_NAMESPACE} that is not a pssql store`, { path: location });
    case 'empty':
      return writing ? null : new PssError('ERROR_BAD_FORMAT', `${location} is an empty PostgreSQL database, not a pssql store (push a recording into it first: pssql push)`, { path: location });
    case 'store':
      if (state.version > latest) {
        return new PssError(
          'ERROR_REVISION_MISMATCH',
          `${location} was written by a newer pssql (schema ${state.version}; this pssql knows up to ${latest}): upgrade pssql`,
          { path: location },
        );
      }
      if (state.version < latest && !writing) {
        return new PssError(
          'ERROR_REVISION_MISMATCH',
          `${location} has the schema of an older pssql (${state.version}; this pssql reads ${latest}): push into it once with this pssql to migrate it`,
          { path: location },
        );
      }
      return null;
  }
}

/**
 * Brings a database up to the latest schema: pssql's schema (made and marked when new), then each
 * migration it lacks, each in its own transaction, recorded in schema_migrations. An advisory
 * lock makes concurrent pssql take turns; each looks again at the version once it holds it.
 * Call only on a database that {@link refusal} accepts for writing.
 */
export async function migratePostgres(client: PostgresQueryable, location: string): Promise<void> {
  for (const migration of loadPostgresMigrations()) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const state = await databaseState(client);
      const refused = refusal(state, location, true);
      if (refused !== null) throw refused;
      const version = state.kind === 'store' ? state.version : 0;
      if (version >= migration.version) {
        await client.query('COMMIT');
        continue;
      }
      if (state.kind === 'empty') {
        await client.query(`CREATE SCHEMA ${POSTGRES_NAMESPACE}`);
        await client.query(`COMMENT ON SCHEMA ${POSTGRES_NAMESPACE} IS '${STORE_MARK}'`);
      }
      await client.query(`SET LOCAL search_path = ${POSTGRES_NAMESPACE}`);
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new PssError('ERROR_INVALID_DATA', `migration ${migration.name} failed on ${location}: ${(error as Error).message}`, { path: location, cause: error });
      }
      await client.query('INSERT INTO schema_migrations (version, name, applied_at_us) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Math.round(Date.now() * 1000),
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }
}
