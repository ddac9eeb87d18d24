import { CaptureFlags, hasFlag } from './capture-flags.js';
import { isQueryClass, isWalkClass, QueryClass, WALK_ENTRY_SIZE, WalkClass } from './information-class.js';
import { PssError } from './pss-error.js';
import type {
  HandleTraceInformation,
  PerformanceCounters,
  ProcessInformation,
  QueryRecordMap,
  VaCloneInformation,
} from './query-records.js';
import { type CaptureInfo, type Snapshot, type WalkMarker, walkEntries } from './snapshot.js';
import type { WalkEntryMap } from './walk-entries.js';

/** Entries of one walk class: known count, loaded on first walk (a stored snapshot reads lazily). */
export interface EntrySource<T> {
  readonly count: number;
  load(): readonly T[];
}

/** Wraps an array as an {@link EntrySource}. */
export function entrySource<T>(entries: readonly T[]): EntrySource<T> {
  return { count: entries.length, load: () => entries };
}

/** Everything a snapshot holds. A walk class that is absent was not captured. */
export interface SnapshotData {
  info: CaptureInfo;
  process: ProcessInformation;
  performance: PerformanceCounters | null;
  vaClone: VaCloneInformation | null;
  handleTrace: HandleTraceInformation | null;
  /** PSS_THREAD_INFORMATION.ContextLength. */
  threadContextLength: number;
  walks: { [C in WalkClass]?: EntrySource<WalkEntryMap[C]> };
}

/** Shared, immutable data behind a snapshot and its duplicates. */
class SnapshotContents {
  private readonly loaded = new Map<WalkClass, readonly unknown[]>();
  constructor(readonly data: SnapshotData) {}

  entries<C extends WalkClass>(cls: C): readonly WalkEntryMap[C][] {
    let entries = this.loaded.get(cls);
    if (entries === undefined) {
      const source = this.data.walks[cls] as EntrySource<WalkEntryMap[C]> | undefined;
      entries = source === undefined ? [] : source.load();
      this.loaded.set(cls, entries);
    }
    return entries as readonly WalkEntryMap[C][];
  }
}

const invalidHandle = (what: string, fn: string): PssError =>
  new PssError('ERROR_INVALID_HANDLE', `${what} was already freed`, { function: fn });

/**
 * A walk marker of a {@link MemorySnapshot}. Positions are byte offsets into the class's entries
 * (index x the Windows entry size), as on Windows; they are opaque to callers.
 */
class MemoryWalkMarker implements WalkMarker {
  freed = false;
  /** The (snapshot, class) the first walk bound this marker to. */
  binding: { snapshot: MemorySnapshot; cls: WalkClass } | null = null;
  /** Byte offset as a number: walks are hot, bigint arithmetic is not free. */
  position = 0;

  private check(fn: string): void {
    if (this.freed) throw invalidHandle('walk marker', fn);
  }
  getPosition(): bigint {
    this.check('PssWalkMarkerGetPosition');
    return BigInt(this.position);
  }
  setPosition(position: bigint): void {
    this.check('PssWalkMarkerSetPosition');
    if (typeof position !== 'bigint' || position < 0n || position > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new TypeError('position must be a bigint from getPosition()');
    }
    this.position = Number(position);
  }
  seekToBeginning(): void {
    this.check('PssWalkMarkerSeekToBeginning');
    this.binding = null;
    this.position = 0;
  }
  free(): void {
    this.check('PssWalkMarkerFree');
    this.freed = true;
    this.binding = null;
  }
}

/**
 * A {@link Snapshot} over data held in memory (the Linux backend) or loaded on demand (a stored
 * capture). It implements the Windows semantics once: the order of checks of PssWalkSnapshot,
 * marker binding, opaque positions, duplicate and free.
 */
export class MemorySnapshot implements Snapshot {
  private isFreed = false;

  constructor(data: SnapshotData | SnapshotContents) {
    this.store = data instanceof SnapshotContents ? data : new SnapshotContents(data);
  }
  private readonly store: SnapshotContents;

  get info(): CaptureInfo {
    return this.store.data.info;
  }

  get freed(): boolean {
    return this.isFreed;
  }

  private checkHandle(fn: string): void {
    if (this.isFreed) throw invalidHandle('snapshot', fn);
  }

