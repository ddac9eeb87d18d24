import test from 'ava';
import { hostname } from 'node:os';
import { handleTypeSeries, processSeries, regionTypeSeries } from '../../src/analysis/series.js';
import { CaptureFlags, openStore } from '../../src/index.js';
import { procEntries } from '../helpers/target.js';
import { type RecordedTarget, recordCaptures, recordTarget } from './record-target.js';

/*
 * A target that opens no file at first and one more every second: captured at once (no File
 * yet), then three more times 500 ms apart; a fifth capture takes threads only (no handles, no
 * regions).
 */
let recorded: RecordedTarget;
test.before(async () => {
  recorded = await recordTarget(['--pipes', '3', '--threads', '2', '--regions', '4', '--open-every', '1000'], 4, 500);
  recorded.captureIds.push(...(await recordCaptures(recorded.db, recorded.target.pid, 1, 0, { flags: CaptureFlags.Threads })));
});
test.after.always(async () => {
  await recorded?.target.stop();
});

const withStore = async <T>(body: (store: ReturnType<typeof openStore>) => Promise<T>): Promise<T> => {
  const store = openStore(recorded.db, { readonly: true });
  try {
    return await body(store);
  } finally {
    store.close();
  }
};

test('processSeries: one point per capture, oldest first, with counts and memory', async (t) => {
  const points = await withStore((store) => processSeries(store, { pid: recorded.target.pid }));
  t.deepEqual(
    points.map((p) => p.capture_id),
    recorded.captureIds,
  );
  t.true(points.every((p) => p.pid === recorded.target.pid && p.name === 'target' && p.instance_id === points[0]?.instance_id));
  t.true(points.every((p) => p.host === hostname()), 'each point says its host');
  t.deepEqual(
    points.map((p) => p.seq),
    [1, 2, 3, 4, 5],
  );
  t.deepEqual(
    points.map((p) => p.threads),
    [4, 4, 4, 4, 4],
    'main, 2 workers, the opener',
  );
  t.is(points[4]?.handles, null, 'the last capture took no handles');
  t.is(points[4]?.regions, null);
  for (const p of points) t.true((p.working_set_size_bytes ?? 0) > 0 && (p.virtual_size_bytes ?? 0) >= (p.working_set_size_bytes ?? 0));
  const sorted = points.map((p) => p.started_at_us);
  t.deepEqual(sorted, [...sorted].sort((a, b) => a - b));

  const newest = await withStore((store) => processSeries(store, { pid: recorded.target.pid, limit: 2 }));
  t.deepEqual(
    newest.map((p) => p.capture_id),
    recorded.captureIds.slice(-2),
    'a limit keeps the newest, still oldest first',
  );
  t.deepEqual(await withStore((store) => processSeries(store, { name: 'no-such-process' })), []);
  t.is((await withStore((store) => processSeries(store, { name: 'targ' }))).length, 5, 'a name matches as a substring');
});

test('handleTypeSeries: every type in every capture, 0 before it appears, NULL where handles were not taken', async (t) => {
  const points = await withStore((store) => handleTypeSeries(store, { pid: recorded.target.pid }));
  const series = (type: string) => points.filter((p) => p.type_name === type).map((p) => p.handle_count);
  const pipes = series('Pipe');
  t.is(pipes.length, 5);
  // 3 pipes are 6 fds of type Pipe; stdin (and maybe stdout) from the test is one more each.
  t.true(pipes.slice(0, 4).every((n) => n === pipes[0] && (n ?? 0) >= 6));
  const files = series('File');
  t.is(files.length, 5, 'File has a point in every capture');
  t.is(files[0], 0, 'no file in the first capture: a zero, not a gap');
  t.true((files[3] ?? 0) >= 1, `a file opened each second: ${files.join(', ')}`);
  for (let i = 1; i < 4; i++) t.true((files[i] ?? 0) >= (files[i - 1] ?? 0));
  t.deepEqual(
    points.filter((p) => p.capture_id === recorded.captureIds[4]).map((p) => p.handle_count),
    points.filter((p) => p.capture_id === recorded.captureIds[0]).map(() => null),
    'the capture without handles has NULL for every type',
  );
  // Per capture, the types add up to the capture's handle count.
  const processPoints = await withStore((store) => processSeries(store, { pid: recorded.target.pid }));
  for (const p of processPoints.slice(0, 4)) {
    const sum = points.filter((q) => q.capture_id === p.capture_id).reduce((s, q) => s + (q.handle_count ?? 0), 0);
    t.is(sum, p.handles ?? -1);
  }
  t.true(procEntries(recorded.target.pid, 'fd').length >= (processPoints[3]?.handles ?? Infinity));
});

test('regionTypeSeries: regions and committed bytes per memory type add up to the capture', async (t) => {
  const points = await withStore((store) => regionTypeSeries(store, { pid: recorded.target.pid }));
  const first = points.filter((p) => p.capture_id === recorded.captureIds[0]);
  t.deepEqual(
    first.map((p) => p.type_name),
    ['image', 'private'],
  );
  const store = openStore(recorded.db, { readonly: true });
  try {
    const totals = store
      .reader<{ n: number; bytes: number }>(
        'SELECT count(*) AS n, total(CASE WHEN state = 0x1000 THEN region_size_bytes END) AS bytes FROM regions WHERE capture_id = ?',
      )
      .get(recorded.captureIds[0]);
    t.is(
      first.reduce((s, p) => s + (p.region_count ?? 0), 0),
      totals?.n ?? -1,
    );
    t.is(
      first.reduce((s, p) => s + (p.committed_bytes ?? 0), 0),
      totals?.bytes ?? -1,
      'committed: the reserved guard pages of thread stacks are not',
    );
  } finally {
    store.close();
  }
  t.true(points.filter((p) => p.capture_id === recorded.captureIds[4]).every((p) => p.region_count === null));
  t.true(points.every((p) => p.resident_bytes === null), 'resident sizes need --details');
});
