import { csvField, type ExactText, jsonValue, tableCell, tableHeaders } from './format-value.js';

/** The output formats of every command that prints rows. */
export const FORMATS = ['table', 'json', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** Rows to print, with their columns (known even when there is no row). */
export interface RowSet {
  columns: readonly string[];
  rows: readonly object[];
  /** Restores names read from SQL in their `\xNN` form (see {@link ExactText}). */
  exact?: ExactText;
}

export interface PrintOptions {
  format: Format;
  /**
   * The width of the terminal the table goes to: text columns shrink, the widest first, and are
   * cut with `…` to fit it. Absent (not a terminal, or --wide): nothing is ever cut.
   */
  width?: number;
}

/** A text column is never cut narrower than this (or its header). */
const MIN_CUT_WIDTH = 12;

const isNumeric = (value: unknown): boolean => typeof value === 'number' || typeof value === 'bigint';

/** Renders rows in a format; the result ends with a newline unless empty (NDJSON without rows). */
export function renderRows(set: RowSet, options: PrintOptions): string {
  const chunks: string[] = [];
  writeRows(set, options, (chunk) => chunks.push(chunk));
  return chunks.join('');
}

/** Text is handed to `write` in pieces of about this many characters. */
const CHUNK = 1 << 16;

/**
 * Renders rows as {@link renderRows} does, handing the text to `write` row by row (in pieces of
 * about 64 KiB) instead of as one string: JSON, NDJSON and CSV of any size, where one string
 * could pass what a JavaScript string may hold. A table is measured whole, and written at once.
 */
export function writeRows(set: RowSet, options: PrintOptions, write: (chunk: string) => void): void {
  const { columns, rows } = set;
  if (options.format === 'table') {
    write(renderTable(set, options.width));
    return;
  }
  let pending = '';
  const put = (text: string): void => {
    pending += text;
    if (pending.length >= CHUNK) {
      write(pending);
      pending = '';
    }
  };
  switch (options.format) {
    case 'json':
      // As JSON.stringify(rows, null, 2) lays it out, one row at a time.
      if (rows.length === 0) put('[]');
      else {
        put('[\n');
        rows.forEach((row, i) => put(`${i === 0 ? '' : ',\n'}  ${JSON.stringify(jsonRow(columns, row), null, 2).replaceAll('\n', '\n  ')}`));
        put('\n]');
      }
      put('\n');
      break;
    case 'ndjson':
      for (const row of rows) put(`${JSON.stringify(jsonRow(columns, row))}\n`);
      break;
    case 'csv':
      put(`${columns.map((c) => csvField('', c)).join(',')}\n`);
      for (const row of rows as readonly Record<string, unknown>[]) put(`${columns.map((c) => csvField(c, row[c], set.exact)).join(',')}\n`);
      break;
  }
  if (pending !== '') write(pending);
}

function jsonRow(columns: readonly string[], row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = jsonValue(c, (row as Record<string, unknown>)[c]);
  return out;
}

/** `text` cut to `width` characters, the last one an ellipsis. */
export function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Column widths that fit `width`: while the line is too long, the widest text column is narrowed
 * (to the next widest, or just enough), never below its header or {@link MIN_CUT_WIDTH}. Numbers
 * are never cut. When even that is too wide, the line stays too wide: the terminal wraps it.
 */
export function fitWidths(natural: readonly number[], minimum: readonly number[], cuttable: readonly boolean[], width: number): number[] {
  const widths = [...natural];
  for (let excess = lineWidth(widths) - width; excess > 0; excess = lineWidth(widths) - width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (cuttable[i] && (widths[i] as number) > (minimum[i] as number) && (widest < 0 || (widths[i] as number) > (widths[widest] as number))) widest = i;
    }
    if (widest < 0) break;
    const next = Math.max(...widths.map((w, i) => (i !== widest && cuttable[i] ? w : 0)));
    const current = widths[widest] as number;
    widths[widest] = Math.max(minimum[widest] as number, Math.min(current - 1, Math.max(next, current - excess)));
  }
  return widths;
}

/** The width of a table line with these column widths. */
const lineWidth = (widths: readonly number[]): number => widths.reduce((sum, w) => sum + w, 0) + 2 * Math.max(0, widths.length - 1);

function renderTable(set: RowSet, width: number | undefined): string {
  const rows = set.rows as readonly Record<string, unknown>[];
  let columns = set.columns;
  let cells = rows.map((row) => columns.map((c) => tableCell(c, row[c], set.exact)));
  const natural = (i: number, header: string): number => Math.max(header.length, ...cells.map((r) => (r[i] as string).length));
  if (width !== undefined && lineWidth(tableHeaders(columns, (c) => rows.map((r) => r[c])).map((h, i) => natural(i, h))) > width) {
    // Too wide for the terminal: columns with nothing in them go first (--wide keeps them).
    const kept = columns.map((_, i) => rows.length === 0 || cells.some((r) => r[i] !== ''));
    columns = columns.filter((_, i) => kept[i]);
    cells = cells.map((r) => r.filter((_, i) => kept[i]));
  }
  const headers = tableHeaders(columns, (c) => rows.map((r) => r[c]));
  const numeric = columns.map((c) => rows.some((r) => isNumeric(r[c])) && rows.every((r) => r[c] === null || isNumeric(r[c])));
  let widths = columns.map((_, i) => natural(i, headers[i] as string));
  if (width !== undefined) {
    widths = fitWidths(
      widths,
      headers.map((h) => Math.max(h.length, MIN_CUT_WIDTH)),
      numeric.map((n) => !n),
      width,
    );
  }
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const w = widths[i] as number;
        const text = cut(v, w);
        return numeric[i] ? text.padStart(w) : text.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const out = [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  return `${out.join('\n')}\n`;
}

/**
 * One record shown as `field  value` lines (a table) or as one object (machine formats). On a
 * terminal (`width`), a value longer than the line is cut with `…`.
 */
export function renderRecord(record: Record<string, unknown>, options: PrintOptions & { exact?: ExactText }): string {
  if (options.format === 'table') {
    const keys = Object.keys(record);
    const headers = tableHeaders(keys, (k) => [record[k]]);
    const keyWidth = Math.max(...headers.map((h) => h.length));
    const valueWidth = options.width === undefined ? Number.POSITIVE_INFINITY : Math.max(MIN_CUT_WIDTH, options.width - keyWidth - 2);
    return `${keys.map((k, i) => `${(headers[i] as string).padEnd(keyWidth)}  ${cut(tableCell(k, record[k], options.exact), valueWidth)}`.trimEnd()).join('\n')}\n`;
  }
  return renderRows({ columns: Object.keys(record), rows: [record], ...(options.exact === undefined ? {} : { exact: options.exact }) }, options);
}
