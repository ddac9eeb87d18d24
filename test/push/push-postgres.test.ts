/**
 * A recording pushed into a real PostgreSQL server reads back as the file does: every saved
 * report with the same rows, every view with the same entries, every read command with the same
 * output; pushes are incremental and idempotent.
 */
import anyTest from 'ava';
import { loadReports } from '../../src/analysis/report-catalog.js';
import { runReport } from '../../src/analysis/run-report.js';
import { queryReadOnly } from '../../src/analysis/read-only-query.js';
import { openRecording } from '../../src/index.js';
import { openStore } from '../../src/store/index.js';
import { openReadStore } from '../../src/store/open-read-store.js';
import { RELATIONS } from '../../src/store/schema.js';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { recordCaptures } from '../analysis/record-target.js';
import { startTarget, type Target } from '../helpers/target.js';

const { test, server } = usePostgres(anyTest);

let target: Target;
let file: string;
let url: string;
const dir = tempDir();

test.before(async () => {
  // Every kind of fd, threads, regions, a leak (a file more every 40 ms) and names with a newline and bytes that are not UTF-8.
  target = await startTarget([
    '--files', '12', '--dirs', '2', '--pipes', '2', '--tcp', '2', '--udp', '1', '--unix', '2', '--eventfds', '1', '--memfds', '1',
    '--pidfds', '1', '--misc', '--threads', '4', '--regions', '40', '--open-every', '40', '--name-weird',
  ]);
  file = `${dir}/host.db`;
  await recordCaptures(file, target.pid, 8, 120);
  url = await server().createDatabase('reads');
  const pushed = pssql(['push', url, '--db', file, '--format', 'json']);
  if (pushed.code !== 0) throw new Error(`push failed: ${pushed.stderr}`);
});

test.after.always(async () => {
  await target?.stop();
});

/** Columns that hold the ids of strings: each store numbers its strings its own way (a central one shares them among hosts). */
const STRING_IDS = new Set(Object.values(RELATIONS).flatMap((r) => Object.entries(r.columns).filter(([, c]) => c.foreignKey?.table === 'strings').map(([n]) => n)));

/** Rows without the ids a store gives its strings and stored versions; the values they stand for are compared instead. */
function withoutStoreIds(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !k.endsWith('_version_id') && !STRING_IDS.has(k))));
}

test('every saved report gives the same rows on the file and on PostgreSQL', async (t) => {
  const local = openStore(file, { readonly: true });
  const central = await openReadStore(url);
  try {
    const captures = local.db.prepare('SELECT capture_id FROM captures ORDER BY capture_id').pluck().all() as number[];
    t.is(captures.length, 8);
    for (const report of loadReports()) {
      const takesCapture = report.parameters.some((p) => p.name === 'capture');
      // A parameter without a default (container-processes' container) is given a value that matches all.
      const required = report.parameters.filter((p) => p.default === undefined);
      const runs: Record<string, unknown>[] = required.length > 0
        ? [Object.fromEntries(required.map((p) => [p.name, p.type === 'text' ? '' : 1]))]
        : takesCapture
          ? captures.map((capture) => ({ capture }))
          : [{}, { pid: target.pid }, { pid: target.pid, last: 3 }, { name: 'TARGET' }, { host: 'no-such-host' }];
      // Each run with the values the report takes.
      const names = new Set(report.parameters.map((p) => p.name));
      for (const values of runs.map((run) => Object.fromEntries(Object.entries(run).filter(([name]) => names.has(name))))) {
        const there = await runReport(central, report, values);
        const here = await runReport(local, report, values);
        t.deepEqual(there, here, `${report.name} ${JSON.stringify(values)}`);
      }
    }
    const leaks = await runReport(central, loadReports().find((r) => r.name === 'leak-suspects')!, { pid: target.pid });
    t.true(leaks.rows.some((r) => r.type_name === 'File'), 'the leak is found on PostgreSQL too');
  } finally {
    local.close();
    await central.close();
  }
});

