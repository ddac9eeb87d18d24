import type { QueryClass, WalkClass } from './information-class.js';
import { isPssError } from './pss-error.js';
import type { QueryRecordMap } from './query-records.js';
import type { WalkEntryMap } from './walk-entries.js';

/** The platform a snapshot was captured on. */
export type Platform = 'linux' | 'win32';

/**
 * What pssql knows about a capture besides the Windows records: who, where, when, with which
 * flags, and what it had to skip. Not a Windows query class; it travels with every snapshot.
 */
export interface CaptureInfo {
  processId: number;
  platform: Platform;
  /** The backend that captured it: `procfs` (Linux) or `kernel32` (Windows). */
  backend: string;
  host: string;
  /** CaptureFlags as passed to the capture. */
  captureFlags: number;
  threadContextFlags: number;
  /** When the capture started, µs since the Unix epoch. */
  startedAtUs: number;
  durationUs: number;
  /** Threads, handles or regions that vanished while they were being read. */
  skippedCount: number;
  /** Fields left null because reading them needed more privilege. */
  deniedCount: number;
  /**
   * The parts left out because reading them needed more privilege (`handles`, `regions`,
   * `namespaces`...); a part left out is not captured (its count is null). Empty when none was.
   */
  deniedParts: readonly string[];
  /** Whether per-region resident/private/swap sizes were read (Linux `smaps`). */
  details: boolean;
}

/**
 * A walk marker (HPSSWALK): a position in one walk class of one snapshot. A fresh marker is
 * unbound; the first walk binds it. Positions are opaque: only values from `getPosition` may be
 * given back to `setPosition`. Every method throws ERROR_INVALID_HANDLE after `free`.
 */
export interface WalkMarker {
  /** PssWalkMarkerGetPosition. */
  getPosition(): bigint;
  /** PssWalkMarkerSetPosition. */
  setPosition(position: bigint): void;
  /** PssWalkMarkerSeekToBeginning: back to the state of a fresh marker. */
  seekToBeginning(): void;
  /** PssWalkMarkerFree. */
  free(): void;
  readonly freed: boolean;
}

/**
 * A process snapshot (HPSS), live or stored, with the semantics of the Windows API.
 *
 * Records and entries are immutable. A capturer that captures the same process again hands back
 * the very same (frozen) entry object for an entry that did not change since its last capture:
 * the same object means unchanged, so a writer may skip it without comparing its fields. The
 * converse does not hold: a new object may hold equal values (after a reread, or from another
 * capturer), and is compared by value.
 *
 * @example
 * const marker = snapshot.createWalkMarker()
 * try {
 *   for (let h = snapshot.walk(WalkClass.Handles, marker); h; h = snapshot.walk(WalkClass.Handles, marker)) {
 *     console.log(h.handle, h.typeName, h.objectName)
 *   }
 * } finally { marker.free() }
 * // or, built on the same markers:
 * for (const h of snapshot.entries(WalkClass.Handles)) console.log(h.objectName)
 */
export interface Snapshot {
  readonly info: CaptureInfo;
  /**
   * PssQuerySnapshot: the single-instance record of `cls`. Throws ERROR_NOT_FOUND when the
   * class was not captured, ERROR_INVALID_PARAMETER for an unknown class, ERROR_INVALID_HANDLE
   * after `free`.
   */
  query<C extends QueryClass>(cls: C): QueryRecordMap[C];
  /** PssWalkMarkerCreate. */
  createWalkMarker(): WalkMarker;
  /**
   * PssWalkSnapshot: the entry at the marker, advancing it. Returns null at the end of the walk
   * (ERROR_NO_MORE_ITEMS, which is not an error); throws ERROR_NOT_FOUND when the class was not
   * captured, ERROR_INVALID_HANDLE for a freed snapshot or marker.
   */
  walk<C extends WalkClass>(cls: C, marker: WalkMarker): WalkEntryMap[C] | null;
  /** Every entry of `cls`, in walk order, through a walk marker that is freed at the end. */
  entries<C extends WalkClass>(cls: C): Generator<WalkEntryMap[C], void, undefined>;
  /** PssDuplicateSnapshot: a second handle to the same data, freed independently. */
  duplicate(): Snapshot;
  /** PssFreeSnapshot. Freeing twice throws ERROR_INVALID_HANDLE. */
  free(): void;
  readonly freed: boolean;
}

/**
 * Walks every entry of `cls` through a fresh walk marker, freeing it when the walk ends or the
 * caller stops early. The `entries` method of every snapshot is this function.
 */
export function* walkEntries<C extends WalkClass>(
  snapshot: Snapshot,
  cls: C,
): Generator<WalkEntryMap[C], void, undefined> {
  const marker = snapshot.createWalkMarker();
  try {
    for (;;) {
      const entry = snapshot.walk(cls, marker);
      if (entry === null) return;
      yield entry;
    }
  } finally {
    marker.free();
  }
}

/**
 * What `read` gives, or null when the snapshot did not capture it (ERROR_NOT_FOUND); any other
 * error is thrown. Materialize walks inside `read`: a generator only throws when iterated.
 *
 * @example
 * const threads = ifCaptured(() => snapshot.query(QueryClass.ThreadInformation))?.threadsCaptured ?? null
 */
export function ifCaptured<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if (isPssError(error, 'ERROR_NOT_FOUND')) return null;
    throw error;
  }
}
