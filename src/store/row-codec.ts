import type { Insertable } from 'kysely';
import type { Codec, Column } from './column.js';
import { type Database, TABLES, type TableName } from './schema.js';
import type { StringTable } from './string-table.js';

/*
 * The one encoder and decoder of stored rows, driven by the declaration in schema.ts: a column
 * declared `.of(field, codec)` is written from that field of the model record and read back into
 * it. The writer and the stored snapshot both use it, so they cannot disagree.
 */

/** What encoding and decoding need besides the record: the strings table and the capture's start. */
export interface CodecContext {
  /** The strings table, or (to decode only) the texts of the ids a capture uses. */
  strings: Pick<StringTable, 'id' | 'text'>;
  /** Start of the capture, µs since the Unix epoch (`offset_us` columns are relative to it). */
  startUs: number;
}

type Get = (record: Record<string, unknown>) => unknown;

interface CompiledColumn {
  name: string;
  path: readonly string[];
  get: Get;
  codec: Codec;
}

function getter(path: readonly string[]): Get {
  if (path.length === 1) {
    const key = path[0] as string;
    return (record) => record[key];
  }
  return (record) => {
    let value: unknown = record;
    for (const key of path) value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[key];
    return value;
  };
}

function encodeValue(codec: Codec, value: unknown, context: CodecContext): unknown {
  if (value === undefined || value === null) return null;
  switch (codec) {
    case 'value':
      return value;
    case 'string':
      return context.strings.id(value as string);
    case 'offset_us':
      return (value as number) - context.startUs;
    case 'bool':
      return value ? 1 : 0;
    case 'bytes':
      return Buffer.isBuffer(value) ? value : Buffer.from((value as Uint8Array).buffer, (value as Uint8Array).byteOffset, (value as Uint8Array).byteLength);
    case 'u32':
      return (value as number) >>> 0;
    case 'json':
      // JSON escapes lone surrogates (pssql's undecodable bytes), so the text is exact and valid.
      return context.strings.id(JSON.stringify(value));
    case 'words':
      return (value as readonly string[]).length === 0 ? null : (value as readonly string[]).join(',');
  }
}

function decodeValue(codec: Codec, value: unknown, context: CodecContext): unknown {
  switch (codec) {
    case 'value':
    case 'u32':
      return value ?? null;
    case 'string':
      return value === null || value === undefined ? null : context.strings.text(value as number);
    case 'offset_us':
      return value === null || value === undefined ? null : (value as number) + context.startUs;
    case 'bool':
      return value === null || value === undefined ? null : value === 1;
    case 'bytes':
      return value === null || value === undefined ? null : new Uint8Array(value as Buffer);
    case 'json': {
      const text = value === null || value === undefined ? null : context.strings.text(value as number);
      return text === null ? null : JSON.parse(text);
    }
    case 'words':
      return typeof value === 'string' && value !== '' ? value.split(',') : [];
  }
}

/**
 * The codec of one table: its columns that are stored from the model, in table order, and how
 * each is encoded and decoded.
 */
export class RowCodec<T extends TableName> {
  /** The columns stored from the model, in table order. */
  readonly columns: readonly string[];
  private readonly compiled: readonly CompiledColumn[];
  /** The record's keys in the model's order, with the column (or none) each comes from. */
  private readonly keys: readonly { key: string; columns: readonly CompiledColumn[] }[];

  constructor(readonly table: T) {
    const relation = TABLES[table];
    const compiled: CompiledColumn[] = [];
    for (const [name, c] of Object.entries(relation.columns) as [string, Column][]) {
      if (c.field === null) continue;
      const path = c.field.split('.');
      compiled.push({ name, path, get: getter(path), codec: c.codec });
    }
    this.compiled = compiled;
    this.columns = compiled.map((c) => c.name);
    // A nested field (basicInformation.baseAddress) groups its columns under one key.
    const order: string[] = [...((relation.options as { recordKeys?: readonly string[] }).recordKeys ?? [])];
    for (const c of compiled) if (!order.includes(c.path[0] as string)) order.push(c.path[0] as string);
    this.keys = order.map((key) => ({ key, columns: compiled.filter((c) => c.path[0] === key) }));
  }

  /** The stored values of a record, aligned with {@link columns}. */
  encodeValues(record: object, context: CodecContext): unknown[] {
    const values = new Array<unknown>(this.compiled.length);
    for (let i = 0; i < this.compiled.length; i++) {
      const c = this.compiled[i] as CompiledColumn;
      values[i] = encodeValue(c.codec, c.get(record as Record<string, unknown>), context);
    }
    return values;
  }

