import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { loadReports } from '../../src/analysis/report-catalog.js';
import { parseReport } from '../../src/analysis/report-definition.js';
import { isPssError } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';
import { sqlParameters, tokenizeSql } from '../../src/analysis/sql-tokens.js';

test('a header: name, description over several lines, parameters with types, defaults and descriptions', (t) => {
  const report = parseReport(
    `-- name: open-files
-- description: Files a capture holds open,
-- description: by directory.
-- param: capture capture = latest  the capture to report on
-- param: dir text = '/var/log'  the directory
-- param: limit integer = 0x10
-- param: owner pid = null  only this process
-- param: pattern text  required: no default
--
-- Free comment lines are notes: Linux: fine.
SELECT :capture, :dir, :limit, @owner, $pattern`,
    '/somewhere/open-files.sql',
  );
  t.is(report.name, 'open-files');
  t.is(report.description, 'Files a capture holds open, by directory.');
  t.false(report.builtIn);
  t.deepEqual(report.parameters, [
    { name: 'capture', type: 'capture', default: 'latest', description: 'the capture to report on' },
    { name: 'dir', type: 'text', default: '/var/log', description: 'the directory' },
    { name: 'limit', type: 'integer', default: '0x10', description: '' },
    { name: 'owner', type: 'pid', default: null, description: 'only this process' },
    { name: 'pattern', type: 'text', description: 'required: no default' },
  ]);
});

test("a quoted default keeps spaces and '' quotes", (t) => {
  const report = parseReport("-- name: q\n-- description: x\n-- param: label text = 'it''s a label'  a label\nSELECT :label", 'q.sql');
  t.is(report.parameters[0]?.default, "it's a label");
  t.is(report.parameters[0]?.description, 'a label');
});

test('the header ends at the first line of SQL: a later comment is not a field', (t) => {
  const report = parseReport('-- name: late\n-- description: x\nSELECT 1\n-- param: nope integer\n', 'late.sql');
  t.deepEqual(report.parameters, []);
});

test('the scanner sees parameters only outside strings, identifiers and comments', (t) => {
  const tokens = tokenizeSql(`SELECT ':no', "col:no", [br:no], \`bt:no\` -- :no
    /* :no ? */ FROM t WHERE a = :yes AND b = @also AND c = $too AND d = 'it''s :no' AND e = :yes`);
  t.deepEqual(sqlParameters(tokens), { named: ['yes', 'also', 'too'], positional: false });
  t.deepEqual(sqlParameters(tokenizeSql('SELECT ?1, ?')), { named: [], positional: true });
  t.deepEqual(sqlParameters(tokenizeSql("SELECT 'unterminated :no")), { named: [], positional: false });
  t.deepEqual(
    tokenizeSql('PRAGMA main.table_info(captures)').map((tk) => tk.text),
    ['PRAGMA', 'main', '.', 'table_info', '(', 'captures', ')'],
  );
  t.deepEqual(
    tokenizeSql('SELECT 0x1000, 1e6').filter((tk) => tk.kind === 'symbol').map((tk) => tk.text),
    ['0x1000', ',', '1e6'],
  );
});

test('every built-in report parses, and each parameter says what it is', (t) => {
  const reports = loadReports();
  t.true(reports.length >= 12);
  for (const report of reports) {
    t.true(report.builtIn);
    for (const p of report.parameters) t.true(p.description.length > 5, `${report.name}: ${p.name} has a description`);
  }
});

