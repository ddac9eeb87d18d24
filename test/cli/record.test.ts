import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import test from 'ava';
import { PSSQL_BIN, pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { PROJECT_ROOT, procEntries, startTarget } from '../helpers/target.js';
import { assertWholeCaptures } from '../helpers/consistency.js';
import { startNamedTarget, uniqueName } from '../recorder/named-target.js';

/**
 * `pssql record ...` running in the background, with a way to wait for a line of its stderr. The
 * tests that use it are serial: the others block this process in spawnSync, and a signal sent
 * seconds after the line it answers would test nothing.
 */
function startRecord(args: string[]) {
  const child = spawn(process.execPath, [PSSQL_BIN, 'record', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern: RegExp): Promise<void> =>
      pattern.test(stderr) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pattern, resolve })),
    exit: once(child, 'close') as Promise<[number | null]>,
  };
}

test('record --every 1s --count 5 on a process that opens a file each second: 5 captures, and diff first latest shows the 4 new fds', async (t) => {
  const target = await startTarget(['--files', '2', '--open-every', '1000']);
  const db = `${tempDir()}/leak.db`;
  try {
    // Start right after the target opened a file: its opens then fall mid-way between two ticks,
    // far from any capture (node starts in well under the second before the next open).
    const before = procEntries(target.pid, 'fd').length;
    while (procEntries(target.pid, 'fd').length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    const [summary] = pssqlJson(['record', String(target.pid), '--every', '1s', '--count', '5', '--db', db]);
    t.like(summary, { captures: 5, rounds: 5, failures: 0, targets_dropped: 0, overruns: 0, stopped_by: 'count' });

    const captures = pssqlJson(['list', '--db', db]);
    t.is(captures.length, 5);
    const fds = (ref: string) => pssqlJson(['show', ref, 'handles', '--db', db]).map((h) => h.handle_value as number);
    const first = fds('first');
    const last = fds('latest');
    const opened = last.filter((fd) => !first.includes(fd));

    const diff = pssqlJson<Record<string, any>>(['diff', 'first', 'latest', '--db', db]);
    const added = diff.handles.added as Record<string, unknown>[];
    t.deepEqual(
      added.map((h) => h.handle_value),
      opened,
      'the diff adds exactly the fds the last capture has and the first has not',
    );
    t.is(added.length, 4, 'one file a second, 4 seconds between the first and the last capture');
    for (const h of added) t.regex(String(h.object_name), /\/leak-\d+$/);
    t.deepEqual(diff.handles.removed, []);
    t.deepEqual(diff.handles.changed, [], 'open files that did not change are not reported, whatever their position');
    t.like(diff.summary.kinds[1], { kind: 'handles', before: first.length, after: last.length, added: 4, removed: 0, changed: 0 });
    t.like(diff.summary.handle_types[0], { type: 'File', delta: 4, added: 4 });
    assertWholeCaptures(t, db);
  } finally {
    await target.stop();
  }
});

test.serial('Ctrl-C during a capture finishes that capture, exits 0 with a summary, and leaves only whole captures', async (t) => {
  // Large enough that a capture takes a while, so the signal arrives while one is running.
  const target = await startTarget(['--files', '2000', '--threads', '50', '--regions', '20000']);
  const db = `${tempDir()}/sigint.db`;
  try {
    const run = startRecord([String(target.pid), '--every', '1s', '--verbose', '--db', db, '--format', 'json']);
    // The line is written just before the capture starts; the signal follows it at once.
    await run.waitFor(/round 2: capturing pid/);
    run.child.kill('SIGINT');
    const [code] = await run.exit;
    t.is(code, 0, run.stderr());
    const [summary] = JSON.parse(run.stdout()) as Record<string, unknown>[];
    t.like(summary, { captures: 2, rounds: 2, stopped_by: 'SIGINT', failures: 0 }, run.stderr());
    t.true((summary?.database_size_bytes as number) > 0);
    // Its own peak memory: more than a bare Node's, well under a gigabyte.
    t.true((summary?.peak_memory_bytes as number) > 20 * 2 ** 20 && (summary?.peak_memory_bytes as number) < 2 ** 30, String(summary?.peak_memory_bytes));
    t.regex(run.stderr(), /SIGINT: stopping after the capture in progress/);
    t.regex(run.stderr(), /round 2: capture 2 of pid \d+ \(target\)/, 'the capture in progress was written');
    t.deepEqual(assertWholeCaptures(t, db).ids, [1, 2]);
  } finally {
    await target.stop();
  }
});

test.serial('SIGTERM between captures stops at once, exits 0 with a summary', async (t) => {
  const target = await startTarget(['--files', '3']);
  const db = `${tempDir()}/sigterm.db`;
  try {
    const run = startRecord([String(target.pid), '--every', '1h', '--verbose', '--db', db]);
    await run.waitFor(/round 1: capture 1 of/);
    run.child.kill('SIGTERM');
    const [code] = await run.exit;
    t.is(code, 0, run.stderr());
    const out = run.stdout();
    t.regex(out, /^captures\s+1$/m);
    t.regex(out, /^stopped_by\s+SIGTERM$/m);
    t.regex(out, /^database_size_bytes\s+\d+(\.\d+)? KiB$/m);
    t.deepEqual(assertWholeCaptures(t, db).ids, [1]);
  } finally {
    await target.stop();
  }
});

test('--keep N keeps the newest N captures of each process, pruned as it records', async (t) => {
  const target = await startTarget(['--files', '1', '--open-every', '30']);
  const db = `${tempDir()}/keep.db`;
  try {
    const [summary] = pssqlJson(['record', String(target.pid), '--every', '50ms', '--count', '5', '--keep', '2', '--db', db]);
    t.like(summary, { captures: 5, captures_pruned: 3 });
    t.deepEqual(
      pssqlJson(['list', '--db', db]).map((c) => c.capture_id),
      [4, 5],
    );
    assertWholeCaptures(t, db);
  } finally {
    await target.stop();
  }
});

test.serial('--name picks up the processes of that name and drops them when they exit', async (t) => {
  const name = uniqueName('pssname');
  const named = await startNamedTarget(name, ['--files', '1']);
  const db = `${tempDir()}/name.db`;
  const run = startRecord(['--name', name, '--every', '20ms', '--verbose', '--db', db, '--format', 'json']);
  await run.waitFor(new RegExp(`capture 1 of pid ${named.pid} \\(${name}\\)`));
  await named.stop();
  await run.waitFor(new RegExp(`pid ${named.pid} \\(${name}\\) exited: no longer recorded`));
  run.child.kill('SIGINT');
  const [code] = await run.exit;
  t.is(code, 0, run.stderr());
  const [summary] = JSON.parse(run.stdout()) as Record<string, unknown>[];
  t.like(summary, { targets: 1, targets_dropped: 1, stopped_by: 'SIGINT', failures: 0 }, 'a process that exits is dropped, and is no failure');
  t.like((summary?.dropped as Record<string, unknown>[])[0], { pid: named.pid, name, reason: 'exited' });
  t.deepEqual(
    [...new Set(pssqlJson(['list', '--db', db]).map((c) => c.pid))],
    [named.pid],
  );
  assertWholeCaptures(t, db);
});

test('mistakes are one line and a usage exit code; a pid that is not there is exit 3', async (t) => {
  const db = `${tempDir()}/bad.db`;
  const cases: [string[], number, RegExp][] = [
    [['record', '1', '--every', '5'], 2, /^pssql: invalid --every '5': give a unit/],
    [['record', '1', '--every', '5ms'], 2, /^pssql: --every 5ms is too short: 10ms at least/],
    [['record', '1', '--for', 'soon'], 2, /^pssql: invalid --for 'soon'/],
    [['record', '1', '--max-age', '1y'], 2, /^pssql: invalid --max-age '1y'/],
    [['record', '1', '--count', '0'], 2, /^pssql: count must be a positive integer/],
    [['record'], 2, /^pssql: say what to record: pids, --name NAME or --all/],
    [['record', 'abc'], 2, /^pssql: invalid pid 'abc'/],
  ];
  for (const [args, code, message] of cases) {
    const result = pssql([...args, '--db', db]);
    // stderr in the message: a CI run once saw exit 1 here, and did not say why.
    t.is(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    t.regex(result.stderr, message, args.join(' '));
    t.is(result.stderr.trim().split('\n').length <= 2, true, 'one line (and the hint to --help)');
  }
  const target = await startTarget([]);
  const gone = target.pid;
  await target.stop();
  const missing = pssql(['record', String(gone), '--count', '3', '--every', '10ms', '--db', db]);
  t.is(missing.code, 3);
  t.is(missing.stderr, `pssql: cannot capture pid ${gone}: no such process\n`);
  t.is(missing.stdout, '');
  t.false(fs.existsSync(db), 'no empty recording is left behind');
});

test('the status line shows on a terminal only; --quiet silences it', async (t) => {
  const target = await startTarget([]);
  const dir = tempDir();
  try {
    const command = (extra: string) =>
      `${JSON.stringify(process.execPath)} ${JSON.stringify(PSSQL_BIN)} record ${target.pid} --every 10ms --count 3 --db ${dir}/tty.db ${extra} > ${dir}/out.txt`;
    // A terminal of 120 columns, so that the status line is not cut.
    const script = spawnSync('script', ['-qec', `stty cols 120; ${command('')}`, '/dev/null'], { encoding: 'utf8' });
    if (script.error !== undefined) return t.pass('no `script` here to give pssql a terminal');
    t.is(script.status, 0, script.stdout);
    t.regex(script.stdout, /\r\x1b\[2Krecording 1 process: \d captures, last \d.* ms, \d+ rows, \d[\d.]* [KM]?i?B( \+ \d[\d.]* [KM]?i?B WAL)? \(Ctrl-C to stop\)/);
    t.regex(fs.readFileSync(`${dir}/out.txt`, 'utf8'), /^captures\s+3$/m, 'the summary on stdout');

    const quiet = spawnSync('script', ['-qec', command('--quiet'), '/dev/null'], { encoding: 'utf8' });
    t.is(quiet.stdout.includes('recording 1 process'), false);
    // Not a terminal: nothing on stderr at all (at an interval no round overruns, which would be said).
    // 1s: under the load of the whole suite, a round of 200ms was seen to overrun.
    const piped = pssql(['record', String(target.pid), '--every', '1s', '--count', '2', '--db', `${dir}/pipe.db`]);
    t.is(piped.code, 0);
    t.is(piped.stderr, '');
  } finally {
    await target.stop();
  }
});
