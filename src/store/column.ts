import type { Generated } from 'kysely';
import type { Platform } from '../pss/snapshot.js';

/** How a column's value comes back in JavaScript. */
export type ColumnKind = 'id' | 'integer' | 'u64' | 'real' | 'text' | 'blob';

/**
 * How a model value becomes a stored value and back:
 * - `value`: as it is (numbers, bigints, text);
 * - `string`: a text interned in the `strings` table, stored as its id (`name` -> `name_id`);
 * - `offset_us`: an absolute time in µs stored relative to the capture's start;
 * - `bool`: a boolean stored as 0 or 1;
 * - `bytes`: a Uint8Array stored as a BLOB;
 * - `u32`: an unsigned 32-bit value (flags), stored as it is and read back unsigned;
 * - `json`: a list (argv) stored as the interned text of its JSON, exact and readable in SQL;
 * - `words`: a list of names stored as one text, comma-separated (NULL reads back as none).
 */
export type Codec = 'value' | 'string' | 'offset_us' | 'bool' | 'bytes' | 'u32' | 'json' | 'words';

/** A reference to another table's key. */
export interface ForeignKey {
  table: string;
  column: string;
  onDelete: 'cascade' | null;
}

/**
 * One column, declared once: its storage and how it reads back, what it means, where it exists,
 * the model field it comes from and its codec. The declarations drive the Kysely types, the row
 * codecs of the writer and the stored snapshot, `pssql schema`, and the SQL a test compares with
 * what the migrations create. Built with {@link integer}, {@link text}... and their modifiers.
 */
export interface Column<T = unknown, N extends boolean = boolean, K extends ColumnKind = ColumnKind> {
  readonly kind: K;
  readonly nullable: N;
  readonly description: string;
  /** The unit the name ends in (`_us` µs, `_bytes` bytes), or null. */
  readonly unit: 'us' | 'bytes' | null;
  /** Where the column holds data; a value is NULL elsewhere. */
  readonly platforms: readonly Platform[];
  /** The model field it is stored from (a dotted path into a record), or null for keys and bookkeeping. */
  readonly field: string | null;
  readonly codec: Codec;
  /** Its own PRIMARY KEY (a one-column key that is not an `id`). */
  readonly primaryKey: boolean;
  readonly foreignKey: ForeignKey | null;
  /** A view's column: the SQL expression it selects (tables have none). */
  readonly expression: string | null;
  /** The SQL literal a row gets when an insert leaves the column out (a column added to a table with rows needs one). */
  readonly defaultValue: string | null;
  /** Type carrier only; never set. */
  readonly __type?: T;
}

/** A column with its modifiers, each returning a new declaration. */
export interface ColumnBuilder<T, N extends boolean, K extends ColumnKind> extends Column<T, N, K> {
  /** NULL when unknown or not captured. */
  orNull(): ColumnBuilder<T, true, K>;
  /**
   * Stored from a model field: `of()` takes the camelCase of the column's name (without `_id`
   * for an interned string), `of('path.to.field', codec)` says it.
   */
  of(field?: string, codec?: Codec): ColumnBuilder<T, N, K>;
  /** Only on these platforms (NULL elsewhere). */
  on(...platforms: Platform[]): ColumnBuilder<T, N, K>;
  /** References another table's key, deleted with it when `cascade`. */
  references(table: string, column: string, onDelete?: 'cascade'): ColumnBuilder<T, N, K>;
  /** Its own PRIMARY KEY. */
  key(): ColumnBuilder<T, N, K>;
  /** A view's column, selected by this SQL expression. */
  from(expression: string): ColumnBuilder<T, N, K>;
  /** The value (an SQL literal) of rows inserted without it. */
  defaultTo(literal: string): ColumnBuilder<T, N, K>;
}

const ALL_PLATFORMS: readonly Platform[] = ['linux', 'win32'];

function builder<T, N extends boolean, K extends ColumnKind>(column: Column<T, N, K>): ColumnBuilder<T, N, K> {
  const next = <M extends boolean>(changes: Partial<Column<T, M, K>>): ColumnBuilder<T, M, K> =>
    builder<T, M, K>({ ...column, ...changes } as Column<T, M, K>);
  return {
    ...column,
    orNull: () => next<true>({ nullable: true }),
    of: (field, codec) => next<N>({ field: field ?? '', codec: codec ?? column.codec }),
    on: (...platforms) => next<N>({ platforms }),
    references: (table, key, onDelete) => next<N>({ foreignKey: { table, column: key, onDelete: onDelete ?? null } }),
    key: () => next<N>({ primaryKey: true }),
    from: (expression) => next<N>({ expression }),
    defaultTo: (literal) => next<N>({ defaultValue: literal }),
  };
}

