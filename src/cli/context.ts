import * as fs from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { PssError } from '../pss/pss-error.js';
import type { Store } from '../store/open-store.js';
import type { ExactText } from './format-value.js';
import type { ReadStore } from '../store/read-store.js';
import { displayLine } from './format-value.js';
import { FORMATS, type Format, type RowSet, renderRecord, writeRows } from './output.js';

/** Options every command takes. */
export interface GlobalOptions {
  db: string;
  format: Format;
  /** Whether --format was given (else it is 'table'): a command refuses a format it does not have. */
  formatGiven?: boolean;
  wide: boolean;
  verbose: boolean;
  quiet: boolean;
  'follow-symlinks': boolean;
}

/**
 * A yargs command module whose argument types are inferred from its builder, on top of the
 * global options. `formats` lists the output formats the command has, when not all of them: any
 * other given with --format is refused, rather than silently ignored.
 */
export function defineCommand<U extends GlobalOptions>(module: {
  command: string | string[];
  describe: string;
  builder: (yargs: Argv<GlobalOptions>) => Argv<U>;
  handler: (args: ArgumentsCamelCase<U>) => Promise<void> | void;
  formats?: readonly Format[];
}): CommandModule<GlobalOptions, U> {
  const { formats, handler, ...rest } = module;
  if (formats === undefined) return { ...rest, handler };
  const name = (Array.isArray(module.command) ? module.command[0] : module.command)?.split(' ')[0] ?? 'this command';
  return {
    ...rest,
    handler: (args) => {
      if (args.formatGiven === true && !formats.includes(args.format)) {
        const has = formats.length === 0 ? 'it has no --format' : `its format${formats.length === 1 ? ' is' : 's are'} ${formats.join(', ')}`;
        throw new PssError('ERROR_INVALID_PARAMETER', `${name} cannot write --format ${args.format}: ${has}`, { option: 'format' });
      }
      return handler(args);
    },
  };
}

