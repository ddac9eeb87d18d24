import { DENIED, type ProcFiles, type ReadFailure, VANISHED } from './proc-files.js';

/**
 * The raw reads of a capture, apart from their parsing, so that they can be shared between the
 * main thread and a reader thread: for each fd its link and fdinfo, for each thread its stat,
 * status and syscall files. Texts are latin1 (one char per byte: exact).
 */
export interface RawJob {
  root: string;
  pid: number;
  dir: 'fd' | 'task';
  ids: readonly number[];
}

/** The files of one id, read in order; a file that vanished ends the id's reads. */
export type RawItem = (string | ReadFailure)[];

const TASK_FILES = ['stat', 'status', 'syscall'] as const;

/** Reads the files of ids[from..to). */
export function readRaw(files: ProcFiles, job: RawJob, from: number, to: number): RawItem[] {
  const items: RawItem[] = [];
  const base = `${files.root}/${job.pid}`;
  for (let i = from; i < to; i++) {
    const id = job.ids[i] as number;
    if (job.dir === 'fd') {
      const link = files.readLink(`${base}/fd/${id}`);
      items.push(link === VANISHED ? [VANISHED] : [link, files.readText(`${base}/fdinfo/${id}`)]);
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
  return dir === 'fd' ? 2 : TASK_FILES.length;
}
