import { existsSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isPssError } from '../pss/pss-error.js';
import { PSSQL_VERSION } from '../version.js';
import { displayLine } from './format-value.js';
import { backupCommand } from './commands/backup.js';
import { captureCommand } from './commands/capture.js';
import { checkCommand } from './commands/check.js';
import { diffCommand } from './commands/diff.js';
import { exportCommand, importCommand } from './commands/export-import.js';
import { listCommand } from './commands/list.js';
import { metricsCommand } from './commands/metrics.js';
import { pruneCommand } from './commands/prune.js';
import { pushCommand } from './commands/push.js';
import { queryCommand } from './commands/query.js';
import { recordCommand } from './commands/record.js';
import { reportCommand } from './commands/report.js';
import { salvageCommand } from './commands/salvage.js';
import { schemaCommand } from './commands/schema.js';
import { shellCommand } from './commands/shell.js';
import { showCommand } from './commands/show.js';
import { trendCommand } from './commands/trend.js';
import { completeCommandLine } from './completion.js';
import { globalOptions, STDIN_ARGUMENT } from './context.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { helpWidth, mendHelp, wrapHelp } from './help-text.js';

const NO_COMMAND = 'name a command (see the list above)';

/**
 * Whether an error is the open-file limit: EMFILE, or, when it strikes while Node's loader reads a
 * package.json (a command loads its modules when it runs), "Cannot find package" of one that is there.
 */
function outOfFds(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EMFILE' || code === 'ENFILE') return true;
  if (code !== 'ERR_MODULE_NOT_FOUND') return false;
  const missing = /'([^']*\/node_modules\/(?:@[^/']+\/)?[^/']+)/.exec((error as Error).message ?? '')?.[1];
  return missing !== undefined && existsSync(`${missing}/package.json`);
}

/**
 * Stops yargs from rendering the whole help of a command each time it runs one (it keeps it for a
 * failure to print; pssql's `.fail` never prints it): that rendering, which measures every word of
 * the help, was a sixth of a capture's time. `--help` renders it as before. If a later yargs has no
 * such method, nothing changes but the time.
 */
function renderHelpOnlyWhenAsked(cli: Argv): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (cli as unknown as Internals).getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** A mistake in the command line, reported by yargs. */
class UsageError extends Error {}

const EXIT_CODE_HELP =
  'Exit codes: 0 ok, 1 internal error, 2 bad arguments, 3 not found (process, capture, report), 4 access denied, ' +
  '5 not a (usable) pssql recording, 6 out of a resource (disk full, busy), 7 a diff --fail-if threshold was exceeded, 8 the database server cannot be reached.';

/** Options whose values may start with a dash (`--flags -threads`), which yargs would read as options. */
const DASH_VALUES = new Set(['--flags']);

/**
 * `--flags -threads` as `--flags=-threads`: the value is what the user meant, not `-t -h -r...`;
 * and `import -` keeps its `-` (standard input), which yargs would drop.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  const command = argv.indexOf('import');
  if (command >= 0) return argv.map((a, i) => (a === '-' && i > command ? STDIN_ARGUMENT : a));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (DASH_VALUES.has(arg) && next !== undefined && /^[-+][a-z]/i.test(next) && !next.startsWith('--')) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let verbose = argv.includes('--verbose');
  const cli = globalOptions(yargs(joinDashValues(argv)))
    .scriptName('pssql')
    .usage('pssql <command> [options]\n\nRecord process snapshots into SQLite and analyse them with SQL, on one host or pushed into PostgreSQL.')
    .command(captureCommand)
    .command(listCommand)
    .command(showCommand)
    .command(reportCommand)
    .command(queryCommand)
    .command(shellCommand)
    .command(schemaCommand)
    .command(exportCommand)
    .command(importCommand)
    .command(recordCommand)
    .command(pushCommand)
    .command(pruneCommand)
    .command(diffCommand)
    .command(trendCommand)
    .command(metricsCommand)
    .command(checkCommand)
    .command(salvageCommand)
    .command(backupCommand)
    .demandCommand(1, NO_COMMAND)
    .recommendCommands()
    .strict()
    .completion(
      'completion',
      "print a bash completion script: 'pssql completion >> ~/.bashrc' (pssql on PATH)",
      (current: string, _argv: unknown, defaults: (done: (error: Error | null, list?: string[]) => void) => void, done: (list: string[]) => void) => {
        // Report names and their parameters, which yargs cannot know; the rest is yargs' own.
        const words = asked < 0 ? [current] : argv.slice(asked + 2);
        const fallback = (): void => defaults((_error, list) => done(list ?? []));
        completeCommandLine(words.length > 0 ? words : [current]).then((own) => (own === null ? fallback() : done(own)), fallback);
      },
    )
    .version(PSSQL_VERSION)
    .alias('help', 'h')
    .wrap(helpWidth())
    .epilog(wrapHelp(EXIT_CODE_HELP))
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports some mistakes of the command line (a flag without its value) as its own YError.
      if (error === undefined || error === null || error.name === 'YError') throw new UsageError(message ?? error?.message ?? 'bad arguments');
      throw error;
    });
  // The shell asks for completions: yargs would answer and then run the command line as well.
  const asked = argv.indexOf('--get-yargs-completions');
  if (asked >= 0) {
    try {
      const list = await cli.getCompletion(argv.slice(asked + 1));
      process.stdout.write(list.length === 0 ? '' : `${list.join('\n')}\n`);
    } catch {
      // A completion that fails offers nothing; it never prints an error into the command line.
    }
    return ExitCode.Ok;
  }
  // yargs prints help and the version with console.log; its layout needs one repair (mendHelp).
  const log = console.log;
  console.log = (...parts: unknown[]) => log(mendHelp(parts.join(' ')));
  renderHelpOnlyWhenAsked(cli);
  try {
    const args = await cli.parseAsync();
    verbose = Boolean(args.verbose);
    return Number(process.exitCode ?? ExitCode.Ok);
  } catch (error) {
    if (error instanceof UsageError) {
      // yargs writes some messages over several lines; a usage error is one line.
      const message = error.message.replace(/\s*\n\s*/g, ' ').trim();
      // Without a command there is nothing to be specific about: the list of commands is the help.
      if (message === NO_COMMAND) process.stderr.write(`${await cli.getHelp()}\n\n`);
      process.stderr.write(`pssql: ${message}\nRun 'pssql --help' (or 'pssql <command> --help') for usage.\n`);
      return ExitCode.Usage;
    }
    // A command loads its code when it runs: the open-file limit can strike there too.
    const fds = !isPssError(error) && outOfFds(error);
    const code = fds ? ExitCode.Resource : exitCodeOf(error);
    let message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (fds) message = `too many open files (${message}): raise the limit (ulimit -n)`;
    const prefix = code === ExitCode.Internal && !isPssError(error) ? 'internal error: ' : '';
    process.stderr.write(`pssql: ${prefix}${displayLine(message ?? '')}\n`);
    if (verbose && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    else if (code === ExitCode.Internal) process.stderr.write('Run with --verbose for the stack trace, and please report it.\n');
    return code;
  } finally {
    console.log = log;
  }
}

/** Entry point of the `pssql` binary. */
export async function run(): Promise<void> {
  // A reader that stops early (pssql ... | head) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await main(hideBin(process.argv));
}
