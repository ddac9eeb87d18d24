/**
 * Running out of resources: the disk fills up during a capture, or the fd limit is reached.
 * A clear error, and every capture recorded before it intact.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { pssql, tempDir } from '../helpers/cli.js';
import { buildFixture, PROJECT_ROOT, startTarget } from '../helpers/target.js';
import { startNamedTarget, uniqueName } from '../recorder/named-target.js';
import { assertWholeCaptures } from '../helpers/consistency.js';

const isRoot = process.getuid?.() === 0;

function mountTmpfs(sizeBytes: number): string | null {
  if (!isRoot) return null;
  const dir = fs.mkdtempSync(`${os.tmpdir()}/pssql-full-`);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'pssql-full', dir]);
  } catch {
    fs.rmdirSync(dir);
    return null;
  }
  process.on('exit', () => {
    spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('the disk fills up during a capture: a clear error, and every earlier capture intact', async (t) => {
  const dir = mountTmpfs(2 * 1024 * 1024);
  if (dir === null) {
    if (process.env.CI === 'true') t.fail('CI must run the disk-full test (as root, to mount a small tmpfs)');
    else t.pass('skipped: mounting a small tmpfs needs root');
    return;
  }
  const db = `${dir}/full.db`;
  const target = await startTarget(['--files', '1500', '--threads', '20', '--regions', '1500']);
  let full: ReturnType<typeof pssql> | null = null;
  let captured = 0;
  try {
    for (let i = 0; i < 100 && full === null; i++) {
      // Every other capture takes threads only: the next full one stores every fd and region again.
      const result = pssql(['capture', String(target.pid), '--db', db, '--flags', i % 2 === 0 ? 'default' : 'threads']);
      if (result.code === 0) captured++;
      else full = result;
    }
  } finally {
    await target.stop();
  }
  t.truthy(full, 'the disk filled up');
  t.is(full?.code, 6, 'exit code 6: out of a resource');
  t.regex(full?.stderr ?? '', /^pssql: cannot write .*full\.db: database or disk is full\n$/);
  t.true(captured > 0, `captures before the disk was full (${captured})`);
  const report = assertWholeCaptures(t, db);
  t.is(report.ids.length, captured, 'every capture that succeeded is there, the failed one is not');
  // Once there is room again, the same recording goes on.
  execFileSync('mount', ['-o', 'remount,size=64m', dir]);
  t.is(pssql(['capture', String(process.pid), '--db', db]).code, 0);
  t.is(assertWholeCaptures(t, db).ids.length, captured + 1);
  t.log(`disk full after ${captured} captures; the recording stayed valid and went on`);
});

test('the fd limit is reached while capturing: a clear error, not a crash', async (t) => {
  const target = await startTarget(['--files', '50', '--threads', '3']);
  try {
    // A process that uses up its fds, then captures: every /proc open fails with EMFILE.
    const script = `
      import * as fs from 'node:fs';
import * as os from 'node:os';
      const { captureSnapshot } = await import(${JSON.stringify(`${PROJECT_ROOT}dist/src/index.js`)});
      const held = [];
      try { for (;;) held.push(fs.openSync('/dev/null', 'r')); } catch {}
      try { captureSnapshot({ pid: ${target.pid} }); console.log(JSON.stringify({ ok: true })); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
    `;
    const result = spawnSync('prlimit', ['--nofile=1024:1024', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    t.is(result.status, 0, result.stderr);
    const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}');
    t.like(outcome, { name: 'PssError', code: 'ERROR_TOO_MANY_OPEN_FILES' });
    t.regex(outcome.message, /too many open files while reading \/proc\/\d+\/.*raise the limit \(ulimit -n\)/);
    // And the CLI with fewer and fewer fds, down to where it cannot even start: it captures, or
    // says in one line that it ran out of fds (exit code 6). Node itself needs some 18 to run, the
    // bundled CLI a few more to start (it loads few files): below 24, one fd less at a time.
    const starts: string[] = [];
    for (let limit = 48; limit >= 16 && starts.length === 0; limit -= limit > 24 ? 4 : 1) {
      const cli = spawnSync('prlimit', [`--nofile=${limit}:${limit}`, process.execPath, `${PROJECT_ROOT}bin/pssql.js`, 'capture', String(target.pid), '--db', `${tempDir()}/x.db`], {
        encoding: 'utf8',
      });
      if (cli.status === 0) continue;
      t.is(cli.status, 6, `limit ${limit}: ${cli.stderr}`);
      t.regex(cli.stderr, /^pssql: (cannot start: EMFILE: )?too many open files/, `limit ${limit}`);
      t.is(cli.stderr.trim().split('\n').length, 1, `limit ${limit}: one line`);
      if (cli.stderr.startsWith('pssql: cannot start')) starts.push(String(limit));
    }
    t.true(starts.length > 0, 'some limit is too low even to start');
  } finally {
    await target.stop();
  }
});

/**
 * A recorder that runs short of fds while a flag file exists: every open() it makes fails with
 * EMFILE then (test/fixtures/fd-shortage.c, preloaded: prlimit on another process needs
 * CAP_SYS_RESOURCE, which a sandbox may not give).
 */
