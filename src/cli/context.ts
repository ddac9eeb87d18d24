import * as fs from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { PssError } from '../pss/pss-error.js';
import type { Store } from '../store/open-store.js';
import type { ReadStore } from '../store/read-store.js';
import { FORMATS, type Format, type RowSet, renderRecord, renderRows } from './output.js';

/** Options every command takes. */
export interface GlobalOptions {
  db: string;
  format: Format;
  verbose: boolean;
  quiet: boolean;
  'follow-symlinks': boolean;
}

/**
 * A yargs command module whose argument types are inferred from its builder, on top of the
 * global options.
 */
export function defineCommand<U extends GlobalOptions>(module: {
  command: string | string[];
  describe: string;
  builder: (yargs: Argv<GlobalOptions>) => Argv<U>;
  handler: (args: ArgumentsCamelCase<U>) => Promise<void> | void;
}): CommandModule<GlobalOptions, U> {
  return module;
}

/** Adds the global options to a yargs instance. */
export function globalOptions<T>(yargs: Argv<T>): Argv<T & GlobalOptions> {
  return yargs
    .option('db', {
      type: 'string',
      default: process.env.PSSQL_DB ?? 'pssql.db',
      defaultDescription: '$PSSQL_DB or ./pssql.db',
      describe: 'the recording (a SQLite file), or a store of many: postgres://user@host/database',
      global: true,
      requiresArg: true,
    })
    .option('format', {
      alias: 'f',
      choices: FORMATS,
      default: 'table' as Format,
      describe: 'output format for rows: table for people; json, ndjson, csv for scripts',
      global: true,
    })
    .option('verbose', { type: 'boolean', default: false, describe: 'more detail, and stack traces on errors', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress or status on stderr', global: true })
    .option('follow-symlinks', {
      type: 'boolean',
      default: false,
      describe: 'write into a recording reached through a symbolic link (refused otherwise)',
      global: true,
    });
}

/** Writes rows to stdout in the chosen format. */
export function printRows(args: GlobalOptions, set: RowSet): void {
  process.stdout.write(renderRows(set, { format: args.format, safe: process.stdout.isTTY === true }));
}

/** Writes one record to stdout (vertical in a table). */
export function printRecord(args: GlobalOptions, record: Record<string, unknown>): void {
  process.stdout.write(renderRecord(record, { format: args.format, safe: process.stdout.isTTY === true }));
}

/** Progress and status for people: stderr, only on a terminal, never with --quiet. */
export function status(args: GlobalOptions, message: string): void {
  if (!args.quiet && process.stderr.isTTY) process.stderr.write(`${message}\n`);
}

/** A warning on stderr (shown unless --quiet). */
export function warn(args: GlobalOptions, message: string): void {
  if (!args.quiet) process.stderr.write(`pssql: ${message}\n`);
}

/**
 * Opens the store of --db, runs `body` and closes it. Read-only, --db may be a recording file or
 * a postgres:// URL; to write, it must be a recording file.
 */
export async function withStore<T>(args: GlobalOptions, options: { readonly: true }, body: (store: ReadStore) => Promise<T> | T): Promise<T>;
export async function withStore<T>(args: GlobalOptions, options: { readonly?: false; create?: boolean; check?: 'quick' | 'full' }, body: (store: Store) => Promise<T> | T): Promise<T>;
export async function withStore<T>(
  args: GlobalOptions,
  options: { readonly?: boolean; create?: boolean; check?: 'quick' | 'full' },
  body: ((store: Store) => Promise<T> | T) | ((store: ReadStore) => Promise<T> | T),
): Promise<T> {
  const { isDatabaseUrl } = await import('../store/postgres/connection-url.js');
  if (options.readonly === true && isDatabaseUrl(args.db)) {
    const { openReadStore } = await import('../store/open-read-store.js');
    const store = await openReadStore(args.db);
    try {
      return await (body as (store: ReadStore) => Promise<T> | T)(store);
    } finally {
      await store.close();
    }
  }
  return withRecordingFile(args, options, body as (store: Store) => Promise<T> | T);
}

/** Opens the recording file of --db (never a URL: the commands that need SQLite itself), runs `body` and closes it. */
export async function withRecordingFile<T>(args: GlobalOptions, options: { readonly?: boolean; create?: boolean; check?: 'quick' | 'full' }, body: (store: Store) => Promise<T> | T): Promise<T> {
  const { checkRecordingFile } = await import('../store/open-read-store.js');
  checkRecordingFile(args.db, String((args as { _?: unknown[] })._?.[0] ?? 'this command'));
  const { openStore, sqliteError } = await import('../store/open-store.js');
  const store = openStore(args.db, { ...options, followSymlinks: args['follow-symlinks'] });
  if (store.migratedFrom !== null) warn(args, `upgraded ${args.db} from schema ${store.migratedFrom} to ${latestVersion(store)}`);
  if (store.immutable && unreadLogBytes(args.db) > 0) {
    warn(args, `read ${args.db} as it is on disk: what its write-ahead log holds (${args.db}-wal) needs write access to its folder to be read`);
  }
  try {
    return await body(store);
  } catch (error) {
    // A damaged page met while reading names the file it is in.
    throw sqliteError(error, args.db);
  } finally {
    store.close();
  }
}

/** Which recordings' captures a command selects in a store that holds several: `--host`, `--recording`. */
export interface ScopeOptions {
  host: string | undefined;
  recording: string | undefined;
}

/** Adds `--host` and `--recording` to a command that selects captures. */
export function scopeOptions<T>(yargs: Argv<T>): Argv<T & ScopeOptions> {
  return yargs
    .option('host', { type: 'string', requiresArg: true, describe: 'only captures of this host (a store of several recordings)' })
    .option('recording', { type: 'string', requiresArg: true, describe: "only captures of this recording: its id, or the start of it ('pssql list --hosts')" }) as Argv<
    T & ScopeOptions
  >;
}

/** The scope of `--host` and `--recording`, as the library takes it. */
export function scopeOf(args: Partial<ScopeOptions>): { host?: string; recording?: string } {
  if (args.recording !== undefined && !/^[0-9a-f]{1,32}$/i.test(args.recording)) {
    throw new PssError('ERROR_INVALID_PARAMETER', `--recording ${args.recording}: a recording id is hex digits (or the start of them)`, { option: 'recording' });
  }
  return { ...(args.host === undefined ? {} : { host: args.host }), ...(args.recording === undefined ? {} : { recording: args.recording }) };
}

/** Parses a pid argument: a positive integer within the kernel's pid range. */
export function parsePid(value: unknown): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) {
    throw new PssError('ERROR_INVALID_PARAMETER', `invalid pid '${String(value)}': expected a positive integer`, { option: 'pid' });
  }
  const pid = Number(text);
  if (pid <= 0 || pid > 4_194_304) {
    throw new PssError('ERROR_INVALID_PARAMETER', `invalid pid ${text}: pids are 1 to 4194304`, { option: 'pid' });
  }
  return pid;
}

/** The schema version a store is at now. */
function latestVersion(store: Store): number {
  return store.db.pragma('user_version', { simple: true }) as number;
}

/** Bytes in a recording's write-ahead log (0 without one). */
function unreadLogBytes(path: string): number {
  try {
    return fs.statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
