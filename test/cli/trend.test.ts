import * as fs from 'node:fs';
import test from 'ava';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';
import { descendants, parseXml } from '../analysis/trend-xml.js';

let dir: string;
let pid: number;
test.before(async () => {
  dir = tempDir();
  const target = await startTarget(['--files', '2', '--pipes', '1', '--open-every', '30']);
  pid = target.pid;
  try {
    pssql(['record', String(pid), '--every', '50ms', '--count', '5', '--db', `${dir}/trend.db`]);
  } finally {
    await target.stop();
  }
});

test('trend PID: a line per series with its sparkline; growth shows', (t) => {
  const { code, stdout } = pssql(['trend', String(pid), '--db', `${dir}/trend.db`]);
  t.is(code, 0);
  t.regex(stdout, new RegExp(`^trend of target \\(pid ${pid}\\): 5 captures, `));
  t.regex(stdout, /\nseries +first +last +change +lowest +highest +trend\n/);
  const file = stdout.split('\n').find((l) => l.startsWith('  File')) ?? '';
  t.regex(file, /^ {2}File +(\d+) +(\d+) +\+\d+ +\d+ +\d+ +[▁▂▃▄▅▆▇█]{5}$/);
  t.true(file.endsWith('█') && file.includes('▁'), 'from lowest to highest');
  t.regex(stdout, /\n {2}Pipe +\d+ +\d+ +0 +\d+ +\d+ +▁{5}\n/, 'a flat line');
  t.regex(stdout, /\nworking set +\d.*B +\d.*B /);
});

test('trend --output writes a page or an SVG that parses, with a line per handle type', (t) => {
  const rows = pssqlJson(['trend', 'target', '--db', `${dir}/trend.db`, '--output', `${dir}/trend.html`]);
  t.is(rows.length, 5, '--format json: a row per capture');
  t.deepEqual(Object.keys(rows[0] ?? {}).slice(0, 4), ['capture_id', 'started_at_us', 'pid', 'handles']);
  const types = Object.keys(rows[0] ?? {}).filter((k) => k.startsWith('handles.'));
  t.true(types.includes('handles.File') && types.includes('handles.Pipe'));

  const page = parseXml(fs.readFileSync(`${dir}/trend.html`, 'utf8'));
  const lines = [...descendants(page)].filter((e) => e.attributes.class === 'series').map((e) => e.attributes['data-key']);
  t.deepEqual(
    lines.filter((k) => k?.startsWith('handles.')),
    types,
  );
  t.is(pssql(['trend', String(pid), '--db', `${dir}/trend.db`, '-o', `${dir}/trend.svg`]).code, 0);
  t.is(parseXml(fs.readFileSync(`${dir}/trend.svg`, 'utf8')).name, 'svg');
});

test('trend: mistakes and missing processes', (t) => {
  const png = pssql(['trend', String(pid), '--db', `${dir}/trend.db`, '-o', `${dir}/trend.png`]);
  t.is(png.code, 2);
  t.regex(png.stderr, /^pssql: --output .*trend\.png: name an \.html or \.svg file\n/);
  const none = pssql(['trend', 'no-such-process', '--db', `${dir}/trend.db`]);
  t.is(none.code, 3);
  t.regex(none.stderr, /^pssql: no captures of 'no-such-process' in /);
});

test('trend takes --pid/--name like the others, --last N captures, --since; --limit is rows, not captures', (t) => {
  const db = `${dir}/trend.db`;
  const rows = (args: string[]) => pssqlJson(['trend', ...args, '--db', db]);
  t.is(rows(['--pid', String(pid)]).length, 5);
  t.is(rows(['--name', 'target']).length, 5);
  const last = rows(['--pid', String(pid), '--last', '2']);
  t.deepEqual(last.map((r) => r.capture_id), rows([String(pid)]).slice(-2).map((r) => r.capture_id), 'the newest two');
  t.is(rows(['--pid', String(pid), '--since', '1h']).length, 5);
  const none = pssql(['trend', '--pid', String(pid), '--until', '1h ago', '--db', db]);
  t.is(none.code, 3);
  const limit = pssql(['trend', String(pid), '--limit', '2', '--db', db]);
  t.is(limit.code, 2);
  t.regex(limit.stderr, /^pssql: --limit is a number of rows; a trend of the newest N captures is --last N$/m);
  const both = pssql(['trend', String(pid), '--name', 'target', '--db', db]);
  t.is(both.code, 2);
  t.regex(both.stderr, /name the process once/);
  const neither = pssql(['trend', '--db', db]);
  t.is(neither.code, 2);
  t.regex(neither.stderr, /say which process/);
});

test('list: --last N is the newest N captures, --limit N the first N rows, --since/--until take times as people write them', (t) => {
  const db = `${dir}/trend.db`;
  const all = pssqlJson(['list', '--db', db]);
  t.is(all.length, 5);
  t.deepEqual(pssqlJson(['list', '--last', '2', '--db', db]), all.slice(-2));
  t.deepEqual(pssqlJson(['list', '--limit', '2', '--db', db]), all.slice(0, 2));
  t.deepEqual(pssqlJson(['list', '--last', '3', '--limit', '1', '--db', db]), all.slice(2, 3));
  t.deepEqual(pssqlJson(['list', '--since', '10m', '--db', db]), all);
  t.deepEqual(pssqlJson(['list', '--until', '10m', '--db', db]), []);
  const second = new Date(Math.floor((all[1]?.started_at_us as number) / 1000));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const local = `${second.getFullYear()}-${pad(second.getMonth() + 1)}-${pad(second.getDate())} ${pad(second.getHours())}:${pad(second.getMinutes())}:${pad(second.getSeconds())}.${pad(second.getMilliseconds(), 3)}`;
  t.deepEqual(pssqlJson(['list', '--since', local, '--db', db]), all.slice(1), `--since '${local}' (local time, to the ms)`);
  const bad = pssql(['list', '--since', 'yesterday', '--db', db]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^pssql: invalid --since 'yesterday': not a time; give a time ago/);
  const table = pssql(['list', '--db', db]).stdout;
  t.regex(table, /^capture_id +started_at +pid +name .* duration +label\n/, 'the table heads its µs columns by what they show');
  t.regex(pssql(['list', '--db', db, '--format', 'csv']).stdout, /^capture_id,started_at_us,pid,name,.*,duration_us,label\n/, 'CSV keeps the raw names');
});
