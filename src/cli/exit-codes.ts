import { isPssError, type PssError } from '../pss/pss-error.js';

/** Exit codes of the pssql CLI (documented in README and `pssql --help`). */
export const ExitCode = {
  Ok: 0,
  /** An unexpected failure: a bug in pssql (run with --verbose and report it). */
  Internal: 1,
  /** Bad arguments: unknown flag or option, malformed pid, duration or report parameter. */
  Usage: 2,
  /** What was asked for does not exist: process, capture, report, recording file. */
  NotFound: 3,
  /** Not allowed: another user's process, an unwritable file. */
  AccessDenied: 4,
  /** The file is not a pssql recording, is damaged, or was written by a newer pssql. */
  BadRecording: 5,
  /** Out of a resource: disk full, recording busy too long, too many open files. */
  Resource: 6,
  /** `pssql diff --fail-if`: a threshold was exceeded. */
  ThresholdExceeded: 7,
  /** The database server could not be reached or went away: refused, unreachable, timed out, cut off. */
  Unreachable: 8,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const BY_CODE: Partial<Record<PssError['code'], ExitCodeValue>> = {
  ERROR_INVALID_PARAMETER: ExitCode.Usage,
  ERROR_NOT_SUPPORTED: ExitCode.Usage,
  ERROR_BAD_LENGTH: ExitCode.Usage,
  ERROR_NOT_FOUND: ExitCode.NotFound,
  ERROR_FILE_NOT_FOUND: ExitCode.NotFound,
  ERROR_ACCESS_DENIED: ExitCode.AccessDenied,
  ERROR_PRIVILEGE_NOT_HELD: ExitCode.AccessDenied,
  ERROR_BAD_FORMAT: ExitCode.BadRecording,
  ERROR_INVALID_DATA: ExitCode.BadRecording,
  ERROR_REVISION_MISMATCH: ExitCode.BadRecording,
  ERROR_DISK_FULL: ExitCode.Resource,
  ERROR_WRITE_FAULT: ExitCode.Resource,
  ERROR_READ_FAULT: ExitCode.Resource,
  ERROR_BUSY: ExitCode.Resource,
  ERROR_TOO_MANY_OPEN_FILES: ExitCode.Resource,
  ERROR_NOT_ENOUGH_MEMORY: ExitCode.Resource,
  // A process that changed under the capture, or a capture that hung: busy, worth another try.
  ERROR_PARTIAL_COPY: ExitCode.Resource,
  ERROR_TIMEOUT: ExitCode.Resource,
  ERROR_CONNECTION_REFUSED: ExitCode.Unreachable,
  ERROR_CONNECTION_ABORTED: ExitCode.Unreachable,
  ERROR_HOST_UNREACHABLE: ExitCode.Unreachable,
  ERROR_BAD_NETPATH: ExitCode.Unreachable,
  ERROR_SEM_TIMEOUT: ExitCode.Unreachable,
};

function isSqliteError(error: unknown): error is { code: string } {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** The exit code for an error that reached the CLI. */
export function exitCodeOf(error: unknown): ExitCodeValue {
  if (isPssError(error)) return BY_CODE[error.code] ?? ExitCode.Internal;
  // Programmer-facing argument checks of the library are usage errors when a user triggers them.
  if (error instanceof TypeError || error instanceof RangeError) return ExitCode.Usage;
  // better-sqlite3's SqliteError, told by its shape: the CLI does not load SQLite to classify an error.
  if (isSqliteError(error)) {
    if (error.code.startsWith('SQLITE_CORRUPT') || error.code === 'SQLITE_NOTADB') return ExitCode.BadRecording;
    if (error.code === 'SQLITE_FULL' || error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_IOERR')) return ExitCode.Resource;
    if (error.code.startsWith('SQLITE_READONLY')) return ExitCode.AccessDenied;
    return ExitCode.Usage; // SQL errors in user queries: syntax, no such table...
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC') return ExitCode.Resource;
  if (code === 'EMFILE' || code === 'ENFILE') return ExitCode.Resource;
  if (code === 'EACCES' || code === 'EPERM') return ExitCode.AccessDenied;
  if (code === 'ENOENT') return ExitCode.NotFound;
  return ExitCode.Internal;
}
