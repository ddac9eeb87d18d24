import test from 'ava';
import { captureLinuxSnapshot } from '../../src/capture/linux/index.js';
import { WalkClass } from '../../src/pss/index.js';
import { openStore, openStoredSnapshot, pruneCaptures, writeCapture, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

const count = (store: Store, sql: string) => store.db.prepare(sql).pluck().get() as number;

test('keep N: the newest N captures of the process stay, whole, and the versions only old ones used go', async (t) => {
  const target = await startTarget(['--files', '2', '--open-every', '40']);
  const store = openStore(`${tempDir()}/keep.db`);
  try {
    const kept: { id: number; handles: number[] }[] = [];
    for (let i = 0; i < 6; i++) {
      const live = captureLinuxSnapshot({ pid: target.pid });
      const result = writeCapture(store, live, { retention: { keep: 3 } });
      kept.push({ id: result.captureId, handles: [...live.entries(WalkClass.Handles)].map((h) => h.handle) });
      t.is(result.capturesPruned, i < 3 ? 0 : 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.deepEqual(store.db.prepare('SELECT capture_id FROM captures ORDER BY capture_id').pluck().all() as number[], [4, 5, 6]);
    for (const { id, handles } of kept.slice(3)) {
      t.deepEqual([...openStoredSnapshot(store, id).entries(WalkClass.Handles)].map((h) => h.handle), handles, `capture ${id} is whole`);
    }
    t.is(count(store, 'SELECT count(*) FROM process_info'), 3, 'dependent rows went with their captures');
    t.is(count(store, 'SELECT count(*) FROM handle_versions WHERE last_seq < 4'), 0, 'no version that only deleted captures used');
    t.is((store.db.pragma('foreign_key_check') as unknown[]).length, 0);
    t.is(store.db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    store.close();
    await target.stop();
  }
});

test('max age: captures older than the limit go, in the whole recording, with their instances', (t) => {
  const store = openStore(`${tempDir()}/age.db`);
  try {
    writeCapture(store, captureLinuxSnapshot({ pid: process.pid, flags: 0x4 }));
    // Make that capture an hour old, as if recorded earlier.
    store.db.prepare('UPDATE captures SET started_at_us = started_at_us - 3600e6').run();
    const other = captureLinuxSnapshot({ pid: 1, flags: 0x4 });
    const result = writeCapture(store, other, { retention: { maxAgeUs: 60e6 } });
    t.is(result.capturesPruned, 1);
    t.deepEqual(store.db.prepare('SELECT pid FROM captures').pluck().all(), [1]);
    t.is(count(store, 'SELECT count(*) FROM process_instances'), 1, 'the instance without captures is gone');
    t.is(count(store, 'SELECT count(*) FROM handle_versions v WHERE NOT EXISTS (SELECT 1 FROM process_instances i WHERE i.instance_id = v.instance_id)'), 0);
    // The recorder still records the first process correctly after its instance was deleted.
    const again = captureLinuxSnapshot({ pid: process.pid, flags: 0x4 });
    const id = writeCapture(store, again).captureId;
    t.deepEqual([...openStoredSnapshot(store, id).entries(WalkClass.Handles)], [...again.entries(WalkClass.Handles)]);
  } finally {
    store.close();
  }
});

test('retention options are checked', (t) => {
  const store = openStore(`${tempDir()}/bad.db`);
  try {
    t.throws(() => writeCapture(store, captureLinuxSnapshot({ pid: process.pid, flags: 0x4 }), { retention: { keep: 0 } }), { instanceOf: RangeError, message: /keep/ });
    t.is(count(store, 'SELECT count(*) FROM captures'), 0);
  } finally {
    store.close();
  }
});

test('--max-age never prunes the capture just written, however old the clock says it is', (t) => {
  const store = openStore(`${tempDir()}/newest.db`);
  try {
    for (let i = 0; i < 3; i++) writeCapture(store, captureLinuxSnapshot({ pid: process.pid, flags: 0x4 }));
    // An hour from now, everything is older than a minute: all but the capture of the instance just written go.
    const instance = store.db.prepare('SELECT instance_id FROM captures').pluck().get() as number;
    const pruned = pruneCaptures(store.db, { maxAgeUs: 60e6 }, [instance], (Date.now() + 3600_000) * 1000);
    t.is(pruned, 2);
    t.is(store.db.prepare('SELECT count(*) FROM captures').pluck().get(), 1);
  } finally {
    store.close();
  }
});
