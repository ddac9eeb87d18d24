import * as path from 'node:path';
import { PssError } from '../pss/pss-error.js';
import { isValidDefault, PARAMETER_TYPES, type ParameterType, type ReportParameter } from './report-parameter.js';
import { sqlParameters, tokenizeSql } from './sql-tokens.js';

/**
 * A saved report: one read-only SQL statement in a `.sql` file, with a header of `--` comment
 * lines that names it, says what it shows and declares its named parameters:
 *
 *     -- name: handles-by-type
 *     -- description: Handles (fds) of one capture, counted by type.
 *     -- param: capture capture = latest  the capture to report on
 *     -- param: pattern text = null  only object names LIKE this
 *     -- uses: process-captures
 *     -- example: pssql report handles-by-type --capture nginx@latest  the fds of nginx's newest capture
 *
 * `param:` takes a name (as in the SQL: `:capture`), a type (capture, pid, integer, real, text,
 * boolean), an optional default after `=` (a word, a 'quoted text', or null to bind NULL; without
 * one the parameter is required), then its description. `uses:` names another report whose rows
 * the SQL reads as a table of that name with `_` for `-` (process_captures); its parameters
 * become this report's. `example:` (any number) shows how to run it in `pssql report NAME --help`:
 * a command line, two spaces, what it shows. Other comment lines are free text.
 */
export interface ReportDefinition {
  /** The name to run it by; the file's name without `.sql`. */
  name: string;
  description: string;
  /** Its parameters: its own, then those of the reports it uses. */
  parameters: ReportParameter[];
  /** The reports it builds on (`uses:`). */
  uses: string[];
  /** How to run it, for its --help (`example:`). */
  examples: { command: string; description: string }[];
  /** The statement that runs: the file, with the reports it uses in front as CTEs. */
  sql: string;
  /** The file as written. */
  text: string;
  /** The file it was read from. */
  file: string;
  /** True for the reports shipped with pssql (queries/). */
  builtIn: boolean;
}

/**
 * Names a parameter cannot have: the CLI passes parameters as `--name value` beside its own
 * options, so a parameter called `format` could never be given.
 */
export const RESERVED_PARAMETER_NAMES: ReadonlySet<string> = new Set([
  ...['db', 'format', 'wide', 'verbose', 'quiet', 'help', 'version', 'follow_symlinks'],
  ...['f', 'q', 'h'], // their one-letter aliases: `--q x` is --quiet, `--h` prints help
  ...['list', 'queries', 'sql', 'report', 'timeout'],
]);

/** The table name under which a used report's rows are read: `process-captures` is `process_captures`. */
export function usedTableName(report: string): string {
  return report.replaceAll('-', '_');
}

const FIELD = /^--\s*([a-z][a-z-]*)\s*:\s?(.*)$/;
const PARAM = /^([A-Za-z_]\w*)\s+(\S+)(?:\s*=\s*('(?:[^']|'')*'|\S+))?(?:\s+(.*))?$/;
const REPORT_NAME = /^[a-z0-9][a-z0-9-]*$/;

export function bad(file: string, line: number | null, message: string): PssError {
  return new PssError('ERROR_INVALID_PARAMETER', `${file}${line === null ? '' : `:${line}`}: ${message}`, { path: file });
}

function parseParam(text: string, file: string, line: number): ReportParameter {
  const match = PARAM.exec(text.trim());
  if (match === null) throw bad(file, line, `a parameter is written 'param: NAME TYPE [= DEFAULT] DESCRIPTION' (got '${text.trim()}')`);
  const [, name = '', type = '', rawDefault, description = ''] = match;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw bad(file, line, `parameter '${name}': names are lower-case snake_case, as in :${name.toLowerCase()}`);
  if (RESERVED_PARAMETER_NAMES.has(name)) throw bad(file, line, `parameter '${name}' would clash with pssql's own --${name} option: rename it`);
  if (!(type in PARAMETER_TYPES)) {
    throw bad(file, line, `parameter '${name}' has unknown type '${type}' (types: ${Object.keys(PARAMETER_TYPES).join(', ')})`);
  }
  const parameter: ReportParameter = { name, type: type as ParameterType, description: description.trim() };
  if (rawDefault !== undefined) {
    if (rawDefault === 'null') {
      parameter.default = null;
    } else {
      const value = rawDefault.startsWith("'") ? rawDefault.slice(1, -1).replaceAll("''", "'") : rawDefault;
      if (!isValidDefault(parameter.type, value)) {
        throw bad(file, line, `parameter '${name}': default '${value}' is not ${PARAMETER_TYPES[parameter.type]}`);
      }
      parameter.default = value;
    }
  }
  return parameter;
}

