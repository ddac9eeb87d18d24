/**
 * The CLI as users run it: bin/pssql.js runs the esbuild bundle of dist/bundle/ (npm run build
 * makes it, scripts/bundle-cli.mjs). It works from there: what it reads by URL (migrations,
 * reports, package.json) and the scripts it starts (the /proc reader thread, the stat worker and
 * the process it forks, the Windows capture thread) are where the bundle looks for them.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import test from 'ava';
import { PSSQL_BIN, pssqlJson, tempDir } from '../helpers/cli.js';
import { PROJECT_ROOT, startTarget } from '../helpers/target.js';

const BUNDLE = path.join(PROJECT_ROOT, 'dist/bundle');
const VERSION = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Runs bin/pssql.js with a preloaded script (in its worker threads too: they inherit execArgv)
 * that writes down the modules it loads, each Worker it makes and each worker that starts.
 */
function traced(args: string[]): { code: number; stdout: string; stderr: string; log: string[] } {
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(process.env.TRACE_LOG, `load ${url}\\n`); return next(url, context); }\n",
  );
  fs.writeFileSync(
    path.join(dir, 'trace.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      "import { createRequire, register, syncBuiltinESMExports } from 'node:module';",
      "import { isMainThread } from 'node:worker_threads';",
      'const log = (line) => appendFileSync(process.env.TRACE_LOG, `${line}\\n`);',
      'if (!isMainThread) log(`worker ${process.argv[1]}`);',
      'else {',
      "  register('./hooks.mjs', import.meta.url);",
      "  const threads = createRequire(import.meta.url)('node:worker_threads');",
      '  const Original = threads.Worker;',
      '  threads.Worker = class Worker extends Original { constructor(url, options) { log(`new Worker ${url}`); super(url, options); } };',
      '  syncBuiltinESMExports();',
      '}',
      '',
    ].join('\n'),
  );
  const log = path.join(dir, 'trace.log');
  fs.writeFileSync(log, '');
  let stdout = '';
  let stderr = '';
  let code = 0;
  try {
    stdout = execFileSync(process.execPath, ['--import', path.join(dir, 'trace.mjs'), PSSQL_BIN, ...args], {
      env: { ...process.env, PSSQL_DB: undefined, TRACE_LOG: log },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (error) {
    const failed = error as { status: number | null; stdout: string; stderr: string };
    ({ stdout, stderr } = failed);
    code = failed.status ?? -1;
  }
  return { code, stdout, stderr, log: fs.readFileSync(log, 'utf8').trim().split('\n') };
}

const loadedFiles = (log: string[]): string[] =>
  log.filter((line) => line.startsWith('load file:')).map((line) => path.relative(PROJECT_ROOT, fileURLToPath(line.slice(5))).split(path.sep).join('/'));

test('bin/pssql.js runs the bundle and nothing of dist/src (run npm run build if this fails)', (t) => {
  const run = traced(['--verbose', '--version']);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, `${VERSION}\n`, 'yargs prints the version of package.json');
  const files = loadedFiles(run.log);
  t.true(files.includes('dist/bundle/main.js'), files.join(', '));
  t.deepEqual(
    files.filter((file) => file.startsWith('dist/src/')),
    [],
  );
});

test('from the bundle: a capture into a new recording, a second one, and a saved report', async (t) => {
  const target = await startTarget(['--files', '5', '--pipes', '2', '--threads', '2']);
  const db = path.join(tempDir(), 'bundle.db');
  try {
    const [first] = pssqlJson(['capture', String(target.pid), '--db', db]);
    t.is(first?.capture_id, 1);
    t.true(Number(first?.handles) >= 12, `fds: ${String(first?.handles)}`);
    const [second] = pssqlJson(['capture', String(target.pid), '--db', db]);
    t.is(second?.capture_id, 2, 'the new recording opens again: its schema is the one the migrations make');
    const rows = pssqlJson(['report', 'handles-by-type', '--db', db]);
    t.true(rows.some((row) => row.type_name === 'Pipe' && Number(row.handles) >= 4), JSON.stringify(rows));
    const reports = pssqlJson(['report', '--list', '--db', db]);
    t.true(reports.length > 5, 'the built-in reports are found from the bundle');
  } finally {
    await target.stop();
  }
});

test('a capture of a process with many fds reads half of them in the reader thread, started from the bundle', async (t) => {
  // PARALLEL_THRESHOLD (reader-thread.ts) is 1500 ids.
  const target = await startTarget(['--files', '1600']);
  const db = path.join(tempDir(), 'reader.db');
  try {
    const run = traced(['capture', String(target.pid), '--db', db, '--format', 'json']);
    t.is(run.code, 0, run.stderr);
    const [row] = JSON.parse(run.stdout) as Record<string, number>[];
    t.true((row?.handles ?? 0) >= 1600, `fds: ${row?.handles}`);
    const readWorker = pathToFileURL(path.join(BUNDLE, 'read-worker.js')).href;
    t.true(run.log.includes(`new Worker ${readWorker}`), run.log.filter((line) => !line.startsWith('load ')).join('\n'));
    t.true(run.log.includes(`worker ${path.join(BUNDLE, 'read-worker.js')}`), 'the reader thread started');
  } finally {
    await target.stop();
  }
});

test("the bundle's stat worker forks its stat process from the bundle and answers", async (t) => {
  // What a capture does for a file on a network or FUSE file system (blocking-stats.ts).
  const ready = new SharedArrayBuffer(4);
  const worker = new Worker(new URL('stat-worker.js', pathToFileURL(`${BUNDLE}/`)), { workerData: { ready } });
  try {
    const { port1, port2 } = new MessageChannel();
    const done = new SharedArrayBuffer(4);
    worker.postMessage({ path: PSSQL_BIN, port: port2, done }, [port2]);
    const [answer] = (await Promise.race([
      once(port1, 'message'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 20 s')), 20_000)),
    ])) as [{ text?: string; error?: string }];
    port1.close();
    t.is(answer.error, undefined);
    t.is(typeof answer.text, 'string');
    t.is(Atomics.load(new Int32Array(done), 0), 1, 'the waiting capture is woken');
    t.is(Atomics.load(new Int32Array(ready), 0), 1, 'the stat process said it was ready');
  } finally {
    await worker.terminate();
  }
});

test('pssql --version alone prints the version as yargs does, and loads no file of the CLI', (t) => {
  const run = traced(['--version']);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, `${VERSION}\n`);
  t.deepEqual(
    loadedFiles(run.log).filter((file) => file.startsWith('dist/')),
    [],
  );
});

test('every file the bundle names by URL is there', (t) => {
  const named: string[] = [];
  for (const file of fs.readdirSync(BUNDLE).filter((name) => name.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(BUNDLE, file), 'utf8');
    for (const m of text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)) named.push(fileURLToPath(new URL(m[1] as string, pathToFileURL(path.join(BUNDLE, file)))));
  }
  // package.json, migrations/sqlite/, queries/, and the scripts started by URL.
  for (const expected of ['package.json', 'migrations/sqlite', 'queries', 'dist/bundle/read-worker.js', 'dist/bundle/stat-worker.js', 'dist/bundle/stat-child.js', 'dist/bundle/capture-worker.js']) {
    t.true(
      named.some((file) => path.relative(PROJECT_ROOT, file).replace(/\/$/, '') === expected),
      `the bundle names ${expected}`,
    );
  }
  t.deepEqual(
    named.filter((file) => !fs.existsSync(file)),
    [],
  );
});

test('no package bundled in calls require() of its own: each CommonJS package that does is left external', (t) => {
  // esbuild turns a require() inside ESM output into __require, which throws "Dynamic require of
  // ... is not supported" when it runs (pg-copy-streams' require('stream') did, in pssql push).
  const dir = path.join(PROJECT_ROOT, 'dist/bundle');
  const calls = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .flatMap((file) => [...fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/__require\("([^"]+)"\)/g)].map((m) => `${file}: ${m[1]}`));
  t.deepEqual(calls, []);
});