  query<C extends QueryClass>(cls: C): QueryRecordMap[C] {
    const fn = 'PssQuerySnapshot';
    this.checkHandle(fn);
    if (!isQueryClass(cls)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `unknown query class ${String(cls)}`, { function: fn });
    }
    const data = this.store.data;
    const notFound = (what: string, flag: string): PssError =>
      new PssError('ERROR_NOT_FOUND', `${what} not captured (capture flag ${flag} was not set)`, {
        function: fn,
        option: flag,
      });
    const count = (walk: WalkClass, what: string, flag: string): number => {
      const source = data.walks[walk];
      if (source === undefined) throw notFound(what, flag);
      return source.count;
    };
    const record = ((): QueryRecordMap[QueryClass] => {
      switch (cls as QueryClass) {
        case QueryClass.ProcessInformation:
          return data.process;
        case QueryClass.VaCloneInformation:
          if (data.vaClone === null) throw notFound('VA clone', 'PSS_CAPTURE_VA_CLONE');
          return data.vaClone;
        case QueryClass.AuxiliaryPagesInformation:
          return { auxPagesCaptured: count(WalkClass.AuxiliaryPages, 'auxiliary pages', 'PSS_CAPTURE_RESERVED_00000002') };
        case QueryClass.VaSpaceInformation:
          return { regionCount: count(WalkClass.VaSpace, 'VA space', 'PSS_CAPTURE_VA_SPACE') };
        case QueryClass.HandleInformation:
          return { handlesCaptured: count(WalkClass.Handles, 'handles', 'PSS_CAPTURE_HANDLES') };
        case QueryClass.ThreadInformation:
          return {
            threadsCaptured: count(WalkClass.Threads, 'threads', 'PSS_CAPTURE_THREADS'),
            contextLength: data.threadContextLength,
          };
        case QueryClass.HandleTraceInformation:
          if (data.handleTrace === null) throw notFound('handle trace', 'PSS_CAPTURE_HANDLE_TRACE');
          return data.handleTrace;
        case QueryClass.PerformanceCounters:
          // Windows returns zeros here when the flag was not set; pssql keeps one rule for
          // every class: what was not captured is ERROR_NOT_FOUND.
          if (data.performance === null || !hasFlag(data.info.captureFlags, CaptureFlags.CreateMeasurePerformance)) {
            throw notFound('performance counters', 'PSS_CREATE_MEASURE_PERFORMANCE');
          }
          return data.performance;
      }
    })();
    return record as QueryRecordMap[C];
  }

  createWalkMarker(): WalkMarker {
    this.checkHandle('PssWalkMarkerCreate');
    return new MemoryWalkMarker();
  }

  walk<C extends WalkClass>(cls: C, marker: WalkMarker): WalkEntryMap[C] | null {
    // The order of the checks is that of PssWalkSnapshot on Windows.
    const fn = 'PssWalkSnapshot';
    this.checkHandle(fn);
    if (!isWalkClass(cls)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `unknown walk class ${String(cls)}`, { function: fn });
    }
    if (this.store.data.walks[cls] === undefined) {
      throw new PssError('ERROR_NOT_FOUND', `${WalkClass[cls]} not captured`, { function: fn });
    }
    if (!(marker instanceof MemoryWalkMarker)) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'not a walk marker of this snapshot', { function: fn });
    }
    if (marker.freed) throw invalidHandle('walk marker', fn);
    if (marker.binding === null) {
      marker.binding = { snapshot: this, cls };
    } else if (marker.binding.snapshot !== this || marker.binding.cls !== cls) {
      throw new PssError(
        'ERROR_INVALID_PARAMETER',
        'the walk marker is bound to another snapshot or walk class (use one marker per walk)',
        { function: fn },
      );
    }
    const size = WALK_ENTRY_SIZE[cls];
    const entries = this.store.entries(cls);
    if (marker.position % size !== 0 || marker.position > entries.length * size) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'the walk marker holds a position of another walk', {
        function: fn,
      });
    }
    const index = marker.position / size;
    if (index === entries.length) return null;
    marker.position += size;
    return entries[index] as WalkEntryMap[C];
  }

  entries<C extends WalkClass>(cls: C): Generator<WalkEntryMap[C], void, undefined> {
    return walkEntries(this, cls);
  }

  duplicate(): Snapshot {
    this.checkHandle('PssDuplicateSnapshot');
    return new MemorySnapshot(this.store);
  }

  free(): void {
    this.checkHandle('PssFreeSnapshot');
    this.isFreed = true;
  }
}
