/**
 * The whole pssql CLI on a Windows runtime: the Windows node.exe 22 under Wine, with koffi's and
 * better-sqlite3 13's Windows builds, runs capture, record (by pid and by --name, with Toolhelp32
 * listing), list, show, report, diff and export against the test DLL (test/windows/cli-run.ts);
 * then the recording made under Wine is read here, on Linux, and every read command must say
 * the same. Also proven under Wine: PSSQL_PSS_LIBRARY is ignored outside the harness, the
 * recording is private to its owner, each console event stops a recording cleanly, a capture that
 * hangs inside a recording is skipped while it goes on.
 *
 * Skips where Wine cannot be set up (not root, no apt-get), unless CI=true.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pssql, tempDir } from '../../helpers/cli.js';
import { PROJECT_ROOT } from '../../helpers/target.js';

interface Run {
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

interface CliResults {
  node: string;
  targets: [number, number];
  commands: Record<string, Run>;
  plainBin: Run;
  acl: { dacl: string | null; user: string | null; code: number };
  consoleEvents: Record<'SIGINT' | 'SIGBREAK' | 'SIGHUP', Run>;
  hung: {
    summary: { rounds: number; captures: number; failures: number; dropped: { pid: number; reason: string; message: string }[]; stopReason: string };
    failures: string[];
  };
}

const setup = spawnSync('bash', [path.join(PROJECT_ROOT, 'test/windows/setup.sh')], { encoding: 'utf8', timeout: 20 * 60_000 });

function runUnderWine(): CliResults | { skip: string } | { failure: string } {
  if (setup.status === 3) {
    const reason = setup.stderr.trim().split('\n').at(-1) ?? 'Wine is unavailable';
    return process.env.CI === 'true' ? { failure: `CI must run the CLI under Wine, but: ${reason}` } : { skip: reason };
  }
  if (setup.status !== 0) return { failure: `setup.sh failed:\n${setup.stderr}` };
  const settings = Object.fromEntries(setup.stdout.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2))) as Record<string, string>;
  // An app of its own (the CLI with its migrations and reports) beside the harness's Windows modules.
  const app = tempDir('pssql-wine-cli-');
  fs.mkdirSync(path.join(app, 'dist'));
  // The bundle too: the plain bin/pssql.js below runs it, and its Windows capture thread, as users do.
  for (const part of ['src', 'test', 'bundle']) fs.cpSync(path.join(PROJECT_ROOT, 'dist', part), path.join(app, 'dist', part), { recursive: true });
  for (const part of ['bin', 'migrations', 'queries', 'package.json']) fs.cpSync(path.join(PROJECT_ROOT, part), path.join(app, part), { recursive: true });
  fs.symlinkSync(settings.NODE_MODULES as string, path.join(app, 'node_modules'));
  const work = path.join(app, 'work');
  fs.mkdirSync(work);
  const windowsPath = (file: string) => `Z:${path.resolve(file).replaceAll('/', '\\')}`;
  const output = path.join(app, 'cli-results.json');
  const run = spawnSync(
    settings.WINE as string,
    [settings.NODE_EXE as string, windowsPath(path.join(app, 'dist/test/windows/cli-run.js')), windowsPath(output), windowsPath(settings.PSS_DLL as string), windowsPath(work)],
    {
      env: { ...process.env, WINEPREFIX: settings.WINEPREFIX, WINEDEBUG: '-all' },
      // Wine's output goes to a file: a wineserver left running must not hold a pipe of ours.
      stdio: ['ignore', fs.openSync(path.join(app, 'wine-stdout.log'), 'w'), fs.openSync(path.join(app, 'wine-stderr.log'), 'w')],
      timeout: 10 * 60_000,
    },
  );
  if (!fs.existsSync(output)) {
    return { failure: `the Windows node wrote nothing (exit ${run.status}): ${fs.readFileSync(path.join(app, 'wine-stderr.log'), 'utf8').slice(-2000)}` };
  }
  const results = JSON.parse(fs.readFileSync(output, 'utf8')) as CliResults | { fatal: string };
  if ('fatal' in results) return { failure: `the Windows node failed:\n${results.fatal}` };
  workDir = work;
  return results;
}

let workDir = '';
const started = Date.now();
const outcome = runUnderWine();
const seconds = ((Date.now() - started) / 1000).toFixed(1);

if ('skip' in outcome) {
  test.skip(`the CLI under Wine skipped: ${outcome.skip} (set CI=true to make this a failure)`, () => {});
} else if ('failure' in outcome) {
  test('the CLI runs under Wine', (t) => t.fail(outcome.failure));
} else {
  defineTests(outcome);
}

/** JSON output without what names the file it was read from (a Windows path there, a Linux one here). */
function withoutPaths(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPaths);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'db').map(([key, v]) => [key, withoutPaths(v)]));
  }
  return value;
}

