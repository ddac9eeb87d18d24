import { didYouMeanText } from './did-you-mean.js';
import { bad, checkParameterUse, type ReportDefinition, usedTableName } from './report-definition.js';
import type { ReportParameter } from './report-parameter.js';
import { sqlParameters, tokenizeSql } from './sql-tokens.js';

/** The SQL without its final `;`, to stand inside parentheses. */
function withoutFinalSemicolon(sql: string): string {
  const last = tokenizeSql(sql).at(-1);
  return last?.kind === 'symbol' && last.text === ';' ? sql.slice(0, last.start) + sql.slice(last.end) : sql;
}

/** The SQL with CTEs in front: added to its own WITH clause, or as a new one. */
function withCtes(sql: string, ctes: readonly string[]): string {
  const tokens = tokenizeSql(sql);
  const word = (i: number): string => (tokens[i]?.kind === 'word' ? (tokens[i]?.text ?? '').toUpperCase() : '');
  const list = ctes.join(',\n');
  if (word(0) === 'WITH') {
    const after = (word(1) === 'RECURSIVE' ? tokens[1] : tokens[0])?.end ?? 0;
    return `${sql.slice(0, after)}\n${list},${sql.slice(after)}`;
  }
  const start = tokens[0]?.start ?? 0;
  return `${sql.slice(0, start)}WITH\n${list}\n${sql.slice(start)}`;
}

/**
 * Resolves `uses:`: each used report's statement (composed in turn) goes in front of the SQL as
 * a materialized CTE named after it, and its parameters become the report's own (declaring one again changes
 * its default or description, not its type). A report that uses one that does not exist, or
 * itself, is an error naming its file.
 *
 * @example
 * composeReports(reports).find((r) => r.name === 'leak-suspects')?.sql  // WITH handles_over_time AS MATERIALIZED (...), ...
 */
export function composeReports(reports: readonly ReportDefinition[]): ReportDefinition[] {
  const byName = new Map(reports.map((r) => [r.name, r]));
  const composed = new Map<string, ReportDefinition>();
  const compose = (report: ReportDefinition, path: readonly string[]): ReportDefinition => {
    const done = composed.get(report.name);
    if (done !== undefined) return done;
    if (path.includes(report.name)) throw bad(report.file, null, `the report uses itself: ${[...path, report.name].join(' uses ')}`);
    const ctes: string[] = [];
    const inherited: ReportParameter[] = [];
    for (const name of report.uses) {
      const base = byName.get(name);
      if (base === undefined) throw bad(report.file, null, `'uses: ${name}': no such report${didYouMeanText(name, [...byName.keys()])}`);
      const used = compose(base, [...path, report.name]);
      // MATERIALIZED: computed once, however the report reads it. SQLite ran process-captures
      // again at each of its five uses in handles-over-time (its plan showed it as a co-routine,
      // some uses inside IN subqueries): 410 ms, against 150 materialized, on 10,000 captures.
      // The cost: PostgreSQL (12 or later for the keyword) no longer pushes a report's own WHERE
      // into the used report; over-time reports filter through its parameters instead.
      ctes.push(`${usedTableName(name)} AS MATERIALIZED (\n${withoutFinalSemicolon(used.sql)}\n)`);
      for (const p of used.parameters) if (!inherited.some((q) => q.name === p.name)) inherited.push(p);
    }
    let result = report;
    if (report.uses.length > 0) {
      checkParameterUse(report, sqlParameters(tokenizeSql(report.text)).named, inherited);
      const own = new Set(report.parameters.map((p) => p.name));
      result = { ...report, parameters: [...report.parameters, ...inherited.filter((p) => !own.has(p.name))], sql: withCtes(report.text, ctes) };
    }
    composed.set(report.name, result);
    return result;
  };
  return reports.map((r) => compose(r, []));
}
