import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PssError } from '../pss/pss-error.js';
import { osError } from '../pss/os-error.js';
import { composeReports } from './compose-reports.js';
import { didYouMeanText } from './did-you-mean.js';
import { parseReport, type ReportDefinition } from './report-definition.js';

/** Where the built-in reports live: queries/ at the package root. */
export const BUILT_IN_REPORTS_DIR = fileURLToPath(new URL('../../../queries/', import.meta.url));

let builtIn: ReportDefinition[] | undefined;

function readDirectory(dir: string, isBuiltIn: boolean): ReportDefinition[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    throw osError(error, 'read reports from', dir, 'no such directory');
  }
  return names
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      return parseReport(fs.readFileSync(file, 'utf8'), file, isBuiltIn);
    });
}

/**
 * Every saved report by name: the built-in ones (queries/) and those in `directories`, a user's
 * own `.sql` files with the same header, `uses:` resolved (a user's report may build on a
 * built-in one). Two reports of one name are an error naming both files.
 *
 * @example
 * for (const r of loadReports([`${os.homedir()}/pssql-queries`])) console.log(r.name, r.description)
 */
export function loadReports(directories: readonly string[] = []): ReportDefinition[] {
  builtIn ??= readDirectory(BUILT_IN_REPORTS_DIR, true);
  const all = [...builtIn, ...directories.flatMap((dir) => readDirectory(dir, false))];
  const byName = new Map<string, ReportDefinition>();
  for (const report of all) {
    const other = byName.get(report.name);
    if (other !== undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', `two reports are named '${report.name}': ${other.file} and ${report.file}; rename one`, {
        path: report.file,
      });
    }
    byName.set(report.name, report);
  }
  return composeReports([...byName.values()].sort((a, b) => a.name.localeCompare(b.name)));
}

/**
 * The report of a name, or ERROR_NOT_FOUND with the names it may have meant.
 *
 * @example
 * const report = findReport(loadReports(), 'leak-suspects')
 */
export function findReport(reports: readonly ReportDefinition[], name: string): ReportDefinition {
  const report = reports.find((r) => r.name === name);
  if (report !== undefined) return report;
  throw new PssError('ERROR_NOT_FOUND', `no report '${name}'${didYouMeanText(name, reports.map((r) => r.name))}; see 'pssql report --list'`, {
    option: 'report',
  });
}
