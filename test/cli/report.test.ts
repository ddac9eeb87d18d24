import * as fs from 'node:fs';
import test from 'ava';
import { CaptureFlags, combineFlags } from '../../src/index.js';
import { recordCaptures } from '../analysis/record-target.js';
import { startWxTarget, type WxTarget } from '../analysis/wx-target.js';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { startTarget, type Target } from '../helpers/target.js';

/*
 * One recording of four processes whose numbers the tests know:
 *  - steady: 3 files (file-0 deleted), 3 pipes, TCP listener + connected pair, UDP, unix pair,
 *    a memfd, 2 idle threads, and an 8 MiB file mapped and then deleted; captured twice;
 *  - wx: one read-write-execute region of 3 pages; captured once, regions only (no perf counters);
 *  - busy: one thread that opens and closes files without pause; captured once;
 *  - leak: one file, and one more every 50 ms; captured 6 times, 150 ms apart.
 */
const dir = tempDir();
const db = `${dir}/reports.db`;
const mapFile = `${dir}/mapped.bin`;
const MAP_SIZE = 8 * 1024 * 1024;
let steady: Target;
let wx: WxTarget;
let busy: Target;
let leak: Target;
const ids = { steady: [] as number[], wx: 0, busy: 0, leak: [] as number[] };
/** The thread of the busy target that /proc showed running, and its CPU ticks then. */
let busyTid = 0;

/** CPU ticks (user + system) of each thread of a process, from /proc (stat is parsed after the last ')'). */
function threadTicks(pid: number): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // a short-lived thread of the churn loop that exited meanwhile
    }
  }
  return ticks;
}
/** What /proc/PID/fd of the steady target held when it was captured: link targets. */
let steadyFds: string[];

test.before(async () => {
  fs.writeFileSync(mapFile, Buffer.alloc(MAP_SIZE, 7));
  steady = await startTarget([
    ...['--files', '3', '--pipes', '3', '--tcp', '1', '--udp', '1', '--unix', '1', '--misc', '--memfds', '1'],
    ...['--threads', '2', '--regions', '6', '--map-file', mapFile],
  ]);
  fs.unlinkSync(mapFile);
  fs.unlinkSync(`${steady.dir}/file-0.txt`);
  steadyFds = fs.readdirSync(`/proc/${steady.pid}/fd`).map((fd) => fs.readlinkSync(`/proc/${steady.pid}/fd/${fd}`));
  ids.steady = await recordCaptures(db, steady.pid, 2);

  wx = await startWxTarget(3);
  [ids.wx] = (await recordCaptures(db, wx.pid, 1, 0, { flags: combineFlags(CaptureFlags.VaSpace, CaptureFlags.VaSpaceSectionInformation) })) as [number];

  busy = await startTarget(['--threads', '1', '--churn', '1']);
  // Wait until the churn thread has run 50 ms (5 ticks), however loaded the machine is.
  for (let waited = 0; busyTid === 0 && waited < 20_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const [tid, ticks] of threadTicks(busy.pid)) if (tid !== busy.pid && ticks >= 5) busyTid = tid;
  }
  [ids.busy] = (await recordCaptures(db, busy.pid, 1)) as [number];

  leak = await startTarget(['--files', '1', '--pipes', '1', '--open-every', '50']);
  ids.leak = await recordCaptures(db, leak.pid, 6, 150);
});
test.after.always(async () => {
  await Promise.all([steady?.stop(), wx?.stop(), busy?.stop(), leak?.stop()]);
});

type Row = Record<string, unknown>;
const report = (name: string, ...args: string[]): Row[] => pssqlJson(['report', name, '--db', db, ...args]);
const steadyCapture = (): string => String(ids.steady[1]);

test('report --list: every built-in report with its description and parameters', (t) => {
  const list = pssqlJson(['report', '--list', '--db', db]);
  t.deepEqual(
    list.map((r) => r.name),
    [
      'capture-cost',
      'container-processes',
      'containers',
      'deleted-files',
      'fd-limit',
      'handles-by-type',
      'handles-matching',
      'handles-over-time',
      'largest-mapped-files',
      'leak-suspects',
      'memory-by-type',
      'memory-over-time',
      'process-captures',
      'regions-over-time',
      'sockets',
      'threads-by-cpu',
      'writable-executable',
    ],
  );
  for (const r of list) {
    t.true(String(r.description).length > 20, `${r.name} says what it shows`);
    t.is(r.source, 'built-in');
  }
  t.is(list.find((r) => r.name === 'handles-by-type')?.parameters, '--capture capture=latest');
  t.is(
    list.find((r) => r.name === 'leak-suspects')?.parameters,
    '--min-captures integer=3, --min-monotonic real=0.8, --pid pid=null, --name text=null, --since time=null, --until time=null, --last integer=null, --host text=null, --recording text=null',
    'its own parameters, then those of handles-over-time and process-captures it builds on',
  );
});

