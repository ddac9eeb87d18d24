import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { recordCaptures } from '../analysis/record-target.js';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { startTarget, type Target } from '../helpers/target.js';

/* The user's own reports: a directory of .sql files with the same header as the built-in ones. */
const dir = tempDir();
const db = `${dir}/user.db`;
const mine = `${dir}/mine`;
let target: Target;
const digest = (): string => createHash('sha256').update(fs.readFileSync(db)).digest('hex');

const MY_FILES = `-- name: my-files
-- description: Files of one capture under a directory.
-- param: capture capture = latest  the capture to report on
-- param: under text  the directory, e.g. /var/log
SELECT handle_value, object_name
FROM handles
WHERE capture_id = :capture AND object_name LIKE :under || '/%'
ORDER BY handle_value;
`;

/** A directory holding one report file; returns the directory. */
function reportDir(name: string, file: string, text: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, file), text);
  return d;
}

test.before(async () => {
  target = await startTarget(['--files', '3', '--pipes', '1']);
  await recordCaptures(db, target.pid, 1);
  fs.mkdirSync(mine);
  fs.writeFileSync(`${mine}/my-files.sql`, MY_FILES);
  fs.writeFileSync(`${mine}/notes.txt`, 'not a report: only .sql files are read\n');
});
test.after.always(async () => {
  await target?.stop();
});

test('--queries DIR: listed beside the built-in reports, with its file; runs with its parameters', (t) => {
  const list = pssqlJson(['report', '--list', '--queries', mine, '--db', db]);
  t.like(
    list.find((r) => r.name === 'my-files'),
    { parameters: '--capture capture=latest, --under text', description: 'Files of one capture under a directory.', source: `${mine}/my-files.sql` },
  );
  t.true(list.some((r) => r.name === 'handles-by-type' && r.source === 'built-in'));
  const rows = pssqlJson(['report', 'my-files', '--under', target.dir, '--queries', mine, '--db', db]);
  t.deepEqual(
    rows.map((r) => r.handle_value),
    target.fds.file,
  );
});

test('$PSSQL_QUERIES works like --queries, directories separated as in PATH', (t) => {
  const other = reportDir('other', 'pipe-count.sql', "-- name: pipe-count\n-- description: Pipes of the newest capture.\nSELECT count(*) AS pipes FROM handles WHERE type_name = 'Pipe' AND capture_id = (SELECT max(capture_id) FROM captures)\n");
  const env = { PSSQL_QUERIES: [mine, other].join(path.delimiter) };
  const names = pssqlJson(['report', '--list', '--db', db], { env }).map((r) => r.name);
  t.true(names.includes('my-files') && names.includes('pipe-count'));
  t.true((pssqlJson(['report', 'pipe-count', '--db', db], { env })[0]?.pipes as number) >= 2, 'a pipe is 2 fds');
});

test("a user's report builds on a built-in one with 'uses:', taking its parameters", (t) => {
  const d = reportDir('composed', 'fds-per-capture.sql', `-- name: fds-per-capture
-- description: The fd count of each capture of a process.
-- uses: process-captures
SELECT capture_id, handle_count AS fds FROM process_captures ORDER BY capture_id
`);
  const [listed] = pssqlJson(['report', '--list', '--queries', d, '--db', db]).filter((r) => r.name === 'fds-per-capture');
  t.regex(String(listed?.parameters), /^--pid pid=null, --name text=null, --since time=null/);
  const rows = pssqlJson(['report', 'fds-per-capture', '--pid', String(target.pid), '--queries', d, '--db', db]);
  t.is(rows.length, 1);
  t.is(rows[0]?.fds, fs.readdirSync(`/proc/${target.pid}/fd`).length);
  const sql = pssql(['report', 'fds-per-capture', '--sql', '--queries', d, '--db', db]).stdout;
  t.regex(sql, /^-- name: fds-per-capture[\s\S]*WITH\nprocess_captures AS MATERIALIZED \(\n-- name: process-captures[\s\S]*\)\nSELECT capture_id, handle_count AS fds/, '--sql shows what runs');
});

test('--sql prints the report as it is written', (t) => {
  const result = pssql(['report', 'my-files', '--sql', '--queries', mine, '--db', db]);
  t.is(result.code, 0);
  t.is(result.stdout, MY_FILES);
});

