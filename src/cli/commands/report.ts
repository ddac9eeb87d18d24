import * as path from 'node:path';
import { PssError } from '../../pss/pss-error.js';
import { recordingScopeOf } from '../capture-scope.js';
import { defineCommand, printRows, warn, withStore } from '../context.js';
import { mendHelp, wrapHelp } from '../help-text.js';
import type { RowSet } from '../output.js';
import { withoutOtherPlatforms } from '../platform-columns.js';
import { reportHelp, reportList } from '../report-help.js';
import { ExitCode } from '../exit-codes.js';
import { parameterOptions } from './parameter-options.js';

const OWN_OPTIONS = ['report', 'list', 'sql', 'queries', 'host', 'recording', 'timeout', 'help', 'h'];

const HEADER_HELP = `Your own reports: .sql files in a directory given with --queries DIR (or $PSSQL_QUERIES, directories separated by '${path.delimiter}'), each one SELECT with a header, e.g. my-files.sql:
  -- name: my-files
  -- description: Files of one capture under a directory.
  -- param: capture capture = latest  the capture to report on
  -- param: dir text  the directory, e.g. /var/log
  SELECT handle_value, object_name FROM handles
  WHERE capture_id = :capture AND object_name LIKE :dir || '/%'
Parameter types: capture (an id, first, latest, latest-N, also PID@latest, NAME@first), pid, time (10m, 2h, 7d ago; 2026-12-01 08:31; µs since the epoch), integer, real, text, boolean; '= null' makes a parameter optional (binds NULL); without a default it is required. '-- uses: process-captures' builds on another report: read its rows as the table process_captures; its parameters become yours.`;

/** The report command's own yargs, for its generic help (report NAME --help prints the report's). */
let reportYargs: { getHelp(): Promise<string> } | undefined;

export const reportCommand = defineCommand({
  command: 'report [report]',
  describe: 'run a saved SQL report on the recording (see --list); its parameters as --name value',
  builder: (yargs) => {
    const built = yargs
      .positional('report', { type: 'string', describe: 'the report to run' })
      .option('list', { type: 'boolean', default: false, describe: 'list the reports with their parameters' })
      .option('host', { type: 'string', requiresArg: true, describe: 'captures of this host: its latest for --capture, its processes for --pid/--name' })
      .option('recording', { type: 'string', requiresArg: true, describe: 'captures of this recording (its id, or the start of it), as --host' })
      .option('sql', { type: 'boolean', default: false, describe: 'print the statement the report runs (with the reports it uses) instead of running it' })
      .option('timeout', { type: 'string', default: '5m', requiresArg: true, describe: 'stop a report that runs longer than this (exit 6); 0 for no limit' })
      .option('queries', {
        type: 'string',
        array: true,
        requiresArg: true,
        default: (process.env.PSSQL_QUERIES ?? '').split(path.delimiter).filter((dir) => dir !== ''),
        defaultDescription: '$PSSQL_QUERIES',
        describe: 'a directory of your own reports (.sql files with a header; see below)',
      })
      // --help is the handler's: with a report named, it shows that report's parameters and examples.
      .help(false)
      .option('help', { alias: 'h', type: 'boolean', describe: "Show help; with a report, that report's parameters and examples" })
      // Each report has its own options (its parameters), checked against its header in the handler.
      .strict(false)
      .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false })
      .example('$0 report --list', 'the reports, their parameters and defaults')
      .example('$0 report leak-suspects --help', "a report's parameters and examples")
      .example('$0 report handles-by-type --capture latest-1', 'handles of the capture before the newest, by type')
      .example('$0 report leak-suspects --name nginx --format json', 'fd types that grow steadily, for a script')
      .epilog(wrapHelp(HEADER_HELP));
    reportYargs = built;
    return built;
  },
  handler: async (args) => {
    if (args.help === true && args.report === undefined) {
      process.stdout.write(`${mendHelp((await reportYargs?.getHelp()) ?? '')}\n`);
      return;
    }
    const [{ findReport, loadReportCatalog }, { scopeParameters }] = await Promise.all([import('../../analysis/report-catalog.js'), import('../../analysis/run-report.js')]);
    const { reports, problems } = loadReportCatalog(args.queries ?? []);
    // A wrong file is said once and is the only report that cannot run; asked for by name, it is the error.
    for (const p of problems) if (p.name !== args.report) warn(args, `${p.error.message} (that report is left out)`);
    if (args.list) {
      if (args.format === 'table') {
        process.stdout.write(reportList(reports, scopeParameters));
        return;
      }
      printRows(args, {
        columns: ['name', 'parameters', 'description', 'source'],
        rows: reports.map((r) => ({
          name: r.name,
          parameters: r.parameters
            .map((p) => `--${p.name.replaceAll('_', '-')} ${p.type}${p.default === undefined ? '' : `=${p.default === null ? 'null' : p.default}`}`)
            .join(', '),
          description: r.description,
          source: r.builtIn ? 'built-in' : r.file,
        })),
      });
      return;
    }
    if (args.report === undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', "name a report to run, or list them with 'pssql report --list'", { option: 'report' });
    }
    const extra = args._.slice(1);
    if (extra.length > 0) throw new PssError('ERROR_INVALID_PARAMETER', `unexpected argument '${String(extra[0])}': parameters are given as --name value`);
    const report = findReport(reports, args.report, problems);
    if (args.help === true) {
      process.stdout.write(reportHelp(report, scopeParameters(report)));
      return;
    }
    if (args.sql) {
      process.stdout.write(report.sql.endsWith('\n') ? report.sql : `${report.sql}\n`);
      return;
    }
    const values = parameterOptions(args, OWN_OPTIONS);
    const [{ runReport }, { exactTexts }, { readRows }] = await Promise.all([
      import('../../analysis/run-report.js'),
      import('../../analysis/exact-text.js'),
      import('../../store/read-rows.js'),
    ]);
    const scope = recordingScopeOf({ host: args.host as string | undefined, recording: args.recording as string | undefined });
    const { timeLimitOf, withTimeLimit } = await import('../watchdog.js');
    const limit = await timeLimitOf(args.timeout);
    await withStore(args, { readonly: true }, async (store) => {
      const result = await withTimeLimit(limit, `report ${report.name}`, ExitCode.Resource, () => runReport(store, report, values, scope));
      let set: RowSet = { ...result, exact: await exactTexts(store, result.rows) };
      if (args.format === 'table') {
        const platforms = (await readRows<{ platform: string }>(store, 'SELECT DISTINCT platform FROM captures')).map((r) => r.platform);
        set = await withoutOtherPlatforms(set, platforms);
      }
      printRows(args, set);
    });
  },
});
