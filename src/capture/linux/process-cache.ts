import { hash } from 'node:crypto';
import type { HandleEntry, ThreadEntry, VaSpaceEntry } from '../../pss/walk-entries.js';

/**
 * What the last capture of a process read, raw and parsed, so the next capture of the same
 * process parses only what changed and hands back the very same (frozen) entry objects for what
 * did not. A recording of an idle process then costs little more than reading /proc, and the
 * writer recognises unchanged entries by identity (the contract of `Snapshot` in the model).
 */
export interface ProcessCache {
  /** The fds of the last capture: the digest of their link target, fdinfo and stat texts ('' for a socket: read again), and the entry. */
  handles: Map<number, { digest: string; entry: HandleEntry }>;
  /** The threads of the last capture: the digest of their stat, status and syscall texts, and the entry. */
  threads: Map<number, { digest: string; entry: ThreadEntry }>;
  /**
   * The digest of the whole maps file of the last capture (maps only, not smaps) and its regions,
   * in address order: an idle process maps nothing new, and a region of a changed file that holds
   * the same values as last time is handed back as the same entry.
   */
  mapsDigest: string | null;
  regionList: readonly VaSpaceEntry[] | null;
}

/**
 * A digest that stands for raw /proc texts in a cache: 20 bytes instead of the texts (an fdinfo or
 * a thread's status runs to a kilobyte and more, a maps file to megabytes), with no chance of a
 * collision that counts. Strings (latin1) are hashed as UTF-8, which is one-to-one on them too.
 */
export function digestOf(data: string | Uint8Array): string {
  return hash('sha1', data, 'binary');
}

const MAX_PROCESSES = 256;

/**
 * The caches of the processes one capturer captured, identified by pid, start time and the
 * capture options (the same raw data gives other entries under other flags). Least recently
 * used processes are forgotten.
 */
export class ProcessCaches {
  private readonly caches = new Map<string, ProcessCache>();

  /** The cache of one process, made empty when it is new. */
  of(pid: number, startTicks: number, flags: number, details: boolean): ProcessCache {
    const key = `${pid}\0${startTicks}\0${flags}\0${details}`;
    let cache = this.caches.get(key);
    if (cache === undefined) {
      cache = { handles: new Map(), threads: new Map(), mapsDigest: null, regionList: null };
      if (this.caches.size >= MAX_PROCESSES) this.caches.delete(this.caches.keys().next().value as string);
    } else {
      this.caches.delete(key); // re-inserted below: most recently used last
    }
    this.caches.set(key, cache);
    return cache;
  }

  /** Processes remembered. */
  get size(): number {
    return this.caches.size;
  }
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

/** Freezes an entry and the records inside it: an entry handed to more than one capture is shared. */
export function freezeEntry<T extends object>(entry: T): T {
  for (const key in entry) {
    const value = (entry as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) Object.freeze(value);
  }
  return Object.freeze(entry);
}

/**
 * The previous entry when the new one holds the same values (so identity means "unchanged"),
 * else the new one, frozen: either may be handed to later captures.
 */
export function reuseIfEqual<T extends object>(previous: T | undefined, next: T): T {
  return previous !== undefined && sameValue(previous, next) ? previous : freezeEntry(next);
}
