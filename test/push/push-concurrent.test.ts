/**
 * Recordings of several hosts in one store: two recordings pushed at once (and one of them twice
 * at once), kept apart by their ids even where host, pid and process are the same; the same into
 * one SQLite file, without a server.
 */
import anyTest from 'ava';
import { listCaptures, listHosts } from '../../src/analysis/captures.js';
import { queryReadOnly } from '../../src/analysis/read-only-query.js';
import { openReadStore } from '../../src/store/open-read-store.js';
import type { ReadStore } from '../../src/store/read-store.js';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { startPssql } from '../helpers/pssql-process.js';
import { recordCaptures } from '../analysis/record-target.js';
import { startTarget, type Target } from '../helpers/target.js';

const { test, server } = usePostgres(anyTest);

const dir = tempDir();
let target: Target;
const files = { a: `${dir}/a.db`, b: `${dir}/b.db` };

test.before(async () => {
  target = await startTarget(['--files', '200', '--regions', '200', '--threads', '8', '--open-every', '30']);
  // Two recordings of one process on one host: the same host name, pid and creation time.
  await Promise.all([recordCaptures(files.a, target.pid, 12, 40), recordCaptures(files.b, target.pid, 9, 60)]);
});

test.after.always(async () => {
  await target?.stop();
});

/** What a recording's captures hold, without the ids each store gives them: per capture, its counts and a sum over its handles. */
const CONTENT =
  'SELECT c.seq, c.handle_count, c.region_count, c.started_at_us, (SELECT count(*) FROM handles AS h WHERE h.capture_id = c.capture_id) AS handles, (SELECT sum(length(h.object_name)) FROM handles AS h WHERE h.capture_id = c.capture_id) AS names FROM captures AS c WHERE c.instance_id IN (SELECT i.instance_id FROM process_instances AS i JOIN recordings AS r ON r.recording_key = i.recording_key WHERE r.recording_id = :recording) ORDER BY c.seq';

/** Runs `body` on a store opened read-only, closed afterwards. */
async function reading<T>(location: string, body: (store: ReadStore) => Promise<T>): Promise<T> {
  const store = await openReadStore(location);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

for (const kind of ['PostgreSQL', 'a SQLite file'] as const) {
  test(`two recordings pushed at once into ${kind}, one of them twice at once: apart, whole, nothing twice`, async (t) => {
    const store = kind === 'PostgreSQL' ? await server().createDatabase('fleet') : `${tempDir()}/fleet.db`;
    const pushes = [
      startPssql(['push', store, '--db', files.a, '--batch-captures', '2']),
      startPssql(['push', store, '--db', files.b, '--batch-captures', '2']),
      startPssql(['push', store, '--db', files.a, '--batch-captures', '3']),
    ];
    const results = await Promise.all(pushes.map((p) => p.done));
    for (const r of results) t.is(r.code, 0, r.stderr);
    const ids = [(await reading(files.a, listHosts))[0]?.recording_id as string, (await reading(files.b, listHosts))[0]?.recording_id as string];
    const hosts = await reading(store, listHosts);
    t.is(hosts.length, 2, 'two recordings');
    t.is(hosts[0]?.host, hosts[1]?.host, 'of one host name');
    t.deepEqual(hosts.map((h) => h.recording_id).sort(), [...ids].sort());
    for (const [file, id] of [[files.a, ids[0]], [files.b, ids[1]]] as [string, string][]) {
      const row = hosts.find((h) => h.recording_id === id);
      t.is(row?.captures, (await reading(file, (s) => listCaptures(s))).length, `${file}: every capture, once`);
      t.is(row?.processes, 1);
      const here = await reading(file, (s) => queryReadOnly(s, CONTENT, { recording: id }));
      t.deepEqual(await reading(store, (s) => queryReadOnly(s, CONTENT, { recording: id })), here, `${file}: the same content`);
    }
    // The pushes together wrote each capture once: a push now has nothing to do.
    for (const file of Object.values(files)) t.like(pssqlJson<Record<string, unknown>[]>(['push', store, '--db', file])[0], { captures: 0, up_to_date: true });
    // --recording and --host select among them.
    const second = ids[1] as string;
    const latest = await reading(store, (s) => listCaptures(s, { recording: second.slice(0, 8), limit: 1 }));
    const [shown] = pssqlJson<{ capture_id: number }[]>(['show', 'latest', '--recording', second.slice(0, 8), '--db', store]);
    t.is(shown?.capture_id, latest[0]?.capture_id as number);
    t.is(pssql(['show', 'latest', '--host', 'no-such-host', '--db', store]).code, 3);
    // One process recorded twice at the same time: a trend of it says which recordings to choose from.
    for (const last of [[], ['--last', '2']]) {
      const trend = pssql(['trend', String(target.pid), ...last, '--db', store]);
      t.is(trend.code, 2, trend.stderr);
      t.true(trend.stderr.endsWith(`at the same time in 2 recordings (${[...ids].sort().join(', ')}): say which with --recording\n`), trend.stderr);
    }
    t.is(pssql(['trend', String(target.pid), '--recording', second.slice(0, 8), '--db', store]).code, 0);
    // The latest captures of the two recordings, side by side.
    const [first, last] = await Promise.all(ids.map(async (id) => (await reading(store, (s) => listCaptures(s, { recording: id, limit: 1 })))[0]?.capture_id));
    const diff = pssqlJson<{ a: { capture_id: number }; b: { capture_id: number } }>(['diff', String(first), String(last), '--db', store]);
    t.deepEqual([diff.a.capture_id, diff.b.capture_id], [first as number, last as number]);
  });
}
