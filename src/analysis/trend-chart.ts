import { humanBytes } from '../pss/units.js';
import type { ProcessTrend, TrendPanel, TrendSeries } from './trend.js';

/*
 * A trend as a chart a person reads at a glance: one panel per kind of value (handles by type,
 * threads, regions, memory, virtual size), each with its own axis so that a small growth in a
 * large count stays visible. The axes are not forced to zero for the same reason. Time runs left
 * to right from the first capture; a restarted process is marked where its new pid begins.
 * Plain SVG 1.1, no script: it opens in any browser and survives being mailed.
 */

const PANEL_TITLES: Record<TrendPanel, string> = {
  handles: 'Handles by type',
  threads: 'Threads',
  regions: 'Memory regions',
  memory: 'Memory: working set and private',
  virtual: 'Virtual size',
};
const PANEL_ORDER: readonly TrendPanel[] = ['handles', 'threads', 'regions', 'memory', 'virtual'];

/** Tableau 10: distinct for most colour vision, readable on white. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const WIDTH = 960;
const PANEL_HEIGHT = 240;
const LEGEND_LINE = 17;
const MARGIN = { left: 84, right: 230, top: 34, bottom: 40 };

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A y axis: its range, its ticks, and how to write a tick so that every label is exact. */
interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  label: (value: number) => string;
}

/**
 * Round ticks for an axis from lo to hi, about `count` of them: 1, 2 or 5 times a power of ten,
 * counted in the unit the labels use (KiB, MiB, GiB for bytes), with the decimals the step needs,
 * so that labels are even: 4.0, 4.1, 4.2 MiB, never 4.1, 4.3 MiB from steps of 1/8.
 */
