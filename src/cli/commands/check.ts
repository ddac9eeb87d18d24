import { PssError } from '../../pss/pss-error.js';
import { defineCommand, printRows } from '../context.js';
import { ExitCode } from '../exit-codes.js';

export const checkCommand = defineCommand({
  command: 'check',
  describe: "check that a recording is whole: SQLite's integrity check and the recording's own invariants",
  builder: (yargs) =>
    yargs
      .option('quick', { type: 'boolean', default: false, describe: "SQLite's quick_check instead of the full integrity_check (faster: no index against its table)" })
      .example('$0 check --db pssql.db', 'every check, and exit code 5 if one fails')
      .epilog(
        [
          'Checks the file page by page (integrity_check), the rows against each other (foreign keys), and what a',
          "recording promises: each capture holds the threads, handles and regions it counts and its process",
          'information, versions of one entry never overlap, each process knows its last capture. Exit code 0 when',
          "all pass, 5 when one fails; then 'pssql salvage DAMAGED NEW' copies every capture still readable whole.",
        ].join('\n'),
      ),
  handler: async (args) => {
    const [{ default: BetterSqlite3 }, { checkRecording }, { sqliteError }] = await Promise.all([
      import('better-sqlite3'),
      import('../../store/check-recording.js'),
      import('../../store/open-store.js'),
    ]);
    const { existsSync } = await import('node:fs');
    if (!existsSync(args.db)) throw new PssError('ERROR_FILE_NOT_FOUND', `no recording at ${args.db}`, { path: args.db });
    // A raw connection: a damaged recording must be checkable, where opening it as a store refuses it.
    let db: InstanceType<typeof BetterSqlite3>;
    try {
      db = new BetterSqlite3(args.db, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw sqliteError(error, args.db);
    }
    let results: { check: string; ok: boolean; detail: string }[];
    try {
      results = checkRecording(db, { full: !args.quick });
    } catch (error) {
      throw sqliteError(error, args.db);
    } finally {
      db.close();
    }
    printRows(args, { columns: ['check', 'status', 'detail'], rows: results.map((r) => ({ check: r.check, status: r.ok ? 'ok' : 'FAILED', detail: r.detail })) });
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) {
      process.stderr.write(`pssql: ${args.db} is damaged: ${failed.map((r) => r.check).join(', ')} failed; 'pssql salvage' keeps what is readable\n`);
      process.exitCode = ExitCode.BadRecording;
    }
  },
});