const mistakes: [name: string, args: string[], code: number, message: RegExp][] = [
  ['a required parameter missing', ['report', 'my-files', '--queries', mine], 2, /^pssql: report my-files \(.*my-files\.sql\) needs parameter 'under' \(text: the directory, e\.g\. \/var\/log\)$/],
  ['an ill-typed parameter', ['report', 'my-files', '--under', '/tmp', '--capture', 'soon', '--queries', mine], 2, /parameter 'capture' must be a capture id, 'first', 'latest' or 'latest-N', optionally after PID@ or NAME@ \(got 'soon'\)$/],
  ['an ill-typed pid', ['report', 'memory-over-time', '--pid', '-3'], 2, /^pssql: report memory-over-time: parameter 'pid' must be a process id \(a positive integer\) \(got '-3'\)$/],
  ['an ill-typed real', ['report', 'leak-suspects', '--min-monotonic', 'most'], 2, /parameter 'min_monotonic' must be a number \(got 'most'\)$/],
  ['an unknown parameter', ['report', 'sockets', '--stat', 'LISTEN'], 2, /^pssql: report sockets has no parameter 'stat' \(did you mean 'state'\?\); it takes capture, state, and pid or name to choose the process of its capture$/],
  ['a parameter given twice', ['report', 'sockets', '--state', 'LISTEN', '--state', 'CLOSE'], 2, /^pssql: --state is given 2 times/],
  ['an unknown report', ['report', 'socket'], 3, /^pssql: no report 'socket' \(did you mean 'sockets'\?\); see 'pssql report --list'$/],
  ['no report named', ['report'], 2, /^pssql: name a report to run, or list them with 'pssql report --list'$/],
  ['a missing directory', ['report', '--list', '--queries', `${dir}/nowhere`], 3, /^pssql: cannot read reports from .*\/nowhere: no such directory$/],
];

for (const [name, args, code, message] of mistakes) {
  test(`one line and exit code ${code}: ${name}`, (t) => {
    const result = pssql([...args, '--db', db]);
    t.is(result.code, code);
    t.is(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
    t.regex(result.stderr.trimEnd(), message);
  });
}

// Every kind of bad header is in test/analysis/report-definition.test.ts; here, how the CLI says it.
const badHeaders: [name: string, file: string, text: string, message: RegExp][] = [
  ['an unknown type', 'd.sql', '-- name: d\n-- description: x\n-- param: n number = 1  n\nSELECT :n', /d\.sql:3: parameter 'n' has unknown type 'number' \(types: capture, pid, time, integer, real, text, boolean\)/],
  ['the name of a built-in report', 'sockets.sql', '-- name: sockets\n-- description: mine\nSELECT 1', /sockets\.sql: the name 'sockets' is taken by .*queries\/sockets\.sql; rename one/],
  ['a report that uses one that does not exist', 'u.sql', '-- name: u\n-- description: x\n-- uses: process-capture\nSELECT 1', /u\.sql: 'uses: process-capture': no such report \(did you mean 'process-captures'\?\)/],
];

for (const [name, file, text, message] of badHeaders) {
  test(`a bad report file is one warning, and only it is left out: ${name}`, (t) => {
    const d = reportDir(`bad-${file}`, file, text);
    fs.writeFileSync(`${d}/good-one.sql`, '-- name: good-one\n-- description: A good report beside a bad one.\nSELECT count(*) AS captures FROM captures\n');
    const list = pssql(['report', '--list', '--queries', d, '--format', 'json', '--db', db]);
    t.is(list.code, 0, list.stderr);
    t.is(list.stderr.trimEnd().split('\n').length, 1, `one warning: ${list.stderr}`);
    t.regex(list.stderr.trimEnd(), new RegExp(`^pssql: ${d.replaceAll('/', '\\/')}\\/`));
    t.regex(list.stderr.trimEnd(), message);
    t.regex(list.stderr.trimEnd(), /\(that report is left out\)$/);
    const names = (JSON.parse(list.stdout) as { name: string; source: string }[]).map((r) => r.name);
    t.true(names.includes('good-one') && names.includes('handles-by-type') && names.includes('sockets'), 'the other reports, built-in and own, are there');

    const builtIn = pssql(['report', 'handles-by-type', '--queries', d, '--db', db]);
    t.is(builtIn.code, 0, 'a built-in report still runs');
    t.regex(builtIn.stderr, message, 'with the warning');
    t.is(pssql(['report', 'good-one', '--queries', d, '--db', db, '--quiet']).stderr, '', '--quiet: no warning');

    const stem = file.replace(/\.sql$/, '');
    if (stem !== 'sockets') {
      const broken = pssql(['report', stem, '--queries', d, '--db', db]);
      t.is(broken.code, 2, 'the bad one, asked for, is the error');
      t.is(broken.stderr.trimEnd().split('\n').length, 1, `said once: ${broken.stderr}`);
      t.regex(broken.stderr.trimEnd(), message);
    }
  });
}

test("a user's report runs through the same read-only path: one that deletes is refused, and nothing changes", (t) => {
  const d = reportDir('evil', 'tidy-up.sql', '-- name: tidy-up\n-- description: Forget the old captures.\nDELETE FROM captures');
  const before = digest();
  const result = pssql(['report', 'tidy-up', '--queries', d, '--db', db]);
  t.is(result.code, 2);
  t.regex(result.stderr, /^pssql: report tidy-up \(.*tidy-up\.sql\): DELETE would write; the recording is opened read-only and is left unchanged\n$/);
  t.is(digest(), before);
  t.is(pssqlJson(['query', 'SELECT count(*) AS n FROM captures', '--db', db])[0]?.n, 1);
});