test('handles-by-type: the counts /proc showed, per type', (t) => {
  const rows = report('handles-by-type', '--capture', steadyCapture());
  const count = (type: string) => rows.find((r) => r.type_name === type)?.handles;
  t.is(count('Pipe'), steadyFds.filter((l) => l.startsWith('pipe:')).length);
  t.is(count('Socket'), steadyFds.filter((l) => l.startsWith('socket:')).length);
  t.is(count('Memfd'), 1);
  t.is(count('File'), 3);
  t.is(
    rows.reduce((sum, r) => sum + (r.handles as number), 0),
    steadyFds.length,
  );
  t.deepEqual(
    rows.map((r) => r.handles),
    rows.map((r) => r.handles as number).sort((a, b) => b - a),
    'most first',
  );
  const latest = report('handles-by-type');
  t.deepEqual(
    latest.find((r) => r.type_name === 'File'),
    report('handles-by-type', '--capture', String(ids.leak.at(-1))).find((r) => r.type_name === 'File'),
    'the default is the latest capture',
  );
});

test('handles-matching: the 3 pipes are 6 fds of type Pipe; files by name pattern; any case', (t) => {
  const pipes = report('handles-matching', '--capture', steadyCapture(), '--type', 'pipe');
  const fixturePipes = pipes.filter((r) => steady.fds.pipe.includes(r.handle_value as number));
  t.is(fixturePipes.length, 6);
  t.true(pipes.every((r) => r.type_name === 'Pipe'));
  const files = report('handles-matching', '--capture', steadyCapture(), '--type', 'FILE', '--pattern', '%/file-%');
  t.deepEqual(
    files.map((r) => r.handle_value),
    steady.fds.file,
  );
  t.deepEqual(
    files.map((r) => r.access),
    ['r', 'rw', 'r'],
    'the fixture opens even files read-only, odd ones read-write',
  );
  t.is(report('handles-matching', '--capture', steadyCapture(), '--pattern', '%.nothing').length, 0);
  t.is(report('handles-matching', '--capture', steadyCapture()).length, steadyFds.length, 'by default, every handle');
});

test('largest-mapped-files: the 8 MiB file first, with its size', (t) => {
  const rows = report('largest-mapped-files', '--capture', steadyCapture(), '--limit', '1');
  t.deepEqual(rows, [{ file: `${mapFile} (deleted)`, type: 'mapped', regions: 1, mapped_bytes: MAP_SIZE, resident_bytes: null, protections: 'r--' }]);
  const all = report('largest-mapped-files', '--capture', steadyCapture());
  t.true(all.some((r) => /\/libc\.so/.test(String(r.file)) && r.type === 'image'));
  t.false(all.some((r) => String(r.file).startsWith('[')), 'pseudo-names like [vdso] are not files');
});

test('memory-by-type: regions and bytes by type, state and protection add up to the capture', (t) => {
  const rows = report('memory-by-type', '--capture', steadyCapture());
  t.deepEqual(
    rows.filter((r) => r.type === 'mapped').map((r) => [r.state, r.protection, r.protection_name, r.regions, r.size_bytes]),
    [['commit', 'r--', 'PAGE_READONLY', 1, MAP_SIZE]],
  );
  const [totals] = pssqlJson([
    'query',
    'SELECT count(*) AS regions, sum(region_size_bytes) AS bytes FROM regions WHERE capture_id = :capture',
    '--capture',
    steadyCapture(),
    '--db',
    db,
  ]);
  t.is(
    rows.reduce((s, r) => s + (r.regions as number), 0),
    totals?.regions as number,
  );
  t.is(
    rows.reduce((s, r) => s + (r.size_bytes as number), 0),
    totals?.bytes as number,
  );
  t.true(rows.some((r) => r.type === 'private' && r.protection === 'rw-' && (r.regions as number) >= 3), 'the alternating rw- pages');
});

