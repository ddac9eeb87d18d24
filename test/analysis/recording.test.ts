import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import test from 'ava';
import { CaptureFlags, isPssError, openRecording, type Recording, type Store } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';
import { type RecordedTarget, recordCaptures, recordTarget } from './record-target.js';

/*
 * openRecording, the library's entry to analysis. The target opens no file at first and one
 * more every second: a leak from zero. Five captures 400 ms apart (the first long before the
 * first open, the last long after it), then one without handles.
 */
let recorded: RecordedTarget;
let rec: Recording;
test.before(async () => {
  recorded = await recordTarget(['--pipes', '2', '--open-every', '1000'], 5, 400);
  recorded.captureIds.push(...(await recordCaptures(recorded.db, recorded.target.pid, 1, 0, { flags: CaptureFlags.Threads })));
  rec = openRecording(recorded.db);
});
test.after.always(async () => {
  rec?.close();
  await recorded?.target.stop();
});

test('captures, the latest, one by reference, and its entries', async (t) => {
  const captures = await rec.captures({ pid: recorded.target.pid });
  t.deepEqual(
    captures.map((c) => c.capture_id),
    recorded.captureIds,
  );
  t.is((await rec.latestCapture())?.capture_id, recorded.captureIds.at(-1) as number);
  t.is((await rec.latestCapture({ name: 'no-such-process' }))?.capture_id, undefined);
  t.is((await rec.capture('latest-1')).capture_id, recorded.captureIds[4] as number);
  t.is((await rec.capture('first')).seq, 1);
  const handles = await rec.entries(recorded.captureIds[0] as number, 'handles');
  t.is(handles.filter((h) => recorded.target.fds.pipe.includes(h.handle_value) && h.type_name === 'Pipe').length, 4, '2 pipes are 4 fds');
  t.deepEqual(await rec.entries('latest', 'handles'), [], 'the last capture took no handles');
  await t.throwsAsync(rec.capture(99), { message: /no capture 99 in / });
});

test('report: typed values or text, defaults, and errors naming the parameter', async (t) => {
  const byId = await rec.report('handles-by-type', { capture: recorded.captureIds[0] });
  const byRef = await rec.report('handles-by-type', { capture: 'first' });
  t.deepEqual(byId, byRef);
  t.deepEqual(byId.columns, ['type_name', 'handles', 'distinct_names', 'example']);
  const error = await t.throwsAsync(rec.report('threads-by-cpu', { limit: 'ten' }));
  t.true(isPssError(error, 'ERROR_INVALID_PARAMETER'));
  t.is(error?.message, "report threads-by-cpu: parameter 'limit' must be an integer (decimal or 0x hex) (got 'ten')");
  await t.throwsAsync(rec.report('sockets', { sate: 'LISTEN' }), { message: /has no parameter 'sate' \(did you mean 'state'\?\)/ });
  await t.throwsAsync(rec.report('no-such-report'), { message: /no report 'no-such-report'/ });
  t.true(rec.reports().some((r) => r.name === 'leak-suspects' && r.builtIn));
});

test('leak-suspects counts a leak from zero from its zero; captures without handles are left out', async (t) => {
  const { rows } = await rec.report<Record<string, number | string>>('leak-suspects', { pid: recorded.target.pid });
  t.is(rows.length, 1);
  t.like(rows[0], { type_name: 'File', captures: 5, first_count: 0, monotonic: 1 });
  t.true((rows[0]?.last_count as number) >= 1);
  const growth = rows[0]?.growth_per_minute as number;
  t.true(growth > 0 && growth < 120, `at most one file a second: ${growth}`);
  const files = (await rec.handleTypeSeries({ pid: recorded.target.pid })).filter((p) => p.type_name === 'File').map((p) => p.handle_count);
  t.is(files.length, 6);
  t.is(files[0], 0, 'the typed series agrees: 0 in the first capture...');
  t.is(files[5], null, '...and NULL in the one without handles');
  t.is(files[4], rows[0]?.last_count as number);
});

test('query: read-only SQL with named parameters; a write is refused and the file is unchanged', async (t) => {
  const { columns, rows } = await rec.query<{ n: number }>('SELECT count(*) AS n FROM captures WHERE pid = :pid', { pid: recorded.target.pid });
  t.deepEqual(columns, ['n']);
  t.deepEqual(rows, [{ n: 6 }]);
  const empty = await rec.query('SELECT capture_id, label FROM captures WHERE label = :label', { label: 'none' });
  t.deepEqual(empty, { columns: ['capture_id', 'label'], rows: [] }, 'columns without rows');
  const before = createHash('sha256').update(fs.readFileSync(recorded.db)).digest('hex');
  const error = await t.throwsAsync(rec.query('DELETE FROM captures'));
  t.true(isPssError(error, 'ERROR_NOT_SUPPORTED'));
  await t.throwsAsync(rec.query(`ATTACH '${tempDir()}/x.db' AS x`), { message: /ATTACH returns no rows/ });
  t.is(createHash('sha256').update(fs.readFileSync(recorded.db)).digest('hex'), before);
  t.is((await rec.query<{ n: number }>('SELECT count(*) AS n FROM captures')).rows[0]?.n, 6);
  // The store's connection itself is read-only: even past pssql's checks, SQLite refuses.
  let code: unknown;
  try {
    (rec.store as Store).db.prepare('DELETE FROM captures').run();
  } catch (e) {
    code = (e as { code?: unknown }).code;
  }
  t.is(code, 'SQLITE_READONLY');
});

test("the user's own reports: openRecording({ queries })", async (t) => {
  const dir = tempDir();
  fs.writeFileSync(
    `${dir}/pipe-fds.sql`,
    "-- name: pipe-fds\n-- description: Pipe fds of a capture.\n-- param: capture capture = latest-1  which\nSELECT handle_value FROM handles WHERE capture_id = :capture AND type_name = 'Pipe' ORDER BY 1\n",
  );
  const mine = openRecording(recorded.db, { queries: dir });
  try {
    t.like(
      mine.reports().find((r) => r.name === 'pipe-fds'),
      { builtIn: false, file: `${dir}/pipe-fds.sql`, parameters: [{ name: 'capture', type: 'capture', default: 'latest-1', description: 'which' }] },
    );
    const { rows } = await mine.report<{ handle_value: number }>('pipe-fds');
    t.true(recorded.target.fds.pipe.every((fd) => rows.some((r) => r.handle_value === fd)));
  } finally {
    mine.close();
  }
});
