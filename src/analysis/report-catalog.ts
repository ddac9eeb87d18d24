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

/** The `.sql` files of a directory, sorted; a directory that cannot be read is an error naming it. */
function sqlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    throw osError(error, 'read reports from', dir, 'no such directory');
  }
  return names
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => path.join(dir, name));
}

function readDirectory(dir: string, isBuiltIn: boolean): ReportDefinition[] {
  return sqlFiles(dir).map((file) => parseReport(fs.readFileSync(file, 'utf8'), file, isBuiltIn));
}

/** A report file that cannot be used, and why. */
export interface ReportProblem {
  /** The name it would be run by (its file's name without .sql). */
  name: string;
  file: string;
  error: Error;
}

/** The reports that can be run, and the files that cannot (each only unusable itself). */
export interface ReportCatalog {
  reports: ReportDefinition[];
  problems: ReportProblem[];
}

/**
 * Like {@link loadReports}, but a user's file that is wrong (a bad header, a name taken twice, a
 * `uses:` of a report that does not exist or is itself wrong) makes only that report unusable:
 * it is a problem to report once, and every other report runs. A directory that cannot be read
 * is still an error.
 *
 * @example
 * const { reports, problems } = loadReportCatalog(['./my-reports'])
 * for (const p of problems) console.warn(`${p.file}: ${p.error.message}`)
 */
export function loadReportCatalog(directories: readonly string[] = []): ReportCatalog {
  builtIn ??= readDirectory(BUILT_IN_REPORTS_DIR, true);
  const problems: ReportProblem[] = [];
  const byName = new Map(builtIn.map((r) => [r.name, r]));
  for (const file of directories.flatMap(sqlFiles)) {
    const name = path.basename(file, '.sql');
    let report: ReportDefinition;
    try {
      report = parseReport(fs.readFileSync(file, 'utf8'), file, false);
    } catch (error) {
      problems.push({ name, file, error: error instanceof Error ? error : new Error(String(error)) });
      continue;
    }
    const other = byName.get(report.name);
    if (other !== undefined) {
      problems.push({ name, file, error: new PssError('ERROR_INVALID_PARAMETER', `${file}: the name '${report.name}' is taken by ${other.file}; rename one`, { path: file }) });
      continue;
    }
    byName.set(report.name, report);
  }
  // A report that cannot be composed (it uses one that is missing or wrong) is left out, one at a time.
  for (;;) {
    const candidates = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    try {
      return { reports: composeReports(candidates), problems };
    } catch (error) {
      const file = (error as { path?: string }).path;
      const culprit = candidates.find((r) => r.file === file && !r.builtIn);
      if (culprit === undefined) throw error;
      byName.delete(culprit.name);
      problems.push({ name: culprit.name, file: culprit.file, error: error as Error });
    }
  }
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
 * The report of a name, or ERROR_NOT_FOUND with the names it may have meant; a name of one of
 * the `problems` throws what is wrong with that file.
 *
 * @example
 * const report = findReport(loadReports(), 'leak-suspects')
 */
export function findReport(reports: readonly ReportDefinition[], name: string, problems: readonly ReportProblem[] = []): ReportDefinition {
  const report = reports.find((r) => r.name === name);
  if (report !== undefined) return report;
  // A report that is there but wrong says what is wrong with it, not that it is missing.
  const broken = problems.find((p) => p.name === name);
  if (broken !== undefined) throw broken.error;
  throw new PssError('ERROR_NOT_FOUND', `no report '${name}'${didYouMeanText(name, reports.map((r) => r.name))}; see 'pssql report --list'`, {
    option: 'report',
  });
}
