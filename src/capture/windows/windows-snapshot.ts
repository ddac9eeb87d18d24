import {
  type CaptureInfo,
  CaptureFlags,
  hasFlag,
  isQueryClass,
  isWalkClass,
  PssError,
  QUERY_RECORD_SIZE,
  QueryClass,
  type QueryRecordMap,
  type Snapshot,
  WALK_ENTRY_SIZE,
  WalkClass,
  type WalkEntryMap,
  type WalkMarker,
  walkEntries,
  Win32Error,
} from '../../pss/index.js';
import { decodeQueryRecord, decodeWalkEntry } from './decode-records.js';
import type { Pointer, WindowsApi } from './windows-api.js';

/** A PssError for the Win32 code `code` that a Pss* function returned. */
function failed(code: number, fn: string, pid: number, what: string): PssError {
  return new PssError(code, `${fn} failed for pid ${pid}: ${what}`, { function: fn, pid });
}

/** What the capturer learnt about a snapshot beyond the Pss* records, kept by its duplicates too. */
export interface SnapshotExtras {
  /** Names of the threads by thread id, however they were read; null when none were. */
  threadNames: ReadonlyMap<number, string | null> | null;
  /** Whether PSS_WALK_THREAD_NAME may be walked: this Windows answers it. */
  threadNameWalk: boolean;
  /** Why the handle trace is not available although it was asked for; null when it is, or was not asked. */
  handleTraceUnavailable: string | null;
}

export const NO_EXTRAS: SnapshotExtras = Object.freeze({ threadNames: null, threadNameWalk: true, handleTraceUnavailable: null });

/**
 * Walks `cls` of the HPSS `handle` with a walk marker of its own, handing each raw entry to
 * `visit` (the buffer is reused: read it there). Returns 0, or the code that stopped the walk
 * before its end (ERROR_NOT_FOUND for a class not captured).
 */
export function walkRaw(api: WindowsApi, handle: Pointer, cls: WalkClass, visit: (entry: Uint8Array) => void): number {
  const marker: [Pointer | null] = [null];
  const created = api.PssWalkMarkerCreate(null, marker);
  if (created !== 0 || marker[0] === null) return created === 0 ? Win32Error.ERROR_NOT_ENOUGH_MEMORY : created;
  try {
    const buffer = new Uint8Array(WALK_ENTRY_SIZE[cls]);
    for (;;) {
      const code = api.PssWalkSnapshot(handle, cls, marker[0], buffer, buffer.length);
      if (code === Win32Error.ERROR_NO_MORE_ITEMS) return 0;
      if (code !== 0) return code;
      visit(buffer);
    }
  } finally {
    api.PssWalkMarkerFree(marker[0]);
  }
}

/**
 * A walk marker (HPSSWALK) of the real API. It refuses itself what Windows would not check and
 * could crash on: any use after `free` (ERROR_INVALID_HANDLE), a position that `getPosition` did
 * not hand out for the walk it is bound to, and (pssql's rule for every snapshot) a walk of
 * another snapshot or class than the one its first walk bound it to (ERROR_INVALID_PARAMETER).
 */
class WindowsWalkMarker implements WalkMarker {
  private handle: Pointer | null;
  /** The (snapshot, class) of its first walk since creation or seekToBeginning. */
  binding: { snapshot: WindowsSnapshot; cls: WalkClass } | null = null;
  /** Positions `getPosition` handed out since then: the only ones Windows can be given back. */
  private readonly handedOut = new Set<bigint>();

  constructor(
    private readonly api: WindowsApi,
    handle: Pointer,
    private readonly pid: number,
  ) {
    this.handle = handle;
  }

  get freed(): boolean {
    return this.handle === null;
  }

  /** The live HPSSWALK, or ERROR_INVALID_HANDLE once freed. */
  live(fn: string): Pointer {
    if (this.handle === null) {
      throw new PssError('ERROR_INVALID_HANDLE', `${fn}: the walk marker was already freed`, { function: fn, pid: this.pid });
    }
    return this.handle;
  }

