import type BetterSqlite3 from 'better-sqlite3';
import { U64_COLUMNS } from './schema.js';

const MAX_I64 = (1n << 63n) - 1n;

/**
 * Binds values the way the schema stores them: unsigned 64-bit values above 2^63 as their signed
 * two's complement, booleans as 0/1.
 */
export function bindValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value > MAX_I64 ? BigInt.asIntN(64, value) : value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export function bindValues(values: readonly unknown[]): unknown[] {
  return values.map(bindValue);
}

/** Turns a row read with safe integers into JS values; see {@link prepareReader}. */
export type RowDecoder = (row: Record<string, unknown>) => Record<string, unknown>;

/**
 * Builds the decoder of a statement's rows. Integers are read as bigint (no silent rounding) and
 * then come back as a number when exact, except the columns the schema declares unsigned 64-bit
 * (addresses, masks), which stay bigint, reinterpreted as unsigned. Result columns are traced to
 * their origin table through views, so `SELECT base_address FROM regions` is a bigint too.
 */
export function rowDecoder(statement: BetterSqlite3.Statement): RowDecoder {
  const u64 = new Set<string>();
  for (const column of statement.columns()) {
    if (column.table !== null && column.column !== null && U64_COLUMNS.has(`${column.table}.${column.column}`)) {
      u64.add(column.name);
    }
  }
  return (row) => {
    for (const key in row) {
      const value = row[key];
      if (typeof value !== 'bigint') continue;
      if (u64.has(key)) row[key] = BigInt.asUintN(64, value);
      else if (value >= -9007199254740991n && value <= 9007199254740991n) row[key] = Number(value);
    }
    return row;
  };
}

/** A prepared reading statement with pssql's value rules: `all`, `get` and `iterate` decoded. */
export interface Reader<Row = Record<string, unknown>> {
  readonly statement: BetterSqlite3.Statement;
  all(...params: unknown[]): Row[];
  get(...params: unknown[]): Row | undefined;
  iterate(...params: unknown[]): IterableIterator<Row>;
}

/** Prepares `sql` for reading with {@link rowDecoder}. */
export function prepareReader<Row = Record<string, unknown>>(db: BetterSqlite3.Database, sql: string): Reader<Row> {
  const statement = db.prepare(sql);
  statement.safeIntegers(true);
  const decode = rowDecoder(statement);
  return {
    statement,
    all: (...params) => (statement.all(...bindValues(params)) as Record<string, unknown>[]).map(decode) as Row[],
    get: (...params) => {
      const row = statement.get(...bindValues(params)) as Record<string, unknown> | undefined;
      return (row === undefined ? undefined : decode(row)) as Row | undefined;
    },
    *iterate(...params) {
      for (const row of statement.iterate(...bindValues(params))) yield decode(row as Record<string, unknown>) as Row;
    },
  };
}
