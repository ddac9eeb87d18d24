import { QueryClass, type WalkClass } from '../pss/information-class.js';
import { ENTRY_KINDS, type EntryKind, entryKind } from '../store/entry-kinds.js';
import { MemState } from '../pss/memory.js';
import { ifCaptured, type Snapshot } from '../pss/snapshot.js';
import type { WalkEntryMap } from '../pss/walk-entries.js';
import {
  COUNTER_FIELDS,
  type DiffField,
  HANDLE_FIELDS,
  handleTypeOf,
  PROCESS_FIELDS,
  recordOf,
  REGION_FIELDS,
  THREAD_FIELDS,
} from './diff-fields.js';

/** The walked kinds a diff compares entry by entry. */
export const DIFF_KINDS: readonly EntryKind[] = ENTRY_KINDS.map((k) => k.kind);
export type DiffKind = EntryKind;

/** A field whose value differs between the two sides. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** An entry present on both sides (same key) whose compared fields differ. */
export interface ChangedEntry {
  /** The stable key: thread id, handle value, region base address. */
  key: number | bigint | string;
  changes: FieldChange[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** Entries of one kind, matched on their key. Null counts: the kind was not captured on that side. */
export interface KindDiff {
  kind: DiffKind;
  /** The column that keys the entries: `thread_id`, `handle_value`, `base_address`. */
  key: string;
  before: number | null;
  after: number | null;
  added: Record<string, unknown>[];
  removed: Record<string, unknown>[];
  changed: ChangedEntry[];
}

/** Handles of one type on both sides. Added and changed count under the type after, removed under the type before. */
export interface HandleTypeDiff {
  type: string;
  before: number;
  after: number;
  added: number;
  removed: number;
  changed: number;
}

/** The memory figures of the summary, with their delta (after - before), null where unknown. */
export interface MemoryDelta {
  field: MemoryField;
  before: number | null;
  after: number | null;
  delta: number | null;
}

export const MEMORY_FIELDS = [
  'private_usage_bytes',
  'working_set_size_bytes',
  'virtual_size_bytes',
  'pagefile_usage_bytes',
  'swap_bytes',
  'committed_bytes',
] as const;
export type MemoryField = (typeof MEMORY_FIELDS)[number];

/** Who a side of the diff is. */
export interface DiffSide {
  pid: number;
  name: string | null;
  host: string;
  createTimeUs: number | null;
  startedAtUs: number;
}

/** The difference between two snapshots; see {@link diffSnapshots}. */
export interface SnapshotDiff {
  a: DiffSide;
  b: DiffSide;
  /** Both sides are the same process instance: one host, one pid, one creation time. */
  sameProcess: boolean;
  includeVolatile: boolean;
  threads: KindDiff;
  handles: KindDiff;
  regions: KindDiff;
  handleTypes: HandleTypeDiff[];
  memory: MemoryDelta[];
  /** Process information fields that changed. */
  process: FieldChange[];
  /** Performance counters that changed: only with `includeVolatile` (they are all volatile). */
  counters: FieldChange[];
}

/** Options of {@link diffSnapshots}. */
export interface DiffOptions {
  /** Count changes of volatile fields (CPU times, positions, pointers, resident sizes) too. */
  includeVolatile?: boolean;
}

/** The fields compared of each kind (its walk and key come from the kind's descriptor). */
const FIELDS: Record<DiffKind, readonly DiffField<never>[]> = {
  threads: THREAD_FIELDS as readonly DiffField<never>[],
  handles: HANDLE_FIELDS as readonly DiffField<never>[],
  regions: REGION_FIELDS as readonly DiffField<never>[],
};

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (x instanceof Uint8Array && y instanceof Uint8Array) return Buffer.compare(x, y) === 0;
  return false;
}

function compareFields<R>(fields: readonly DiffField<R>[], before: R, after: R, includeVolatile: boolean): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (field.volatile && !includeVolatile) continue;
    const x = field.read(before);
    const y = field.read(after);
    if (!sameValue(x, y)) changes.push({ field: field.name, before: x, after: y });
  }
  return changes;
}


const compareKeys = (x: number | bigint | string, y: number | bigint | string): number =>
  typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : String(x).localeCompare(String(y));

/** Entries by key; a key seen twice in one snapshot (not expected) keeps both, the second suffixed. */
function byKey<R>(entries: readonly R[], fields: readonly DiffField<R>[], keyName: string): Map<number | bigint | string, R> {
  const keyField = fields.find((f) => f.name === keyName) as DiffField<R>;
  const map = new Map<number | bigint | string, R>();
  for (const entry of entries) {
    let key = keyField.read(entry) as number | bigint | string;
    for (let n = 2; map.has(key); n++) key = `${String(keyField.read(entry))}#${n}`;
    map.set(key, entry);
  }
  return map;
}

