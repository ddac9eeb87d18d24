/**
 * Captures named by process: after captures of two processes, `latest`, `first` and `latest-N`
 * are counted among one process's captures with --pid/--name or a PID@/NAME@ prefix, on every
 * command that takes a capture; a pid where a capture id belongs gets a hint; diff says first
 * when it compares two processes.
 */
import { spawn } from 'node:child_process';
import test from 'ava';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { startTarget, type Target } from '../helpers/target.js';

let target: Target;
let sleeper: ReturnType<typeof spawn>;
let db: string;
/** Capture ids by process: target 1 and 3, sleep 2 and 4. */
test.before(async () => {
  target = await startTarget(['--files', '2', '--tcp', '1']);
  sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
  db = `${tempDir()}/two.db`;
  for (const pid of [target.pid, sleeper.pid, target.pid, sleeper.pid]) {
    const result = pssql(['capture', String(pid), '--db', db]);
    if (result.code !== 0) throw new Error(result.stderr);
  }
});
test.after.always(async () => {
  sleeper?.kill();
  await target?.stop();
});

const captureId = (args: string[]): unknown => pssqlJson(['show', ...args, '--db', db])[0]?.capture_id;

test('latest, first and latest-N count among the captures of one process, by option or by prefix', (t) => {
  const sleepPid = String(sleeper.pid);
  t.is(captureId(['latest']), 4, 'the whole recording');
  t.is(captureId(['latest', '--pid', String(target.pid)]), 3);
  t.is(captureId(['first', '--name', 'sleep']), 2);
  t.is(captureId(['latest-1', '--name', 'target']), 1);
  t.is(captureId([`${target.pid}@latest`]), 3);
  t.is(captureId([`${sleepPid}@first`]), 2);
  t.is(captureId(['sleep@latest-1']), 2);
  t.is(captureId(['target@latest', '--pid', sleepPid]), 3, "the reference's own prefix takes the place of --pid");
  t.is(captureId(['3', '--name', 'target']), 3, 'an id in the scope');

  const outside = pssql(['show', '2', '--name', 'target', '--db', db]);
  t.is(outside.code, 3);
  t.regex(outside.stderr, /^pssql: capture 2 in .* is not one of 'target'/);
  const tooFar = pssql(['show', 'target@latest-5', '--db', db]);
  t.is(tooFar.code, 3);
  t.regex(tooFar.stderr, /^pssql: no capture 'target@latest-5' in .*: 'target' has 2 captures \(see 'pssql list --name target'\)/);
  const bad = pssql(['show', 'nginx@yesterday', '--db', db]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /invalid capture 'nginx@yesterday'.*PID@ or NAME@/);
});

test('a recorded pid given as a capture id gets a hint', (t) => {
  const result = pssql(['show', String(target.pid), '--db', db]);
  t.is(result.code, 3);
  t.regex(result.stderr, new RegExp(`^pssql: no capture ${target.pid} in .*, but ${target.pid} is a recorded pid: its newest capture is ${target.pid}@latest \\(capture 3\\)`));
  const unknown = pssql(['show', '4000000', '--db', db]);
  t.regex(unknown.stderr, /^pssql: no capture 4000000 in .* \(see 'pssql list'\)$/m, 'no hint for a number that is no pid either');
});

test('diff: two processes are said so in the first line; one process by prefix or --pid is not', (t) => {
  const mixed = pssql(['diff', 'latest-1', 'latest', '--db', db]);
  t.is(mixed.code, 0, mixed.stderr);
  t.regex(mixed.stdout.split('\n')[0] ?? '', new RegExp(`^two different processes: A is pid ${target.pid} target on .*, B is pid ${sleeper.pid} sleep on .*--pid, --name, or 1234@first 1234@latest`));
  t.regex(mixed.stdout.split('\n')[3] ?? '', /^volatile fields .* not compared/, 'and not again on the third');
  const one = pssql(['diff', 'target@first', 'target@latest', '--db', db]);
  t.regex(one.stdout.split('\n')[0] ?? '', /^A {2}capture 1 in /, 'the same process: the usual first line');
  const scoped = pssqlJson<Record<string, { capture_id: number }>>(['diff', 'latest-1', 'latest', '--pid', String(sleeper.pid), '--db', db]);
  t.is(scoped.a?.capture_id, 2);
  t.is(scoped.b?.capture_id, 4);
  const located = pssqlJson<Record<string, { capture_id: number }>>(['diff', `${db}:sleep@first`, 'target@latest', '--db', db]);
  t.is(located.a?.capture_id, 2, 'FILE:NAME@REF');
  t.is(located.b?.capture_id, 3);
});

test('export and reports take the same references', (t) => {
  const exported = pssql(['export', `${target.pid}@first`, '--db', db]);
  t.is(exported.code, 0, exported.stderr);
  t.is((JSON.parse(exported.stdout) as { data: { info: { processId: number } } }).data.info.processId, target.pid);
  const byType = pssqlJson(['report', 'handles-by-type', '--capture', 'target@latest', '--db', db]);
  t.true(byType.some((r) => r.type_name === 'Socket'), "the target's capture, not the sleep's");
  // A report with a capture parameter takes --pid and --name to scope it.
  const sockets = pssqlJson(['report', 'sockets', '--name', 'target', '--db', db]);
  t.true(sockets.some((r) => r.local_address === `127.0.0.1:${target.tcpPort}`), 'the newest capture of target, not the newest of all (sleep has no socket)');
  const none = pssqlJson(['report', 'sockets', '--db', db]);
  t.deepEqual(none, [], 'unscoped, latest is the sleep, which has no socket');
  const query = pssqlJson(['query', 'SELECT pid FROM captures WHERE capture_id = :capture', '--capture', 'sleep@first', '--db', db]);
  t.deepEqual(query, [{ pid: sleeper.pid }]);
});

test('diff --limit N cuts each table of entries to N rows and says how many more; --limit 0 shows all and says nothing', (t) => {
  const cut = pssql(['diff', '2', '3', '--limit', '1', '--db', db]);
  t.is(cut.code, 0, cut.stderr);
  t.regex(cut.stdout, /^regions added \(\d+\)\n.*\n-+.*\n.*\n {2}… and \d+ more \(--limit 0 shows all; --format json has all\)$/m);
  const all = pssql(['diff', '2', '3', '--limit', '0', '--db', db]);
  t.false(all.stdout.includes('more (--limit 0'), 'nothing is said to be left out');
  const added = Number(/^regions added \((\d+)\)$/m.exec(all.stdout)?.[1]);
  const section = all.stdout.slice(all.stdout.indexOf('regions added'));
  t.is(section.split('\n\n')[0]?.split('\n').length, added + 3, 'the title, the header, the rule and every region');
});
