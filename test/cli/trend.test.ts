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
