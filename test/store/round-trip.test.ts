import test from 'ava';
import { captureLinuxSnapshot } from '../../src/capture/linux/index.js';
import { isPssError, QueryClass, type Snapshot, snapshotFromJson, snapshotToJson, WalkClass } from '../../src/pss/index.js';
import { openStore, openStoredSnapshot, writeCapture, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { startTarget, type Target } from '../helpers/target.js';

const WALKS = [WalkClass.Threads, WalkClass.ThreadName, WalkClass.Handles, WalkClass.VaSpace];
const QUERIES = [
  QueryClass.ProcessInformation,
  QueryClass.VaSpaceInformation,
  QueryClass.HandleInformation,
  QueryClass.ThreadInformation,
  QueryClass.PerformanceCounters,
];

/** The record, or the code of the PssError, so that "not captured" compares too. */
function outcome(read: () => unknown): unknown {
  try {
    return read();
  } catch (error) {
    if (isPssError(error)) return error.code;
    throw error;
  }
}

function assertSame(t: import('ava').ExecutionContext, stored: Snapshot, live: Snapshot): void {
  t.deepEqual(stored.info, live.info);
  for (const q of QUERIES) t.deepEqual(outcome(() => stored.query(q)), outcome(() => live.query(q)), `query ${QueryClass[q]}`);
  for (const w of WALKS) t.deepEqual(outcome(() => [...stored.entries(w)]), outcome(() => [...live.entries(w)]), `walk ${WalkClass[w]}`);
}

const count = (store: Store, sql: string, ...params: unknown[]) => (store.db.prepare(sql).pluck().get(...params) as number);

let target: Target;
test.before(async () => {
  target = await startTarget([
    '--files', '5', '--pipes', '2', '--tcp', '1', '--unix', '1', '--eventfds', '1', '--memfds', '1',
    '--pidfds', '1', '--threads', '3', '--regions', '10', '--name-weird',
  ]);
});
test.after.always(async () => {
  await target?.stop();
});

test('a stored capture reads back identical to the live snapshot', (t) => {
  const store = openStore(`${tempDir()}/same.db`);
  try {
    const live = captureLinuxSnapshot({ pid: target.pid });
    const { captureId } = writeCapture(store, live);
    assertSame(t, openStoredSnapshot(store, captureId), live);
    // The names that are not UTF-8 (a file and a unix socket) are stored with their exact bytes.
    t.is(count(store, 'SELECT count(*) FROM strings WHERE raw IS NOT NULL'), 2);
  } finally {
    store.close();
  }
});

test('the recorded counts equal the stored rows', (t) => {
  const store = openStore(`${tempDir()}/counts.db`);
  try {
    const { captureId, counts } = writeCapture(store, captureLinuxSnapshot({ pid: target.pid }));
    t.is(count(store, 'SELECT count(*) FROM threads WHERE capture_id = ?', captureId), counts.threads as number);
    t.is(count(store, 'SELECT count(*) FROM handles WHERE capture_id = ?', captureId), counts.handles as number);
    t.is(count(store, 'SELECT count(*) FROM regions WHERE capture_id = ?', captureId), counts.regions as number);
    t.is(count(store, 'SELECT handle_count FROM captures WHERE capture_id = ?', captureId), counts.handles as number);
    // (The target's stdin and stdout are socket pairs from Node, not pipes.)
    t.is(count(store, "SELECT count(*) FROM handles WHERE capture_id = ? AND type_name = 'Pipe'", captureId), 4, '2 pipes = 4 fds');
  } finally {
    store.close();
  }
});

test('an unchanged process costs no entry rows in the next capture', (t) => {
  const store = openStore(`${tempDir()}/unchanged.db`);
  try {
    const first = writeCapture(store, captureLinuxSnapshot({ pid: target.pid }));
    t.is(first.versionsWritten, first.entries);
    const second = writeCapture(store, captureLinuxSnapshot({ pid: target.pid }));
    t.is(second.versionsWritten, 0);
    t.is(second.entries, first.entries);
    t.true(second.rowsWritten <= 8, `only the capture, its process row and counters (${second.rowsWritten})`);
    // The same entries (Linux has no per-entry capture time: the capture's time stands for it).
    t.deepEqual(
      [...openStoredSnapshot(store, second.captureId).entries(WalkClass.Handles)],
      [...openStoredSnapshot(store, first.captureId).entries(WalkClass.Handles)],
    );
  } finally {
    store.close();
  }
});

test('new fds are the only new versions, and both captures read back as they were', async (t) => {
  const leaky = await startTarget(['--files', '2', '--open-every', '50']);
  const store = openStore(`${tempDir()}/leak.db`);
  try {
    const liveA = captureLinuxSnapshot({ pid: leaky.pid });
    const a = writeCapture(store, liveA);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const liveB = captureLinuxSnapshot({ pid: leaky.pid });
    const b = writeCapture(store, liveB);
    const added = (b.counts.handles as number) - (a.counts.handles as number);
    t.true(added >= 2, `the target opened files in between (${added})`);
    t.is(count(store, 'SELECT count(*) FROM handle_versions WHERE first_seq = 2'), added);
    t.is(count(store, 'SELECT count(*) FROM handle_versions WHERE last_seq IS NOT NULL'), 0, 'no fd was closed');
    assertSame(t, openStoredSnapshot(store, a.captureId), liveA);
    assertSame(t, openStoredSnapshot(store, b.captureId), liveB);
  } finally {
    store.close();
    await leaky.stop();
  }
});

test('a second recorder writing in between does not confuse the first one', (t) => {
  const path = `${tempDir()}/two.db`;
  const one = openStore(path);
  const two = openStore(path);
  try {
    const flags = 0x4 | 0x8; // handles with names
    writeCapture(one, captureLinuxSnapshot({ pid: target.pid, flags }));
    writeCapture(two, captureLinuxSnapshot({ pid: target.pid, flags: 0x80 })); // threads only: closes the handle versions
    const live = captureLinuxSnapshot({ pid: target.pid, flags });
    const third = writeCapture(one, live);
    assertSame(t, openStoredSnapshot(one, third.captureId), live);
    t.is(count(one, 'SELECT count(*) FROM handles WHERE capture_id = 2'), 0);
  } finally {
    one.close();
    two.close();
  }
});

test('a snapshot moved through JSON records the same', (t) => {
  const store = openStore(`${tempDir()}/json.db`);
  try {
    const live = captureLinuxSnapshot({ pid: target.pid });
    const moved = snapshotFromJson(JSON.parse(JSON.stringify(snapshotToJson(live))));
    assertSame(t, moved, live);
    assertSame(t, openStoredSnapshot(store, writeCapture(store, moved).captureId), live);
  } finally {
    store.close();
  }
});