  getPosition(): bigint {
    const fn = 'PssWalkMarkerGetPosition';
    const position: [number | bigint | null] = [null];
    const code = this.api.PssWalkMarkerGetPosition(this.live(fn), position);
    if (code !== 0) throw failed(code, fn, this.pid, 'cannot read the position');
    const value = BigInt(position[0] ?? 0);
    this.handedOut.add(value);
    return value;
  }

  setPosition(position: bigint): void {
    const fn = 'PssWalkMarkerSetPosition';
    const handle = this.live(fn);
    if (typeof position !== 'bigint' || position < 0n || position > 0xffff_ffff_ffff_ffffn) {
      throw new TypeError('position must be a bigint from getPosition()');
    }
    // Windows takes any value and the next walk reads at it: an offset it did not hand out reads
    // outside the walk's data.
    if (!this.handedOut.has(position)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `${fn}: 0x${position.toString(16)} is not a position this walk marker handed out`, {
        function: fn,
        pid: this.pid,
      });
    }
    const code = this.api.PssWalkMarkerSetPosition(handle, position);
    if (code !== 0) throw failed(code, fn, this.pid, 'cannot set the position');
  }

  seekToBeginning(): void {
    const fn = 'PssWalkMarkerSeekToBeginning';
    const code = this.api.PssWalkMarkerSeekToBeginning(this.live(fn));
    if (code !== 0) throw failed(code, fn, this.pid, 'cannot rewind');
    // A fresh marker again: unbound, and the positions of its old walk belong to that walk.
    this.binding = null;
    this.handedOut.clear();
  }

  free(): void {
    const fn = 'PssWalkMarkerFree';
    const handle = this.live(fn);
    // Forget the handle first: whatever Free returns, the marker must never be passed again.
    this.handle = null;
    const code = this.api.PssWalkMarkerFree(handle);
    if (code !== 0) throw failed(code, fn, this.pid, 'cannot free the walk marker');
  }
}

/**
 * A snapshot (HPSS) taken by PssCaptureSnapshot, read through the real API: every query and walk
 * is a call into kernel32 (or the DLL that replaces it), decoded on return.
 */
export class WindowsSnapshot implements Snapshot {
  private handle: Pointer | null;

  /** Wraps `handle`, which must be valid in the current process (captured or duplicated here). */
  constructor(
    private readonly api: WindowsApi,
    handle: Pointer,
    readonly info: CaptureInfo,
    private readonly extras: SnapshotExtras = NO_EXTRAS,
  ) {
    this.handle = handle;
  }

  get freed(): boolean {
    return this.handle === null;
  }

  private live(fn: string): Pointer {
    if (this.handle === null) {
      throw new PssError('ERROR_INVALID_HANDLE', `${fn}: the snapshot was already freed`, {
        function: fn,
        pid: this.info.processId,
      });
    }
    return this.handle;
  }

