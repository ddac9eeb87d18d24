import type { Argv } from 'yargs';

/*
 * One option, one meaning, on every command: --limit N is at most N rows of output, --last N the
 * newest N captures (of the process, in the time range) that the command works on.
 */

/** Adds --limit N: at most N rows (`what` says of what, when more than "rows"). */
export function limitOption<T>(yargs: Argv<T>, what = 'rows') {
  return yargs.option('limit', { type: 'number', describe: `at most this many ${what}`, requiresArg: true });
}

/** Adds --last N: the newest N captures. */
export function lastOption<T>(yargs: Argv<T>) {
  return yargs.option('last', { type: 'number', describe: 'only the newest N of those captures', requiresArg: true });
}

/** A count option's value: a positive integer, or undefined when not given (RangeError naming it otherwise). */
export function positiveCount(value: number | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${option} must be a positive integer (got ${String(value)})`);
  return value;
}
