/**
 * pssql shell: statements from a script on standard input, and a person at a real terminal
 * (tmux) with prompts, multi-line statements, dot-commands, completion and history; both through
 * the read-only check of pssql query.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import test from 'ava';
import { pssql, tempDir } from '../helpers/cli.js';
import { haveTmux, Terminal } from '../helpers/terminal.js';

const dir = tempDir();
const db = `${dir}/shell.db`;
test.before(() => {
  for (let i = 0; i < 2; i++) if (pssql(['capture', String(process.pid), '--db', db]).code !== 0) throw new Error('setup');
});
const digest = (): string => createHash('sha256').update(fs.readFileSync(db)).digest('hex');

test('statements from standard input: each runs as it ends, several lines or several on a line', (t) => {
  const script = [
    'SELECT count(*) AS n FROM captures;',
    'SELECT capture_id,',
    '       pid',
    '  FROM captures ORDER BY capture_id; SELECT hex_address(255) AS h;',
    '-- a comment, then the SQL functions and lookup tables of pssql query',
    "SELECT name FROM page_protections WHERE protect = 4;",
    'PRAGMA journal_mode;',
  ].join('\n');
  const result = pssql(['shell', '--db', db], { input: script });
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.regex(result.stdout, /^n\n-\n2\n/);
  t.regex(result.stdout, new RegExp(`capture_id +pid\\n-+ +-+\\n +1 +${process.pid}\\n +2 +${process.pid}\\n`));
  t.regex(result.stdout, /\nh\n-+\n0xff\n/);
  t.regex(result.stdout, /\nPAGE_READWRITE\n/);
  t.regex(result.stdout, /\njournal_mode\n-+\nwal\n$/);
  const echo = pssql(['shell', '--db', db], { input: 'select count(*) from captures;\n' });
  t.regex(echo.stdout, /^count\(\*\)\n-+\n +2\n$/, 'the example of the issue');
});

test('dot-commands, formats, parameters; the last statement of a script may lack its ;', (t) => {
  const script = ['.tables', '.schema regions', '.format json', '.param capture latest', 'SELECT capture_id FROM captures WHERE capture_id = :capture;', '.format csv', 'SELECT 1 AS one'].join('\n');
  const result = pssql(['shell', '--db', db], { input: script });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^name +kind +description\n/);
  t.regex(result.stdout, /^handles +view +Handles/m);
  t.regex(result.stdout, /^mapped_file_name +text or NULL +Mapped file/m);
  t.regex(result.stdout, /\[\n {2}\{\n {4}"capture_id": 2\n {2}\}\n\]\n/);
  t.regex(result.stdout, /\none\n1\n$/);
  t.regex(pssql(['shell', '--db', db, '--format', 'ndjson'], { input: 'SELECT 7 AS x;' }).stdout, /^\{"x":7\}\n$/, '--format is the first .format');
  const help = pssql(['shell', '--db', db], { input: '.help\n' }).stdout;
  for (const command of ['.tables', '.schema NAME', '.format table|json|csv|ndjson', '.param NAME VALUE', '.quit']) t.true(help.includes(`  ${command}`), `.help lists ${command}`);
});

test('the read-only check of pssql query: a statement that would write stops the script, with its line, and changes nothing', (t) => {
  const before = digest();
  for (const [sql, message] of [
    ['DELETE FROM captures;', /DELETE would write/],
    ["ATTACH 'x.db' AS x;", /ATTACH returns no rows/],
    ['PRAGMA query_only = OFF;', /PRAGMA query_only = \.\.\. changes a setting/],
  ] as const) {
    const result = pssql(['shell', '--db', db], { input: `SELECT 1;\n\n${sql}\nSELECT 2;\n` });
    t.is(result.code, 2, sql);
    t.regex(result.stderr, new RegExp(`^pssql: shell: line 3: ${message.source}`), sql);
    t.false(result.stdout.includes('2\n-'), 'the script stopped there');
  }
  const unknown = pssql(['shell', '--db', db], { input: '.frobnicate\n' });
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^pssql: shell: line 1: unknown command '\.frobnicate'; \.help lists them$/m);
  t.is(digest(), before);
});

test('at a terminal: prompts, multi-line statements, Ctrl-C, completion, history kept across sessions', (t) => {
  if (!haveTmux(t)) return;
  const history = `${dir}/history`;
  const term = Terminal.start({ width: 100, cwd: dir, env: { PSSQL_HISTORY: history } });
  try {
    term.line(`pssql shell --db ${db}`);
    term.waitFor(/^pssql> /m);
    term.line('SELECT count(*) AS n');
    term.waitFor(/^ {3}\.\.\.> /m);
    term.line('FROM captures;');
    t.regex(term.waitFor(/^n\n-\n2\n/m), /^pssql> SELECT count\(\*\) AS n\n {3}\.\.\.> FROM captures;\nn\n-\n2\n/m, 'a statement over two lines');

    // Tab completes a column's name and a table's.
    term.type('SELECT object_na');
    term.press('Tab');
    term.type(' FROM handles WHERE handle_value = 0 LIMIT 1;');
    term.press('Enter');
    t.regex(term.waitFor(/^object_name\n-+\n\S+$/m), /^pssql> SELECT object_name FROM handles WHERE/m);
    term.type("SELECT phase FROM perfor");
    term.press('Tab');
    term.waitFor(/^pssql> SELECT phase FROM performance_counters/m);
    term.line(" WHERE phase = 'total' AND capture_id = 1;");
    t.regex(term.waitFor(/^total$/m), /^phase\n-+\ntotal$/m);

    // Ctrl-C abandons the statement being typed.
    term.line('SELECT');
    term.waitFor(/^ {3}\.\.\.> $/m);
    term.press('C-c');
    term.line('.format json');
    term.line('SELECT 5 AS five;');
    t.regex(term.waitFor(/"five": 5/), /"five": 5/, 'the abandoned SELECT did not swallow the next statement');

    // A refusal is said, and the shell goes on.
    term.line('DELETE FROM captures;');
    term.waitFor(/pssql: shell: DELETE would write/);
    term.line('.quit');
    term.waitFor(/^\$\s*$/m);
    const kept = fs.readFileSync(history, 'utf8');
    t.regex(kept, /^SELECT count\(\*\) AS n$/m, 'the history is kept');
    t.is(fs.statSync(history).mode & 0o777, 0o600);

    // A new session has the old history: Up brings back the last line.
    term.clear();
    term.line(`pssql shell --db ${db}`);
    term.waitFor(/pssql shell on .*read-only/);
    term.press('Up');
    term.waitFor(/^pssql> \.quit/m);
    term.press('Up');
    t.regex(term.waitFor(/^pssql> DELETE FROM captures;/m), /DELETE FROM captures;/);
    term.press('C-u');
    term.press('C-d');
    term.waitFor(/^\$\s*$/m);
  } finally {
    term.kill();
  }
});