test('writable-executable: exactly the rwx region of the wx fixture; none in a plain process', (t) => {
  const rows = report('writable-executable', '--capture', String(ids.wx));
  t.deepEqual(rows, [
    {
      base_address: `0x${BigInt(wx.base).toString(16)}`,
      region_size_bytes: wx.size,
      protection: 'rwx',
      protection_name: 'PAGE_EXECUTE_READWRITE',
      type: 'private',
      mapped_file_name: null,
    },
  ]);
  const none = pssql(['report', 'writable-executable', '--capture', steadyCapture(), '--db', db]);
  t.is(none.code, 0);
  t.regex(none.stdout, /^base_address\s+region_size_bytes\s+protection\s+protection_name\s+type\s+mapped_file_name\n-+/, 'headers without rows');
  t.is(none.stdout.trim().split('\n').length, 2);
});

test("deleted-files: the deleted mapped file and the fd to the deleted file; a memfd's '(deleted)' is not a file", (t) => {
  const rows = report('deleted-files', '--capture', steadyCapture());
  t.deepEqual(rows, [
    { file: `${steady.dir}/file-0.txt`, held_as: 'fd', entries: 1, fds: String(steady.fds.file[0]), mapped_bytes: null },
    { file: mapFile, held_as: 'mapped', entries: 1, fds: null, mapped_bytes: MAP_SIZE },
  ]);
  t.true(steadyFds.some((l) => l.startsWith('/memfd:') && l.endsWith(' (deleted)')), 'the memfd looks deleted to /proc');
});

test('sockets: endpoints and states of the listener, the connected pair, UDP and unix sockets', (t) => {
  const rows = report('sockets', '--capture', steadyCapture());
  t.is(rows.length, steadyFds.filter((l) => l.startsWith('socket:')).length);
  const tcp = rows.filter((r) => r.protocol === 'tcp');
  const local = `127.0.0.1:${steady.tcpPort}`;
  t.deepEqual(
    tcp.map((r) => [r.state, r.local_address === local || r.remote_address === local]),
    [
      ['LISTEN', true],
      ['ESTABLISHED', true],
      ['ESTABLISHED', true],
    ],
    'the listener first, then the client and the accepted end, both on its port',
  );
  t.is(tcp[0]?.handle_value, steady.fds.tcp[0]);
  t.deepEqual(
    tcp
      .slice(1)
      .map((r) => r.handle_value as number)
      .sort((a, b) => a - b),
    steady.fds.misc.slice(4),
  );
  t.is(rows.filter((r) => r.protocol === 'udp').length, 1);
  t.true(steady.fds.unix.every((fd) => rows.some((r) => r.handle_value === fd && r.protocol === 'unix')));
  t.deepEqual(
    report('sockets', '--capture', steadyCapture(), '--state', 'listen').map((r) => [r.protocol, r.local_address]),
    [['tcp', local]],
  );
});

test('threads-by-cpu: the busy thread first; idle threads used next to nothing', (t) => {
  const rows = report('threads-by-cpu', '--capture', String(ids.busy));
  const [first] = rows;
  t.is(first?.thread_id, busyTid, 'the churn thread, not the main thread, which only waits');
  t.true((first?.cpu_time_us as number) >= 50_000, `it had run 50 ms: ${String(first?.cpu_time_us)} µs`);
  t.true((first?.cpu_percent as number) > 50);
  t.is(rows.find((r) => r.name === 'fx-worker-0')?.cpu_time_us, 0);
  // Shares of the process's CPU time, which counts the churn's threads that have ended too. The
  // process's times are read before its threads', and the busy thread runs on between: on a
  // loaded machine the shares can add up to a little more than the whole.
  const sum = rows.reduce((s, r) => s + (r.cpu_percent as number), 0);
  t.true(sum <= 150 && sum > 50, `the live threads' shares are about the whole or less: ${sum}`);
  const [process] = pssqlJson(['query', 'SELECT user_time_us + kernel_time_us AS cpu FROM processes WHERE capture_id = :c', '--c', String(ids.busy), '--db', db]);
  t.is(first?.cpu_percent, Math.round((1000 * (first?.cpu_time_us as number)) / (process?.cpu as number)) / 10);

  const idle = report('threads-by-cpu', '--capture', steadyCapture());
  t.deepEqual(idle.map((r) => r.name).sort(), ['fx-worker-0', 'fx-worker-1', 'target']);
  t.is(report('threads-by-cpu', '--capture', steadyCapture(), '--limit', '1').length, 1);
});

