/**
 * import reads standard input ('-', or redirected), and skips a capture the recording already
 * holds; export writes snapshot JSON only, whole or not at all, and says why it cannot.
 */
import * as fs from 'node:fs';
import test from 'ava';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';

const dir = tempDir();
const source = `${dir}/source.db`;
let snapshot = '';
test.before(() => {
  for (let i = 0; i < 2; i++) if (pssql(['capture', String(process.pid), '--db', source]).code !== 0) throw new Error('setup');
  snapshot = pssql(['export', 'first', '--db', source]).stdout;
});

test("import - and import - < file read standard input", (t) => {
  const db = `${dir}/stdin.db`;
  const rows = pssqlJson(['import', '-', '--db', db], { input: snapshot });
  t.like(rows[0], { capture_id: 1, file: 'standard input', pid: process.pid });
  const second = pssqlJson(['--db', `${dir}/stdin2.db`, 'import', '-'], { input: snapshot });
  t.is(second.length, 1, "with options before 'import' too");
  const twice = pssql(['import', '-', '-', '--db', db], { input: snapshot });
  t.is(twice.code, 2);
  t.regex(twice.stderr, /'-' \(standard input\) can be read once/);
});

test('importing a capture the recording holds skips it with a note; another capture is imported', (t) => {
  const db = `${dir}/dup.db`;
  fs.writeFileSync(`${dir}/first.json`, snapshot);
  t.is(pssqlJson(['import', `${dir}/first.json`, '--db', db]).length, 1);
  const again = pssql(['import', `${dir}/first.json`, '--format', 'json', '--db', db]);
  t.is(again.code, 0);
  t.deepEqual(JSON.parse(again.stdout), []);
  t.regex(again.stderr, new RegExp(`^pssql: ${dir}/first\\.json: already recorded as capture 1 \\(pid ${process.pid} on .*\\): skipped$`, 'm'));
  // Exported again from the recording it went into, it is still the same capture.
  const reexported = pssql(['export', 'latest', '--db', db]).stdout;
  t.regex(pssql(['import', '-', '--db', db], { input: reexported }).stderr, /already recorded as capture 1/);
  // The other capture of the same process is not the same.
  const other = pssqlJson(['import', '-', '--db', db], { input: pssql(['export', 'latest', '--db', source]).stdout });
  t.like(other[0], { capture_id: 2 });
  t.is(pssqlJson(['list', '--db', db]).length, 2);
  t.is(pssqlJson(['report', 'process-captures', '--db', db]).length, 2, 'the over-time reports count each capture once');
});

test('export writes snapshot JSON only, whole, and says why when it cannot', (t) => {
  const csv = pssql(['export', 'latest', '--format', 'csv', '--db', source]);
  t.is(csv.code, 2);
  t.is(csv.stdout, '', 'nothing written');
  t.regex(csv.stderr, /^pssql: export cannot write --format csv: its format is json$/m);
  t.is(pssql(['export', 'latest', '--format', 'json', '--db', source]).code, 0, '--format json is what it writes');
  const missing = pssql(['export', 'latest', '-o', `${dir}/no-such-dir/x.json`, '--db', source]);
  t.is(missing.code, 3);
  t.is(missing.stderr, `pssql: cannot write ${dir}/no-such-dir/x.json: no such directory ${dir}/no-such-dir\n`);
  const out = `${dir}/snap.json`;
  t.is(pssql(['export', 'latest', '-o', out, '--db', source]).code, 0);
  t.is(JSON.parse(fs.readFileSync(out, 'utf8')).format, 'pssql-snapshot');
  t.is(fs.statSync(out).mode & 0o777, 0o600, 'readable by its owner only, like a recording');
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
});
