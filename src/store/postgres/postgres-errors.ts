import { isPssError, PssError } from '../../pss/pss-error.js';
import type { Win32ErrorName } from '../../pss/win32-error.js';

/** A PostgreSQL error as `pg` gives it: SQLSTATE in `code`, or a Node socket error's errno code. */
interface PgLikeError {
  code?: string;
  message: string;
  severity?: string;
}

/** SQLSTATE classes and codes with the Win32 code that says the same, and why in words. */
const SQLSTATE: readonly [RegExp, Win32ErrorName, string | null][] = [
  [/^28P01$/, 'ERROR_ACCESS_DENIED', null], // invalid_password
  [/^28/, 'ERROR_ACCESS_DENIED', null], // invalid_authorization_specification
  [/^42501$/, 'ERROR_ACCESS_DENIED', null], // insufficient_privilege
  [/^3D000$/, 'ERROR_NOT_FOUND', null], // invalid_catalog_name: no such database
  [/^53100$/, 'ERROR_DISK_FULL', null],
  [/^53200$/, 'ERROR_NOT_ENOUGH_MEMORY', null],
  [/^53300$/, 'ERROR_BUSY', null], // too_many_connections
  [/^40001$|^40P01$|^55P03$/, 'ERROR_BUSY', null], // serialization failure, deadlock, lock not available
  [/^57014$/, 'ERROR_SEM_TIMEOUT', null], // query_canceled (statement_timeout)
  [/^57P0[1-3]$/, 'ERROR_CONNECTION_ABORTED', null], // the server shuts down, or is starting up
  [/^08/, 'ERROR_CONNECTION_ABORTED', null], // connection_exception
  [/^25006$/, 'ERROR_ACCESS_DENIED', null], // read_only_sql_transaction
  [/^0A000$/, 'ERROR_NOT_SUPPORTED', null],
  [/^22|^23|^42/, 'ERROR_INVALID_PARAMETER', null], // data, integrity and syntax errors: the SQL's
];

const SOCKET: Readonly<Record<string, [Win32ErrorName, string]>> = {
  ECONNREFUSED: ['ERROR_CONNECTION_REFUSED', 'connection refused (is the server running?)'],
  ENOENT: ['ERROR_CONNECTION_REFUSED', 'no server socket there (is the server running?)'],
  ECONNRESET: ['ERROR_CONNECTION_ABORTED', 'the connection was reset'],
  EPIPE: ['ERROR_CONNECTION_ABORTED', 'the connection was cut'],
  ETIMEDOUT: ['ERROR_SEM_TIMEOUT', 'timed out'],
  EHOSTUNREACH: ['ERROR_HOST_UNREACHABLE', 'no route to the host'],
  ENETUNREACH: ['ERROR_HOST_UNREACHABLE', 'the network is unreachable'],
  ENOTFOUND: ['ERROR_BAD_NETPATH', 'no such host name'],
  EAI_AGAIN: ['ERROR_BAD_NETPATH', 'the host name cannot be resolved now'],
  EACCES: ['ERROR_ACCESS_DENIED', 'permission denied on the server socket'],
};

/** The Win32 codes that mean the server could not be reached or went away: worth trying again later. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ERROR_CONNECTION_REFUSED',
  'ERROR_CONNECTION_ABORTED',
  'ERROR_HOST_UNREACHABLE',
  'ERROR_BAD_NETPATH',
  'ERROR_SEM_TIMEOUT',
]);

/** Whether an error says the server could not be reached or went away (so a later try may work). */
export function isUnreachable(error: unknown): boolean {
  return isPssError(error) && UNREACHABLE_CODES.has(error.code);
}

/**
 * A failure of `pg` as a one-line PssError: `${doing} ${where}: ${why}`, with the Win32 code
 * that says the same (access denied for a wrong password, not found for a missing database,
 * connection refused or aborted for a server that is not there or went away). A PssError passes
 * through; anything that is not a database or socket error too.
 */
export function postgresError(error: unknown, where: string, doing = 'cannot use'): unknown {
  if (isPssError(error) || !(error instanceof Error)) return error;
  const e = error as PgLikeError;
  const code = e.code ?? '';
  const socket = SOCKET[code];
  if (socket !== undefined) return new PssError(socket[0], `${doing} ${where}: ${socket[1]}`, { path: where, cause: error });
  if (/timeout expired|timed out/i.test(e.message)) return new PssError('ERROR_SEM_TIMEOUT', `${doing} ${where}: the server did not answer in time`, { path: where, cause: error });
  if (/Connection terminated|terminating connection|server closed the connection|Client has encountered a connection error/i.test(e.message)) {
    return new PssError('ERROR_CONNECTION_ABORTED', `${doing} ${where}: the server closed the connection (${e.message})`, { path: where, cause: error });
  }
  if (/^\w{5}$/.test(code)) {
    const [, win32] = SQLSTATE.find(([pattern]) => pattern.test(code)) ?? [null, 'ERROR_INVALID_DATA'];
    return new PssError(win32, `${doing} ${where}: ${e.message}`, { path: where, cause: error });
  }
  // Not a PostgreSQL answer at all: the other end speaks another protocol.
  if (/unexpected|protocol|Unknown message code|invalid message|received invalid response/i.test(e.message)) {
    return new PssError('ERROR_BAD_FORMAT', `${doing} ${where}: the server did not answer as PostgreSQL does (${e.message})`, { path: where, cause: error });
  }
  return error;
}
