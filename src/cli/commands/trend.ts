import * as fs from 'node:fs';
import * as path from 'node:path';
import { PssError } from '../../pss/pss-error.js';
import { humanBytes, humanDuration } from '../../pss/units.js';
import type { ProcessTrend, TrendSeries } from '../../analysis/trend.js';
import { defineCommand, type GlobalOptions, parsePid, printRows, status, warn, withStore } from '../context.js';
import { scopeOf, scopeOptions, TIME_HELP, timeOptions } from '../capture-scope.js';
import { displayText, tableCell } from '../format-value.js';
import { wrapHelp } from '../help-text.js';
import { lastOption, positiveCount } from '../row-options.js';

const SPARK_WIDTH = 60;

function formatValue(value: number | null, unit: TrendSeries['unit']): string {
  if (value === null) return '';
  return unit === 'bytes' ? humanBytes(value) : String(value);
}

/** The terminal view: one line per series, with its sparkline. */
function trendText(trend: ProcessTrend, sparkline: (values: readonly (number | null)[], width: number) => string): string {
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  if (first === undefined || last === undefined) return '';
  const head =
    `trend of ${displayText(trend.name ?? 'process')} (pid${trend.pids.length > 1 ? 's' : ''} ${trend.pids.join(', ')}): ${trend.points.length} captures, ` +
    `${tableCell('started_at_us', first.started_at_us)} to ${tableCell('started_at_us', last.started_at_us)} ` +
    `(${humanDuration(last.started_at_us - first.started_at_us)})`;
  const columns = ['series', 'first', 'last', 'change', 'lowest', 'highest', 'trend'];
  const rows = trend.series.map((s) => {
    const present = s.values.filter((v): v is number => v !== null);
    const f = present[0] ?? null;
    const l = present[present.length - 1] ?? null;
    const change = f === null || l === null ? '' : l === f ? '0' : `${l > f ? '+' : '-'}${formatValue(Math.abs(l - f), s.unit)}`;
    return [
      s.panel === 'handles' && s.key !== 'handles' ? `  ${s.label}` : s.label,
      formatValue(f, s.unit),
      formatValue(l, s.unit),
      change,
      formatValue(Math.min(...present), s.unit),
      formatValue(Math.max(...present), s.unit),
      sparkline(s.values, Math.min(SPARK_WIDTH, s.values.length)),
    ];
  });
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)));
  // Names and sparklines read from the left, numbers line up on the right.
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ').trimEnd();
  return [head, '', line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join('\n');
}

/** One row per capture, a column per series, for scripts. */
function trendRows(trend: ProcessTrend) {
  const columns = ['capture_id', 'started_at_us', 'pid', ...trend.series.map((s) => s.key)];
  const rows = trend.points.map((p, i) => {
    const row: Record<string, unknown> = { capture_id: p.capture_id, started_at_us: p.started_at_us, pid: p.pid };
    for (const s of trend.series) row[s.key] = s.values[i] ?? null;
    return row;
  });
  return { columns, rows };
}

export const trendCommand = defineCommand({
  command: 'trend [process]',
  describe: 'how a process changed over its captures: handles per type, threads, regions, memory',
  builder: (yargs) =>
    lastOption(timeOptions(scopeOptions(yargs, 'the captures'), 'only the captures'))
      .positional('process', { type: 'string', describe: 'a pid, or a name (part of the process name or image path): the same as --pid or --name' })
      .option('output', { alias: 'o', type: 'string', describe: 'also write a chart: FILE.html (a page) or FILE.svg', requiresArg: true })
      // --limit is rows everywhere; the captures a trend is drawn from are --last.
      .option('limit', { type: 'number', hidden: true })
      .example('$0 trend 1234', 'sparklines of every series in the terminal')
      .example('$0 trend --name nginx --output trend.html', 'and a chart to open in a browser')
      .example('$0 trend --pid 1234 --since 2h --last 100', 'the newest 100 captures of the last two hours')
      .example('$0 trend 1234 --format csv', 'a row per capture, a column per series')
      .epilog(wrapHelp(TIME_HELP)),
  handler: async (args) => {
    if (args.limit !== undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', '--limit is a number of rows; a trend of the newest N captures is --last N', { option: 'limit' });
    }
    const scope = await scopeOf(args);
    if (args.process !== undefined) {
      if (scope.pid !== undefined || scope.name !== undefined) {
        throw new PssError('ERROR_INVALID_PARAMETER', `name the process once: '${args.process}' or --pid/--name, not both`, { option: 'process' });
      }
      if (/^\d+$/.test(args.process.trim())) scope.pid = parsePid(args.process);
      else scope.name = args.process;
    }
    if (scope.pid === undefined && scope.name === undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', "say which process: a pid or name, or --pid/--name (see 'pssql list')", { option: 'process' });
    }
    const last = positiveCount(args.last, '--last');
    const output = args.output;
    const extension = output === undefined ? undefined : path.extname(output).toLowerCase();
    if (extension !== undefined && extension !== '.html' && extension !== '.htm' && extension !== '.svg') {
      throw new PssError('ERROR_INVALID_PARAMETER', `--output ${output}: name an .html or .svg file`, { option: 'output' });
    }
    const [{ processTrend }, { sparkline }] = await Promise.all([import('../../analysis/trend.js'), import('../../analysis/trend-sparkline.js')]);
    const trend = await withStore(args, { readonly: true }, (store) => processTrend(store, { ...scope, ...(last === undefined ? {} : { limit: last }) }));
    if (trend.otherProcesses > 0) {
      const others = trend.otherProcesses === 1 ? 'another process' : `${trend.otherProcesses} other processes`;
      warn(args, `pid ${scope.pid} was also ${others} earlier in the recording: shown is its latest process (${trend.points.length} captures); 'pssql list --pid ${scope.pid}' lists them all`);
    }
    if (output !== undefined) {
      const { renderTrendHtml, renderTrendSvg } = await import('../../analysis/trend-chart.js');
      fs.writeFileSync(output, extension === '.svg' ? renderTrendSvg(trend) : renderTrendHtml(trend));
      status(args, `wrote ${output}`);
    }
    if (args.format === 'table') process.stdout.write(trendText(trend, sparkline));
    else printRows(args as GlobalOptions, trendRows(trend));
  },
});