/**
 * Reads a saved report from the text of its file; a header that is missing a field, declares a
 * parameter badly, or disagrees with the parameters the SQL uses is an error naming the file
 * and line.
 *
 * @example
 * const report = parseReport(fs.readFileSync('queries/sockets.sql', 'utf8'), 'queries/sockets.sql')
 */
export function parseReport(text: string, file: string, builtIn = false): ReportDefinition {
  const stem = path.basename(file, '.sql');
  let name: string | undefined;
  const description: string[] = [];
  const parameters: ReportParameter[] = [];
  const uses: string[] = [];
  const examples: ReportDefinition['examples'] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break; // the header ends at the first line of SQL
    const field = FIELD.exec(line);
    if (field === null) continue;
    const [, key, value = ''] = field;
    if (key === 'name') name = value.trim();
    else if (key === 'description') description.push(value.trim());
    else if (key === 'param') parameters.push(parseParam(value, file, index + 1));
    else if (key === 'uses') {
      if (!REPORT_NAME.test(value.trim())) throw bad(file, index + 1, `'uses:' takes the name of one report (got '${value.trim()}')`);
      uses.push(value.trim());
    } else if (key === 'example') {
      const [command = '', ...rest] = value.trim().split(/ {2,}/);
      if (!command.startsWith('pssql report ')) throw bad(file, index + 1, `an example is a command line 'pssql report ...', two spaces, then what it shows (got '${value.trim()}')`);
      examples.push({ command, description: rest.join(' ') });
    } else throw bad(file, index + 1, `unknown header field '${key}:' (fields: name, description, param, uses, example)`);
  }
  if (name === undefined) throw bad(file, null, "the header has no '-- name:' line");
  if (!REPORT_NAME.test(name)) throw bad(file, null, `report name '${name}': use lower-case letters, digits and dashes`);
  if (name !== stem) throw bad(file, null, `the report is named '${name}' but its file '${stem}.sql': name the file after the report`);
  if (description.join('') === '') throw bad(file, null, "the header has no '-- description:' line");

  const tokens = tokenizeSql(text);
  if (tokens.length === 0) throw bad(file, null, 'no SQL after the header');
  const used = sqlParameters(tokens);
  if (used.positional) throw bad(file, null, 'use named parameters (:name), not ?');
  const report: ReportDefinition = { name, description: description.join(' '), parameters, uses, examples, sql: text, text, file, builtIn };
  // A report that uses others is checked once they are known (composeReports).
  if (uses.length === 0) checkParameterUse(report, used.named, []);
  return report;
}

/**
 * Checks that a report declares each parameter once, every parameter its SQL uses is declared
 * (by it or by a report it uses), and each it declares is used (by its SQL or a used report).
 */
export function checkParameterUse(report: ReportDefinition, usedBySql: readonly string[], inherited: readonly ReportParameter[]): void {
  const { file } = report;
  const seen = new Set<string>();
  for (const p of report.parameters) {
    if (seen.has(p.name)) throw bad(file, null, `parameter '${p.name}' is declared twice`);
    seen.add(p.name);
    const base = inherited.find((q) => q.name === p.name);
    if (base !== undefined && base.type !== p.type) {
      throw bad(file, null, `parameter '${p.name}' is ${p.type} here but ${base.type} in the report it uses`);
    }
  }
  const known = new Set([...seen, ...inherited.map((p) => p.name)]);
  const undeclared = usedBySql.filter((n) => !known.has(n));
  if (undeclared.length > 0) throw bad(file, null, `the SQL uses :${undeclared[0]} but the header declares no 'param: ${undeclared[0]} ...'`);
  const unused = report.parameters.filter((p) => !usedBySql.includes(p.name) && !inherited.some((q) => q.name === p.name));
  if (unused.length > 0) throw bad(file, null, `parameter '${unused[0]?.name}' is declared but the SQL never uses :${unused[0]?.name}`);
}
