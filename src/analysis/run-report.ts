import { PssError } from '../pss/pss-error.js';
import type { ReadStore } from '../store/read-store.js';
import type { CaptureScope } from './captures.js';
import { didYouMeanText } from './did-you-mean.js';
import { type QueryResult, queryReadOnly } from './read-only-query.js';
import type { ReportDefinition } from './report-definition.js';
import { PARAMETER_TYPES, parameterValue } from './report-parameter.js';

/**
 * Runs a saved report read-only, its parameters bound (never spliced): each from `values` (text
 * or typed values, by parameter name), else its default. A missing, unknown or ill-typed
 * parameter is an ERROR_INVALID_PARAMETER naming it. With a scope (a host, a recording), `latest`
 * and the other capture references mean the scope's, and the parameters `host` and `recording`
 * of a report default to it.
 *
 * @example
 * const { columns, rows } = await runReport(store, findReport(loadReports(), 'handles-by-type'), { capture: 'latest' })
 */
export async function runReport<Row = Record<string, unknown>>(
  store: ReadStore,
  report: ReportDefinition,
  values: Readonly<Record<string, unknown>> = {},
  scope: CaptureScope = {},
): Promise<QueryResult<Row>> {
  const origin = report.builtIn ? `report ${report.name}` : `report ${report.name} (${report.file})`;
  const names = report.parameters.map((p) => p.name);
  for (const given of Object.keys(values)) {
    if (!names.includes(given)) {
      const has = names.length === 0 ? 'it takes none' : `it takes ${names.join(', ')}`;
      throw new PssError('ERROR_INVALID_PARAMETER', `${origin} has no parameter '${given}'${didYouMeanText(given, names)}; ${has}`, {
        option: given,
      });
    }
  }
  const bound: Record<string, unknown> = {};
  for (const parameter of report.parameters) {
    // A report that takes a host or recording (the over-time ones) takes the scope's.
    const scoped = parameter.name === 'host' ? scope.host : parameter.name === 'recording' ? scope.recording : undefined;
    const value = values[parameter.name] !== undefined ? values[parameter.name] : (scoped ?? parameter.default);
    if (value === undefined) {
      const what = parameter.description === '' ? PARAMETER_TYPES[parameter.type] : `${PARAMETER_TYPES[parameter.type]}: ${parameter.description}`;
      throw new PssError('ERROR_INVALID_PARAMETER', `${origin} needs parameter '${parameter.name}' (${what})`, { option: parameter.name });
    }
    bound[parameter.name] = await parameterValue(store, origin, parameter, value, scope);
  }
  const types = Object.fromEntries(report.parameters.map((p) => [p.name, p.type]));
  return queryReadOnly<Row>(store, report.sql, bound, { origin, types });
}