test('every view holds the same entries, names byte for byte and u64 columns as bigint', async (t) => {
  const local = openStore(file, { readonly: true });
  const central = await openReadStore(url);
  try {
    for (const [name, relation] of Object.entries(RELATIONS)) {
      // Tables of ids each store numbers its own way are compared through the views.
      if (/_versions$|_details$/.test(name) || ['schema_migrations', 'recordings', 'process_instances', 'strings'].includes(name)) continue;
      const order = Object.keys(relation.columns).filter((c) => !c.endsWith('_version_id')).slice(0, 3).join(', ');
      const sql = `SELECT * FROM ${name} ORDER BY ${order}`;
      const here = await queryReadOnly(local, sql);
      const there = await queryReadOnly(central, sql);
      t.deepEqual(there.columns, here.columns, `${name}: columns`);
      t.deepEqual(withoutStoreIds(there.rows), withoutStoreIds(here.rows), `${name}: rows`);
    }
    const { rows } = await queryReadOnly(central, 'SELECT base_address, object_name FROM regions JOIN handles USING (capture_id) LIMIT 1');
    t.is(typeof rows[0]?.base_address, 'bigint');
    const weird = await queryReadOnly(central, "SELECT object_name FROM handles WHERE object_name LIKE '%\n%' LIMIT 1");
    t.is(weird.rows.length, 1, 'a name with a newline');
  } finally {
    local.close();
    await central.close();
  }
});

test('the read commands answer the same on --db FILE and --db URL', (t) => {
  // Each kind of read once (the reports and views are compared in full above, through the library).
  const commands = [
    ['list', '--pid', String(target.pid), '--limit', '3'],
    ['show', 'latest'],
    ['show', 'latest', 'handles', '--all'],
    ['show', 'latest-2', 'regions'],
    ['show', '3', 'counters'],
    ['report', 'leak-suspects'],
    ['report', 'handles-matching', '--type', 'file', '--pattern', '%.TXT'],
    ['query', 'SELECT hex_address(base_address) AS base, human_bytes(region_size_bytes) AS size FROM regions WHERE capture_id = :capture ORDER BY base_address', '--capture', '2'],
    ['trend', String(target.pid)],
    ['schema', 'regions'],
  ];
  const TABLES_TOO = new Set(['show latest', 'report leak-suspects', 'trend ' + String(target.pid), 'schema regions']);
  for (const command of commands) {
    // Every column (--all) has the store's own ids of strings and versions: compared without them.
    if (command.includes('--all')) {
      const here = pssqlJson<Record<string, unknown>[]>([...command, '--db', file]);
      t.deepEqual(withoutStoreIds(pssqlJson<Record<string, unknown>[]>([...command, '--db', url])), withoutStoreIds(here), command.join(' '));
      continue;
    }
    // Tables for people too, for a few: the formatting is the same code whatever the store.
    for (const format of TABLES_TOO.has(command.join(' ')) ? ['json', 'table'] : ['json']) {
      const here = pssql([...command, '--db', file, '--format', format]);
      const there = pssql([...command, '--db', url, '--format', format]);
      t.is(here.code, 0, `${command.join(' ')}: ${here.stderr}`);
      t.deepEqual({ code: there.code, stdout: there.stdout, stderr: there.stderr }, { code: 0, stdout: here.stdout, stderr: '' }, `${command.join(' ')} --format ${format}`);
    }
  }
  // diff names the store of each side: the rest is the same.
  const here = pssqlJson<Record<string, unknown> & { a: { db: string }; b: { db: string } }>(['diff', 'first', 'latest', '--db', file]);
  const there = pssqlJson<Record<string, unknown> & { a: { db: string }; b: { db: string } }>(['diff', 'first', 'latest', '--db', url]);
  t.true(there.a.db.startsWith('postgresql://postgres@'), 'without the password');
  t.deepEqual({ ...there, a: { ...there.a, db: '' }, b: { ...there.b, db: '' } }, { ...here, a: { ...here.a, db: '' }, b: { ...here.b, db: '' } });
  // A capture of the file against one in PostgreSQL: DB:REF with a URL.
  const across = pssqlJson<{ same_process: boolean; summary: { kinds: { added: number; removed: number }[] } }>(['diff', `${file}:latest`, `${url}:latest`]);
  t.true(across.same_process);
  t.true(across.summary.kinds.every((k) => k.added === 0 && k.removed === 0));
});

