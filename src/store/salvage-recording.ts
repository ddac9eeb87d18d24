import * as fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { PssError } from '../pss/pss-error.js';
import { snapshotFromJson, snapshotToJson } from '../pss/snapshot-json.js';
import { writeCapture } from './capture-writer.js';
import { openStore, Store, sqliteError } from './open-store.js';
import { openStoredSnapshot } from './stored-snapshot.js';

/** What salvaging a recording kept and lost. */
export interface Salvage {
  /** Captures the damaged recording lists. */
  captures: number;
  /** Captures read back whole and written into the new recording. */
  salvaged: number;
  /** Captures that could not be read whole, with why. */
  lost: { captureId: number; reason: string }[];
}

/**
 * Copies every capture of a (damaged) recording that still reads back whole into a new one: each
 * is read as a snapshot, its entries counted against what the capture recorded, and written anew
 * (the new file is consistent by construction). A capture that cannot be read whole is left out
 * and listed. The damaged file is only read.
 *
 * @example
 * const { salvaged, lost } = salvageRecording('damaged.db', 'salvaged.db')
 */
export function salvageRecording(source: string, target: string, onProgress?: (done: number, of: number) => void): Salvage {
  if (fs.existsSync(target)) throw new PssError('ERROR_INVALID_PARAMETER', `${target} exists: salvage writes into a new file`, { path: target });
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw sqliteError(error, source);
  }
  const damaged = new Store(db, source, true);
  let ids: number[];
  try {
    ids = db.prepare('SELECT capture_id FROM captures ORDER BY capture_id').pluck().all() as number[];
  } catch (error) {
    damaged.close();
    throw new PssError('ERROR_BAD_FORMAT', `nothing can be salvaged from ${source}: its list of captures cannot be read (${(error as Error).message})`, {
      path: source,
    });
  }
  const out = openStore(target);
  const result: Salvage = { captures: ids.length, salvaged: 0, lost: [] };
  try {
    ids.forEach((captureId, i) => {
      onProgress?.(i, ids.length);
      try {
        const label = db.prepare('SELECT label FROM captures WHERE capture_id = ?').pluck().get(captureId) as string | null;
        // A copy in memory, every walk read: what cannot be read fails here, before anything is written.
        const copy = snapshotFromJson(snapshotToJson(openStoredSnapshot(damaged, captureId)));
        writeCapture(out, copy, { label });
        result.salvaged++;
      } catch (error) {
        result.lost.push({ captureId, reason: (error as Error).message });
      }
    });
  } finally {
    out.close();
    damaged.close();
  }
  return result;
}