function shortOfFds(args: string[], flag: string) {
  const child = spawn(process.execPath, [`${PROJECT_ROOT}bin/pssql.js`, ...args], {
    env: { ...process.env, LD_PRELOAD: buildFixture('fd-shortage', 'shared-library'), PSSQL_FD_SHORTAGE: flag },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (out.stdout += c));
  child.stderr?.on('data', (c: Buffer) => (out.stderr += c));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, out, closed };
}

test('a short fd shortage of the recorder: its targets are kept and recorded again after; a lasting one ends it with exit 6', async (t) => {
  const target = await startTarget(['--files', '30']);
  // A name of its own: 'target' would also pick up the short-lived targets of the tests beside this one.
  const name = uniqueName('pssqlshort');
  const named = await startNamedTarget(name, ['--files', '5']);
  try {
    const db = `${tempDir()}/short.db`;
    const flag = `${tempDir()}/short-of-fds`;
    const { out, closed } = shortOfFds(['record', String(target.pid), '--name', name, '--every', '200ms', '--for', '10s', '--db', db, '--format', 'json'], flag);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // For 1.5 s no fd can be opened: every /proc read fails with EMFILE.
    fs.writeFileSync(flag, '');
    const shortFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    fs.rmSync(flag);
    const shortUntil = Date.now();
    const code = await closed;
    const { stdout, stderr } = out;
    t.is(code, 0, stderr);
    t.regex(stderr, /too many open files/, 'the shortage was said');
    const [summary] = JSON.parse(stdout) as Record<string, unknown>[];
    t.like(summary, { targets_dropped: 0, stopped_by: 'duration' });
    const store = new BetterSqlite3(db, { readonly: true });
    try {
      for (const pid of [target.pid, named.pid]) {
        const after = store.prepare('SELECT count(*) FROM captures WHERE pid = ? AND recorded_at_us > ?').pluck().get(pid, shortUntil * 1000) as number;
        t.true(after >= 3, `pid ${pid} recorded again after the shortage (${after} captures)`);
      }
      t.true((store.prepare('SELECT count(*) FROM captures WHERE recorded_at_us BETWEEN ? AND ?').pluck().get(shortFrom * 1000 + 300_000, shortUntil * 1000 - 300_000) as number) === 0, 'none during it');
    } finally {
      store.close();
    }

    // A shortage that does not end: the recorder gives up after ten rounds or 10 s, exit code 6.
    const lasting = shortOfFds(['record', String(target.pid), '--every', '200ms', '--db', db], flag);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    fs.writeFileSync(flag, '');
    const lastingCode = await Promise.race([lasting.closed, new Promise<string>((resolve) => setTimeout(() => resolve('still running after 60 s'), 60_000))]);
    if (lastingCode === 'still running after 60 s') lasting.child.kill('SIGKILL');
    t.is(lastingCode, 6, lasting.out.stderr);
    t.regex(lasting.out.stderr, /pssql: too many open files.* the recording cannot go on/);
  } finally {
    await target.stop();
    await named.stop();
  }
});
