import type { Generated } from 'kysely';

/** How a column's value comes back in JavaScript. */
export type ColumnKind = 'id' | 'integer' | 'u64' | 'real' | 'text' | 'blob';

/**
 * One column, declared once: its SQL storage, how it reads back, and what it means. The
 * declarations drive the Kysely types, the reading of unsigned 64-bit values and `pssql schema`;
 * a test keeps them equal to what the migrations create.
 */
export interface Column<T = unknown, N extends boolean = boolean, K extends ColumnKind = ColumnKind> {
  kind: K;
  nullable: N;
  description: string;
  /** Type carrier only; never set. */
  readonly __type?: T;
}

const column =
  <T, K extends ColumnKind>(kind: K) =>
  (description: string): Column<T, false, K> => ({ kind, nullable: false, description });

/** An INTEGER PRIMARY KEY that SQLite assigns. */
export const id = column<number, 'id'>('id');
/** An INTEGER that reads back as a number (exact up to 2^53). */
export const integer = column<number, 'integer'>('integer');
/** An unsigned 64-bit value (address, mask) that reads back as a bigint. */
export const u64 = column<bigint, 'u64'>('u64');
export const text = column<string, 'text'>('text');
export const blob = column<Uint8Array, 'blob'>('blob');

/** The same column, NULL when unknown or not captured. */
export function nullable<T, K extends ColumnKind>(c: Column<T, false, K>): Column<T, true, K> {
  return { ...c, nullable: true };
}

/** A table or view: what it holds, on which platforms, and its columns. */
export interface Relation<C extends Record<string, Column> = Record<string, Column>> {
  kind: 'table' | 'view';
  description: string;
  columns: C;
}

export function table<C extends Record<string, Column>>(description: string, columns: C): Relation<C> {
  return { kind: 'table', description, columns };
}

export function view<C extends Record<string, Column>>(description: string, columns: C): Relation<C> {
  return { kind: 'view', description, columns };
}

type ValueOf<C> = C extends Column<infer T, infer N, ColumnKind> ? (N extends true ? T | null : T) : never;

/** The row type of a relation, as Kysely sees it (assigned keys are Generated). */
export type RowOf<R> =
  R extends Relation<infer C> ? { [K in keyof C]: C[K] extends Column<number, false, 'id'> ? Generated<number> : ValueOf<C[K]> } : never;