  /** The stored row of a record: the model's columns only (keys and bookkeeping are the writer's). */
  encode(record: object, context: CodecContext): Partial<Insertable<Database[T]>> {
    const values = this.encodeValues(record, context);
    const row: Record<string, unknown> = {};
    this.columns.forEach((column, i) => {
      row[column] = values[i];
    });
    return row as Partial<Insertable<Database[T]>>;
  }

  /**
   * The model record of a stored row, its keys in the model's order; `parts` gives the keys
   * stored in other tables (a handle's typeSpecific and socket).
   */
  decode<R>(row: Readonly<Record<string, unknown>>, context: CodecContext, parts: Readonly<Record<string, unknown>> = {}): R {
    const record: Record<string, unknown> = {};
    for (const { key, columns } of this.keys) {
      if (columns.length === 0) {
        record[key] = parts[key] ?? null;
      } else if (columns.length === 1 && (columns[0] as CompiledColumn).path.length === 1) {
        const c = columns[0] as CompiledColumn;
        record[key] = decodeValue(c.codec, row[c.name], context);
      } else {
        const nested: Record<string, unknown> = {};
        for (const c of columns) nested[c.path[1] as string] = decodeValue(c.codec, row[c.name], context);
        record[key] = nested;
      }
    }
    return record as R;
  }
}

const codecs = new Map<TableName, RowCodec<TableName>>();

/** The codec of a table, compiled once from the declaration (it is constant). */
export function rowCodec<T extends TableName>(table: T): RowCodec<T> {
  let codec = codecs.get(table);
  if (codec === undefined) codecs.set(table, (codec = new RowCodec(table)));
  return codec as RowCodec<T>;
}

/** The part tables of a record (a handle's type-specific arms and its socket), from the declaration. */
export interface PartTable {
  table: TableName;
  /** The record field it holds. */
  field: string;
  /** For a union arm: the object type of the arm (the record's `field.objectType`). */
  objectType: number | null;
  /** The field holds a list: a row per item, numbered by its `ord` column. */
  list: boolean;
  codec: RowCodec<TableName>;
}

/** The parts of the records of `parent`, in declaration order. */
export function partTablesOf(parent: TableName): PartTable[] {
  const parts: PartTable[] = [];
  for (const [table, relation] of Object.entries(TABLES)) {
    const part = (relation.options as { part?: { parent: string; field: string; objectType?: number; list?: boolean } }).part;
    if (part?.parent !== parent) continue;
    parts.push({ table: table as TableName, field: part.field, objectType: part.objectType ?? null, list: part.list === true, codec: rowCodec(table as TableName) });
  }
  return parts;
}

/** A stored part of a record: its table and values (aligned with the part codec's columns); `ord` in a list. */
export interface PartRow {
  part: PartTable;
  ord: number | null;
  values: unknown[];
}

/** The part rows of a record: the arm its union field holds, a row per item of a list, and each other part that is not null. */
export function encodeParts(parts: readonly PartTable[], record: Readonly<Record<string, unknown>>, context: CodecContext): PartRow[] {
  const rows: PartRow[] = [];
  for (const part of parts) {
    const value = record[part.field] as Record<string, unknown> | readonly Record<string, unknown>[] | null | undefined;
    if (value === null || value === undefined) continue;
    if (part.list) {
      (value as readonly Record<string, unknown>[]).forEach((item, ord) => rows.push({ part, ord, values: part.codec.encodeValues(item, context) }));
      continue;
    }
    if (part.objectType !== null && (value as Record<string, unknown>).objectType !== part.objectType) continue;
    rows.push({ part, ord: null, values: part.codec.encodeValues(value, context) });
  }
  return rows;
}

/** The record fields of stored part rows (by part table), as {@link RowCodec.decode} takes them. */
export function decodeParts(
  parts: readonly PartTable[],
  rows: ReadonlyMap<TableName, readonly Readonly<Record<string, unknown>>[]> | undefined,
  context: CodecContext,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const part of parts) {
    const stored = rows?.get(part.table);
    if (stored === undefined || stored.length === 0) continue;
    if (part.list) {
      fields[part.field] = stored.map((row) => part.codec.decode<Record<string, unknown>>(row, context));
      continue;
    }
    const decoded = part.codec.decode<Record<string, unknown>>(stored[0] as Readonly<Record<string, unknown>>, context);
    fields[part.field] = part.objectType === null ? decoded : { objectType: part.objectType, ...decoded };
  }
  return fields;
}
