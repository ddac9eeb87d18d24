import type BetterSqlite3 from 'better-sqlite3';
import { MemState, MemType, PAGE_PROTECTION_NAMES, PAGE_PROTECTION_SHORT } from '../pss/memory.js';
import { ObjectType } from '../pss/object-type.js';
import { humanBytes, humanDuration } from '../pss/units.js';

/*
 * SQL functions registered on every connection, for what SQL lacks: reports and `pssql query`
 * stay short (`SELECT hex_address(base_address), protection_short(protect) FROM regions`).
 */

const THREAD_STATES: Readonly<Record<string, string>> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk-sleep',
  T: 'stopped',
  t: 'tracing-stop',
  Z: 'zombie',
  X: 'dead',
  I: 'idle',
  P: 'parked',
  W: 'waking',
  K: 'wakekill',
};

/** Names of the Linux thread and process state letters. */
export const THREAD_STATE_NAMES: Readonly<Record<string, string>> = THREAD_STATES;

const asBigInt = (value: unknown): bigint | null =>
  typeof value === 'bigint' ? value : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : null;

const asNumber = (value: unknown): number | null =>
  typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;

/** Every function with its one-line description, for `pssql schema` and the README. */
export const SQL_FUNCTIONS: readonly { name: string; description: string }[] = [
  { name: 'hex_address(x)', description: "an address (or any integer) as unsigned hex, '0x7f12...'" },
  { name: 'human_bytes(n)', description: "a size as '1.5 MiB'" },
  { name: 'time_iso(us)', description: 'µs since the Unix epoch as ISO 8601 UTC' },
  { name: 'protection_name(protect)', description: "PAGE_* name, e.g. 'PAGE_READWRITE'" },
  { name: 'protection_short(protect)', description: "rwx form, e.g. 'rw-' ('c' = copy-on-write)" },
  { name: 'mem_state_name(state)', description: "'commit', 'reserve' or 'free'" },
  { name: 'mem_type_name(type)', description: "'image', 'mapped' or 'private'" },
  { name: 'object_type_name(object_type)', description: "'process', 'event', 'section', ... or 'unknown'" },
  { name: 'thread_state_name(state)', description: "'running', 'sleeping', 'zombie', ..." },
  { name: 'access_mode(open_flags)', description: "'r', 'w' or 'rw' from Linux open flags" },
  { name: 'is_writable(protect)', description: '1 when the protection allows writing (including copy-on-write)' },
  { name: 'is_executable(protect)', description: '1 when the protection allows execution' },
  { name: 'human_duration(us)', description: "a duration in µs as '12.3 ms', '2.50 s', '1h05m'" },
  { name: 'regr_slope(y, x)', description: 'aggregate: least-squares slope of y over x (as in SQL:2003); NULL below 2 distinct x' },
  { name: 'regr_r2(y, x)', description: 'aggregate: how well a line fits, 0 to 1 (1 for a perfectly steady trend)' },
];

/**
 * Running least-squares sums (Welford's updates): stable even for x in µs since the epoch, where
 * the textbook sum of squares loses every digit that matters.
 */
class LeastSquares {
  n = 0;
  /**
   * x is taken relative to the first x seen: µs since the epoch (1.8e15) carry a quarter-µs
   * resolution, and their differences are exact, so the sums keep every digit (as PostgreSQL's
   * own regr_slope does; the two agree to the last digits).
   */
  shiftX = 0;
  meanX = 0;
  meanY = 0;
  /** Sum of (x - meanX)², (y - meanY)² and their cross products. */
  sxx = 0;
  syy = 0;
  sxy = 0;

  add(y: unknown, x: unknown): this {
    const xv = asNumber(x);
    const yv = asNumber(y);
    if (xv === null || yv === null) return this; // pairs with a NULL are left out, as in SQL:2003
    if (this.n === 0) this.shiftX = xv;
    this.n++;
    const shifted = xv - this.shiftX;
    const dx = shifted - this.meanX;
    const dy = yv - this.meanY;
    this.meanX += dx / this.n;
    this.meanY += dy / this.n;
    this.sxx += dx * (shifted - this.meanX);
    this.syy += dy * (yv - this.meanY);
    this.sxy += dx * (yv - this.meanY);
    return this;
  }

