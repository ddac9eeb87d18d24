import { QueryClass } from '../pss/information-class.js';
import type { Snapshot } from '../pss/snapshot.js';
import { snapshotToJson } from '../pss/snapshot-json.js';
import type { Store } from '../store/open-store.js';
import { openStoredSnapshot } from '../store/stored-snapshot.js';

/**
 * The capture of a recording that holds exactly this snapshot, or null: one of the same host,
 * pid and start (to the µs) whose content, written as snapshot JSON, is the same. Importing an
 * exported capture twice would otherwise count it twice in every trend and leak fit.
 *
 * @example
 * const existing = findSameCapture(store, snapshotFromJson(json))
 * if (existing === null) writeCapture(store, snapshot)
 */
export function findSameCapture(store: Store, snapshot: Snapshot): number | null {
  const info = snapshot.info;
  const candidates = store
    .reader<{ capture_id: number; create_time_us: number | null }>(
      'SELECT c.capture_id, p.create_time_us FROM captures AS c LEFT JOIN process_info AS p ON p.capture_id = c.capture_id ' +
        'WHERE c.pid = ? AND c.started_at_us = ? AND c.host = ? ORDER BY c.capture_id',
    )
    .all(info.processId, info.startedAtUs, info.host);
  if (candidates.length === 0) return null;
  const createTimeUs = snapshot.query(QueryClass.ProcessInformation).createTimeUs;
  const incoming = JSON.stringify(snapshotToJson(snapshot));
  for (const c of candidates) {
    if (c.create_time_us !== createTimeUs) continue;
    const stored = openStoredSnapshot(store, c.capture_id);
    try {
      if (JSON.stringify(snapshotToJson(stored)) === incoming) return c.capture_id;
    } finally {
      stored.free();
    }
  }
  return null;
}
