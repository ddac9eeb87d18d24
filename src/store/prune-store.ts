import type BetterSqlite3 from 'better-sqlite3';
import { PssError } from '../pss/pss-error.js';
import { databaseBytes } from './database-bytes.js';
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
  /** With `vacuum`: the size on disk (the file and its write-ahead log) after the prune, and after the vacuum. */
  fileBytes?: { before: number; after: number };
}

export interface PruneOptions {
  /**
   * A recording file only: rewrite it without the pages the deleted captures left free (VACUUM),
   * so that it shrinks. Without it the file keeps its size and new captures reuse those pages.
   */
  vacuum?: boolean;
}

/**
 * Prunes a store by a retention, in one transaction: a central PostgreSQL store (its own
 * retention, whatever the hosts keep), or a recording file.
 *
 * @example
 * await pruneStore('postgres://pssql@db/pssql', { maxAgeUs: parseDuration('90d') })
 */
export async function pruneStore(location: string, retention: Retention, nowUs = Date.now() * 1000, options: PruneOptions = {}): Promise<StorePruned> {
  checkRetention(retention);
  const started = performance.now();
  if (isDatabaseUrl(location)) {
    if (options.vacuum === true) {
      throw new PssError('ERROR_INVALID_PARAMETER', '--vacuum is for recording files: in PostgreSQL, autovacuum reclaims the space of deleted rows', {
        option: 'vacuum',
      });
    }
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
    const fileBytes = options.vacuum === true ? vacuumFile(store.db, location) : undefined;
    return {
      store: location,
      captures,
      versions,
      partitionsDropped: 0,
      capturesLeft: count('captures'),
      durationUs: Math.round((performance.now() - started) * 1000),
      ...(fileBytes === undefined ? {} : { fileBytes }),
    };
  } finally {
    store.close();
  }
}

/**
 * VACUUM after the prune (which is committed already: a vacuum that fails loses nothing). Its
 * copy goes to a temporary file, not memory (the store keeps temporary tables in memory), and
 * the write-ahead log it fills is folded into the file and truncated. Sizes are of the file and
 * its write-ahead log on disk.
 */
function vacuumFile(db: BetterSqlite3.Database, location: string): { before: number; after: number } {
  const before = databaseBytes(location);
  const cannot = (why: string): PssError => new PssError('ERROR_BUSY', `pruned ${location}, but cannot vacuum it: ${why}; the prune stands`, { path: location });
  try {
    db.pragma('temp_store = FILE');
    db.exec('VACUUM');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) throw cannot(`${message} (a recorder or a reader is using it: try again when it is free)`);
    if (code.startsWith('SQLITE_FULL')) throw cannot(`${message} (VACUUM needs free disk space of about twice the file)`);
    throw cannot(message);
  }
  // A reader's open transaction keeps the old pages: wait a little for it, not the minute a write waits.
  db.pragma('busy_timeout = 2000');
  const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  if (checkpoint !== undefined && checkpoint.busy !== 0) {
    throw cannot('a reader holds the old pages, so the file cannot shrink yet (it does at a later checkpoint; or try again when it is free)');
  }
  return { before, after: databaseBytes(location) };
}
