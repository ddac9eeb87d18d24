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

/**
 * A walk marker (HPSSWALK) of the real API. After `free` every method throws
 * ERROR_INVALID_HANDLE itself: Windows would raise an access violation on a freed marker rather
 * than return an error.
 */
class WindowsWalkMarker implements WalkMarker {
  private handle: Pointer | null;

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
    return BigInt(position[0] ?? 0);
  }

  setPosition(position: bigint): void {
    const fn = 'PssWalkMarkerSetPosition';
    const handle = this.live(fn);
    if (typeof position !== 'bigint' || position < 0n || position > 0xffff_ffff_ffff_ffffn) {
      throw new TypeError('position must be a bigint from getPosition()');
    }
    const code = this.api.PssWalkMarkerSetPosition(handle, position);
    if (code !== 0) throw failed(code, fn, this.pid, 'cannot set the position');
  }

  seekToBeginning(): void {
    const fn = 'PssWalkMarkerSeekToBeginning';
    const code = this.api.PssWalkMarkerSeekToBeginning(this.live(fn));
    if (code !== 0) throw failed(code, fn, this.pid, 'cannot rewind');
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
    const buffer = new Uint8Array(QUERY_RECORD_SIZE[cls]);
    const code = this.api.PssQuerySnapshot(handle, cls, buffer, buffer.length);
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
    const buffer = new Uint8Array(WALK_ENTRY_SIZE[cls]);
    const code = this.api.PssWalkSnapshot(handle, cls, marker.live(fn), buffer, buffer.length);
    if (code === Win32Error.ERROR_NO_MORE_ITEMS) return null;
    if (code === Win32Error.ERROR_INVALID_PARAMETER && cls === WalkClass.ThreadName) {
      // PSS_WALK_THREAD_NAME is header-only; a Windows that predates it rejects the class.
      throw new PssError('ERROR_NOT_FOUND', 'thread names not captured (this Windows has no PSS_WALK_THREAD_NAME)', {
        function: fn,
        pid,
      });
    }
    if (code !== 0) throw failed(code, fn, pid, `cannot walk ${WalkClass[cls]}`);
    return decodeWalkEntry(cls, buffer, this.info.captureFlags);
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
    return new WindowsSnapshot(this.api, duplicate[0], this.info);
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
