/**
 * Win32 error codes used by pssql, with their winerror.h values.
 *
 * The Process Snapshotting API returns these as function results; pssql also uses them as the
 * stable `code` of every {@link PssError}, so that a failure means the same thing on every platform.
 *
 * @example
 * if (error instanceof PssError && error.win32 === Win32Error.ERROR_ACCESS_DENIED) console.log('run as the process owner')
 */
export const Win32Error = {
  ERROR_SUCCESS: 0,
  ERROR_FILE_NOT_FOUND: 2,
  ERROR_TOO_MANY_OPEN_FILES: 4,
  ERROR_ACCESS_DENIED: 5,
  ERROR_INVALID_HANDLE: 6,
  ERROR_NOT_ENOUGH_MEMORY: 8,
  ERROR_BAD_FORMAT: 11,
  ERROR_INVALID_DATA: 13,
  ERROR_WRITE_FAULT: 29,
  ERROR_READ_FAULT: 30,
  ERROR_BAD_LENGTH: 24,
  ERROR_NOT_SUPPORTED: 50,
  ERROR_BAD_NETPATH: 53,
  ERROR_INVALID_PARAMETER: 87,
  ERROR_DISK_FULL: 112,
  /** A network peer (the central store's server) did not answer in time. */
  ERROR_SEM_TIMEOUT: 121,
  ERROR_BUSY: 170,
  ERROR_MORE_DATA: 234,
  ERROR_NO_MORE_ITEMS: 259,
  /** Only part of a ReadProcessMemory-style read completed: the process changed or is exiting. */
  ERROR_PARTIAL_COPY: 299,
  ERROR_CANCELLED: 1223,
  ERROR_NOT_FOUND: 1168,
  ERROR_CONNECTION_REFUSED: 1225,
  ERROR_HOST_UNREACHABLE: 1232,
  ERROR_CONNECTION_ABORTED: 1236,
  /** AdjustTokenPrivileges: the token does not hold a privilege it was asked to enable. */
  ERROR_NOT_ALL_ASSIGNED: 1300,
  ERROR_REVISION_MISMATCH: 1306,
  ERROR_PRIVILEGE_NOT_HELD: 1314,
  /** A capture that did not finish within its time limit. */
  ERROR_TIMEOUT: 1460,
} as const;

/** The name of a Win32 error code, e.g. `'ERROR_NOT_FOUND'`. */
export type Win32ErrorName = keyof typeof Win32Error;

const namesByValue = new Map<number, Win32ErrorName>(
  Object.entries(Win32Error).map(([name, value]) => [value, name as Win32ErrorName]),
);

/** Returns the name of a Win32 error value, or `undefined` if pssql does not know it. */
export function win32ErrorName(value: number): Win32ErrorName | undefined {
  return namesByValue.get(value);
}
