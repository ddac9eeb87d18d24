/**
 * Listing processes on Windows (CreateToolhelp32Snapshot), which the record loop uses for --name
 * and --all there: the entry decoder on its own, and the real binding under Wine with the
 * Windows node.exe of the Wine harness (test/windows/setup.sh). Skips where Wine cannot be set up,
 * unless CI=true, as the harness does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { decodeProcessEntry, PROCESSENTRY32W } from '../../../src/capture/windows/windows-process-list.js';
import { type ListedProcess, processMatchesName } from '../../../src/capture/index.js';
import { tempDir } from '../../helpers/cli.js';
import { PROJECT_ROOT } from '../../helpers/target.js';

test('PROCESSENTRY32W: pid, parent and the exe name up to its NUL', (t) => {
  const entry = new Uint8Array(PROCESSENTRY32W.size);
  const view = new DataView(entry.buffer);
  view.setUint32(0, PROCESSENTRY32W.size, true);
  view.setUint32(PROCESSENTRY32W.th32ProcessID, 4242, true);
  view.setUint32(PROCESSENTRY32W.th32ParentProcessID, 7, true);
  entry.set(Buffer.from('nginx.exe\0garbage', 'utf16le'), PROCESSENTRY32W.szExeFile);
  t.deepEqual(decodeProcessEntry(entry), { pid: 4242, parentPid: 7, exeFile: 'nginx.exe' });
  // A name that fills all 260 units has no NUL: it ends at the array.
  entry.set(Buffer.from('x'.repeat(260), 'utf16le'), PROCESSENTRY32W.szExeFile);
  t.is(decodeProcessEntry(entry).exeFile.length, 260);
});

test('names match the short name, the executable or argv[0]; on Windows without case and with .exe optional', (t) => {
  const linux: ListedProcess = { pid: 1, name: 'node', imageFileName: '/usr/bin/node', argv0: '/opt/app/bin/worker', startKey: 1 };
  t.true(processMatchesName(linux, 'node', 'linux'));
  t.true(processMatchesName(linux, 'worker', 'linux'));
  t.false(processMatchesName(linux, 'Node', 'linux'));
  t.false(processMatchesName(linux, 'nod', 'linux'), 'whole names only');
  const windows: ListedProcess = { pid: 8, name: 'Nginx.exe', imageFileName: null, argv0: null, startKey: null };
  for (const name of ['nginx', 'NGINX.EXE', 'nginx.exe']) t.true(processMatchesName(windows, name, 'win32'), name);
  t.false(processMatchesName(windows, 'ngin', 'win32'));
});

test('under Wine, the Windows node lists the processes of its machine, itself among them', (t) => {
  const setup = spawnSync('bash', [path.join(PROJECT_ROOT, 'test/windows/setup.sh')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (setup.status === 3) {
    if (process.env.CI === 'true') return t.fail(`CI must run under Wine, but: ${setup.stderr.trim()}`);
    return t.pass(`skipped: ${setup.stderr.trim().split('\n').at(-1)}`);
  }
  t.is(setup.status, 0, setup.stderr);
  const settings = Object.fromEntries(setup.stdout.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2))) as Record<string, string>;
  // An app of our own beside the harness's koffi: the harness rewrites its own app directory.
  const app = tempDir('pssql-wine-list-');
  fs.cpSync(path.join(PROJECT_ROOT, 'dist/src'), path.join(app, 'dist/src'), { recursive: true });
  fs.symlinkSync(settings.NODE_MODULES as string, path.join(app, 'node_modules'));
  fs.writeFileSync(path.join(app, 'package.json'), '{ "type": "module" }');
  fs.writeFileSync(
    path.join(app, 'list.mjs'),
    [
      "import fs from 'node:fs';",
      // The listing alone: the record loop would load better-sqlite3, which has no Windows build here.
      "import { listProcesses, processMatchesName } from './dist/src/capture/index.js';",
      'const listed = listProcesses();',
      // When this node started, by its own clock: its creation time must be about that.
      'const startedUs = Math.round((performance.timeOrigin) * 1000);',
      "const matched = listed.filter((p) => processMatchesName(p, 'NODE')).map((p) => p.pid);",
      'fs.writeFileSync(process.argv[2], JSON.stringify({ pid: process.pid, platform: process.platform, listed, matched, startedUs }));',
    ].join('\n'),
  );
  const windowsPath = (file: string) => `Z:${path.resolve(file).replaceAll('/', '\\')}`;
  const output = path.join(app, 'out.json');
  const run = spawnSync(settings.WINE as string, [settings.NODE_EXE as string, windowsPath(path.join(app, 'list.mjs')), windowsPath(output)], {
    env: { ...process.env, WINEPREFIX: settings.WINEPREFIX, WINEDEBUG: '-all' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  t.true(fs.existsSync(output), `the Windows node wrote nothing (exit ${run.status}): ${run.stderr}`);
  const result = JSON.parse(fs.readFileSync(output, 'utf8')) as {
    pid: number;
    platform: string;
    listed: ListedProcess[];
    matched: number[];
    startedUs: number;
  };
  t.is(result.platform, 'win32');
  t.true(result.listed.length >= 3, 'Wine runs a few services beside node');
  const self = result.listed.find((p) => p.pid === result.pid);
  t.like(self, { name: 'node.exe' });
  // The start key is the creation time (µs since 1970): a later process with the same pid has
  // another, so a pid given up once is not given up for its next owner.
  t.true(Number.isSafeInteger(self?.startKey), `a start key (${self?.startKey})`);
  t.true(Math.abs((self?.startKey ?? 0) - result.startedUs) < 60_000_000, 'the creation time of this node, within a minute of its own clock');
  t.true(result.listed.filter((p) => p.startKey !== null).length >= 3, 'every process of this user has one');
  t.true(result.matched.includes(result.pid), "'NODE' finds node.exe");
  t.deepEqual(
    result.listed.map((p) => p.pid),
    [...result.listed.map((p) => p.pid)].sort((a, b) => a - b),
    'in pid order',
  );
  t.false(result.listed.some((p) => p.pid === 0), 'no System Idle Process');
});
