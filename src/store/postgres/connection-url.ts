import { PssError } from '../../pss/pss-error.js';

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Whether a store location is a URL (`scheme://...`) rather than a file path. */
export function isDatabaseUrl(location: string): boolean {
  return URL_SCHEME.test(location);
}

/**
 * Checks that a URL names a PostgreSQL database (`postgres://` or `postgresql://`), the only
 * server pssql speaks to; anything else is a usage error naming the option.
 */
export function checkPostgresUrl(location: string, option = 'db'): void {
  const scheme = URL_SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    const what = option === 'target' ? 'target' : `--${option}`;
    throw new PssError(
      'ERROR_INVALID_PARAMETER',
      `${what} ${redactUrl(location)}: not a PostgreSQL URL (postgres://user@host/database) nor a file; pssql stores into SQLite files and PostgreSQL`,
      { option },
    );
  }
}

/** The URL without its password, for messages and summaries. */
export function redactUrl(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1@');
}
