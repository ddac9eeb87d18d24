import { csvField, jsonValue, tableCell } from './format-value.js';

/** The output formats of every command that prints rows. */
export const FORMATS = ['table', 'json', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** Rows to print, with their columns (known even when there is no row). */
export interface RowSet {
  columns: readonly string[];
  rows: readonly object[];
}

export interface PrintOptions {
  format: Format;
  /** Escape control characters even in machine formats (on when writing to a terminal). */
  safe?: boolean;
  /** Longest table cell before it is cut with an ellipsis. */
  maxCellWidth?: number;
}

const isNumeric = (value: unknown): boolean => typeof value === 'number' || typeof value === 'bigint';

/** Renders rows in a format; the result ends with a newline unless empty (NDJSON without rows). */
export function renderRows(set: RowSet, options: PrintOptions): string {
  const { columns, rows } = set;
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(rows.map((row) => jsonRow(columns, row)), null, 2)}\n`;
    case 'ndjson':
      return rows.map((row) => `${JSON.stringify(jsonRow(columns, row))}\n`).join('');
    case 'csv': {
      const safe = options.safe ?? false;
      const lines = [columns.map((c) => csvField('', c, safe)).join(',')];
      for (const row of rows as readonly Record<string, unknown>[]) lines.push(columns.map((c) => csvField(c, row[c], safe)).join(','));
      return `${lines.join('\n')}\n`;
    }
    case 'table':
      return renderTable(set, options.maxCellWidth ?? 72);
  }
}

function jsonRow(columns: readonly string[], row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = jsonValue(c, (row as Record<string, unknown>)[c]);
  return out;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function renderTable(set: RowSet, maxWidth: number): string {
  const columns = set.columns;
  const rows = set.rows as readonly Record<string, unknown>[];
  const cells = rows.map((row) => columns.map((c) => cut(tableCell(c, row[c]), maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)));
  const numeric = columns.map((c) => rows.some((r) => isNumeric(r[c])) && rows.every((r) => r[c] === null || isNumeric(r[c])));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  return `${out.join('\n')}\n`;
}

/** One record shown as `field  value` lines (a table) or as one object (machine formats). */
export function renderRecord(record: Record<string, unknown>, options: PrintOptions): string {
  if (options.format === 'table') {
    const entries = Object.entries(record);
    const width = Math.max(...entries.map(([k]) => k.length));
    return `${entries.map(([k, v]) => `${k.padEnd(width)}  ${cut(tableCell(k, v), 200)}`.trimEnd()).join('\n')}\n`;
  }
  return renderRows({ columns: Object.keys(record), rows: [record] }, options);
}