test('process-captures: the captures of a process by pid or name, a time range, the newest N', (t) => {
  t.deepEqual(
    report('process-captures', '--pid', String(leak.pid)).map((r) => [r.capture_id, r.seq]),
    ids.leak.map((id, i) => [id, i + 1]),
  );
  const all = report('process-captures', '--name', 'target');
  t.is(all.length, 10, 'target and wx-target');
  t.deepEqual(
    report('process-captures', '--name', 'target', '--last', '3').map((r) => r.capture_id),
    all.slice(-3).map((r) => r.capture_id),
  );
  const since = all[2]?.started_at_us as number;
  t.deepEqual(
    report('process-captures', '--name', 'target', '--since', String(since), '--until', String(all[3]?.started_at_us)).map((r) => r.capture_id),
    [all[2]?.capture_id, all[3]?.capture_id],
  );
  t.like(report('process-captures', '--pid', String(wx.pid))[0], { handle_count: null, thread_count: null, name: 'wx-target' });
  // Times as people write them: ISO 8601 with its µs and a zone, and a time ago.
  const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d+Z$/, `.${String(us % 1_000_000).padStart(6, '0')}Z`);
  t.deepEqual(
    report('process-captures', '--name', 'target', '--since', iso(since), '--until', iso(all[3]?.started_at_us as number)).map((r) => r.capture_id),
    [all[2]?.capture_id, all[3]?.capture_id],
  );
  t.is(report('process-captures', '--name', 'target', '--since', '1h').length, 10, 'all of them were taken in the last hour');
  t.is(report('process-captures', '--name', 'target', '--until', '1h ago').length, 0);
});

test('handles-over-time: each capture of the leaking process, File growing, Pipe steady; the newest N', (t) => {
  const rows = report('handles-over-time', '--pid', String(leak.pid));
  const series = (type: string) => rows.filter((r) => r.type_name === type).map((r) => r.handle_count as number);
  t.deepEqual([...new Set(rows.map((r) => r.capture_id))], ids.leak);
  t.deepEqual([...new Set(rows.map((r) => r.seq))], [1, 2, 3, 4, 5, 6]);
  const files = series('File');
  t.is(files.length, 6);
  for (let i = 1; i < files.length; i++) t.true((files[i] as number) >= (files[i - 1] as number), `File never falls: ${files.join(', ')}`);
  t.true((files[5] as number) - (files[0] as number) >= 5, `about 3 files per 150 ms: ${files.join(', ')}`);
  const pipes = series('Pipe');
  t.true(pipes.every((n) => n === pipes[0] && n >= 2));
  const listed = pssqlJson(['list', '--pid', String(leak.pid), '--db', db]);
  for (const capture of listed) {
    const sum = rows.filter((r) => r.capture_id === capture.capture_id).reduce((s, r) => s + (r.handle_count as number), 0);
    t.is(sum, capture.handles as number);
  }
  t.deepEqual(
    [...new Set(report('handles-over-time', '--pid', String(leak.pid), '--last', '2').map((r) => r.capture_id))],
    ids.leak.slice(-2),
  );
  t.is(report('handles-over-time', '--name', 'wx-target').length, 0, 'the wx capture took no handles');
});

test('regions-over-time: regions and committed bytes per type add up to each capture; NULL without regions', (t) => {
  const rows = report('regions-over-time', '--pid', String(steady.pid));
  t.deepEqual([...new Set(rows.map((r) => r.capture_id))], ids.steady);
  const mapped = rows.filter((r) => r.type_name === 'mapped');
  t.deepEqual(
    mapped.map((r) => [r.region_count, r.committed_bytes]),
    [
      [1, MAP_SIZE],
      [1, MAP_SIZE],
    ],
  );
  const [totals] = pssqlJson([
    'query',
    'SELECT count(*) AS regions, total(CASE WHEN state = 0x1000 THEN region_size_bytes END) AS committed FROM regions WHERE capture_id = :capture',
    ...['--capture', steadyCapture(), '--db', db],
  ]);
  const last = rows.filter((r) => r.capture_id === ids.steady[1]);
  t.is(
    last.reduce((s, r) => s + (r.region_count as number), 0),
    totals?.regions as number,
  );
  t.is(
    last.reduce((s, r) => s + (r.committed_bytes as number), 0),
    totals?.committed as number,
  );
  t.true(report('regions-over-time', '--name', 'wx-target').every((r) => (r.region_count as number) > 0), 'the wx capture took regions');
});

