/**
 * A file system that hangs (a dead hard-mounted NFS share, a stuck FUSE daemon): a process holds
 * a file of it open and mapped, as a library. test/fixtures/blocking-fs.c is a FUSE file system
 * whose every getattr waits, after SIGUSR1, until SIGUSR2. pssql must not hang with it: a capture
 * gives up within its deadline, a recorder goes on (and on with every other process), and Ctrl-C
 * stops a recorder within a second. Needs root and /dev/fuse (CI has both).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { PSSQL_BIN, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

const PROJECT = path.dirname(path.dirname(PSSQL_BIN));

function buildFs(): string {
  const binary = path.join(PROJECT, 'test/.cache/blocking-fs');
  const source = path.join(PROJECT, 'test/fixtures/blocking-fs.c');
  if (!fs.existsSync(binary) || fs.statSync(binary).mtimeMs < fs.statSync(source).mtimeMs) {
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'fuse'], { encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('cc', ['-O2', '-o', `${binary}.${process.pid}`, source, ...flags]);
    fs.renameSync(`${binary}.${process.pid}`, binary);
  }
  return binary;
}

function run(args: string[], timeoutMs = 30_000) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [PSSQL_BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

test('a process with a library on a file system that hangs: capture gives up in time, a recorder goes on, Ctrl-C works', async (t) => {
  const reason =
    process.getuid?.() !== 0 ? 'needs root to mount a FUSE file system' : !fs.existsSync('/dev/fuse') ? 'no /dev/fuse' : spawnSync('pkg-config', ['--exists', 'fuse']).status !== 0 ? 'libfuse-dev is not installed' : null;
  if (reason !== null) {
    if (process.env.CI === 'true') t.fail(`CI must run the hung file system test, but: ${reason}`);
    else t.pass(`skipped: ${reason}`);
    return;
  }
  const mount = tempDir('pssql-fuse-');
  const daemon: ChildProcess = spawn(buildFs(), [mount], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !fs.existsSync(path.join(mount, 'lib.so')); i++) await new Promise((r) => setTimeout(r, 50));
  const target = await startTarget(['--files', '3', '--hold-file', path.join(mount, 'lib.so')]);
  const db = path.join(tempDir(), 'hung.db');
  try {
    // While the file system answers, its file is captured like any other.
    const fine = run(['capture', String(target.pid), '--db', db, '--format', 'json']);
    t.is(fine.code, 0, fine.stderr);
    daemon.kill('SIGUSR1');
    await new Promise((r) => setTimeout(r, 200));
    // A stat stuck there ends only when the file system answers, whatever the signal: not waited for.
    const probe = spawn('stat', [path.join(mount, 'lib.so')], { stdio: 'ignore' });
    const probed = await Promise.race([new Promise((r) => probe.once('exit', () => r('answered'))), new Promise((r) => setTimeout(() => r('hangs'), 1000))]);
    t.is(probed, 'hangs', 'the file system hangs now');

    const capture = run(['capture', String(target.pid), '--db', db]);
    t.is(capture.code, 6, capture.stderr);
    t.regex(capture.stderr, /^pssql: cannot capture pid \d+: .*did not answer within 1 s .*the capture is skipped/);
    t.true(capture.ms < 10_000, `capture gave up in ${capture.ms} ms`);

    const record = run(['record', String(target.pid), '--every', '300ms', '--count', '5', '--db', db, '--format', 'json']);
    t.is(record.code, 0, record.stderr);
    const [summary] = JSON.parse(record.stdout) as Record<string, number>[];
    t.is(summary?.captures, 4, 'the capture past its deadline is skipped, the others are made (that file system left alone)');
    t.is((record.stderr.match(/did not answer/g) ?? []).length, 1, 'said once');

    const all = run(['record', '--all', '--every', '500ms', '--count', '2', '--db', path.join(tempDir(), 'all.db'), '--format', 'json'], 60_000);
    t.is(all.code, 0, all.stderr);
    t.true(((JSON.parse(all.stdout) as Record<string, number>[])[0]?.captures ?? 0) > 10, 'record --all records every other process');

    // Ctrl-C while a capture waits on the file system: a fresh recorder, its first capture.
    const recorder = spawn(process.execPath, [PSSQL_BIN, 'record', String(target.pid), '--every', '5s', '--db', path.join(tempDir(), 'ctrl-c.db'), '--verbose'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const capturing = new Promise<void>((resolve) => recorder.stderr?.on('data', (c: Buffer) => ((log += c), /capturing pid/.test(log) && resolve())));
    const closed = new Promise<number | null>((resolve) => recorder.once('close', resolve));
    await capturing;
    const sent = Date.now();
    recorder.kill('SIGINT');
    const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still running after 10 s'), 10_000))]);
    if (code === 'still running after 10 s') recorder.kill('SIGKILL');
    t.is(code, 0, log);
    // At most the capture's budget (1 s) and the stat process's start (1 s) after the signal.
    t.true(Date.now() - sent < 3500, `stopped ${Date.now() - sent} ms after Ctrl-C`);
  } finally {
    daemon.kill('SIGUSR2');
    await target.stop();
    spawnSync('fusermount', ['-u', '-z', mount]);
    daemon.kill('SIGTERM');
  }
});
