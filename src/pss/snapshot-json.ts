import { CaptureFlags, hasFlag } from './capture-flags.js';
import { QueryClass, WalkClass } from './information-class.js';
import { entrySource, MemorySnapshot, type SnapshotData } from './memory-snapshot.js';
import { PssError } from './pss-error.js';
import { ifCaptured, type Snapshot } from './snapshot.js';

/**
 * A snapshot as plain JSON, to move a capture between machines (or out of a Windows runtime)
 * without a live handle. bigint values are written as `{"$bigint":"123"}` and byte arrays as
 * `{"$bytes":"<base64>"}`, so every value reads back exactly.
 */
export interface SnapshotJson {
  format: 'pssql-snapshot';
  version: 1;
  data: unknown;
}

const WALKS = [WalkClass.AuxiliaryPages, WalkClass.VaSpace, WalkClass.Handles, WalkClass.Threads, WalkClass.ThreadName] as const;


function encode(value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = encode(item);
    return out;
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$bigint === 'string') return BigInt(record.$bigint);
    if (typeof record.$bytes === 'string') return new Uint8Array(Buffer.from(record.$bytes, 'base64'));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) out[key] = decode(item);
    return out;
  }
  return value;
}

/**
 * Reads everything `snapshot` captured, through its query and walk API, into JSON.
 *
 * @example
 * fs.writeFileSync('snap.json', JSON.stringify(snapshotToJson(openStoredSnapshot(store, 42))))
 */
export function snapshotToJson(snapshot: Snapshot): SnapshotJson {
  const walks: Record<string, unknown[]> = {};
  for (const cls of WALKS) {
    const entries = ifCaptured(() => [...snapshot.entries(cls)]);
    if (entries !== null) walks[cls] = entries;
  }
  const threads = ifCaptured(() => snapshot.query(QueryClass.ThreadInformation));
  const data = {
    info: snapshot.info,
    process: snapshot.query(QueryClass.ProcessInformation),
    performance: hasFlag(snapshot.info.captureFlags, CaptureFlags.CreateMeasurePerformance)
      ? ifCaptured(() => snapshot.query(QueryClass.PerformanceCounters))
      : null,
    vaClone: ifCaptured(() => snapshot.query(QueryClass.VaCloneInformation)),
    handleTrace: ifCaptured(() => snapshot.query(QueryClass.HandleTraceInformation)),
    threadContextLength: threads?.contextLength ?? 0,
    walks,
  };
  return { format: 'pssql-snapshot', version: 1, data: encode(data) };
}

/**
 * Turns JSON from {@link snapshotToJson} back into a snapshot with the same records.
 *
 * @example
 * writeCapture(store, snapshotFromJson(JSON.parse(fs.readFileSync('snap.json', 'utf8'))))
 */
export function snapshotFromJson(json: unknown): Snapshot {
  const doc = json as Partial<SnapshotJson> | null;
  if (doc === null || typeof doc !== 'object' || doc.format !== 'pssql-snapshot' || doc.data === undefined) {
    throw new PssError('ERROR_BAD_FORMAT', 'not a pssql snapshot (JSON without format "pssql-snapshot")');
  }
  if (doc.version !== 1) {
    throw new PssError('ERROR_REVISION_MISMATCH', `pssql snapshot version ${String(doc.version)} is not supported (this pssql reads version 1)`);
  }
  const raw = decode(doc.data) as Omit<SnapshotData, 'walks'> & { walks: Record<string, unknown[]> };
  const walks: SnapshotData['walks'] = {};
  for (const cls of WALKS) {
    const entries = raw.walks[cls];
    if (entries !== undefined) (walks as Record<number, unknown>)[cls] = entrySource(entries);
  }
  return new MemorySnapshot({ ...raw, walks });
}