test('leak-suspects: only the leaking process and type, at about 1200 files a minute, monotonic', (t) => {
  const rows = report('leak-suspects');
  t.is(rows.length, 1, JSON.stringify(rows));
  const [row] = rows;
  t.like(row, { pid: leak.pid, name: 'target', type_name: 'File', captures: 6, monotonic: 1 });
  const growth = row?.growth_per_minute as number;
  t.true(growth > 600 && growth < 1300, `one file per 50 ms is 1200 a minute: ${growth}`);
  t.true((row?.r2 as number) > 0.9);
  t.true((row?.last_count as number) > (row?.first_count as number));
  t.true((row?.span_us as number) >= 5 * 150_000);

  const quiet = pssql(['report', 'leak-suspects', '--pid', String(steady.pid), '--min-captures', '2', '--db', db]);
  t.is(quiet.code, 0);
  t.regex(quiet.stdout, /^host\s+pid\s+name\s+type_name\s+captures\s+first_count\s+last_count\s+growth_per_minute\s+r2\s+monotonic\s+span\n-/);
  t.is(quiet.stdout.trim().split('\n').length, 2, 'a steady process is no suspect');
  t.deepEqual(report('leak-suspects', '--min-captures', '7'), []);
});

test('memory-over-time: one row per capture, virtual size as the regions add up', (t) => {
  const rows = report('memory-over-time', '--pid', String(leak.pid));
  t.deepEqual(
    rows.map((r) => r.capture_id),
    ids.leak,
  );
  t.is(rows[0]?.resident_change_bytes, null);
  t.is(rows[1]?.resident_change_bytes, (rows[1]?.resident_bytes as number) - (rows[0]?.resident_bytes as number));
  for (const r of rows) t.true((r.resident_bytes as number) > 0 && (r.virtual_size_bytes as number) > (r.resident_bytes as number));
  // VmSize counts every mapping but [vsyscall], which the kernel lists in maps but outside the mm.
  const [mapped] = pssqlJson([
    'query',
    "SELECT sum(region_size_bytes) AS bytes FROM regions WHERE capture_id = :capture AND mapped_file_name IS NOT '[vsyscall]'",
    '--capture',
    String(ids.leak[0]),
    '--db',
    db,
  ]);
  t.is(rows[0]?.virtual_size_bytes, mapped?.bytes as number);
  t.is(report('memory-over-time', '--name', 'target').length, 10, 'a name matches every process whose name contains it');
});

test('capture-cost: each capture with its phases; a capture without performance counters has none', (t) => {
  const rows = report('capture-cost', '--pid', String(leak.pid));
  const listed = pssqlJson(['list', '--pid', String(leak.pid), '--db', db]);
  t.deepEqual(
    rows.map((r) => [r.capture_id, r.duration_us, r.handle_count]),
    listed.map((c) => [c.capture_id, c.duration_us, c.handles]),
  );
  for (const r of rows) {
    t.true((r.handles_us as number) >= 0 && (r.threads_us as number) >= 0 && (r.va_space_us as number) >= 0);
    t.true((r.handles_us as number) <= (r.duration_us as number));
    t.is(r.va_clone_us, null, 'Linux has no VA clone: not timed as 0');
  }
  const [wxCost] = report('capture-cost', '--pid', String(wx.pid));
  t.like(wxCost, { capture_id: ids.wx, handles_us: null, cpu_time_us: null, handle_count: null, thread_count: null });
  t.true((wxCost?.region_count as number) > 0);
  // The table heads durations without _us, and leaves out the Windows-only phase.
  const table = pssql(['report', 'capture-cost', '--pid', String(leak.pid), '--db', db]).stdout;
  t.regex(table, /^capture_id +pid +name +started_at +duration +cpu_time +handles +threads +va_space +handle_count +thread_count +region_count\n/);
});