/** Adds the global options to a yargs instance. */
export function globalOptions<T>(yargs: Argv<T>): Argv<T & GlobalOptions> {
  // --format has no default in yargs (the middleware below fills it in), hence the cast.
  return yargs
    .option('db', {
      type: 'string',
      default: process.env.PSSQL_DB ?? 'pssql.db',
      defaultDescription: '$PSSQL_DB or ./pssql.db',
      describe: 'the recording (a SQLite file), or a central store of many (a postgres:// URL)',
      global: true,
      requiresArg: true,
    })
    .option('format', {
      alias: 'f',
      choices: FORMATS,
      defaultDescription: 'table',
      describe: 'output format for rows: table for people; json, ndjson, csv for scripts',
      global: true,
    })
    .option('wide', {
      type: 'boolean',
      default: false,
      describe: 'never cut a table to the width of the terminal (tables sent elsewhere never are)',
      global: true,
    })
    // Whether --format was given tells a command's own choice from the default (export refuses csv).
    .middleware((argv) => {
      const given = argv.format !== undefined;
      Object.assign(argv, { format: argv.format ?? 'table', formatGiven: given });
    })
    .option('verbose', { type: 'boolean', default: false, describe: 'more detail, and stack traces on errors', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress or status on stderr', global: true })
    .option('follow-symlinks', {
      type: 'boolean',
      default: false,
      describe: 'write into a recording reached through a symbolic link (refused otherwise)',
      global: true,
    }) as Argv<T & GlobalOptions>;
}

/** The width tables are fitted to: the terminal's, unless --wide or stdout is not a terminal. */
export function tableWidth(args: Pick<GlobalOptions, 'wide'>): number | undefined {
  return process.stdout.isTTY === true && !args.wide ? (process.stdout.columns ?? 80) : undefined;
}

/** Writes rows to stdout in the chosen format. */
export function printRows(args: GlobalOptions, set: RowSet): void {
  const width = tableWidth(args);
  writeRows(set, { format: args.format, ...(width === undefined ? {} : { width }) }, (chunk) => process.stdout.write(chunk));
}

/** Writes one record to stdout (vertical in a table). */
export function printRecord(args: GlobalOptions, record: Record<string, unknown>, exact?: ExactText): void {
  const width = tableWidth(args);
  process.stdout.write(renderRecord(record, { format: args.format, ...(width === undefined ? {} : { width }), ...(exact === undefined ? {} : { exact }) }));
}

/** Progress and status for people: stderr, only on a terminal, never with --quiet. */
export function status(args: GlobalOptions, message: string): void {
  if (!args.quiet && process.stderr.isTTY) process.stderr.write(`${displayLine(message)}\n`);
}

/** A warning on stderr (shown unless --quiet). */
export function warn(args: GlobalOptions, message: string): void {
  // Names in it (a process's, a file's) are shown as every line a person reads shows them.
  if (!args.quiet) process.stderr.write(`pssql: ${displayLine(message)}\n`);
}

/**
 * Opens the store of --db, runs `body` and closes it. Read-only, --db may be a recording file or
 * a postgres:// URL; to write, it must be a recording file. With `removeIfUnused`, a recording
 * that this call created and that holds no capture when `body` is done (a capture of a pid that
 * does not exist) is removed again, rather than left behind empty.
 */
export async function withStore<T>(args: GlobalOptions, options: { readonly: true; consistent?: boolean }, body: (store: ReadStore) => Promise<T> | T): Promise<T>;
export async function withStore<T>(args: GlobalOptions, options: { readonly?: false; create?: boolean; check?: 'quick' | 'full'; removeIfUnused?: boolean }, body: (store: Store) => Promise<T> | T): Promise<T>;
export async function withStore<T>(
  args: GlobalOptions,
  options: { readonly?: boolean; create?: boolean; check?: 'quick' | 'full'; removeIfUnused?: boolean; consistent?: boolean },
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
export async function withRecordingFile<T>(
  args: GlobalOptions,
  options: { readonly?: boolean; create?: boolean; check?: 'quick' | 'full'; removeIfUnused?: boolean; consistent?: boolean },
  body: (store: Store) => Promise<T> | T,
): Promise<T> {
  const command = String((args as { _?: unknown[] })._?.[0] ?? 'this command');
  if (options.readonly === true) {
    const { isDatabaseUrl, redactUrl } = await import('../store/postgres/connection-url.js');
    if (isDatabaseUrl(args.db)) {
      throw new PssError('ERROR_NOT_SUPPORTED', `pssql ${command} reads a recording file only, not ${redactUrl(args.db)}: give --db FILE`, { option: 'db' });
    }
  } else {
    const { checkRecordingFile } = await import('../store/open-read-store.js');
    checkRecordingFile(args.db, command);
  }
  const { openStore, sqliteError } = await import('../store/open-store.js');
  const existed = options.removeIfUnused !== true || fs.existsSync(args.db);
  const { removeIfUnused: _, consistent, ...storeOptions } = options;
  const store = openStore(args.db, { ...storeOptions, followSymlinks: args['follow-symlinks'] });
  let unused = false;
  if (store.migratedFrom !== null) warn(args, `upgraded ${args.db} from schema ${store.migratedFrom} to ${latestVersion(store)}`);
  if (store.immutable && unreadLogBytes(args.db) > 0) {
    warn(args, `read ${args.db} as it is on disk: what its write-ahead log holds (${args.db}-wal) needs write access to its folder to be read`);
  }
  try {
    // With `consistent`, all that body reads sees one state of the recording (see Store.readConsistently).
    return await (consistent === true ? store.readConsistently(() => body(store)) : body(store));
  } catch (error) {
    // A damaged page met while reading names the file it is in.
    throw sqliteError(error, args.db);
  } finally {
    // Counted on the same connection just before it closes: another pssql that started writing
    // into the new file meanwhile has its capture in it, and the file stays.
    if (!existed) unused = store.db.prepare('SELECT NOT EXISTS (SELECT 1 FROM captures)').pluck().get() === 1;
    store.close();
    if (unused) for (const file of [args.db, `${args.db}-wal`, `${args.db}-shm`]) fs.rmSync(file, { force: true });
  }
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

/**
 * What a bare `-` among the arguments of `import` becomes before yargs sees it: yargs drops a
 * positional `-`, which means standard input.
 */
export const STDIN_ARGUMENT = '\u0000stdin';

/** Whether a positional argument was `-`, standard input. */
export function isStdinArgument(value: string): boolean {
  return value === '-' || value === STDIN_ARGUMENT;
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
