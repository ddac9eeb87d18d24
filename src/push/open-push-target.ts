import { checkPostgresUrl, isDatabaseUrl } from '../store/postgres/connection-url.js';
import type { PushTarget } from './push-target.js';

/**
 * Opens a store to push recordings into: a postgres:// URL (its schema made or migrated when
 * needed), or a SQLite file (made when missing). The PostgreSQL driver is loaded only for a URL.
 *
 * @example
 * const target = await openPushTarget('postgres://pssql@db.example/pssql')
 * try { await pushStore(source, target) } finally { await target.close() }
 */
export async function openPushTarget(location: string): Promise<PushTarget> {
  if (typeof location !== 'string' || location === '') throw new TypeError('location must be a non-empty string');
  if (isDatabaseUrl(location)) {
    checkPostgresUrl(location, 'target');
    const { PostgresPushTarget } = await import('./postgres/push-target.js');
    return PostgresPushTarget.open(location);
  }
  const { SqlitePushTarget } = await import('./sqlite/push-target.js');
  return SqlitePushTarget.open(location);
}
