import { PssError } from '../pss/pss-error.js';
import { openStore } from './open-store.js';
import { checkPostgresUrl, isDatabaseUrl, redactUrl } from './postgres/connection-url.js';
import type { ReadStore } from './read-store.js';

/** Options of {@link openReadStore}. */
export interface ReadStoreOptions {
  /** SQLite: how long to wait for a recorder that holds the file, ms (default 60 000). */
  busyTimeoutMs?: number;
}

/**
 * Opens a store read-only, whatever it is: a recording file (SQLite), or a PostgreSQL database
 * named by a `postgres://` URL. The PostgreSQL driver is loaded only for a URL.
 *
 * @example
 * const store = await openReadStore(process.env.PSSQL_DB ?? 'pssql.db')
 * try { console.log(await listCaptures(store, { limit: 5 })) } finally { await store.close() }
 */
export async function openReadStore(location: string, options: ReadStoreOptions = {}): Promise<ReadStore> {
  if (typeof location !== 'string' || location === '') throw new TypeError('location must be a non-empty string');
  if (isDatabaseUrl(location)) {
    checkPostgresUrl(location);
    const { openPostgresStore } = await import('./postgres/open-store.js');
    return openPostgresStore(location, { readonly: true });
  }
  return openStore(location, { readonly: true, ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }) });
}

/** Refuses a URL where only a recording file will do (capture, record, import write into SQLite). */
export function checkRecordingFile(location: string, command: string): void {
  if (isDatabaseUrl(location)) {
    throw new PssError(
      'ERROR_NOT_SUPPORTED',
      `pssql ${command} writes into a recording file, not into ${redactUrl(location)}: record into a file, then 'pssql push ${redactUrl(location)}' (or record --push)`,
      { option: 'db' },
    );
  }
}