test('openRecording() reads a postgres:// URL as it reads the file', async (t) => {
  const here = openRecording(file);
  const there = openRecording(url);
  try {
    t.deepEqual(await there.captures(), await here.captures());
    t.deepEqual(await there.handleTypeSeries({ pid: target.pid }), await here.handleTypeSeries({ pid: target.pid }));
    t.deepEqual(await there.report('memory-by-type'), await here.report('memory-by-type'));
    const regions = await there.db.selectFrom('regions').select(['base_address', 'region_size_bytes']).where('capture_id', '=', 1).orderBy('base_address').execute();
    t.deepEqual(regions, await here.db.selectFrom('regions').select(['base_address', 'region_size_bytes']).where('capture_id', '=', 1).orderBy('base_address').execute());
    t.is(typeof regions[0]?.base_address, 'bigint');
    t.is(typeof regions[0]?.region_size_bytes, 'number');
    t.deepEqual(withoutStoreIds((await there.entries('latest', 'handles')) as Record<string, unknown>[]), withoutStoreIds((await here.entries('latest', 'handles')) as Record<string, unknown>[]));
  } finally {
    await here.close();
    await there.close();
  }
});

test('reading is read-only on PostgreSQL: writes are refused before they run, and by the server', async (t) => {
  const before = pssqlJson(['query', 'SELECT count(*) AS n FROM captures', '--db', url]);
  for (const sql of [
    'DELETE FROM captures',
    'WITH gone AS (DELETE FROM captures RETURNING 1) SELECT count(*) FROM gone',
    'SELECT * FROM captures FOR UPDATE',
    'CREATE TABLE x (y int)',
    'SET default_transaction_read_only = off',
    'SELECT 1; DELETE FROM captures',
  ]) {
    const result = pssql(['query', sql, '--db', url]);
    t.is(result.code, 2, sql);
    t.regex(result.stderr, /^pssql: query: .*(would write|changes the session|one statement at a time)/, sql);
    t.is(result.stderr.trim().split('\n').length, 1, `${sql}: one line`);
  }
  // A writing function passes the words but not the server.
  const nextval = pssql(['query', "SELECT nextval('captures_capture_id_seq') AS n", '--db', url]);
  t.is(nextval.code, 2);
  t.regex(nextval.stderr, /would write/);
  const setting = pssql(['query', "SELECT set_config('default_transaction_read_only', 'off', false) AS v", '--db', url]);
  t.is(setting.code, 0, 'a setting changed by a function lasts for the statement only');
  t.deepEqual(pssqlJson(['query', 'SELECT count(*) AS n FROM captures', '--db', url]), before);
  const syntax = pssql(['query', 'SELECT nonsense FROM captures', '--db', url]);
  t.is(syntax.code, 2);
  t.regex(syntax.stderr, /^pssql: query: column "nonsense" does not exist\n$/);
});

test('a push of an unchanged recording writes nothing; new captures go, and only they', async (t) => {
  const again = pssqlJson<Record<string, unknown>[]>(['push', url, '--db', file])[0];
  t.like(again, { up_to_date: true, captures: 0, rows: 0 });
  const second = `${dir}/second.db`;
  await recordCaptures(second, target.pid, 3, 50);
  const secondUrl = await server().createDatabase('incremental');
  t.like(pssqlJson<Record<string, unknown>[]>(['push', secondUrl, '--db', second])[0], { captures: 3 });
  await recordCaptures(second, target.pid, 4, 50);
  t.like(pssqlJson<Record<string, unknown>[]>(['push', secondUrl, '--db', second, '--batch-captures', '1'])[0], { captures: 4, batches: 4 });
  t.like(pssqlJson<Record<string, unknown>[]>(['push', secondUrl, '--db', second])[0], { captures: 0, up_to_date: true });
  const sql = 'SELECT seq, handle_count, (SELECT count(*) FROM handles AS h WHERE h.capture_id = c.capture_id) AS handles FROM captures AS c ORDER BY seq';
  t.deepEqual(pssqlJson(['query', sql, '--db', secondUrl]), pssqlJson(['query', sql, '--db', second]));
  const views =
    'SELECT c.seq, count(*) AS n, sum(h.handle_value) AS handle_values, sum(length(h.object_name)) AS name_lengths, sum(h.position_bytes) AS positions FROM captures AS c JOIN handles AS h ON h.capture_id = c.capture_id GROUP BY c.seq ORDER BY c.seq';
  t.deepEqual(pssqlJson(['query', views, '--db', secondUrl]), pssqlJson(['query', views, '--db', second]));
});
