import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from './open-store.js';
import type { ReadStore } from './read-store.js';
import { bindValues, rowDecoder } from './row-reader.js';
import type { Database } from './schema.js';

/**
 * The typed Kysely query builder over a store, SQLite or PostgreSQL (see the `Database` type):
 * values read with pssql's rules, so unsigned 64-bit columns come back as bigint. (Kysely is loaded only by the
 * code that queries: capturing does not pay for it.)
 *
 * @example
 * const rows = await kyselyOf(store).selectFrom('handles').select(['handle_value', 'object_name']).where('capture_id', '=', 1).execute()
 */
export function kyselyOf(store: ReadStore): Kysely<Database> {
  // A PostgreSQL store has its own, over its pool (src/store/postgres/postgres-store.ts).
  if (store.dialect === 'postgres') return (store as ReadStore & { db: Kysely<Database> }).db;
  const sqlite = store as Store;
  return sqlite.cached(kyselyOf, () => new Kysely<Database>({ dialect: new SqliteDialect({ database: sqliteDatabase(sqlite.db) }) }));
}

/** better-sqlite3 as Kysely's SqliteDatabase, reading values with pssql's rules. */
function sqliteDatabase(db: BetterSqlite3.Database) {
  return {
    // The store owns the connection and closes it.
    close: () => {},
    prepare(sql: string) {
      const statement = db.prepare(sql);
      const reader = statement.reader;
      if (reader) statement.safeIntegers(true);
      const decode = reader ? rowDecoder(statement) : (row: Record<string, unknown>) => row;
      return {
        reader,
        all: (params: readonly unknown[]) => (statement.all(...bindValues(params)) as Record<string, unknown>[]).map(decode),
        run: (params: readonly unknown[]) => statement.run(...bindValues(params)),
        *iterate(params: readonly unknown[]) {
          for (const row of statement.iterate(...bindValues(params))) yield decode(row as Record<string, unknown>);
        },
      };
    },
  };
}
