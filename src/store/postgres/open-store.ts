import { isPssError, PssError } from '../../pss/pss-error.js';
import { checkPostgresUrl, redactUrl } from './connection-url.js';
import { databaseState, migratePostgres, refusal } from './migrate.js';
import { postgresError } from './postgres-errors.js';
import { createPool, PostgresStore } from './postgres-store.js';
import { speaksPostgres } from './probe-server.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Open read-only: every transaction of its sessions is read-only (reports, queries). */
  readonly?: boolean;
  /** How long to wait for a connection, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Connections it may hold at once (default 4). */
  maxConnections?: number;
}

/**
 * Opens a pssql store in a PostgreSQL database (`postgres://user:password@host/database`; the
 * password may come from the URL, PGPASSWORD or ~/.pgpass, as libpq users expect). Opened for
 * writing, an empty database becomes a store (pssql's schema, migrated); a database of another
 * application, or of a newer pssql, is refused and left as it was. Read-only, it must already
 * be a store of this pssql's schema.
 *
 * @example
 * const store = await openPostgresStore('postgres://pssql@db.example/pssql', { readonly: true })
 * try { console.log(await store.db.selectFrom('captures').select('capture_id').limit(1).execute()) } finally { await store.close() }
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  if (typeof url !== 'string' || url === '') throw new TypeError('url must be a non-empty string');
  checkPostgresUrl(url);
  const location = redactUrl(url);
  const readonly = options.readonly ?? false;
  let pool;
  try {
    pool = createPool({ url, location, readonly, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 }, options.maxConnections ?? 4);
  } catch (error) {
    throw new PssError('ERROR_INVALID_PARAMETER', `--db ${location}: not a usable PostgreSQL URL (${(error as Error).message})`, { option: 'db', cause: error });
  }
  const store = new PostgresStore(pool, location, readonly);
  try {
    await store.withClient(async (client) => {
      const state = await databaseState(client);
      const refused = refusal(state, location, !readonly);
      if (refused !== null) throw refused;
      if (!readonly) await migratePostgres(client, location);
      await store.prepare(client.raw);
    }, 'cannot open');
  } catch (error) {
    await store.close();
    const failure = postgresError(error, location, 'cannot open');
    // Hung up before saying anything PostgreSQL says: ask it as libpq would, to tell why.
    if (isPssError(failure, 'ERROR_CONNECTION_ABORTED') && (await speaksPostgres(url)) === false) {
      throw new PssError('ERROR_BAD_FORMAT', `cannot connect to ${location}: the server did not answer as PostgreSQL does (is it a PostgreSQL server?)`, {
        path: location,
        cause: error,
      });
    }
    throw failure;
  }
  return store;
}