function niceAxis(lo: number, hi: number, count: number, bytes: boolean): Axis {
  if (hi === lo) {
    const pad = bytes ? Math.max(Math.abs(hi) * 0.05, 4096) : Math.max(1, Math.abs(hi) * 0.05);
    lo -= pad;
    hi += pad;
  }
  const power = bytes ? Math.min(BYTE_UNITS.length - 1, Math.max(0, Math.floor(Math.log(Math.max(Math.abs(lo), Math.abs(hi), 1)) / Math.log(1024)))) : 0;
  const unit = 1024 ** power;
  const raw = (hi - lo) / unit / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = ([1, 2, 5, 10].find((s) => s * magnitude >= raw) ?? 10) * magnitude;
  // Counts and bytes are whole: no tick between 6 and 7.
  if (power === 0) step = Math.max(step, 1);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.floor(lo / unit / step) * step;
  const last = Math.ceil(hi / unit / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(Number(v.toFixed(decimals)) * unit);
  const label = bytes
    ? (value: number) => `${(value / unit).toFixed(decimals)} ${BYTE_UNITS[power]}`
    : (value: number) => Math.round(value).toLocaleString('en-US');
  return { lo: first * unit, hi: last * unit, ticks, label };
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** `0`, `45s`, `2m30s`, `1h05m`, `2d3h`: elapsed time on the x axis. */
function elapsedLabel(s: number): string {
  if (s === 0) return '0';
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return s % 3600 === 0 ? `${s / 3600}h` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return s % 86400 === 0 ? `${s / 86400}d` : `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

function formatValue(value: number, unit: TrendSeries['unit']): string {
  return unit === 'bytes' ? humanBytes(value) : Math.round(value).toLocaleString('en-US');
}

function formatDelta(first: number | null, last: number | null, unit: TrendSeries['unit']): string {
  if (first === null || last === null) return '';
  const delta = last - first;
  return delta === 0 ? '±0' : `${delta > 0 ? '+' : '-'}${formatValue(Math.abs(delta), unit)}`;
}

const firstValue = (values: readonly (number | null)[]) => values.find((v) => v !== null) ?? null;
const lastValue = (values: readonly (number | null)[]) => [...values].reverse().find((v) => v !== null) ?? null;

function localTime(us: number): string {
  const d = new Date(us / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Who the trend is about, in one line: `target (pid 1234)`, or the pids of its restarts. */
export function trendTitle(trend: ProcessTrend): string {
  return `${trend.name ?? 'process'} (pid${trend.pids.length > 1 ? 's' : ''} ${trend.pids.join(', ')})`;
}

/** A panel's height: the usual, or more when its legend needs it (many handle types). */
const panelHeight = (series: number): number => Math.max(PANEL_HEIGHT, MARGIN.top + MARGIN.bottom + 12 + series * LEGEND_LINE);

function panelSvg(trend: ProcessTrend, panel: TrendPanel, series: readonly TrendSeries[], top: number): string {
  const t0 = trend.points[0]?.started_at_us ?? 0;
  const elapsed = trend.points.map((p) => (p.started_at_us - t0) / 1e6);
  const span = elapsed[elapsed.length - 1] ?? 0;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = panelHeight(series.length) - MARGIN.top - MARGIN.bottom;
  const x0 = MARGIN.left;
  const y0 = top + MARGIN.top;
  const x = (s: number): number => x0 + (span === 0 ? plotW / 2 : (s / span) * plotW);

  const unit = series[0]?.unit ?? 'count';
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const scale = niceAxis(Math.min(...all), Math.max(...all), 4, unit === 'bytes');
  const y = (v: number): number => y0 + plotH - ((v - scale.lo) / (scale.hi - scale.lo)) * plotH;

  const out: string[] = [`<g class="panel" data-panel="${panel}">`];
  out.push(`<text x="${x0}" y="${top + 20}" class="title">${escapeXml(PANEL_TITLES[panel])}</text>`);
  for (const tick of scale.ticks) {
    const ty = y(tick).toFixed(1);
    out.push(`<line x1="${x0}" x2="${x0 + plotW}" y1="${ty}" y2="${ty}" class="grid"/>`);
    out.push(`<text x="${x0 - 8}" y="${ty}" class="ylabel" text-anchor="end" dominant-baseline="middle">${escapeXml(scale.label(tick))}</text>`);
  }
  const stepS = TIME_STEPS_S.find((s) => span / s <= 8) ?? Math.ceil(span / 8);
  for (let s = 0; s <= span + 1e-9 && span > 0; s += stepS) {
    const tx = x(s).toFixed(1);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${y0 + plotH}" y2="${y0 + plotH + 5}" class="axis"/>`);
    out.push(`<text x="${tx}" y="${y0 + plotH + 18}" class="xlabel" text-anchor="middle">${elapsedLabel(s)}</text>`);
  }
  out.push(`<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y0 + plotH}" class="axis"/>`);
  out.push(`<line x1="${x0}" x2="${x0 + plotW}" y1="${y0 + plotH}" y2="${y0 + plotH}" class="axis"/>`);
  // A restarted process: where the next pid's captures begin.
  for (let i = 1; i < trend.points.length; i++) {
    const p = trend.points[i] as ProcessTrend['points'][number];
    if (p.instance_id === trend.points[i - 1]?.instance_id) continue;
    const bx = x(elapsed[i] as number).toFixed(1);
    out.push(`<line x1="${bx}" x2="${bx}" y1="${y0}" y2="${y0 + plotH}" class="restart"/>`);
    out.push(`<text x="${bx}" y="${y0 - 4}" class="note" text-anchor="middle">pid ${p.pid}</text>`);
  }

  const markers = trend.points.length <= 60;
  series.forEach((s, n) => {
    const colour = PALETTE[n % PALETTE.length] as string;
    const dash = n >= PALETTE.length ? ' stroke-dasharray="6 3"' : '';
    let d = '';
    let pen = 'M';
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = 'M';
        return;
      }
      d += `${pen}${x(elapsed[i] as number).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = 'L';
    });
    out.push(`<g class="series" data-key="${escapeXml(s.key)}">`);
    out.push(`<path d="${d.trim()}" fill="none" stroke="${colour}" stroke-width="${s.key === 'handles' ? 2.5 : 1.8}"${dash}><title>${escapeXml(s.label)}</title></path>`);
    if (markers) {
      s.values.forEach((v, i) => {
        if (v === null) return;
        const p = trend.points[i] as ProcessTrend['points'][number];
        out.push(
          `<circle cx="${x(elapsed[i] as number).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${colour}">` +
            `<title>${escapeXml(`${s.label}: ${formatValue(v, s.unit)} (capture ${p.capture_id}, ${localTime(p.started_at_us)})`)}</title></circle>`,
        );
      });
    }
    // The legend: name, last value and the change since the first capture.
    const ly = y0 + 6 + n * LEGEND_LINE;
    const lx = x0 + plotW + 16;
    const last = lastValue(s.values);
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"${dash}/>`);
    out.push(
      `<text x="${lx + 24}" y="${ly}" class="legend" dominant-baseline="middle">${escapeXml(s.label)} ${escapeXml(last === null ? '' : formatValue(last, s.unit))}` +
        ` <tspan class="delta">${escapeXml(formatDelta(firstValue(s.values), last, s.unit))}</tspan></text>`,
    );
    out.push('</g>');
  });
  out.push('</g>');
  return out.join('\n');
}

