import { printableText } from '../pss/byte-string.js';
import { humanBytes, humanDuration } from '../pss/units.js';

/*
 * How values look in each output format. Tables are for people: addresses in hex, sizes and
 * durations human-readable, times as local date-times, control characters escaped. JSON, NDJSON
 * and CSV are for scripts: raw numbers, bigints that are addresses as hex strings.
 */

const ABSOLUTE_TIME = /(^|_)(started_at|recorded_at|applied_at|pushed_at|create_time|exit_time|creation_time|captured_at|time)_us$/;
const HEX = /(address|pointer|mask|argument|_base|handle)$/;

/** True for columns that hold an absolute time in µs since the Unix epoch. */
export function isAbsoluteTime(column: string): boolean {
  return ABSOLUTE_TIME.test(column) && !/(kernel|user|cpu)_time_us$/.test(column);
}

function localTime(us: number): string {
  const d = new Date(us / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const hex = (value: bigint | number): string => `0x${value.toString(16)}`;

/** A value as a table cell. */
export function tableCell(column: string, value: unknown): string {
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
  return printableText(String(value));
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

/** A value as a CSV field (RFC 4180 quoting); control characters escaped when `safe`. */
export function csvField(column: string, value: unknown, safe: boolean): string {
  const v = jsonValue(column, value);
  if (v === null) return '';
  let text = typeof v === 'string' ? v : String(v);
  if (safe) text = printableText(text);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
