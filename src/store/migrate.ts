import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { PssError } from '../pss/pss-error.js';

/** `PRAGMA application_id` of a pssql recording: 'pssq'. */
export const APPLICATION_ID = 0x70737371;

/** Where the SQLite migrations live: migrations/sqlite/ at the package root (one folder per SQL dialect). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/sqlite/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

let cached: Migration[] | undefined;

/** The migrations shipped with pssql, in order: files named `NNNN_name.sql`. */
export function loadMigrations(): Migration[] {
  if (cached !== undefined) return cached;
  const dir = MIGRATIONS_DIR;
  const migrations = fs
    .readdirSync(dir)
    .map((name) => ({ name, match: /^(\d{4})_[\w-]+\.sql$/.exec(name) }))
    .filter((m) => m.match !== null)
    .map(({ name, match }) => ({ version: Number(match?.[1]), name, sql: fs.readFileSync(`${dir}/${name}`, 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 0001, 0002, ... without gaps: ${m.name}`);
  });
  cached = migrations;
  return migrations;
}

/** The schema version this pssql writes: the number of the last migration. */
export function latestSchemaVersion(): number {
  return loadMigrations().length;
}

/**
 * Applies the migrations a database lacks, each in its own transaction, recording each one in
 * schema_migrations and the version in `PRAGMA user_version`. A database of a newer schema is
 * refused, never touched.
 */
export function migrate(db: BetterSqlite3.Database, path: string): void {
  const migrations = loadMigrations();
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new PssError(
      'ERROR_REVISION_MISMATCH',
      `${path} was written by a newer pssql (schema ${current}; this pssql knows up to ${migrations.length}): upgrade pssql`,
      { path },
    );
  }
  for (const migration of migrations.slice(current)) {
    const apply = db.transaction(() => {
      // Another pssql may have applied it while this one waited for the write lock.
      if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Math.round(Date.now() * 1000),
      );
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    });
    apply.immediate();
  }
}