const STYLE = `
.title { font: bold 14px sans-serif; fill: #222; }
.ylabel, .xlabel { font: 11px sans-serif; fill: #555; }
.legend { font: 12px sans-serif; fill: #222; }
.delta { fill: #777; }
.note { font: 10px sans-serif; fill: #a33; }
.grid { stroke: #e5e5e5; stroke-width: 1; }
.axis { stroke: #888; stroke-width: 1; }
.restart { stroke: #a33; stroke-width: 1; stroke-dasharray: 4 3; }
.caption { font: 11px sans-serif; fill: #555; }`;

/**
 * The trend as a standalone SVG document: a panel per kind of value, axes with round ticks, a
 * legend with each series' last value and change, a tooltip on every point.
 *
 * @example
 * fs.writeFileSync('trend.svg', renderTrendSvg(await processTrend(store, { pid: 1234 })))
 */
export function renderTrendSvg(trend: ProcessTrend): string {
  const panels = PANEL_ORDER.map((panel) => ({ panel, series: trend.series.filter((s) => s.panel === panel) })).filter((p) => p.series.length > 0);
  const tops: number[] = [];
  let height = 0;
  for (const p of panels) {
    tops.push(height);
    height += panelHeight(p.series.length);
  }
  height += 24;
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  const caption =
    first === undefined || last === undefined
      ? ''
      : `${trend.points.length} captures of ${trendTitle(trend)}, ${localTime(first.started_at_us)} to ${localTime(last.started_at_us)}; x: time since the first capture`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img">`,
    `<title>${escapeXml(`pssql trend: ${trendTitle(trend)}`)}</title>`,
    `<style>${STYLE}</style>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...panels.map((p, i) => panelSvg(trend, p.panel, p.series, tops[i] as number)),
    `<text x="${MARGIN.left}" y="${height - 8}" class="caption">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * The trend as a self-contained HTML page: a heading, the SVG chart inline, and a table of every
 * series' first, last, lowest and highest value.
 *
 * @example
 * fs.writeFileSync('trend.html', renderTrendHtml(await processTrend(store, { name: 'nginx' })))
 */
export function renderTrendHtml(trend: ProcessTrend): string {
  const rows = trend.series.map((s) => {
    const present = s.values.filter((v): v is number => v !== null);
    const cell = (v: number | null) => `<td>${v === null ? '' : escapeXml(formatValue(v, s.unit))}</td>`;
    const first = firstValue(s.values);
    const last = lastValue(s.values);
    return (
      `<tr><th>${escapeXml(s.panel === 'handles' && s.key !== 'handles' ? `handles: ${s.label}` : s.label)}</th>` +
      `${cell(first)}${cell(last)}<td>${escapeXml(formatDelta(first, last, s.unit))}</td>${cell(Math.min(...present))}${cell(Math.max(...present))}</tr>`
    );
  });
  const title = `pssql trend: ${trendTitle(trend)}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"/><title>${escapeXml(title)}</title>`,
    '<style>body { font-family: sans-serif; margin: 24px; color: #222; } table { border-collapse: collapse; margin-top: 16px; }',
    'th, td { padding: 3px 12px; text-align: right; border-bottom: 1px solid #eee; } th:first-child { text-align: left; }</style></head>',
    '<body>',
    `<h1>${escapeXml(title)}</h1>`,
    renderTrendSvg(trend).trim(),
    '<table><thead><tr><th>series</th><th>first</th><th>last</th><th>change</th><th>lowest</th><th>highest</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
