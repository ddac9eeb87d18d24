import type { Argv } from 'yargs';
import { PssError } from '../pss/pss-error.js';
import { parsePid } from './context.js';

/*
 * The options that say which process a command's captures are of, the same on every command:
 * `--pid`, `--name`, in a store of several recordings `--host` and `--recording`, and on the
 * commands that select captures by time, `--since` and `--until`.
 * They narrow `latest`, `first` and `latest-N`, and a reference's own `PID@` or `NAME@` prefix
 * takes their place.
 */

/** What the scope options read from the command line. */
export interface ScopeArgs extends Partial<RecordingScopeArgs> {
  pid?: string | undefined;
  name?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** The scope of captures, as the analysis code takes it (CaptureFilter without a limit). */
export interface Scope {
  host?: string;
  recording?: string;
  pid?: number;
  name?: string;
  sinceUs?: number;
  untilUs?: number;
}

export const TIME_HELP =
  'Times (--since, --until): a time ago (10m, 2h, 7d, also "10m ago"), a date and time (2026-12-01, 2026-12-01 08:31, ISO 8601 2026-12-01T08:31:05), ' +
  'a time of today (08:31), in local time unless a zone follows (Z, UTC, +01:00), or µs since the epoch.';

/** What the scope options say they do on commands that name captures. */
export const COUNTS_AMONG = "count 'latest', 'first' and 'latest-N' among the captures";

/** Adds --pid and --name, described as `${what} of this pid`..., and --host and --recording. */
export function scopeOptions<T>(yargs: Argv<T>, what: string) {
  return processScopeOptions(recordingScopeOptions(yargs), what);
}

/** Adds --pid and --name, described as `${what} of this pid`... */
export function processScopeOptions<T>(yargs: Argv<T>, what: string) {
  return yargs
    .option('pid', { type: 'string', describe: `${what} of this pid`, requiresArg: true })
    .option('name', { type: 'string', describe: `${what} of processes whose name or image path contains this`, requiresArg: true });
}

/** Adds --since and --until, described as `${what} started at or after this time`. */
export function timeOptions<T>(yargs: Argv<T>, what: string) {
  return yargs
    .option('since', { type: 'string', describe: `${what} started at or after this time (10m, 2h, 7d ago; a date)`, requiresArg: true })
    .option('until', { type: 'string', describe: `${what} started at or before this time`, requiresArg: true });
}

/** The scope the options give: pids checked, times parsed (ERROR_INVALID_PARAMETER naming the option). */
export async function scopeOf(args: ScopeArgs): Promise<Scope> {
  const scope: Scope = recordingScopeOf(args);
  if (args.pid !== undefined) scope.pid = parsePid(args.pid);
  if (args.name !== undefined) scope.name = args.name;
  if (args.since !== undefined || args.until !== undefined) {
    const { parseTime } = await import('../analysis/parse-time.js');
    const nowUs = Date.now() * 1000;
    if (args.since !== undefined) scope.sinceUs = parseTime(args.since, { nowUs, option: '--since' });
    if (args.until !== undefined) scope.untilUs = parseTime(args.until, { nowUs, option: '--until' });
  }
  return scope;
}

/** Which recordings' captures a command selects in a store that holds several: `--host`, `--recording`. */
export interface RecordingScopeArgs {
  host: string | undefined;
  recording: string | undefined;
}

/** Adds `--host` and `--recording` to a command that selects captures. */
export function recordingScopeOptions<T>(yargs: Argv<T>): Argv<T & RecordingScopeArgs> {
  return yargs
    .option('host', { type: 'string', requiresArg: true, describe: 'only captures of this host (a store of several recordings)' })
    .option('recording', { type: 'string', requiresArg: true, describe: "only captures of this recording: its id, or the start of it ('pssql list --hosts')" }) as Argv<
    T & RecordingScopeArgs
  >;
}

/** The scope of `--host` and `--recording`, as the library takes it. */
export function recordingScopeOf(args: Partial<RecordingScopeArgs>): { host?: string; recording?: string } {
  if (args.recording !== undefined && !/^[0-9a-f]{1,32}$/i.test(args.recording)) {
    throw new PssError('ERROR_INVALID_PARAMETER', `--recording ${args.recording}: a recording id is hex digits (or the start of them)`, { option: 'recording' });
  }
  return { ...(args.host === undefined ? {} : { host: args.host }), ...(args.recording === undefined ? {} : { recording: args.recording }) };
}
