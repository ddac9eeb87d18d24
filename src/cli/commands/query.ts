import * as fs from 'node:fs';
import { PssError } from '../../pss/pss-error.js';
import { osError } from '../../pss/os-error.js';
import type { ReadStore } from '../../store/read-store.js';
import { recordingScopeOf } from '../capture-scope.js';
import { defineCommand, printRows, withStore } from '../context.js';
import { wrapHelp } from '../help-text.js';
import { ExitCode } from '../exit-codes.js';
import { parameterOptions } from './parameter-options.js';

/**
 * A parameter's value from the command line: integers as numbers (so that `LIMIT :n` and
 * arithmetic work), any other text as text; `:capture` is a capture, so it also takes 'latest',
 * 'first', 'latest-N'.
 */
async function bindable(store: ReadStore, name: string, text: string, scope: { host?: string; recording?: string }): Promise<unknown> {
  const { coerceParameter, parameterValue } = await import('../../analysis/report-parameter.js');
  if (name === 'capture') return parameterValue(store, 'query', { name, type: 'capture', description: 'the capture' }, text, scope);
  return coerceParameter('integer', text) ?? text;
}

/** The SQL to run: the argument, or the text of --sql-file ('-' for stdin). */
function sqlOf(sql: string | undefined, file: string | undefined): string {
  if (sql !== undefined && file !== undefined) {
    throw new PssError('ERROR_INVALID_PARAMETER', 'give the SQL as an argument or with --sql-file, not both', { option: 'sql-file' });
  }
  if (file === undefined) {
    if (sql === undefined) throw new PssError('ERROR_INVALID_PARAMETER', "give the SQL to run, or --sql-file FILE ('-' for stdin)", { option: 'sql' });
    return sql;
  }
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw osError(error, 'read SQL from', file === '-' ? 'stdin' : file);
  }
}

export const queryCommand = defineCommand({
  command: 'query [sql]',
  describe: 'run one read-only SQL statement on the recording; named parameters as --name value',
  builder: (yargs) =>
    yargs
      .positional('sql', { type: 'string', describe: 'a SELECT (or WITH, VALUES, a reading PRAGMA)' })
      // Not --file: that would take the natural parameter name :file from the SQL.
      .option('sql-file', { type: 'string', requiresArg: true, describe: "read the SQL from this file ('-' for stdin)" })
      .option('timeout', { type: 'string', requiresArg: true, describe: 'stop a query that runs longer than this (exit 6), e.g. 30s' })
      .option('host', { type: 'string', requiresArg: true, describe: ':capture (latest...) of this host; also the value of :host' })
      .option('recording', { type: 'string', requiresArg: true, describe: ':capture of this recording (its id, or the start of it); also :recording' })
      // The statement's named parameters are its options; they are checked against the SQL in the handler.
      .strict(false)
      .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false })
      .example(
        '$0 query "SELECT type_name, count(*) AS n FROM handles WHERE capture_id = :capture GROUP BY 1" --capture latest',
        'handles of the newest capture by type',
      )
      .example("$0 query \"SELECT hex_address(base_address) FROM regions WHERE capture_id = 3 AND is_executable(protect)\"", 'executable regions')
      .epilog(
        wrapHelp(
          "The recording is opened read-only: a statement that would write (INSERT, DELETE, DROP, ATTACH, VACUUM INTO, setting a PRAGMA) is refused and changes nothing.\nTables, views, columns and SQL functions: 'pssql schema'. For many statements in a row, 'pssql shell'.",
        ),
      ),
  handler: async (args) => {
    const extra = args._.slice(1);
    if (extra.length > 0) {
      throw new PssError('ERROR_INVALID_PARAMETER', `unexpected argument '${String(extra[0])}': quote the SQL as one argument; parameters are --name value`);
    }
    const sql = sqlOf(args.sql, args.sqlFile);
    const given = parameterOptions(args, ['sql', 'sql-file', 'host', 'recording', 'timeout']);
    const { timeLimitOf, withTimeLimit } = await import('../watchdog.js');
    const limit = args.timeout === undefined ? undefined : await timeLimitOf(args.timeout);
    const scope = recordingScopeOf({ host: args.host as string | undefined, recording: args.recording as string | undefined });
    const [{ queryReadOnly }, { sqlParameters, tokenizeSql }, { exactTexts }] = await Promise.all([
      import('../../analysis/read-only-query.js'),
      import('../../analysis/sql-tokens.js'),
      import('../../analysis/exact-text.js'),
    ]);
    // --host and --recording scope :capture, and are the values of :host and :recording where the SQL has them.
    const used = sqlParameters(tokenizeSql(sql)).named;
    for (const [name, value] of Object.entries(scope)) if (used.includes(name) && given[name] === undefined) given[name] = value;
    await withStore(args, { readonly: true }, async (store) => {
      const values: Record<string, unknown> = {};
      for (const [name, text] of Object.entries(given)) values[name] = name === 'host' || name === 'recording' ? text : await bindable(store, name, text, scope);
      const result = await withTimeLimit(limit, 'the query', ExitCode.Resource, () => queryReadOnly(store, sql, values));
      printRows(args, { ...result, exact: await exactTexts(store, result.rows) });
    });
  },
});
