import { PssError } from '../../pss/pss-error.js';
import { type DeniedPart, whyDenied } from './denied.js';
import { type BlockingMounts, parseBlockingMounts } from './parse-mountinfo.js';
import { failed, type ProcFiles, type ReadFailure } from './proc-files.js';
import type { ProcessCache } from './process-cache.js';
import type { ReaderThread } from './reader-thread.js';
import type { SocketTables } from './read-sockets.js';

/** What the capturer lends one capture. */
export interface CaptureContextOptions {
  files: ProcFiles;
  pid: number;
  flags: number;
  /** Boot time of the machine behind the proc tree, µs since the Unix epoch. */
  bootTimeUs: number;
  /** What the last capture of this process read (see process-cache.ts). */
  cache: ProcessCache;
  /** The capturer's socket tables, shared with its other captures. */
  sockets: SocketTables;
  /** The capturer's second reading thread. */
  reader: ReaderThread;
  /** All or nothing: a part that may not be read fails the capture instead of being left out. */
  strict: boolean;
  /**
   * Stats a file on a mount that may block (named by its device), where the capture can give up
   * on it: '' when that file system is left alone as unresponsive; throws ERROR_TIMEOUT past the
   * capture's deadline.
   */
  statBlocking: (path: string, device: string) => string | ReadFailure;
}

/** State shared by the readers of one capture: where to read, and what had to be left out. */
export class CaptureContext {
  readonly files: ProcFiles;
  readonly pid: number;
  readonly flags: number;
  readonly bootTimeUs: number;
  readonly cache: ProcessCache;
  readonly sockets: SocketTables;
  readonly reader: ReaderThread;
  readonly strict: boolean;
  readonly statBlocking: (path: string, device: string) => string | ReadFailure;
  /** Threads, fds and regions that vanished while they were read. */
  skipped = 0;
  /** Fields left null because reading them needed more privilege. */
  denied = 0;
  /** Parts left out because reading them needed more privilege, in the order they were met. */
  readonly deniedParts: DeniedPart[] = [];
  private mounts: BlockingMounts | null = null;

  constructor(options: CaptureContextOptions) {
    this.files = options.files;
    this.pid = options.pid;
    this.flags = options.flags;
    this.bootTimeUs = options.bootTimeUs;
    this.cache = options.cache;
    this.sockets = options.sockets;
    this.reader = options.reader;
    this.strict = options.strict;
    this.statBlocking = options.statBlocking;
  }

  /**
   * A part that may not be read: left out and said (the caller records it as not captured), or,
   * in a strict capture, the error that fails it, saying what would help.
   */
  deny(part: DeniedPart, path: string): null {
    if (this.strict) {
      throw new PssError('ERROR_ACCESS_DENIED', `cannot capture pid ${this.pid}: permission denied reading ${path} (${whyDenied(this.files, this.pid)})`, {
        pid: this.pid,
        path,
      });
    }
    if (!this.deniedParts.includes(part)) this.deniedParts.push(part);
    this.denied++;
    return null;
  }

  /**
   * A field that may not be read: left null and counted, and its part named, even in a strict
   * capture (as always: only whole parts fail a strict capture).
   */
  withhold(part: DeniedPart): null {
    if (!this.deniedParts.includes(part)) this.deniedParts.push(part);
    this.denied++;
    return null;
  }

  /** The mounts of the process's mount namespace whose files may block a stat (read once per capture). */
  blockingMounts(): BlockingMounts {
    if (this.mounts === null) {
      const text = this.files.readText(this.files.path(this.pid, 'mountinfo'));
      this.mounts = failed(text) ? { mountIds: new Set(), devices: new Set(), deviceOf: new Map() } : parseBlockingMounts(text);
    }
    return this.mounts;
  }
}
