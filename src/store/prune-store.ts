import { checkRetention, type Retention } from './prune.js';
import { isDatabaseUrl, redactUrl } from './postgres/connection-url.js';

/** What {@link pruneStore} did. */
export interface StorePruned {
  /** The store, without a password. */
  store: string;
  captures: number;
  versions: number;
  partitionsDropped: number;
  capturesLeft: number;
  durationUs: number;
}

/**
 * Prunes a store by a retention, in one transaction: a central PostgreSQL store (its own
 * retention, whatever the hosts keep), or a recording file.
 *
 * @example
 * await pruneStore('postgres://pssql@db/pssql', { maxAgeUs: parseDuration('90d') })
 */
export async function pruneStore(location: string, retention: Retention, nowUs = Date.now() * 1000): Promise<StorePruned> {
  checkRetention(retention);
  const started = performance.now();
  if (isDatabaseUrl(location)) {
    const [{ openPostgresStore }, { prunePostgres }] = await Promise.all([import('./postgres/open-store.js'), import('./postgres/prune.js')]);
    const store = await openPostgresStore(location);
    try {
      const done = await store.transaction((client) => prunePostgres(client, retention, nowUs), 'cannot prune');
      const left = Number((await store.query<{ n: number }>('SELECT count(*) AS n FROM captures')).rows[0]?.n ?? 0);
      return { store: redactUrl(location), ...done, capturesLeft: left, durationUs: Math.round((performance.now() - started) * 1000) };
    } finally {
      await store.close();
    }
  }
  const [{ openStore, sqliteError }, { pruneCaptures }] = await Promise.all([import('./open-store.js'), import('./prune.js')]);
  const store = openStore(location, { create: false });
  try {
    const count = (table: string): number => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const versionsBefore = count('thread_versions') + count('handle_versions') + count('region_versions');
    const instances = store.db.prepare('SELECT instance_id FROM process_instances').pluck().all() as number[];
    let captures: number;
    try {
      captures = store.db.transaction(() => pruneCaptures(store.db, retention, instances, nowUs)).immediate();
    } catch (error) {
      throw sqliteError(error, location);
    }
    const versions = versionsBefore - (count('thread_versions') + count('handle_versions') + count('region_versions'));
    return { store: location, captures, versions, partitionsDropped: 0, capturesLeft: count('captures'), durationUs: Math.round((performance.now() - started) * 1000) };
  } finally {
    store.close();
  }
}
