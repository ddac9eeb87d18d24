import { QueryClass, WalkClass } from '../pss/information-class.js';
import type { TableName } from './schema.js';

/** The walked entries stored as versions, as the views present them. */
export type EntryKind = 'threads' | 'handles' | 'regions';

/** One kind of walked entry: how it is walked, counted, stored, keyed and ordered. */
export interface EntryKindInfo<K extends EntryKind = EntryKind> {
  kind: K;
  /** The walk class that lists its entries. */
  walk: WalkClass.Threads | WalkClass.Handles | WalkClass.VaSpace;
  /** The query class whose presence says the kind was captured. */
  countQuery: QueryClass.ThreadInformation | QueryClass.HandleInformation | QueryClass.VaSpaceInformation;
  /** The column of `captures` that counts it (NULL when it was not captured). */
  countColumn: 'thread_count' | 'handle_count' | 'region_count';
  /** The versions table and its key. */
  table: Extract<TableName, 'thread_versions' | 'handle_versions' | 'region_versions'>;
  idColumn: 'thread_version_id' | 'handle_version_id' | 'region_version_id';
  /** The view with one row per entry per capture (the kind's own name). */
  view: K;
  /** What identifies an entry within a capture: its column, and its field in the model entry. */
  keyColumn: 'thread_id' | 'handle_value' | 'base_address';
  keyField: 'threadId' | 'handle' | 'baseAddress';
  /**
   * SQL ordering of the walk, on the key column: unsigned for addresses (stored as signed
   * 64-bit, so addresses above 2^63 come last).
   */
  orderBy: string;
}

/** The three kinds, in the order a capture writes them and `pssql show` lists them. */
export const ENTRY_KINDS: readonly [EntryKindInfo<'threads'>, EntryKindInfo<'handles'>, EntryKindInfo<'regions'>] = [
  {
    kind: 'threads',
    walk: WalkClass.Threads,
    countQuery: QueryClass.ThreadInformation,
    countColumn: 'thread_count',
    table: 'thread_versions',
    idColumn: 'thread_version_id',
    view: 'threads',
    keyColumn: 'thread_id',
    keyField: 'threadId',
    orderBy: 'thread_id',
  },
  {
    kind: 'handles',
    walk: WalkClass.Handles,
    countQuery: QueryClass.HandleInformation,
    countColumn: 'handle_count',
    table: 'handle_versions',
    idColumn: 'handle_version_id',
    view: 'handles',
    keyColumn: 'handle_value',
    keyField: 'handle',
    orderBy: 'handle_value',
  },
  {
    kind: 'regions',
    walk: WalkClass.VaSpace,
    countQuery: QueryClass.VaSpaceInformation,
    countColumn: 'region_count',
    table: 'region_versions',
    idColumn: 'region_version_id',
    view: 'regions',
    keyColumn: 'base_address',
    keyField: 'baseAddress',
    orderBy: 'base_address < 0, base_address',
  },
];

/** The descriptor of one kind. */
export function entryKind<K extends EntryKind>(kind: K): EntryKindInfo<K> {
  return ENTRY_KINDS.find((k) => k.kind === kind) as unknown as EntryKindInfo<K>;
}

/** `orderBy` with its columns qualified by a table alias (`v.base_address < 0, v.base_address`). */
export function qualifiedOrder(info: EntryKindInfo, alias: string): string {
  return info.orderBy.replaceAll(info.keyColumn, `${alias}.${info.keyColumn}`);
}
