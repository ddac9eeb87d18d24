import { PssError } from './pss-error.js';
import type { Win32ErrorName } from './win32-error.js';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EISDIR: 'it is a directory',
  ENOTDIR: 'not a directory',
};

const CODES: Readonly<Record<string, Win32ErrorName>> = {
  EACCES: 'ERROR_ACCESS_DENIED',
  EPERM: 'ERROR_ACCESS_DENIED',
  EROFS: 'ERROR_ACCESS_DENIED',
  ENOENT: 'ERROR_FILE_NOT_FOUND',
  ENOSPC: 'ERROR_DISK_FULL',
};

/**
 * A failed file operation as a one-line PssError: `cannot ${what} ${path}: ${reason}`, with the
 * Win32 code of its errno. `missing` says what ENOENT means where it was met.
 */
export function osError(error: unknown, what: string, path: string, missing = 'no such file or directory'): PssError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = code === 'ENOENT' ? missing : (REASONS[code] ?? (error as Error).message ?? String(error));
  return new PssError(CODES[code] ?? 'ERROR_INVALID_PARAMETER', `cannot ${what} ${path}: ${reason}`, { path, cause: error });
}
