import * as fs from 'node:fs';
import { PssError } from '../../pss/pss-error.js';

/** The item vanished while it was read: a race with the target, which is normal. */
export const VANISHED: unique symbol = Symbol('vanished');
/** Reading the item needs more privilege. */
export const DENIED: unique symbol = Symbol('denied');
/** Why a /proc read gave nothing. */
export type ReadFailure = typeof VANISHED | typeof DENIED;

function failureOf(error: unknown, path: string): ReadFailure {
  const code = (error as NodeJS.ErrnoException).code;
  // ENAMETOOLONG, ELOOP: a mapped file's path seen through /proc/PID/root that cannot be reached
  // (too long with that prefix, or through a loop): like a vanished file, it is not there to read.
  // EINVAL: what a zombie's mountinfo gives, having no mounts left.
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP' || code === 'EINVAL') return VANISHED;
  if (code === 'EACCES' || code === 'EPERM') return DENIED;
  if (code === 'EMFILE' || code === 'ENFILE') {
    throw new PssError('ERROR_TOO_MANY_OPEN_FILES', `too many open files while reading ${path}: raise the limit (ulimit -n)`, { path, cause: error });
  }
  // Anything else (EIO, ...) fails the capture with a clear error, on this thread as on the reader thread.
  throw new PssError('ERROR_READ_FAULT', `cannot read ${path}: ${code ?? String(error)}`, { path, cause: error });
}

/**
 * Synchronous reader of a /proc tree with one reused buffer: several times faster than promise
 * reads for the thousands of small files a capture opens. The root is a parameter so that tests
 * can point it at a fixture tree. Races are expected: a file that vanished or may not be read
 * comes back as a {@link ReadFailure}, any other error is thrown as a PssError.
 */
export class ProcFiles {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(readonly root = '/proc') {}

  path(...parts: (string | number)[]): string {
    return `${this.root}/${parts.join('/')}`;
  }

  /** Reads a whole file into the shared buffer; the returned view is valid until the next read. */
  readBytes(path: string): Buffer | ReadFailure {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (error) {
      return failureOf(error, path);
    }
    try {
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
          this.buffer.copy(bigger, 0, 0, length);
          this.buffer = bigger;
        }
        const n = fs.readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      return this.buffer.subarray(0, length);
    } catch (error) {
      // A process that exits while we read its file gives ESRCH (or an empty read).
      return failureOf(error, path);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Reads a file as latin1 text: one char per byte, so byte offsets and exact bytes survive. */
  readText(path: string): string | ReadFailure {
    const bytes = this.readBytes(path);
    return typeof bytes === 'symbol' ? bytes : bytes.toString('latin1');
  }

  /** Reads a symbolic link's target as latin1 text (one char per byte: exact, and cheaper than a Buffer). */
  readLink(path: string): string | ReadFailure {
    try {
      return fs.readlinkSync(path, 'latin1');
    } catch (error) {
      return failureOf(error, path);
    }
  }

  /** Lists a directory's numeric entries (pids, tids, fds), sorted. */
  listNumbers(path: string): number[] | ReadFailure {
    let names: string[];
    try {
      names = fs.readdirSync(path);
    } catch (error) {
      return failureOf(error, path);
    }
    const numbers: number[] = [];
    for (const name of names) {
      const n = Number(name);
      if (Number.isInteger(n)) numbers.push(n);
    }
    return numbers.sort((a, b) => a - b);
  }

  /** stat(2) of a path, following links. */
  stat(path: string): fs.Stats | ReadFailure {
    try {
      return fs.statSync(path);
    } catch (error) {
      return failureOf(error, path);
    }
  }
}

/** True when a read gave a failure rather than data. */
export function failed<T>(value: T | ReadFailure): value is ReadFailure {
  return value === VANISHED || value === DENIED;
}
