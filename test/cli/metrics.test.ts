/**
 * pssql metrics: the latest capture of each process as Prometheus text that promtool accepts,
 * printed, written atomically for node_exporter's textfile collector, or served over HTTP.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import test from 'ava';
import { PSSQL_BIN, pssql, tempDir } from '../helpers/cli.js';
import { PROJECT_ROOT, procEntries, startTarget, type Target } from '../helpers/target.js';
import { haveTool } from '../helpers/tools.js';

let target: Target;
let sleeper: ReturnType<typeof spawn>;
const dir = tempDir();
const db = `${dir}/metrics.db`;
test.before(async () => {
  target = await startTarget(['--files', '4', '--threads', '3', '--tcp', '1']);
  sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
  // Two captures of the target: only the latest counts.
  for (const pid of [target.pid, target.pid, sleeper.pid]) if (pssql(['capture', String(pid), '--db', db]).code !== 0) throw new Error('setup');
});
test.after.always(async () => {
  sleeper?.kill();
  await target?.stop();
});

/** promtool check metrics: its exit code and what it said (nothing when all is well). */
function promtool(text: string): { code: number | null; said: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { code: result.status, said: `${result.stdout}${result.stderr}`.trim() };
}

/** The samples of a metric, as `labels -> value`. */
function samples(text: string, metric: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))) found.set(m[1] as string, Number(m[2]));
  return found;
}

test('the metrics of the latest capture of each process, labelled host, pid and name; promtool accepts them', (t) => {
  const result = pssql(['metrics', '--db', db]);
  t.is(result.code, 0, result.stderr);
  const text = result.stdout;
  const labels = (pid: number, name: string) => `host="${/host="([^"]*)"/.exec(text)?.[1]}",pid="${pid}",name="${name}"`;
  t.is(samples(text, 'pssql_process_threads').get(labels(target.pid, 'target')), target.threads + 1);
  t.is(samples(text, 'pssql_process_threads').get(labels(sleeper.pid as number, 'sleep')), 1);
  const handles = samples(text, 'pssql_process_handles');
  const byType = [...handles].filter(([l]) => l.startsWith(labels(target.pid, 'target')));
  t.is(
    byType.reduce((sum, [, n]) => sum + n, 0),
    procEntries(target.pid, 'fd').length,
    'handles by type add up to the fds',
  );
  t.true(handles.has(`${labels(target.pid, 'target')},type="Socket"`));
  for (const metric of ['pssql_process_regions', 'pssql_process_working_set_bytes', 'pssql_process_private_bytes', 'pssql_process_virtual_bytes', 'pssql_process_start_time_seconds', 'pssql_capture_timestamp_seconds', 'pssql_capture_duration_seconds']) {
    t.is(samples(text, metric).size, 2, `${metric}: one series per process`);
  }
  t.is(samples(text, 'pssql_process_cpu_seconds_total').size, 4, 'user and kernel of each');
  t.regex(text, /^# TYPE pssql_process_cpu_seconds_total counter$/m);
  t.false(/name="[^"]*\/|object_name|path=/.test(text), 'no label names a file');
  t.is(pssql(['metrics', '--name', 'sleep', '--db', db]).stdout.match(/^pssql_process_threads\{/gm)?.length, 1, '--name narrows');

  if (!haveTool(t, 'promtool', 'prometheus')) return;
  const checked = promtool(text);
  t.is(checked.code, 0, checked.said);
  t.is(checked.said, '', 'no lint problem either');
});

test('--output FILE is written atomically and readable by the collector; --format is refused', (t) => {
  const out = `${dir}/textfile/pssql.prom`;
  fs.mkdirSync(`${dir}/textfile`);
  t.is(pssql(['metrics', '--output', out, '--db', db]).code, 0);
  t.is(fs.readFileSync(out, 'utf8'), pssql(['metrics', '--db', db]).stdout);
  t.is(fs.statSync(out).mode & 0o777, 0o644);
  t.deepEqual(fs.readdirSync(`${dir}/textfile`), ['pssql.prom'], 'no temporary file is left for the collector to read');
  const missing = pssql(['metrics', '--output', `${dir}/nowhere/pssql.prom`, '--db', db]);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /^pssql: cannot write .*\/nowhere\/pssql\.prom: no such directory/);
  const format = pssql(['metrics', '--format', 'json', '--db', db]);
  t.is(format.code, 2);
  t.regex(format.stderr, /^pssql: metrics cannot write --format json: it has no --format/);
  const listen = pssql(['metrics', '--listen', 'nowhere', '--db', db]);
  t.is(listen.code, 2);
  t.regex(listen.stderr, /^pssql: invalid --listen 'nowhere': give HOST:PORT/);
});

test('--listen serves /metrics fresh at each scrape, and stops on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [PSSQL_BIN, 'metrics', '--listen', '127.0.0.1:0', '--db', db], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /at (http:\/\/\S+\/metrics)/.exec(stderr)?.[1];
      if (url !== undefined) resolve(url);
    });
    child.once('exit', () => reject(new Error(`pssql metrics exited: ${stderr}`)));
  });
  const exited = once(child, 'exit');
  try {
    const first = await fetch(address);
    t.is(first.status, 200);
    t.is(first.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const body = await first.text();
    t.is(body, pssql(['metrics', '--db', db]).stdout);
    // A capture written meanwhile is in the next scrape.
    t.is(pssql(['capture', String(sleeper.pid), '--db', db]).code, 0);
    const second = await (await fetch(address)).text();
    t.not(second, body);
    t.is((await fetch(address.replace('/metrics', '/other'))).status, 404);
    if (haveTool(t, 'promtool', 'prometheus')) t.is(promtool(second).code, 0);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await exited;
  t.is(code, 0, stderr);
});
