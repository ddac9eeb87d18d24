import * as fs from 'node:fs';
import * as path from 'node:path';
import { PssError } from '../../pss/pss-error.js';
import { humanBytes, humanDuration } from '../../pss/units.js';
import type { ProcessTrend, TrendSeries } from '../../analysis/trend.js';
import { defineCommand, type GlobalOptions, parsePid, printRows, scopeOf, scopeOptions, status, withStore } from '../context.js';
import { tableCell } from '../format-value.js';

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
    `trend of ${trend.name ?? 'process'} (pid${trend.pids.length > 1 ? 's' : ''} ${trend.pids.join(', ')}): ${trend.points.length} captures, ` +
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
  command: 'trend <process>',
  describe: 'how a process changed over its captures: handles per type, threads, regions, memory',
  builder: (yargs) =>
    scopeOptions(yargs)
      .positional('process', { type: 'string', describe: 'a pid, or a name (part of the process name or image path)', demandOption: true })
      .option('output', { alias: 'o', type: 'string', describe: 'also write a chart: FILE.html (a page) or FILE.svg', requiresArg: true })
      .option('limit', { type: 'number', describe: 'only the newest N captures', requiresArg: true })
      .example('$0 trend 1234', 'sparklines of every series in the terminal')
      .example('$0 trend nginx --output trend.html', 'and a chart to open in a browser')
      .example('$0 trend 1234 --format csv', 'a row per capture, a column per series'),
  handler: async (args) => {
    const target = /^\d+$/.test(args.process.trim()) ? { pid: parsePid(args.process) } : { name: args.process };
    const output = args.output;
    const extension = output === undefined ? undefined : path.extname(output).toLowerCase();
    if (extension !== undefined && extension !== '.html' && extension !== '.htm' && extension !== '.svg') {
      throw new PssError('ERROR_INVALID_PARAMETER', `--output ${output}: name an .html or .svg file`, { option: 'output' });
    }
    const [{ processTrend }, { sparkline }] = await Promise.all([import('../../analysis/trend.js'), import('../../analysis/trend-sparkline.js')]);
    const trend = await withStore(args, { readonly: true }, (store) =>
      processTrend(store, { ...target, ...scopeOf(args), ...(args.limit === undefined ? {} : { limit: args.limit }) }),
    );
    if (output !== undefined) {
      const { renderTrendHtml, renderTrendSvg } = await import('../../analysis/trend-chart.js');
      fs.writeFileSync(output, extension === '.svg' ? renderTrendSvg(trend) : renderTrendHtml(trend));
      status(args, `wrote ${output}`);
    }
    if (args.format === 'table') process.stdout.write(trendText(trend, sparkline));
    else printRows(args as GlobalOptions, trendRows(trend));
  },
});
