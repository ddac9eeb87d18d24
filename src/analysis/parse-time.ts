import { PssError } from '../pss/pss-error.js';
import { parseDuration } from '../recorder/parse-duration.js';

/*
 * Times as people write them, for --since and --until and report parameters of type `time`: a
 * time ago (`10m`, `2h`, `7d`, `1h30m`, also with ` ago`), `now`, a date with an optional time
 * (`2026-12-01`, `2026-12-01 08:31`, ISO 8601 `2026-12-01T08:31:05.250`), a time of today
 * (`08:31`), each in local time unless a zone is given (`Z`, `UTC`, `+01:00`, `-0500`), or µs since
 * the Unix epoch as stored (a number of at least 11 digits).
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;
const TIME_OF_DAY = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Options of {@link parseTime}. */
export interface ParseTimeOptions {
  /** The present, µs since the epoch (default: the clock). Times ago count back from it. */
  nowUs?: number;
  /** The option or parameter named in an error (`--since`). */
  option?: string;
}

const fraction = (digits: string | undefined): number => (digits === undefined ? 0 : Number(digits.padEnd(6, '0')));

/** Minutes east of UTC of a zone suffix, or null for none (local time). */
function zoneMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return null;
  if (/^(z|utc)$/i.test(zone)) return 0;
  const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) ?? [];
  const total = Number(hours) * 60 + Number(minutes ?? 0);
  return sign === '-' ? -total : total;
}

/**
 * A point in time, µs since the Unix epoch, from how a person writes it (see the module's
 * comment). Throws ERROR_INVALID_PARAMETER naming the option when the text is none of them, or
 * names a date that does not exist (2026-02-30).
 *
 * @example parseTime('2h', { nowUs })             // nowUs - 7_200_000_000
 * @example parseTime('2026-12-01 08:31')           // local time
 * @example parseTime('2026-12-01T08:31:00+01:00')  // 07:31 UTC
 */
export function parseTime(text: string | number, options: ParseTimeOptions = {}): number {
  const input = String(text).trim();
  const option = options.option ?? 'time';
  const nowUs = options.nowUs ?? Date.now() * 1000;
  const fail = (why: string): PssError =>
    new PssError(
      'ERROR_INVALID_PARAMETER',
      `invalid ${option} '${String(text)}': ${why}; give a time ago (10m, 2h, 7d), a date and time (2026-12-01 08:31, local time unless a zone such as Z or +01:00 follows) or µs since the epoch`,
      { option: option.replace(/^-+/, '') },
    );
  if (input === '') throw fail('empty');
  if (/^now$/i.test(input)) return nowUs;
  if (/^\d+$/.test(input)) {
    // A small bare number is a unit left out (`--since 5`), not 5 µs after 1970.
    if (input.length < 11) throw fail('a bare number is µs since the epoch, and this one is too small to be meant as one');
    const us = Number(input);
    if (!Number.isSafeInteger(us)) throw fail('too large');
    return us;
  }
  const ago = /^(.*?)\s*ago$/i.exec(input)?.[1] ?? input;
  if (/^\d+(\.\d+)?(us|µs|ms|s|m|h|d|w)/i.test(ago)) {
    let duration: number;
    try {
      duration = parseDuration(ago, option);
    } catch (error) {
      throw fail((error as Error).message.replace(/^invalid [^:]*: /, '').replace(/ \(e\.g\.[^)]*\)$/, ''));
    }
    return nowUs - duration;
  }
  const date = DATE_TIME.exec(input);
  const time = date === null ? TIME_OF_DAY.exec(input) : null;
  if (date === null && time === null) throw fail('not a time');
  let year: number;
  let month: number;
  let day: number;
  let parts: (string | undefined)[];
  if (date !== null) {
    [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    parts = date.slice(4);
  } else {
    const today = new Date(nowUs / 1000);
    [year, month, day] = [today.getFullYear(), today.getMonth() + 1, today.getDate()];
    parts = (time as RegExpExecArray).slice(1);
  }
  const [h = '0', mi = '0', s = '0', frac, zone] = parts;
  const [hours, minutes, seconds] = [Number(h), Number(mi), Number(s)];
  const offset = zoneMinutes(zone);
  if (offset !== null && Math.abs(offset) > 14 * 60) throw fail(`no zone is ${zone} from UTC`);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 59) throw fail('no such date or time');
  // Date rolls 2026-02-30 over into March: a date that comes back different does not exist.
  const utc = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  if (utc.getUTCDate() !== day || utc.getUTCMonth() !== month - 1) throw fail(`${year}-${date?.[2]}-${date?.[3]} is no date`);
  const ms =
    offset === null ? new Date(year, month - 1, day, hours, minutes, seconds).getTime() : Date.UTC(year, month - 1, day, hours, minutes, seconds) - offset * 60_000;
  return ms * 1000 + fraction(frac);
}
