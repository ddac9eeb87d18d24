import { existsSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isPssError } from '../pss/pss-error.js';
import { PSSQL_VERSION } from '../version.js';
import { backupCommand } from './commands/backup.js';
import { captureCommand } from './commands/capture.js';
import { checkCommand } from './commands/check.js';
import { diffCommand } from './commands/diff.js';
import { exportCommand, importCommand } from './commands/export-import.js';
import { listCommand } from './commands/list.js';
import { queryCommand } from './commands/query.js';
import { recordCommand } from './commands/record.js';
import { reportCommand } from './commands/report.js';
import { salvageCommand } from './commands/salvage.js';
import { schemaCommand } from './commands/schema.js';
import { showCommand } from './commands/show.js';
import { trendCommand } from './commands/trend.js';
import { globalOptions } from './context.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';

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

const EXIT_CODE_HELP = `Exit codes: 0 ok, 1 internal error, 2 bad arguments, 3 not found (process, capture, report),
4 access denied, 5 not a (usable) pssql recording, 6 out of a resource (disk full, busy),
7 a diff --fail-if threshold was exceeded.`;

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let verbose = argv.includes('--verbose');
  const cli = globalOptions(yargs(argv))
    .scriptName('pssql')
    .usage('pssql <command> [options]\n\nRecord process snapshots into SQLite and analyse them with SQL.')
    .command(captureCommand)
    .command(listCommand)
    .command(showCommand)
    .command(reportCommand)
    .command(queryCommand)
    .command(schemaCommand)
    .command(exportCommand)
    .command(importCommand)
    .command(recordCommand)
    .command(diffCommand)
    .command(trendCommand)
    .command(checkCommand)
    .command(salvageCommand)
    .command(backupCommand)
    .demandCommand(1, 'name a command (see the list above)')
    .recommendCommands()
    .strict()
    .completion('completion', 'print a bash completion script')
    .version(PSSQL_VERSION)
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilog(EXIT_CODE_HELP)
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports some mistakes of the command line (a flag without its value) as its own YError.
      if (error === undefined || error === null || error.name === 'YError') throw new UsageError(message ?? error?.message ?? 'bad arguments');
      throw error;
    });
  renderHelpOnlyWhenAsked(cli);
  try {
    const args = await cli.parseAsync();
    verbose = Boolean(args.verbose);
    return Number(process.exitCode ?? ExitCode.Ok);
  } catch (error) {
    if (error instanceof UsageError) {
      // yargs writes some messages over several lines; a usage error is one line.
      const message = error.message.replace(/\s*\n\s*/g, ' ').trim();
      process.stderr.write(`pssql: ${message}\nRun 'pssql --help' (or 'pssql <command> --help') for usage.\n`);
      return ExitCode.Usage;
    }
    // A command loads its code when it runs: the open-file limit can strike there too.
    const fds = !isPssError(error) && outOfFds(error);
    const code = fds ? ExitCode.Resource : exitCodeOf(error);
    let message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (fds) message = `too many open files (${message}): raise the limit (ulimit -n)`;
    const prefix = code === ExitCode.Internal && !isPssError(error) ? 'internal error: ' : '';
    process.stderr.write(`pssql: ${prefix}${message}\n`);
    if (verbose && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    else if (code === ExitCode.Internal) process.stderr.write('Run with --verbose for the stack trace, and please report it.\n');
    return code;
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
