import * as fs from 'node:fs';
import test from 'ava';
import { pssql, tempDir } from '../helpers/cli.js';

const dir = tempDir();
const db = `${dir}/good.db`;
const notes = `${dir}/notes.txt`;
fs.writeFileSync(notes, 'not a database\n');

/** The recorded capture as `show` prints it, before any bad input was tried. */
let recorded = '';
test.before(() => {
  if (pssql(['capture', String(process.pid), '--db', db]).code !== 0) throw new Error('setup capture failed');
  recorded = pssql(['show', 'latest', '--db', db, '--format', 'json']).stdout;
});

/** Every bad input: a one-line error naming what is wrong, the documented exit code, no stack trace. */
const cases: [args: string[], code: number, message: RegExp][] = [
  [['capture', '-5', '--db', db], 2, /invalid pid '-5'|Unknown argument/],
  [['capture', 'abc', '--db', db], 2, /invalid pid 'abc': expected a positive integer/],
  [['capture', '99999999', '--db', db], 2, /invalid pid 99999999: pids are 1 to 4194304/],
  [['capture', '4194000', '--db', db], 3, /cannot capture pid 4194000: no such process/],
  [['capture', String(process.pid), '--flags', 'handles,nonsense', '--db', db], 2, /unknown capture flag 'nonsense'/],
  [['capture', String(process.pid), '--flags', 'va-clone', '--db', db], 2, /PSS_CAPTURE_VA_CLONE \(va-clone\) is not available on Linux/],
  [['capture', String(process.pid), '--flags', 'handle-names', '--db', db], 2, /handle-names\) needs PSS_CAPTURE_HANDLES/],
  [['capture', '--db', db], 2, /say what to capture: pids, or --name NAME/],
  [['capture', String(process.pid), '--db', notes], 5, /is not a pssql recording \(not a SQLite database\)/],
  [['list', '--db', dir], 2, /is a directory, not a pssql recording/],
  [['list', '--db', `${dir}/missing.db`], 3, /no recording at .*missing\.db/],
  [['show', '42', '--db', db], 3, /no capture 42 in/],
  [['show', 'yesterday', '--db', db], 2, /invalid capture 'yesterday'/],
  [['show', '1', 'bogus', '--db', db], 2, /Invalid values/],
  [['list', '--format', 'xml', '--db', db], 2, /Invalid values/],
  [['list', '--limit', '0', '--db', db], 2, /--limit must be a positive integer/],
  [['frobnicate'], 2, /Unknown argument: frobnicate/],
  [['import', notes, '--db', db], 5, /is not a pssql snapshot \(not JSON\)/],
];

for (const [args, code, message] of cases) {
  test(`pssql ${args.join(' ').replaceAll(dir, 'DIR')}`, (t) => {
    const result = pssql(args);
    t.is(result.code, code);
    const lines = result.stderr.trimEnd().split('\n');
    t.regex(lines[0] ?? '', /^pssql: /);
    t.regex(lines[0] ?? '', message);
    t.false(/\n\s+at /.test(result.stderr), 'no stack trace');
    t.true(lines.length <= 2, 'one line, and at most a hint');
  });
}

test('pssql without a command prints the command list, then says so, and exits 2', (t) => {
  const result = pssql([]);
  t.is(result.code, 2);
  t.regex(result.stderr, /^Commands:$/m);
  t.regex(result.stderr, /^ {2}pssql capture /m);
  const lines = result.stderr.trimEnd().split('\n');
  t.regex(lines.at(-2) ?? '', /^pssql: name a command \(see the list above\)$/);
  t.false(/\n\s+at /.test(result.stderr), 'no stack trace');
});

test('the file that is not a recording is left exactly as it was', (t) => {
  t.is(fs.readFileSync(notes, 'utf8'), 'not a database\n');
  t.false(fs.existsSync(`${notes}-wal`));
});

test('--verbose adds the stack trace', (t) => {
  const result = pssql(['show', '42', '--db', db, '--verbose']);
  t.is(result.code, 3);
  t.regex(result.stderr, /\n\s+at /);
});

test('--help teaches: commands, flags, exit codes', (t) => {
  const help = pssql(['--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /capture \[pid\.\.\]/);
  t.regex(help.stdout, /Exit codes: 0 ok/);
  const capture = pssql(['capture', '--help']);
  t.regex(capture.stdout, /handle-type-specific\s+type-specific detail/);
  t.regex(capture.stdout, /Default: handles, handle-names,/);
});

test('the recording is intact after all of that', (t) => {
  const list = pssql(['list', '--db', db, '--format', 'json']);
  t.is(list.code, 0);
  t.is((JSON.parse(list.stdout) as unknown[]).length, 1);
  t.is(pssql(['show', 'latest', '--db', db, '--format', 'json']).stdout, recorded, 'the capture reads back as it was recorded');
});