const column =
  <T, K extends ColumnKind>(kind: K, codec: Codec) =>
  (description: string): ColumnBuilder<T, false, K> =>
    builder<T, false, K>({
      kind,
      nullable: false,
      description,
      unit: null,
      platforms: ALL_PLATFORMS,
      field: null,
      codec,
      primaryKey: false,
      foreignKey: null,
      expression: null,
      defaultValue: null,
    });

/** An INTEGER PRIMARY KEY that SQLite assigns. */
export const id = column<number, 'id'>('id', 'value');
/** An INTEGER that reads back as a number (exact up to 2^53). */
export const integer = column<number, 'integer'>('integer', 'value');
/** An unsigned 64-bit value (address, mask) that reads back as a bigint. */
export const u64 = column<bigint, 'u64'>('u64', 'value');
export const real = column<number, 'real'>('real', 'value');
export const text = column<string, 'text'>('text', 'value');
export const blob = column<Uint8Array, 'blob'>('blob', 'bytes');
/** The id of an interned text (`strings.string_id`): `name_id` for the model's `name`. */
export const stringId = (description: string): ColumnBuilder<number, false, 'integer'> =>
  integer(description).references('strings', 'string_id').of(undefined, 'string');
/** The id of the interned JSON text of a list: `argv_id` for the model's `argv`. */
export const jsonId = (description: string): ColumnBuilder<number, false, 'integer'> =>
  integer(description).references('strings', 'string_id').of(undefined, 'json');

/** An index of a table. */
export interface Index {
  name: string;
  columns: readonly string[];
  unique?: boolean;
  /** A partial index: the rows it holds (SQL). */
  where?: string;
  /**
   * PostgreSQL: index a digest of the values (texts and bytes may be longer than a B-tree entry
   * holds, as command lines and paths are). Lookups compare the digest, then the value.
   */
  hashed?: boolean;
}

/** A table's keys and storage, beyond its columns. */
export interface TableOptions {
  /** A key of several columns (a one-column key is the column's own). */
  primaryKey?: readonly string[];
  unique?: readonly (readonly string[])[];
  indexes?: readonly Index[];
  /** SQLite: a table without rowid (a composite key that is the row's identity). */
  withoutRowid?: boolean;
  /**
   * PostgreSQL: the table is partitioned by this column (a list partition per recording), so that
   * one recording's rows stay together and dropping a recording drops its partitions.
   */
  partitionBy?: string;
  /** The model record's keys, in order, when they differ from the columns' (decoded records keep the model's order). */
  recordKeys?: readonly string[];
  /**
   * A part of another table's record, stored in a table of its own: the record field it holds
   * (`typeSpecific`, `socket`), and for a union arm, the object type of the arm.
   */
  part?: { parent: string; field: string; objectType?: number; list?: boolean };
}

/** How a view selects: the relations it joins (SQL after FROM), and what its columns join besides. */
export interface ViewOptions {
  from: string;
}

/** A table or view: what it holds, on which platforms, and its columns. */
export interface Relation<C extends Record<string, Column> = Record<string, Column>> {
  kind: 'table' | 'view';
  description: string;
  columns: C;
  options: TableOptions & Partial<ViewOptions>;
}

const UNIT_SUFFIXES: readonly [string, Column['unit']][] = [
  ['_us', 'us'],
  ['_bytes', 'bytes'],
];

const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The columns with what their names say: the unit, and the default model field of `of()`. */
function named<C extends Record<string, Column>>(columns: C): C {
  const out: Record<string, Column> = {};
  for (const [name, c] of Object.entries(columns)) {
    const unit = UNIT_SUFFIXES.find(([suffix]) => name.endsWith(suffix))?.[1] ?? null;
    const field = c.field === '' ? camelCase(c.codec === 'string' || c.codec === 'json' ? name.replace(/_id$/, '') : name) : c.field;
    out[name] = { ...c, unit, field };
  }
  return out as C;
}

export function table<C extends Record<string, Column>>(description: string, columns: C, options: TableOptions = {}): Relation<C> {
  return { kind: 'table', description, columns: named(columns), options };
}

export function view<C extends Record<string, Column>>(description: string, options: ViewOptions, columns: C): Relation<C> {
  return { kind: 'view', description, columns: named(columns), options };
}

type ValueOf<C> = C extends Column<infer T, infer N, ColumnKind> ? (N extends true ? T | null : T) : never;

/** The row type of a relation, as Kysely sees it (assigned keys are Generated). */
export type RowOf<R> =
  R extends Relation<infer C> ? { [K in keyof C]: C[K] extends Column<number, false, 'id'> ? Generated<number> : ValueOf<C[K]> } : never;
