import { Win32Error, type Win32ErrorName, win32ErrorName } from './win32-error.js';

/** Context a person needs to act on an error: which process, file, function or option. */
export interface PssErrorContext {
  pid?: number;
  path?: string;
  /** The API function (or pssql operation) that failed, e.g. `PssWalkSnapshot`. */
  function?: string;
  /** The capture flag, option or parameter that is at fault. */
  option?: string;
  cause?: unknown;
}

/**
 * The one operational error of pssql. `code` is a stable Win32 error name and `win32` its
 * number, on every platform, e.g. `ERROR_ACCESS_DENIED` / 5.
 *
 * @example
 * try { captureSnapshot({ pid: 4242 }) } catch (e) {
 *   if (e instanceof PssError && e.code === 'ERROR_NOT_FOUND') console.error(e.message)
 * }
 */
export class PssError extends Error {
  readonly code: Win32ErrorName | `WIN32_${number}`;
  readonly win32: number;
  readonly pid?: number;
  readonly path?: string;
  readonly function?: string;
  readonly option?: string;

  constructor(code: Win32ErrorName | number, message: string, context: PssErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'PssError';
    if (typeof code === 'number') {
      this.win32 = code;
      this.code = win32ErrorName(code) ?? `WIN32_${code}`;
    } else {
      this.code = code;
      this.win32 = Win32Error[code];
    }
    if (context.pid !== undefined) this.pid = context.pid;
    if (context.path !== undefined) this.path = context.path;
    if (context.function !== undefined) this.function = context.function;
    if (context.option !== undefined) this.option = context.option;
  }
}

/**
 * True when `error` is a {@link PssError} (with the given code).
 *
 * @example
 * try { captureSnapshot({ pid }) } catch (e) { if (isPssError(e, 'ERROR_NOT_FOUND')) console.log('gone') ; else throw e }
 */
export function isPssError(error: unknown, code?: Win32ErrorName): error is PssError {
  return error instanceof PssError && (code === undefined || error.code === code);
}
