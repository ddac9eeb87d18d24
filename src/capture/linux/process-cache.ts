import type { HandleEntry, ThreadEntry, VaSpaceEntry } from '../../pss/walk-entries.js';
import type { MapLine } from './read-regions.js';

/**
 * What the last capture of a process read, raw and parsed, so the next capture of the same
 * process parses only what changed and hands back the very same entry objects for what did not.
 * A recording of an idle process then costs little more than reading /proc, and the recorder
 * recognises unchanged entries by identity.
 */
export interface ProcessCache {
  /** The fds of the last capture: link target and fdinfo text (latin1, exact bytes) and the entry. */
  handles: Map<number, { link: string; info: string; entry: HandleEntry }>;
  /** The threads of the last capture: stat, status and syscall texts and the entry. */
  threads: Map<number, { raw: string; entry: ThreadEntry }>;
  /** The regions of the last capture (maps only, not smaps), by line: parsed and as entries. */
  regions: Map<string, { line: MapLine; entry: VaSpaceEntry }>;
  /** The whole maps file of the last capture and its regions: an idle process maps nothing new. */
  mapsBytes: Buffer | null;
  regionList: VaSpaceEntry[] | null;
}

const MAX_PROCESSES = 256;
const caches = new Map<string, ProcessCache>();

/**
 * The cache of one process, identified by its pid, start time and the capture options (the same
 * raw data gives other entries under other flags). Least recently used processes are forgotten.
 */
export function processCache(root: string, pid: number, startTicks: number, flags: number, details: boolean): ProcessCache {
  const key = `${root}\0${pid}\0${startTicks}\0${flags}\0${details}`;
  let cache = caches.get(key);
  if (cache === undefined) {
    cache = { handles: new Map(), threads: new Map(), regions: new Map(), mapsBytes: null, regionList: null };
    if (caches.size >= MAX_PROCESSES) caches.delete(caches.keys().next().value as string);
  } else {
    caches.delete(key); // re-inserted below: most recently used last
  }
  caches.set(key, cache);
  return cache;
}

/** Forgets every cached process (tests, or a caller that wants fresh objects). */
export function clearProcessCaches(): void {
  caches.clear();
}

/** Equal records: the same keys with equal values (nested records compared the same way). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  let count = 0;
  for (const key in a) {
    count++;
    if (!sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  for (const _ in b) count--;
  return count === 0;
}

/** The previous entry when the new one holds the same values (so identity means "unchanged"), else the new one. */
export function reuseIfEqual<T extends object>(previous: T | undefined, next: T): T {
  return previous !== undefined && sameValue(previous, next) ? previous : next;
}
