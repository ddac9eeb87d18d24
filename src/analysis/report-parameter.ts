import { PssError } from '../pss/pss-error.js';
import type { ReadStore } from '../store/read-store.js';
import { CAPTURE_REFERENCE, type CaptureScope, resolveCaptureRef } from './capture-ref.js';
import { parseTime } from './parse-time.js';

/** The types a report parameter can have, with what a value must look like. */
export const PARAMETER_TYPES = {
  capture: "a capture id, 'first', 'latest' or 'latest-N', optionally after PID@ or NAME@",
  pid: 'a process id (a positive integer)',
  time: 'a time: 10m, 2h or 7d ago, a date and time (2026-12-01 08:31, local unless a zone follows) or µs since the epoch',
  integer: 'an integer (decimal or 0x hex)',
  real: 'a number',
  text: 'text',
  boolean: 'true or false',
} as const;

export type ParameterType = keyof typeof PARAMETER_TYPES;

/** A named parameter of a saved report, as its header declares it. */
export interface ReportParameter {
  /** The name in the SQL (`:capture`); the CLI option is its kebab-case form (`--capture`). */
  name: string;
  type: ParameterType;
  /** The value used when none is given: text in the type's syntax, or null (binds NULL). Absent: required. */
  default?: string | null;
  description: string;
}

const MAX_PID = 0xffffffff; // Windows pids are DWORDs; Linux ones stay below 2^22.

function invalid(origin: string, name: string, type: ParameterType, value: unknown): PssError {
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  return new PssError('ERROR_INVALID_PARAMETER', `${origin}: parameter '${name}' must be ${PARAMETER_TYPES[type]} (got ${shown})`, {
    option: name,
  });
}

/** An integer from a number or from decimal or 0x hex text; a bigint beyond 2^53. */
function integerOf(value: unknown): number | bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'bigint') return value;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!/^[+-]?\d+$/.test(text) && !/^0x[0-9a-f]+$/i.test(text)) return null;
  const big = BigInt(text.startsWith('+') ? text.slice(1) : text);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * A value of a type, from text or a typed value; undefined when it does not fit. A capture stays
 * its reference (an id or 'latest'...; {@link parameterValue} resolves it).
 *
 * @example coerceParameter('integer', '0x10')  // 16
 */
export function coerceParameter(type: ParameterType, value: unknown): unknown {
  switch (type) {
    case 'capture': {
      const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
      return CAPTURE_REFERENCE.test(text) ? text : undefined;
    }
    case 'pid': {
      const pid = integerOf(value);
      return typeof pid === 'number' && pid > 0 && pid <= MAX_PID ? pid : undefined;
    }
    case 'time': {
      // A library caller's number is µs since the epoch; text is read as a person writes it.
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
      if (typeof value !== 'string') return undefined;
      try {
        return parseTime(value);
      } catch {
        return undefined;
      }
    }
    case 'integer':
      return integerOf(value) ?? undefined;
    case 'real': {
      const real = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      return Number.isFinite(real) ? real : undefined;
    }
    case 'text':
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    case 'boolean': {
      const text = String(value).trim().toLowerCase();
      return TRUE.includes(text) ? 1 : FALSE.includes(text) ? 0 : undefined;
    }
  }
}

/** Whether text is a valid value of a type, without a recording (for defaults in a header). */
export function isValidDefault(type: ParameterType, text: string): boolean {
  return coerceParameter(type, text) !== undefined;
}

/**
 * The value to bind for a parameter, from what a user gave (text from the command line, or a
 * typed value from a library caller): checked against the type, a capture resolved to its id
 * (`latest` and `first` counted among the captures of `scope`, when given).
 * Throws ERROR_INVALID_PARAMETER naming the parameter when the value does not fit.
 */
export async function parameterValue(store: ReadStore, origin: string, parameter: ReportParameter, value: unknown, scope: CaptureScope = {}): Promise<unknown> {
  if (value === null) return null;
  const coerced = coerceParameter(parameter.type, value);
  if (coerced === undefined) throw invalid(origin, parameter.name, parameter.type, value);
  return parameter.type === 'capture' ? resolveCaptureRef(store, coerced as string, scope) : coerced;
}