function defineTests(results: CliResults): void {
  const { commands } = results;
  const json = (name: string): unknown => JSON.parse(commands[name]!.stdout);

  test(`every command ran under Wine with the Windows node ${results.node} and exited 0 (${seconds}s)`, (t) => {
    t.is(results.node, 'v22.14.0');
    for (const [name, run] of Object.entries(commands)) t.is(run.status, 0, `${name}: ${run.stderr}`);
  });

  test('capture and record, by pid and by --name through the Toolhelp32 listing', (t) => {
    const [targetA, targetB] = results.targets;
    t.like((json('capture') as Record<string, unknown>[])[0], { capture_id: 1, pid: targetA, name: 'app.exe', handles: 8, threads: 2 });
    t.like((json('recordByPid') as Record<string, unknown>[])[0], { captures: 3, rounds: 3, stopped_by: 'count' });
    const byName = (json('recordByName') as Record<string, unknown>[])[0]!;
    t.like(byName, { rounds: 3, stopped_by: 'count' });
    // pssql-target.exe, a copy of node.exe: the two targets, no other node.exe of the Wine prefix,
    // and not pssql, which ran as pssql-target.exe too and leaves itself out.
    t.is(byName.targets, 2);
    t.is(byName.captures, 6);
    const pids = new Set((json('list') as { pid: number }[]).map((capture) => capture.pid));
    for (const pid of [targetA, targetB]) t.true(pids.has(pid), `pid ${pid} was recorded`);
  });

  test('the recording made under Wine reads the same on Linux: list, show, report, diff, export', (t) => {
    const db = path.join(workDir, 'wine.db');
    for (const name of ['list', 'show', 'showThreads', 'showHandles', 'showRegions', 'reportHandles', 'reportCaptures', 'reportMemory', 'reportCost', 'diff']) {
      const args = commands[name]!.args.map((arg) => (arg.startsWith('Z:') ? db : arg));
      const linux = pssql(args);
      t.is(linux.code, 0, `${name} on Linux: ${linux.stderr}`);
      t.deepEqual(withoutPaths(JSON.parse(linux.stdout)), withoutPaths(json(name)), `${name}: the same on Linux as under Wine`);
    }
    const exported = pssql(['export', '1', '--db', db]);
    t.is(exported.code, 0, exported.stderr);
    t.deepEqual(JSON.parse(exported.stdout), JSON.parse(fs.readFileSync(path.join(workDir, 'export.json'), 'utf8')), 'export');
  });

  test('a plain bin/pssql.js does not take the Pss* DLL from PSSQL_PSS_LIBRARY', (t) => {
    t.is(results.plainBin.status, 2, results.plainBin.stderr);
    t.regex(results.plainBin.stderr, /^pssql: cannot capture: kernel32\.dll has no PssCaptureSnapshot/);
  });

  test('the recording is private to its owner under Wine, where a file mode is ignored', (t) => {
    const other = (file: string) => fs.statSync(path.join(workDir, file)).mode & 0o007;
    // export asks for mode 0600 too, and Wine makes the file readable by all: the mode does nothing.
    t.not(other('export.json'), 0, 'a file made with mode 0600 alone is readable by others');
    t.is(other('wine.db'), 0, 'the recording is not: its ACL lets nobody else in');
    t.is(results.acl.code, 0);
    t.false(results.acl.dacl?.includes(';WD)') ?? true, `no ACE for Everyone: ${results.acl.dacl}`);
    t.true(results.acl.dacl?.includes(`;${results.acl.user})`) ?? false, 'an ACE for the owner');
  });

  test('Ctrl-C, Ctrl-Break and closing the console each stop a recording cleanly, with its summary', (t) => {
    for (const [signal, run] of Object.entries(results.consoleEvents)) {
      t.is(run.status, 0, `${signal}: ${run.stderr}`);
      t.regex(run.stderr, new RegExp(`${signal}: stopping after the capture in progress`));
      const [summary] = JSON.parse(run.stdout) as { stopped_by: string; captures: number }[];
      t.is(summary?.stopped_by, signal, 'stopped_by names the signal');
      t.true((summary?.captures ?? 0) >= 1 && (summary?.captures ?? 0) < 1000, `${signal}: stopped long before its count`);
    }
  });

  test('a capture that hangs inside a recording is reported and skipped; the recording goes on', (t) => {
    const { summary, failures } = results.hung;
    t.like(summary, { rounds: 4, stopReason: 'count' });
    t.is(summary.captures, 4, 'the other target was captured every round');
    t.is(failures.length, 3, 'each hung capture reported');
    for (const failure of failures) t.regex(failure, /did not return within 0\.5 s/);
    t.like(summary.dropped[0], { pid: results.targets[1], reason: 'failing' });
  });
}