function diffKind(kind: DiffKind, a: Snapshot, b: Snapshot, includeVolatile: boolean): { diff: KindDiff; before: unknown[] | null; after: unknown[] | null } {
  const { walk, keyColumn: key } = entryKind(kind);
  const fields = FIELDS[kind];
  const typed = fields as readonly DiffField<unknown>[];
  const before = ifCaptured(() => [...a.entries(walk)]) as unknown[] | null;
  const after = ifCaptured(() => [...b.entries(walk)]) as unknown[] | null;
  const diff: KindDiff = { kind, key, before: before?.length ?? null, after: after?.length ?? null, added: [], removed: [], changed: [] };
  // A kind captured on one side only cannot be compared: everything would look added or removed.
  if (before === null || after === null) return { diff, before, after };
  const old = byKey(before, typed, key);
  const now = byKey(after, typed, key);
  for (const [k, entry] of now) {
    const was = old.get(k);
    if (was === undefined) {
      diff.added.push(recordOf(typed, entry));
      continue;
    }
    const changes = compareFields(typed, was, entry, includeVolatile);
    if (changes.length > 0) diff.changed.push({ key: k, changes, before: recordOf(typed, was), after: recordOf(typed, entry) });
  }
  for (const [k, entry] of old) if (!now.has(k)) diff.removed.push(recordOf(typed, entry));
  const keyOf = (r: Record<string, unknown>) => r[key] as number | bigint;
  diff.added.sort((x, y) => compareKeys(keyOf(x), keyOf(y)));
  diff.removed.sort((x, y) => compareKeys(keyOf(x), keyOf(y)));
  diff.changed.sort((x, y) => compareKeys(x.key, y.key));
  return { diff, before, after };
}

function handleTypes(handles: KindDiff, before: readonly unknown[] | null, after: readonly unknown[] | null): HandleTypeDiff[] {
  if (before === null || after === null) return [];
  const types = new Map<string, HandleTypeDiff>();
  const row = (type: string): HandleTypeDiff => {
    let r = types.get(type);
    if (r === undefined) types.set(type, (r = { type, before: 0, after: 0, added: 0, removed: 0, changed: 0 }));
    return r;
  };
  for (const h of before as WalkEntryMap[WalkClass.Handles][]) row(handleTypeOf(h)).before++;
  for (const h of after as WalkEntryMap[WalkClass.Handles][]) row(handleTypeOf(h)).after++;
  for (const h of handles.added) row(h.type_name as string).added++;
  for (const h of handles.removed) row(h.type_name as string).removed++;
  for (const h of handles.changed) row(h.after.type_name as string).changed++;
  return [...types.values()].sort((x, y) => y.after - y.before - (x.after - x.before) || x.type.localeCompare(y.type));
}

function committedBytes(regions: readonly unknown[] | null): number | null {
  if (regions === null) return null;
  let total = 0;
  for (const r of regions as WalkEntryMap[WalkClass.VaSpace][]) if (r.state === MemState.Commit) total += r.regionSizeBytes;
  return total;
}

/**
 * Compares two snapshots (live or stored, of one process or of two): per kind, the entries
 * added, removed and changed, matched on stable keys (a thread by id, a handle by value, a
 * region by base address), so an fd closed and reopened on another file is one changed entry;
 * what changed in the process information; and a summary of counts per handle type and memory.
 * Volatile fields are not compared unless `includeVolatile`.
 *
 * @example
 * const diff = diffSnapshots(openStoredSnapshot(store, 1), openStoredSnapshot(store, 5))
 * for (const h of diff.handles.added) console.log(h.handle_value, h.object_name)
 */
export function diffSnapshots(a: Snapshot, b: Snapshot, options: DiffOptions = {}): SnapshotDiff {
  const includeVolatile = options.includeVolatile ?? false;
  const pa = a.query(QueryClass.ProcessInformation);
  const pb = b.query(QueryClass.ProcessInformation);
  const threads = diffKind('threads', a, b, includeVolatile);
  const handles = diffKind('handles', a, b, includeVolatile);
  const regions = diffKind('regions', a, b, includeVolatile);

  const memoryOf = (p: typeof pa, committed: number | null): Record<MemoryField, number | null> => ({
    private_usage_bytes: p.privateUsageBytes,
    working_set_size_bytes: p.workingSetSizeBytes,
    virtual_size_bytes: p.virtualSizeBytes,
    pagefile_usage_bytes: p.pagefileUsageBytes,
    swap_bytes: p.swapBytes,
    committed_bytes: committed,
  });
  const ma = memoryOf(pa, committedBytes(regions.before));
  const mb = memoryOf(pb, committedBytes(regions.after));
  const memory = MEMORY_FIELDS.map((field): MemoryDelta => {
    const before = ma[field];
    const after = mb[field];
    return { field, before, after, delta: before === null || after === null ? null : after - before };
  });

  const ca = ifCaptured(() => a.query(QueryClass.PerformanceCounters));
  const cb = ifCaptured(() => b.query(QueryClass.PerformanceCounters));
  const side = (s: Snapshot, p: typeof pa): DiffSide => ({
    pid: s.info.processId,
    name: p.name ?? p.imageFileName,
    host: s.info.host,
    createTimeUs: p.createTimeUs,
    startedAtUs: s.info.startedAtUs,
  });
  return {
    a: side(a, pa),
    b: side(b, pb),
    sameProcess: a.info.host === b.info.host && a.info.processId === b.info.processId && pa.createTimeUs === pb.createTimeUs,
    includeVolatile,
    threads: threads.diff,
    handles: handles.diff,
    regions: regions.diff,
    handleTypes: handleTypes(handles.diff, handles.before, handles.after),
    memory,
    process: compareFields(PROCESS_FIELDS, pa, pb, includeVolatile),
    counters: ca === null || cb === null ? [] : compareFields(COUNTER_FIELDS, ca, cb, includeVolatile),
  };
}
