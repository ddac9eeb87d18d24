import type { ReportDefinition } from '../analysis/report-definition.js';
import type { ReportParameter } from '../analysis/report-parameter.js';
import { helpWidth, wrapHelp } from './help-text.js';

/*
 * What `pssql report NAME --help` and `pssql report --list` print for people: a report's own
 * description, parameters and examples, wrapped to the terminal.
 */

/** The option of a parameter: `capture` is `--capture`, `min_captures` is `--min-captures`. */
export const optionOf = (p: ReportParameter): string => `--${p.name.replaceAll('_', '-')}`;

/** What a parameter's default means, in words. */
function defaultText(p: ReportParameter): string {
  if (p.default === undefined) return 'required';
  if (p.default === null) return 'optional';
  return `default ${p.default}`;
}

/** `pssql report NAME --help`: the report, its parameters (with those that scope its capture), its examples. */
export function reportHelp(report: ReportDefinition, scoping: readonly ReportParameter[], width = helpWidth()): string {
  const parameters = [...report.parameters, ...scoping];
  const terms = parameters.map((p) => `  ${optionOf(p)} ${p.type.toUpperCase()}`);
  const termWidth = Math.max(0, ...terms.map((t) => t.length));
  const lines = [
    `pssql report ${report.name}${parameters.length === 0 ? '' : ' [parameters]'}`,
    '',
    report.description,
    '',
    ...(parameters.length === 0
      ? ['It takes no parameter.']
      : ['Parameters:', ...parameters.map((p, i) => `${(terms[i] as string).padEnd(termWidth)}  (${defaultText(p)}) ${p.description}`)]),
  ];
  if (report.uses.length > 0) lines.push('', `It builds on ${report.uses.map((u) => `'${u}'`).join(', ')}, whose parameters it takes.`);
  const examples = report.examples.length > 0 ? report.examples : [{ command: exampleOf(report), description: '' }];
  lines.push('', 'Examples:');
  for (const e of examples) lines.push(`  ${e.command}`, ...(e.description === '' ? [] : [`      ${e.description}`]));
  lines.push(
    '',
    `Capture parameters take an id, first, latest, latest-N, also PID@latest or NAME@first; times take 10m, 2h, 7d (ago), a date (2026-12-01 08:31) or µs since the epoch. ` +
      `--format json|csv|ndjson for scripts; --sql prints the statement. ${report.builtIn ? 'A built-in report' : `From ${report.file}`}.`,
  );
  return `${wrapHelp(lines.join('\n'), width)}\n`;
}

/** A command line that runs a report without examples of its own: its required parameters given. */
function exampleOf(report: ReportDefinition): string {
  const required = report.parameters.filter((p) => p.default === undefined).map((p) => `${optionOf(p)} ${p.type.toUpperCase()}`);
  return ['pssql report', report.name, ...required].join(' ');
}

/** `pssql report --list` as a table for people: each report, what it shows, and its parameters. */
export function reportList(reports: readonly ReportDefinition[], scopingOf: (r: ReportDefinition) => readonly ReportParameter[], width = helpWidth()): string {
  const nameWidth = Math.min(24, Math.max(...reports.map((r) => r.name.length)));
  const item = (r: ReportDefinition): string[] => {
    const parameters = [...r.parameters, ...scopingOf(r)].map((p) => (p.default === undefined || p.default === null ? optionOf(p) : `${optionOf(p)}=${p.default}`));
    const pad = ' '.repeat(nameWidth + 2);
    return [
      `${r.name.padEnd(nameWidth)}  ${r.description}`,
      ...(parameters.length === 0 ? [] : [`${pad}${parameters.join(' ')}`]),
      ...(r.builtIn ? [] : [`${pad}from ${r.file}`]),
    ];
  };
  const lines = reports.flatMap(item);
  lines.push('', "'pssql report NAME --help' shows a report's parameters and examples.");
  return `${wrapHelp(lines.join('\n'), width)}\n`;
}
