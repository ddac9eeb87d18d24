import { optionOf } from './report-help.js';

/*
 * Completion beyond yargs' own: after `pssql report`, the names of the reports (built-in and
 * those of $PSSQL_QUERIES or --queries), and after `pssql report NAME`, its parameters as
 * options. Everything else is yargs' (commands, options, choices).
 */

/** The words typed so far (without `pssql`), and the --queries directories among them. */
function queriesOf(words: readonly string[]): string[] {
  const dirs = (process.env.PSSQL_QUERIES ?? '').split(':').filter((d) => d !== '');
  for (let i = 0; i < words.length - 1; i++) if (words[i] === '--queries') dirs.push(words[i + 1] as string);
  return dirs;
}

/**
 * Completions for the words of a command line after `pssql` (the last one being completed), or
 * null to let yargs complete.
 *
 * @example await completeCommandLine(['report', 'leak'])  // ['leak-suspects', ...] (the shell filters)
 */
export async function completeCommandLine(words: readonly string[]): Promise<string[] | null> {
  const positionals = words.slice(0, -1).filter((w, i, all) => !w.startsWith('-') && all[i - 1] !== '--queries' && all[i - 1] !== '--db');
  if (positionals[0] !== 'report') return null;
  const current = words.at(-1) ?? '';
  const [{ loadReportCatalog }, { scopeParameters }] = await Promise.all([import('../analysis/report-catalog.js'), import('../analysis/run-report.js')]);
  let reports;
  try {
    ({ reports } = loadReportCatalog(queriesOf(words)));
  } catch {
    return null; // A --queries directory that cannot be read: no report names to offer.
  }
  if (positionals.length === 1 && !current.startsWith('-')) return reports.map((r) => r.name);
  const report = reports.find((r) => r.name === positionals[1]);
  if (report === undefined || (current !== '' && !current.startsWith('-'))) return null;
  const given = new Set(words.slice(0, -1));
  const own = [...report.parameters, ...scopeParameters(report)].map(optionOf);
  return [...own, '--format', '--db', '--sql', '--help', '--queries'].filter((o) => !given.has(o));
}
