import { PssError } from '../pss/pss-error.js';

/** Microseconds in one of each unit a duration may be written in. */
const UNIT_US: Readonly<Record<string, number>> = {
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
  w: 604_800_000_000,
};

const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d|w)/gy;

/**
 * Parses a human duration into microseconds: one or more number-unit pairs, largest unit first,
 * with units us, ms, s, m, h, d, w (`500ms`, `5s`, `1m30s`, `1.5h`, `7d`). A bare number is
 * refused: `--every 5` could mean seconds or milliseconds, and a guess would be silently wrong.
 * `option` names the flag in the error (`--every`).
 *
 * @example
 * parseDuration('1m30s') // 90_000_000
 */
export function parseDuration(text: string, option = 'duration'): number {
  const input = String(text).trim().toLowerCase();
  const fail = (why: string): PssError =>
    new PssError('ERROR_INVALID_PARAMETER', `invalid ${option} '${String(text)}': ${why} (e.g. 500ms, 5s, 1m30s, 1h, 7d)`, {
      option: option.replace(/^-+/, ''),
    });
  if (input === '') throw fail('empty');
  if (/^\d+(\.\d+)?$/.test(input)) throw fail('give a unit');
  let total = 0;
  let previousUnit = Number.POSITIVE_INFINITY;
  PART.lastIndex = 0;
  let end = 0;
  for (let match = PART.exec(input); match !== null; match = PART.exec(input)) {
    const unit = UNIT_US[match[2] as string] as number;
    // `1s1m` or `5s5s` is a typo more often than a wish; refuse rather than add it up.
    if (unit >= previousUnit) throw fail('units must go from largest to smallest, each once');
    previousUnit = unit;
    total += Number(match[1]) * unit;
    end = PART.lastIndex;
  }
  if (end !== input.length) throw fail(end === 0 ? 'expected a number and a unit' : `unexpected '${input.slice(end)}'`);
  total = Math.round(total);
  if (total <= 0) throw fail('must be more than zero');
  if (!Number.isSafeInteger(total)) throw fail('too long');
  return total;
}