  query<C extends QueryClass>(cls: C): QueryRecordMap[C] {
    const fn = 'PssQuerySnapshot';
    const handle = this.live(fn);
    const pid = this.info.processId;
    if (!isQueryClass(cls)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `unknown query class ${String(cls)}`, { function: fn, pid });
    }
    // Windows answers zeros here when nothing was measured; pssql's rule is that what was not
    // captured is ERROR_NOT_FOUND, on every platform.
    if (cls === QueryClass.PerformanceCounters && !hasFlag(this.info.captureFlags, CaptureFlags.CreateMeasurePerformance)) {
      throw new PssError('ERROR_NOT_FOUND', 'performance counters not captured (capture flag PSS_CREATE_MEASURE_PERFORMANCE was not set)', {
        function: fn,
        pid,
        option: 'PSS_CREATE_MEASURE_PERFORMANCE',
      });
    }
    const traceOff = (why: string): PssError =>
      new PssError('ERROR_NOT_FOUND', `handle trace not available for pid ${pid} (${why}): handle tracing is off in the process`, {
        function: fn,
        pid,
        option: 'PSS_CAPTURE_HANDLE_TRACE',
      });
    if (cls === QueryClass.HandleTraceInformation && this.extras.handleTraceUnavailable !== null) {
      throw traceOff(this.extras.handleTraceUnavailable);
    }
    const buffer = new Uint8Array(QUERY_RECORD_SIZE[cls]);
    const code = this.api.PssQuerySnapshot(handle, cls, buffer, buffer.length);
    if (code !== 0 && code !== Win32Error.ERROR_NOT_FOUND && cls === QueryClass.HandleTraceInformation) {
      // Windows may refuse the trace although the flag was passed: the capture goes on without it.
      throw traceOff(`PssQuerySnapshot answered ${new PssError(code, '').code}`);
    }
    if (code !== 0) throw failed(code, fn, pid, `cannot query ${QueryClass[cls]}`);
    return decodeQueryRecord(cls, buffer);
  }

  createWalkMarker(): WalkMarker {
    const fn = 'PssWalkMarkerCreate';
    this.live(fn);
    const marker: [Pointer | null] = [null];
    const code = this.api.PssWalkMarkerCreate(null, marker);
    if (code !== 0 || marker[0] === null) throw failed(code, fn, this.info.processId, 'cannot create a walk marker');
    return new WindowsWalkMarker(this.api, marker[0], this.info.processId);
  }

  walk<C extends WalkClass>(cls: C, marker: WalkMarker): WalkEntryMap[C] | null {
    const fn = 'PssWalkSnapshot';
    const handle = this.live(fn);
    const pid = this.info.processId;
    if (!isWalkClass(cls)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `unknown walk class ${String(cls)}`, { function: fn, pid });
    }
    if (!(marker instanceof WindowsWalkMarker)) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'not a walk marker of a Windows snapshot', { function: fn, pid });
    }
    const markerHandle = marker.live(fn);
    const noNameWalk = (): PssError =>
      // PSS_WALK_THREAD_NAME is header-only; Windows answers a public caller ERROR_INVALID_PARAMETER.
      new PssError('ERROR_NOT_FOUND', 'thread names not captured as a walk (this Windows refuses PSS_WALK_THREAD_NAME; the threads carry their names)', {
        function: fn,
        pid,
      });
    if (cls === WalkClass.ThreadName && !this.extras.threadNameWalk && hasFlag(this.info.captureFlags, CaptureFlags.Threads)) throw noNameWalk();
    if (marker.binding !== null && (marker.binding.snapshot !== this || marker.binding.cls !== cls)) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'the walk marker is bound to another snapshot or walk class (use one marker per walk)', {
        function: fn,
        pid,
      });
    }
    const buffer = new Uint8Array(WALK_ENTRY_SIZE[cls]);
    const code = this.api.PssWalkSnapshot(handle, cls, markerHandle, buffer, buffer.length);
    if (code === Win32Error.ERROR_NO_MORE_ITEMS) return null;
    if (code === Win32Error.ERROR_INVALID_PARAMETER && cls === WalkClass.ThreadName) throw noNameWalk();
    if (code !== 0) throw failed(code, fn, pid, `cannot walk ${WalkClass[cls]}`);
    marker.binding ??= { snapshot: this, cls };
    const entry = decodeWalkEntry(cls, buffer, this.info.captureFlags);
    if (cls === WalkClass.Threads && this.extras.threadNames !== null) {
      const thread = entry as WalkEntryMap[WalkClass.Threads];
      thread.name = this.extras.threadNames.get(thread.threadId) ?? null;
    }
    return entry;
  }

  entries<C extends WalkClass>(cls: C): Generator<WalkEntryMap[C], void, undefined> {
    return walkEntries(this, cls);
  }

  duplicate(): Snapshot {
    const fn = 'PssDuplicateSnapshot';
    const handle = this.live(fn);
    const self = this.api.GetCurrentProcess();
    const duplicate: [Pointer | null] = [null];
    const code = this.api.PssDuplicateSnapshot(self, handle, self, duplicate, 0);
    if (code !== 0 || duplicate[0] === null) throw failed(code, fn, this.info.processId, 'cannot duplicate the snapshot');
    return new WindowsSnapshot(this.api, duplicate[0], this.info, this.extras);
  }

  free(): void {
    const fn = 'PssFreeSnapshot';
    const handle = this.live(fn);
    // Forget the handle first: a second free of the same HPSS would crash inside kernel32.
    this.handle = null;
    const code = this.api.PssFreeSnapshot(this.api.GetCurrentProcess(), handle);
    if (code !== 0) throw failed(code, fn, this.info.processId, 'cannot free the snapshot');
  }
}
