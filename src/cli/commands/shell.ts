import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { defineCommand, tableWidth, withRecordingFile } from '../context.js';
import { exitCodeOf } from '../exit-codes.js';
import { wrapHelp } from '../help-text.js';
import type { ShellOutput, SqlShell } from '../sql-shell.js';

/** The most lines of history kept. */
const HISTORY_SIZE = 1000;

/** Where the history of the shell is kept: $PSSQL_HISTORY, or ~/.pssql_history. */
function historyFile(): string {
  return process.env.PSSQL_HISTORY ?? path.join(os.homedir(), '.pssql_history');
}

function loadHistory(file: string): string[] {
  try {
    // Oldest first in the file, as a person reads it; readline wants the newest first.
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string, history: readonly string[]): void {
  try {
    fs.writeFileSync(file, `${[...history].reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    // A history that cannot be kept is no reason to stop the shell.
  }
}

/** The line a person reads for a failed statement or command. */
const messageOf = (error: unknown): string => (error instanceof Error ? error.message.split('\n')[0] : String(error)) ?? String(error);

/**
 * Statements from a script (standard input that is not a terminal): each is run as it ends;
 * the first that fails stops the script, with its line and exit code.
 */
async function runScript(shell: SqlShell, input: NodeJS.ReadableStream): Promise<number> {
  const { splitStatements, isBlankSql } = await import('../../analysis/sql-statements.js');
  let pending = '';
  let pendingFrom = 1;
  let lineNumber = 0;
  const where = (line: number): string => `shell: line ${line}`;
  const fail = (line: number, error: unknown): number => {
    const message = messageOf(error);
    process.stderr.write(`pssql: ${message.startsWith(where(line)) ? message : `${where(line)}: ${message}`}\n`);
    return exitCodeOf(error);
  };
  for await (const line of readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (isBlankSql(pending) && line.trimStart().startsWith('.')) {
      try {
        if (!(await shell.dot(line))) return 0;
      } catch (error) {
        return fail(lineNumber, error);
      }
      pending = '';
      continue;
    }
    if (isBlankSql(pending)) pendingFrom = lineNumber;
    pending += `${line}\n`;
    const { complete, rest } = splitStatements(pending);
    for (const statement of complete) {
      try {
        await shell.statement(statement, where(pendingFrom));
      } catch (error) {
        return fail(pendingFrom, error);
      }
    }
    if (complete.length > 0) {
      pending = rest;
      pendingFrom = lineNumber;
    }
  }
  // The last statement of a script may lack its `;`.
  if (!isBlankSql(pending)) {
    try {
      await shell.statement(pending, where(pendingFrom));
    } catch (error) {
      return fail(pendingFrom, error);
    }
  }
  return 0;
}

/** A person at a terminal: prompts, history, completion, Ctrl-C that abandons the statement. */
async function runInteractive(shell: SqlShell, db: string): Promise<number> {
  const { splitStatements, isBlankSql } = await import('../../analysis/sql-statements.js');
  const file = historyFile();
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history: loadHistory(file),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string) => shell.complete(line),
  });
  rl.on('history', (history: string[]) => saveHistory(file, history));
  let pending = '';
  const prompt = (): void => {
    rl.setPrompt(isBlankSql(pending) ? 'pssql> ' : '   ...> ');
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    // As in psql and sqlite3: Ctrl-C abandons the statement being typed; leaving is .quit or Ctrl-D.
    process.stdout.write(isBlankSql(pending) && rl.line === '' ? '\n(.quit or Ctrl-D to leave)\n' : '^C\n');
    pending = '';
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    prompt();
  });
  process.stdout.write(`pssql shell on ${db}, read-only. Statements end with ;  .help for help, .quit to leave.\n`);
  prompt();
  let quit = false;
  for await (const line of rl) {
    if (isBlankSql(pending) && line.trimStart().startsWith('.')) {
      try {
        if (!(await shell.dot(line))) {
          quit = true;
          break;
        }
      } catch (error) {
        process.stderr.write(`pssql: ${messageOf(error)}\n`);
      }
      prompt();
      continue;
    }
    pending += `${line}\n`;
    const { complete, rest } = splitStatements(pending);
    for (const statement of complete) {
      try {
        await shell.statement(statement);
      } catch (error) {
        process.stderr.write(`pssql: ${messageOf(error)}\n`);
      }
    }
    if (complete.length > 0) pending = isBlankSql(rest) ? '' : rest;
    prompt();
  }
  rl.close();
  // Ctrl-D leaves on the prompt's line: the shell's own prompt goes on the next.
  if (!quit) process.stdout.write('\n');
  return 0;
}

export const shellCommand = defineCommand({
  command: 'shell',
  describe: 'an interactive read-only SQL shell on the recording (statements from standard input when it is not a terminal)',
  builder: (yargs) =>
    yargs
      .example('$0 shell', 'type SQL; .tables, .schema handles, .help')
      .example('echo "SELECT count(*) FROM captures;" | $0 shell', 'statements from a script')
      .example('$0 shell --format json < queries.sql', 'each statement\'s rows as JSON')
      .epilog(
        wrapHelp(
          [
            'As sqlite3 and osqueryi: statements end with ; and may span lines; dot-commands: .tables, .schema NAME, .functions, .format table|json|csv|ndjson, .param NAME VALUE, .help, .quit. ' +
              "The SQL functions and lookup tables of 'pssql query' are there, and every statement runs through its read-only check.",
            'On a terminal: Tab completes table, view, column and function names; the history is kept in $PSSQL_HISTORY or ~/.pssql_history; Ctrl-C abandons the statement being typed.',
            'From a script: the first statement that fails stops it, with its line and exit code.',
          ].join('\n'),
        ),
      ),
  handler: async (args) => {
    const { createSqlShell } = await import('../sql-shell.js');
    const interactive = process.stdin.isTTY === true;
    const out: ShellOutput = {
      rows: (text) => process.stdout.write(text),
      message: (text) => process.stdout.write(`${text}\n`),
      width: () => tableWidth(args),
    };
    const code = await withRecordingFile(args, { readonly: true }, async (store) => {
      const shell = await createSqlShell(store, out, args.format);
      return interactive ? runInteractive(shell, args.db) : runScript(shell, process.stdin);
    });
    process.exitCode = code;
  },
});
