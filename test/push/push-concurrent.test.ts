/**
 * Recordings of several hosts in one store: two recordings pushed at once (and one of them twice
 * at once), kept apart by their ids even where host, pid and process are the same; the same into
 * one SQLite file, without a server.
 */
import anyTest from 'ava';
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

interface HostRow {
  host: string;
  recording_id: string;
  captures: number;
  processes: number;
}

/** What a recording's captures hold, without the ids each store gives them: per capture, its counts and a sum over its handles. */
const CONTENT =
  'SELECT c.seq, c.handle_count, c.region_count, c.started_at_us, (SELECT count(*) FROM handles AS h WHERE h.capture_id = c.capture_id) AS handles, (SELECT sum(length(h.object_name)) FROM handles AS h WHERE h.capture_id = c.capture_id) AS names FROM captures AS c WHERE c.instance_id IN (SELECT i.instance_id FROM process_instances AS i JOIN recordings AS r ON r.recording_key = i.recording_key WHERE r.recording_id = :recording) ORDER BY c.seq';

function recordingOf(file: string): string {
  return (pssqlJson<HostRow[]>(['list', '--hosts', '--db', file])[0] as HostRow).recording_id;
}

for (const kind of ['PostgreSQL', 'a SQLite file'] as const) {
  test(`two recordings pushed at once into ${kind}, one of them twice at once: apart, whole, nothing twice`, async (t) => {
    const store = kind === 'PostgreSQL' ? await server().createDatabase('fleet') : `${tempDir()}/fleet.db`;
    const pushes = [startPssql(['push', store, '--db', files.a, '--batch-captures', '2']), startPssql(['push', store, '--db', files.b, '--batch-captures', '2']), startPssql(['push', store, '--db', files.a, '--batch-captures', '3'])];
    const results = await Promise.all(pushes.map((p) => p.done));
    for (const r of results) t.is(r.code, 0, r.stderr);
    const hosts = pssqlJson<HostRow[]>(['list', '--hosts', '--db', store]);
    t.is(hosts.length, 2, 'two recordings');
    t.deepEqual(hosts.map((h) => h.host), [hosts[0]?.host, hosts[0]?.host], 'of one host name');
    const ids = [recordingOf(files.a), recordingOf(files.b)];
    t.deepEqual(hosts.map((h) => h.recording_id).sort(), [...ids].sort());
    for (const [file, id] of [[files.a, ids[0]], [files.b, ids[1]]] as const) {
      const row = hosts.find((h) => h.recording_id === id) as HostRow;
      t.is(row.captures, pssqlJson<unknown[]>(['list', '--db', file]).length, `${file}: every capture, once`);
      t.is(row.processes, 1);
      t.deepEqual(pssqlJson(['query', CONTENT, '--recording', id as string, '--db', store]), pssqlJson(['query', CONTENT, '--recording', id as string, '--db', file]), `${file}: the same content`);
    }
    // The pushes together wrote each capture once: a third push has nothing to do.
    for (const file of Object.values(files)) t.like(pssqlJson<Record<string, unknown>[]>(['push', store, '--db', file])[0], { captures: 0, up_to_date: true });
    // --recording and --host select among them.
    const latest = pssqlJson<{ capture_id: number }[]>(['list', '--recording', (ids[1] as string).slice(0, 8), '--limit', '1', '--db', store]);
    const [shown] = pssqlJson<{ capture_id: number }[]>(['show', 'latest', '--recording', (ids[1] as string).slice(0, 8), '--db', store]);
    t.is(shown?.capture_id, latest[0]?.capture_id as number);
    const leaks = pssql(['report', 'leak-suspects', '--host', hosts[0]?.host as string, '--db', store, '--format', 'json']);
    t.is(leaks.code, 0, leaks.stderr);
    t.is(pssql(['show', 'latest', '--host', 'no-such-host', '--db', store]).code, 3);
    // The latest captures of the two recordings, side by side.
    const [first, second] = ids.map((id) => pssqlJson<{ capture_id: number }[]>(['list', '--recording', id as string, '--limit', '1', '--db', store])[0]?.capture_id);
    const diff = pssqlJson<{ same_process: boolean; a: { capture_id: number }; b: { capture_id: number } }>(['diff', String(first), String(second), '--db', store]);
    t.is(diff.a.capture_id, first as number);
    t.is(diff.b.capture_id, second as number);
  });
}
