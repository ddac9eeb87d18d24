import { PssError } from '../pss/pss-error.js';
import type { ReadStore } from '../store/read-store.js';
import { didYouMeanText } from './did-you-mean.js';
import { type QueryResult, queryReadOnly } from './read-only-query.js';
import type { ReportDefinition } from './report-definition.js';
import type { CaptureScope } from './capture-ref.js';
import { coerceParameter, PARAMETER_TYPES, parameterValue, type ReportParameter } from './report-parameter.js';

/**
 * The parameters a report takes besides its own: one with a capture parameter and no `pid` or
 * `name` of its own takes `pid` and `name` to count `latest` and `first` among the captures of
 * that process (`pssql report sockets --name nginx`).
 *
 * @example scopeParameters(findReport(loadReports(), 'sockets')).map((p) => p.name)  // ['pid', 'name']
 */
export function scopeParameters(report: ReportDefinition): ReportParameter[] {
  if (!report.parameters.some((p) => p.type === 'capture')) return [];
  const own = new Set(report.parameters.map((p) => p.name));
  const scope: ReportParameter[] = [
    { name: 'pid', type: 'pid', default: null, description: "count 'latest' and 'first' among the captures of this pid" },
    { name: 'name', type: 'text', default: null, description: "count 'latest' and 'first' among the captures of processes whose name or image path contains this" },
  ];
  return scope.filter((p) => !own.has(p.name));
}

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
  recordings: { host?: string; recording?: string } = {},
): Promise<QueryResult<Row>> {
  const origin = report.builtIn ? `report ${report.name}` : `report ${report.name} (${report.file})`;
  const scoping = scopeParameters(report);
  const scope: CaptureScope = { ...recordings };
  for (const parameter of scoping) {
    const value = values[parameter.name];
    if (value === undefined || value === null) continue;
    const coerced = coerceParameter(parameter.type, value);
    if (coerced === undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: parameter '${parameter.name}' must be ${PARAMETER_TYPES[parameter.type]} (got '${String(value)}')`, {
        option: parameter.name,
      });
    }
    if (parameter.name === 'pid') scope.pid = coerced as number;
    else scope.name = coerced as string;
  }
  const names = report.parameters.map((p) => p.name);
  const accepted = [...names, ...scoping.map((p) => p.name)];
  for (const given of Object.keys(values)) {
    if (accepted.includes(given) && !names.includes(given)) continue;
    if (!names.includes(given)) {
      const scoped = scoping.length === 0 ? '' : `, and ${scoping.map((p) => p.name).join(' or ')} to choose the process of its capture`;
      const has = names.length === 0 ? 'it takes none' : `it takes ${names.join(', ')}${scoped}`;
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
