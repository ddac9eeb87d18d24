import { humanBytes, humanDuration } from '../pss/units.js';

/*
 * How values look in each output format. Tables are for people: addresses in hex, sizes and
 * durations human-readable, times as local date-times, text escaped by {@link displayText}. JSON
 * and NDJSON are for scripts: raw numbers, bigints that are addresses as hex strings. CSV has the
 * raw values of JSON with its text escaped as in tables, so that no control byte reaches a
 * terminal or a spreadsheet.
 */

const ABSOLUTE_TIME = /(^|_)(started_at|recorded_at|applied_at|pushed_at|create_time|exit_time|creation_time|captured_at|time)_us$/;
const HEX = /(address|pointer|mask|argument|_base|handle)$/;

/** True for columns that hold an absolute time in µs since the Unix epoch. */
export function isAbsoluteTime(column: string): boolean {
  return ABSOLUTE_TIME.test(column) && !/(kernel|user|cpu)_time_us$/.test(column);
}

/**
 * Text as a person reads it, every character visible and the original recoverable: a backslash
 * is written `\\`; newline, tab and carriage return `\n`, `\t`, `\r`; other C0 controls and DEL
 * `\xNN`; C1 controls and the line and paragraph separators `\uNNNN`; a byte of a name that is
 * not UTF-8 (kept as U+DC80+byte) `\xNN` with NN from 80 to ff. So `\x1b` is an escape character
 * and `\xff` the byte 0xff, never the four characters of a file named that way (`\\xff`).
 *
 * @example displayText('a\\b\n\x1b[31m\udcff')  // 'a\\\\b\\n\\x1b[31m\\xff'
 */
export function displayText(text: string): string {
  return escapeText(text, true);
}

/**
 * A message line for a person (a warning, an error, a status): as {@link displayText}, but a
 * backslash stays one, so that a Windows path in it reads as the path; only what could act on
 * the terminal, or not be seen, is escaped.
 */
export function displayLine(text: string): string {
  return escapeText(text, false);
}

function escapeText(text: string, backslash: boolean): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]/g, (ch, at: number, whole: string) => {
    const c = ch.charCodeAt(0);
    if (ch === '\\') return backslash ? '\\\\' : ch;
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    if (c < 0x20 || c === 0x7f) return `\\x${c.toString(16).padStart(2, '0')}`;
    if (c >= 0xd800 && c <= 0xdfff) {
      // A surrogate pair is a real character; a lone U+DC80..U+DCFF is a byte that was not UTF-8.
      if (c <= 0xdbff && (whole.charCodeAt(at + 1) & 0xfc00) === 0xdc00) return ch;
      if (c >= 0xdc00 && at > 0 && (whole.charCodeAt(at - 1) & 0xfc00) === 0xd800) return ch;
      return c >= 0xdc80 && c <= 0xdcff ? `\\x${(c - 0xdc00).toString(16)}` : '\ufffd';
    }
    return `\\u${c.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Turns a text read from SQL back into the exact text it stands for: names that are not valid
 * UTF-8 read from SQL in their `\xNN` form (see the store's strings table), and a person should
 * see the same escape for such a byte wherever it comes from. The identity when unknown.
 */
export type ExactText = (text: string) => string;

/** The header of a column in a table: a µs column shown as a time or a duration drops its `_us`. */
function tableHeader(column: string, values: readonly unknown[], others: ReadonlySet<string>): string {
  if (!column.endsWith('_us')) return column;
  const shown = column.slice(0, -3);
  if (shown === '' || others.has(shown)) return column;
  return values.every((v) => v === null || v === undefined || typeof v === 'number') ? shown : column;
}

/** The headers of columns in a table (see {@link tableCell}): `duration`, not `duration_us`, above '9.51 ms'. */
export function tableHeaders(columns: readonly string[], valuesOf: (column: string) => readonly unknown[]): string[] {
  const names = new Set(columns);
  const headers = columns.map((c) => tableHeader(c, valuesOf(c), names));
  // Two columns may not end up with one header (a_us beside a): those keep their names.
  return headers.map((h, i) => (headers.indexOf(h) !== i || headers.lastIndexOf(h) !== i ? (columns[i] as string) : h));
}

function localTime(us: number): string {
  const d = new Date(us / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const hex = (value: bigint | number): string => `0x${value.toString(16)}`;

/** A value as a table cell. */
export function tableCell(column: string, value: unknown, exact: ExactText = (text) => text): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'bigint') return HEX.test(column) || value > 0xffffffffn ? hex(value) : value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (column.endsWith('_bytes')) return humanBytes(value);
    if (column.endsWith('_us')) return isAbsoluteTime(column) ? localTime(value) : humanDuration(value);
    if (HEX.test(column) && Number.isInteger(value) && value >= 0 && !column.endsWith('handle_value')) return hex(value);
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return displayText(exact(String(value)));
}

/** A value as JSON: bigints as hex strings for addresses, decimal strings otherwise; bytes as base64. */
export function jsonValue(column: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (HEX.test(column)) return hex(value);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value === undefined ? null : value;
}

/** A value as a CSV field: the value of JSON, text escaped by {@link displayText}, RFC 4180 quoting. */
export function csvField(column: string, value: unknown, exact: ExactText = (text) => text): string {
  const v = jsonValue(column, value);
  if (v === null) return '';
  const text = typeof v === 'string' ? displayText(exact(v)) : String(v);
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
