import { DENIED, type ProcFiles, type ReadFailure, VANISHED } from './proc-files.js';

/**
 * The raw reads of a capture, apart from their parsing, so that they can be shared between the
 * main thread and a reader thread: for each fd its link, fdinfo and stat(2), for each thread its stat,
 * status and syscall files. Texts are latin1 (one char per byte: exact).
 */
export interface RawJob {
  root: string;
  pid: number;
  dir: 'fd' | 'task';
  ids: readonly number[];
  /**
   * Mounts (mnt_id) whose files are not stat()ed here: a network or FUSE file system can block
   * a stat for as long as its server does. The capture stats those where it can give up.
   */
  unsafeMounts?: readonly number[];
}

/** The files of one id, read in order; a file that vanished ends the id's reads. */
export type RawItem = (string | ReadFailure)[];

const TASK_FILES = ['stat', 'status', 'syscall'] as const;

/** `stat(2)` of a file as text: `mode size nlink dev rdev mtime` (mtime in whole seconds); see {@link parseStatText}. */
export function statText(files: ProcFiles, path: string): string | ReadFailure {
  const stat = files.stat(path);
  return typeof stat === 'symbol' ? stat : `${stat.mode} ${stat.size} ${stat.nlink} ${stat.dev} ${stat.rdev} ${Math.floor(stat.mtimeMs / 1000)}`;
}

/** A device number as maps writes it: `major:minor` in hex, two digits at least (Linux's dev_t encoding). */
export function deviceText(dev: number): string {
  const big = BigInt(dev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

/** What {@link statText} wrote. */
export interface StatOfFd {
  mode: number;
  size: number;
  nlink: number;
  dev: number;
  rdev: number;
}

export function parseStatText(text: string): StatOfFd {
  const [mode = 0, size = 0, nlink = 0, dev = 0, rdev = 0] = text.split(' ').map(Number);
  return { mode, size, nlink, dev, rdev };
}

/** The mount id in fdinfo text (`mnt_id:`), or null. */
function mountIdOf(fdinfo: string): number | null {
  const at = fdinfo.indexOf('mnt_id:');
  return at < 0 ? null : Number.parseInt(fdinfo.slice(at + 7).trimStart(), 10);
}

/** A stat left for the capture to make: the fd's file is on a mount that may block. */
export const STAT_DEFERRED = '';

/** Reads the files of ids[from..to). */
export function readRaw(files: ProcFiles, job: RawJob, from: number, to: number): RawItem[] {
  const items: RawItem[] = [];
  const base = `${files.root}/${job.pid}`;
  const unsafe = job.unsafeMounts === undefined || job.unsafeMounts.length === 0 ? null : new Set(job.unsafeMounts);
  for (let i = from; i < to; i++) {
    const id = job.ids[i] as number;
    if (job.dir === 'fd') {
      const link = files.readLink(`${base}/fd/${id}`);
      if (link === VANISHED) {
        items.push([VANISHED]);
        continue;
      }
      const info = files.readText(`${base}/fdinfo/${id}`);
      if (info === VANISHED) {
        items.push([link, VANISHED]);
        continue;
      }
      // Sockets, pipes and anonymous inodes live in no file system that could block.
      const onUnsafeMount = unsafe !== null && typeof link === 'string' && link.startsWith('/') && typeof info === 'string' && unsafe.has(mountIdOf(info) ?? -1);
      items.push([link, info, onUnsafeMount ? STAT_DEFERRED : statText(files, `${base}/fd/${id}`)]);
    } else {
      const item: RawItem = [];
      for (const name of TASK_FILES) {
        const text = files.readText(`${base}/task/${id}/${name}`);
        item.push(text);
        if (text === VANISHED) break;
      }
      items.push(item);
    }
  }
  return items;
}

const CODE_OK = 0;
const CODE_VANISHED = 1;
const CODE_DENIED = 2;
const CODE_END = 3;

/** Packs raw items into one buffer that can be transferred between threads without copying. */
export function packRaw(items: readonly RawItem[], width: number): ArrayBuffer {
  let size = 0;
  for (const item of items) for (let k = 0; k < width; k++) size += 5 + (typeof item[k] === 'string' ? (item[k] as string).length : 0);
  const buffer = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const item of items) {
    for (let k = 0; k < width; k++) {
      const value = item[k];
      if (typeof value === 'string') {
        buffer[at] = CODE_OK;
        buffer.writeUInt32LE(value.length, at + 1);
        buffer.write(value, at + 5, 'latin1');
        at += 5 + value.length;
      } else {
        buffer[at] = value === VANISHED ? CODE_VANISHED : value === DENIED ? CODE_DENIED : CODE_END;
        buffer.writeUInt32LE(0, at + 1);
        at += 5;
      }
    }
  }
  // A buffer of its own (allocUnsafeSlow) filled to its end is sent as it is, not copied first.
  if (buffer.byteOffset === 0 && at === buffer.buffer.byteLength) return buffer.buffer as ArrayBuffer;
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + at) as ArrayBuffer;
}

/** The inverse of {@link packRaw}. */
export function unpackRaw(data: ArrayBuffer, width: number): RawItem[] {
  const buffer = Buffer.from(data);
  const items: RawItem[] = [];
  let at = 0;
  while (at < buffer.length) {
    const item: RawItem = [];
    for (let k = 0; k < width; k++) {
      const code = buffer[at];
      const length = buffer.readUInt32LE(at + 1);
      at += 5;
      if (code === CODE_OK) {
        item.push(buffer.toString('latin1', at, at + length));
        at += length;
      } else if (code !== CODE_END) {
        item.push(code === CODE_VANISHED ? VANISHED : DENIED);
      }
    }
    items.push(item);
  }
  return items;
}

/** How many files each id of a job reads. */
export function rawWidth(dir: RawJob['dir']): number {
  return dir === 'fd' ? 3 : TASK_FILES.length;
}