  slope(): number | null {
    return this.n < 2 || this.sxx === 0 ? null : this.sxy / this.sxx;
  }

  r2(): number | null {
    if (this.n < 2 || this.sxx === 0) return null;
    return this.syy === 0 ? 1 : (this.sxy * this.sxy) / (this.sxx * this.syy);
  }
}

/** Registers pssql's SQL functions on a connection. */
export function registerSqlFunctions(db: BetterSqlite3.Database): void {
  const options = { deterministic: true, safeIntegers: true } as const;
  db.function('hex_address', options, (x: unknown) => {
    const v = asBigInt(x);
    return v === null ? null : `0x${BigInt.asUintN(64, v).toString(16)}`;
  });
  db.function('human_bytes', options, (n: unknown) => {
    const v = asNumber(n);
    return v === null ? null : humanBytes(v);
  });
  db.function('time_iso', options, (us: unknown) => {
    const v = asNumber(us);
    return v === null ? null : new Date(v / 1000).toISOString();
  });
  db.function('protection_name', options, (p: unknown) => {
    const v = asNumber(p);
    if (v === null) return null;
    const name = PAGE_PROTECTION_NAMES[v & 0xff] ?? `0x${(v & 0xff).toString(16)}`;
    const modifiers = [v & 0x100 ? '|PAGE_GUARD' : '', v & 0x200 ? '|PAGE_NOCACHE' : '', v & 0x400 ? '|PAGE_WRITECOMBINE' : ''];
    return name + modifiers.join('');
  });
  db.function('protection_short', options, (p: unknown) => {
    const v = asNumber(p);
    return v === null ? null : (PAGE_PROTECTION_SHORT[v & 0xff] ?? '???');
  });
  db.function('mem_state_name', options, (s: unknown) => {
    const v = asNumber(s);
    return v === null ? null : v === MemState.Commit ? 'commit' : v === MemState.Reserve ? 'reserve' : v === MemState.Free ? 'free' : `0x${v.toString(16)}`;
  });
  db.function('mem_type_name', options, (t: unknown) => {
    const v = asNumber(t);
    return v === null ? null : v === MemType.Image ? 'image' : v === MemType.Mapped ? 'mapped' : v === MemType.Private ? 'private' : v === 0 ? null : `0x${v.toString(16)}`;
  });
  db.function('object_type_name', options, (t: unknown) => {
    const v = asNumber(t);
    return v === null ? null : (ObjectType[v]?.toLowerCase() ?? `type-${v}`);
  });
  db.function('thread_state_name', options, (s: unknown) => (typeof s === 'string' ? (THREAD_STATES[s] ?? s) : null));
  db.function('access_mode', options, (f: unknown) => {
    const v = asNumber(f);
    if (v === null) return null;
    if (v & 0o10000000) return 'path';
    return ['r', 'w', 'rw', 'rw'][v & 3] ?? null;
  });
  db.function('is_writable', options, (p: unknown) => {
    const v = asNumber(p);
    return v === null ? null : (v & 0xcc) !== 0 ? 1 : 0; // READWRITE, WRITECOPY, EXECUTE_READWRITE, EXECUTE_WRITECOPY
  });
  db.function('is_executable', options, (p: unknown) => {
    const v = asNumber(p);
    return v === null ? null : (v & 0xf0) !== 0 ? 1 : 0;
  });
  db.function('human_duration', options, (us: unknown) => {
    const v = asNumber(us);
    return v === null ? null : humanDuration(v);
  });
  const leastSquares = (result: (fit: LeastSquares) => number | null) => ({
    ...options,
    start: () => new LeastSquares(),
    step: ((fit: LeastSquares, y: unknown, x: unknown) => fit.add(y, x)) as (fit: LeastSquares, y: unknown) => LeastSquares,
    result,
  });
  db.aggregate('regr_slope', leastSquares((fit) => fit.slope()));
  db.aggregate('regr_r2', leastSquares((fit) => fit.r2()));
}