const badHeaders: [name: string, file: string, text: string, message: string][] = [
  ['no name', 'a.sql', '-- description: x\nSELECT 1', "a.sql: the header has no '-- name:' line"],
  ['a name that is not the file', 'b.sql', '-- name: other\n-- description: x\nSELECT 1', "b.sql: the report is named 'other' but its file 'b.sql': name the file after the report"],
  ['a name with capitals', 'Big.sql', '-- name: Big\n-- description: x\nSELECT 1', "Big.sql: report name 'Big': use lower-case letters, digits and dashes"],
  ['no description', 'c.sql', '-- name: c\nSELECT 1', "c.sql: the header has no '-- description:' line"],
  ['an unknown type', 'd.sql', '-- name: d\n-- description: x\n-- param: n number = 1  n\nSELECT :n', "d.sql:3: parameter 'n' has unknown type 'number' (types: capture, pid, time, integer, real, text, boolean)"],
  ['a default of the wrong type', 'e.sql', '-- name: e\n-- description: x\n-- param: n integer = many\nSELECT :n', "e.sql:3: parameter 'n': default 'many' is not an integer (decimal or 0x hex)"],
  ['a capture default that is no capture', 'e2.sql', '-- name: e2\n-- description: x\n-- param: c capture = yesterday\nSELECT :c', "e2.sql:3: parameter 'c': default 'yesterday' is not a capture id, 'first', 'latest' or 'latest-N', optionally after PID@ or NAME@"],
  ['an undeclared parameter', 'f.sql', '-- name: f\n-- description: x\nSELECT :capture', "f.sql: the SQL uses :capture but the header declares no 'param: capture ...'"],
  ['an unused parameter', 'g.sql', '-- name: g\n-- description: x\n-- param: pid pid\nSELECT 1', "g.sql: parameter 'pid' is declared but the SQL never uses :pid"],
  ['a parameter declared twice', 'g2.sql', '-- name: g2\n-- description: x\n-- param: n integer\n-- param: n text\nSELECT :n', "g2.sql: parameter 'n' is declared twice"],
  ['a positional parameter', 'h.sql', '-- name: h\n-- description: x\nSELECT ?', 'h.sql: use named parameters (:name), not ?'],
  ['a misspelt field', 'i.sql', '-- name: i\n-- description: x\n-- parm: n integer\nSELECT 1', "i.sql:3: unknown header field 'parm:' (fields: name, description, param, uses, example)"],
  ['a parameter named like a global option', 'j.sql', '-- name: j\n-- description: x\n-- param: format text\nSELECT :format', "j.sql:3: parameter 'format' would clash with pssql's own --format option: rename it"],
  ['a parameter named like a global option\'s alias', 'j.sql', '-- name: j\n-- description: x\n-- param: q text\nSELECT :q', "j.sql:3: parameter 'q' would clash with pssql's own --q option: rename it"],
  ['a parameter name in capitals', 'k.sql', '-- name: k\n-- description: x\n-- param: Pid pid\nSELECT :Pid', "k.sql:3: parameter 'Pid': names are lower-case snake_case, as in :pid"],
  ['a param line without a type', 'l.sql', '-- name: l\n-- description: x\n-- param: lonely\nSELECT :lonely', "l.sql:3: a parameter is written 'param: NAME TYPE [= DEFAULT] DESCRIPTION' (got 'lonely')"],
  ['no SQL', 'm.sql', '-- name: m\n-- description: x\n', 'm.sql: no SQL after the header'],
  ['uses a report that does not exist', 'n.sql', '-- name: n\n-- description: x\n-- uses: process-capture\nSELECT 1', "n.sql: 'uses: process-capture': no such report (did you mean 'process-captures'?)"],
  ['uses with two names', 'o.sql', '-- name: o\n-- description: x\n-- uses: a, b\nSELECT 1', "o.sql:3: 'uses:' takes the name of one report (got 'a, b')"],
  ['changes the type of a parameter it inherits', 'p.sql', '-- name: p\n-- description: x\n-- uses: process-captures\n-- param: pid text = me  x\nSELECT 1 FROM process_captures', "p.sql: parameter 'pid' is pid here but text in the report it uses".replace('pid here but text', 'text here but pid')],
  ['uses a parameter nobody declares', 'q.sql', '-- name: q\n-- description: x\n-- uses: process-captures\nSELECT :nobody FROM process_captures', "q.sql: the SQL uses :nobody but the header declares no 'param: nobody ...'"],
];

test('uses: the used report goes in front as a CTE, its parameters after the own ones; declaring one again changes its default', (t) => {
  const dir = tempDir();
  fs.writeFileSync(
    `${dir}/recent-captures.sql`,
    '-- name: recent-captures\n-- description: The last few captures of a process.\n-- uses: process-captures\n-- param: last integer = 5  how many\n-- param: min_fds integer = 0  at least this many fds\nSELECT capture_id FROM process_captures WHERE handle_count >= :min_fds;\n',
  );
  fs.writeFileSync(`${dir}/cycle-a.sql`, '-- name: cycle-a\n-- description: x\n-- uses: cycle-b\nSELECT 1');
  fs.writeFileSync(`${dir}/cycle-b.sql`, '-- name: cycle-b\n-- description: x\n-- uses: cycle-a\nSELECT 1');
  t.throws(() => loadReports([dir]), { message: `${dir}/cycle-a.sql: the report uses itself: cycle-a uses cycle-b uses cycle-a` });
  fs.rmSync(`${dir}/cycle-a.sql`);
  fs.rmSync(`${dir}/cycle-b.sql`);
  const report = loadReports([dir]).find((r) => r.name === 'recent-captures');
  t.deepEqual(
    report?.parameters.map((p) => `${p.name}=${String(p.default)}`),
    ['last=5', 'min_fds=0', 'pid=null', 'name=null', 'since=null', 'until=null', 'host=null', 'recording=null'],
  );
  t.deepEqual(report?.uses, ['process-captures']);
  t.regex(report?.sql ?? '', /^-- name: recent-captures[\s\S]*\nWITH\nprocess_captures AS MATERIALIZED \(\n-- name: process-captures[\s\S]*ORDER BY capture_id\n\n\)\nSELECT capture_id FROM process_captures WHERE handle_count >= :min_fds;\n$/);
  t.is(report?.text.startsWith('-- name: recent-captures'), true);
});

const base = tempDir();
for (const [index, [name, file, text, message]] of badHeaders.entries()) {
  test(`a bad header is an error naming the file (and line): ${name}`, (t) => {
    const dir = path.join(base, String(index));
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, file), text);
    const error = t.throws(() => loadReports([dir]));
    t.true(isPssError(error, 'ERROR_INVALID_PARAMETER'));
    t.is(error?.message, `${dir}/${message}`);
  });
}
