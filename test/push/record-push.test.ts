/**
 * Recording and pushing at once: `pssql record --push` sends captures to the target in the
 * background; a target that is down neither slows nor stops recording, and what it missed goes
 * once it is back; local retention never deletes what the target does not hold.
 */
import anyTest from 'ava';
import { captureLinuxSnapshot } from '../../src/capture/linux/index.js';
import { openStore, writeCapture } from '../../src/store/index.js';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { startPostgres, usePostgres } from '../helpers/postgres.js';
import { startPssql } from '../helpers/pssql-process.js';
import { startTarget, type Target } from '../helpers/target.js';

const { test, server } = usePostgres(anyTest);

let target: Target;
test.before(async () => {
  target = await startTarget(['--files', '20', '--open-every', '50']);
});
test.after.always(async () => {
  await target?.stop();
});

test('retention with pushing on deletes only captures before the last one the target holds', (t) => {
  const store = openStore(`${tempDir()}/gated.db`);
  try {
    const pushed = new Map<number, number>();
    for (let i = 0; i < 6; i++) writeCapture(store, captureLinuxSnapshot({ pid: target.pid }), { retention: { keep: 1, pushed } });
    t.is(store.db.prepare('SELECT count(*) FROM captures').pluck().get(), 6, 'nothing pushed: nothing deleted, whatever keep says');
    pushed.set(1, 4);
    writeCapture(store, captureLinuxSnapshot({ pid: target.pid }), { retention: { keep: 1, pushed } });
    t.deepEqual(store.db.prepare('SELECT seq FROM captures ORDER BY seq').pluck().all(), [4, 5, 6, 7], 'up to the last pushed, which stays');
    writeCapture(store, captureLinuxSnapshot({ pid: target.pid }), { retention: { maxAgeUs: 1, pushed } });
    t.deepEqual(store.db.prepare('SELECT seq FROM captures ORDER BY seq').pluck().all(), [4, 5, 6, 7, 8], 'max-age waits for the push too');
  } finally {
    store.close();
  }
});

test('record --push: every capture reaches the store, and --keep applies to what it holds', async (t) => {
  const url = await server().createDatabase('record_push');
  const file = `${tempDir()}/pushed.db`;
  const summary = pssqlJson<Record<string, unknown>[]>(['record', String(target.pid), '--every', '100ms', '--count', '15', '--keep', '3', '--push', url, '--push-every', '300ms', '--db', file])[0] as Record<string, unknown>;
  t.like(summary, { captures: 15, stopped_by: 'count', push_failures: 0, captures_pushed: 15, last_push_error: null });
  t.true((summary.pushes as number) >= 2, 'pushed during the recording and at its end');
  t.is(pssqlJson<unknown[]>(['list', '--db', url]).length, 15, 'the store holds every capture');
  const local = pssqlJson<unknown[]>(['list', '--db', file]).length;
  t.is(local, 3, 'once every capture was pushed, the recording keeps what --keep says');
  const sql = 'SELECT seq, handle_count, (SELECT count(*) FROM handles AS h WHERE h.capture_id = c.capture_id) AS handles FROM captures AS c ORDER BY seq';
  const central = pssqlJson<{ seq: number }[]>(['query', sql, '--db', url]);
  t.deepEqual(central.slice(-local), pssqlJson(['query', sql, '--db', file]), 'what both hold is the same');
});

test('record --push to a server that is down: recording goes on, nothing is deleted, and the captures go once it is back', async (t) => {
  const later = await startPostgres();
  const url = await later.createDatabase('later');
  await later.stop();
  const file = `${tempDir()}/waiting.db`;
  try {
    const recording = startPssql(['record', String(target.pid), '--every', '100ms', '--count', '40', '--keep', '2', '--push', url, '--push-every', '200ms', '--db', file, '--format', 'json']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waiting = pssqlJson<unknown[]>(['list', '--db', file]).length;
    t.true(waiting > 2, `with the target down, --keep 2 deletes nothing (${waiting} captures)`);
    await later.start();
    const done = await recording.done;
    t.is(done.code, 0, done.stderr);
    const summary = (JSON.parse(done.stdout) as Record<string, unknown>[])[0] as Record<string, unknown>;
    t.like(summary, { captures: 40, stopped_by: 'count', captures_pushed: 40, last_push_error: null });
    t.true((summary.push_failures as number) > 0);
    // Said once, and again only when the reason changes (no server, then one starting up): never twice the same in a row.
    const said = [...done.stderr.matchAll(/push failed, captures stay in the recording and go later: (.*)/g)].map((m) => m[1]);
    t.true(said.length >= 1 && said.length < (summary.push_failures as number) + 1);
    t.true(said.every((message, i) => i === 0 || message !== said[i - 1]), said.join('\n'));
    t.regex(done.stderr, /works again/);
    t.is(pssqlJson<unknown[]>(['list', '--db', url]).length, 40, 'every capture reached the store');
    t.is(pssqlJson<unknown[]>(['list', '--db', file]).length, 2, 'and --keep applied once they were there');
  } finally {
    await later.stop();
  }
});

test('record --push with a target that is not a store: refused at once (a URL of another kind), or said and recorded anyway', (t) => {
  const bad = pssql(['record', String(target.pid), '--count', '1', '--push', 'http://example.invalid/x', '--db', `${tempDir()}/x.db`]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^pssql: --push http:\/\/example\.invalid\/x: not a PostgreSQL URL/);
  const alone = pssql(['record', String(target.pid), '--count', '1', '--push-every', '1m', '--db', `${tempDir()}/y.db`]);
  t.is(alone.code, 2);
  t.regex(alone.stderr, /--push-every needs --push TARGET/);
});
