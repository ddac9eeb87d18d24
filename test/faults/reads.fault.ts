/**
 * Reads that would never end or never fit. A query or report that runs forever (an endless
 * recursive CTE, in a query or in one of your own reports) is stopped at its --timeout with one
 * line and exit 6. Rows bigger than any one JavaScript string can hold together (four values of
 * 140 million characters) are written row by row in JSON, NDJSON and CSV, whole.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import test from 'ava';
import { PSSQL_BIN, pssql, tempDir } from '../helpers/cli.js';

const SIZE = 140_000_000;
const SQL = `SELECT length(printf('%.*c', ${SIZE}, 'x')) AS n, printf('%.*c', ${SIZE}, 'x') AS big FROM (VALUES (1), (2), (3), (4))`;

for (const format of ['json', 'ndjson', 'csv'] as const) {
  test.serial(`query --format ${format} of 4 values of 140 M characters: whole, not "Invalid string length"`, async (t) => {
    const dir = tempDir();
    const db = `${dir}/big.db`;
    t.is(pssql(['capture', String(process.pid), '--db', db]).code, 0);
    const out = `${dir}/out.${format}`;
    const child = spawn(process.execPath, [PSSQL_BIN, 'query', SQL, '--format', format, '--db', db], { stdio: ['ignore', fs.openSync(out, 'w'), 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    t.is(code, 0, stderr);
    const size = fs.statSync(out).size;
    t.true(size > 4 * SIZE && size < 4 * SIZE + 1000, `${size} bytes`);
    const fd = fs.openSync(out, 'r');
    const head = Buffer.alloc(40);
    fs.readSync(fd, head, 0, 40, 0);
    fs.closeSync(fd);
    t.regex(head.toString(), format === 'json' ? /^\[\n {2}\{\n {4}"n": 140000000,/ : format === 'ndjson' ? /^\{"n":140000000,"big":"xxx/ : /^n,big\n140000000,xxx/);
    fs.rmSync(out);
  });
}

const ENDLESS = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) AS n FROM r';

test('a query and a report that never end are stopped at --timeout: one line, exit 6, the recording untouched', (t) => {
  const dir = tempDir();
  const db = `${dir}/endless.db`;
  t.is(pssql(['capture', String(process.pid), '--db', db]).code, 0);
  const before = fs.readFileSync(db);
  fs.mkdirSync(`${dir}/reports`);
  fs.writeFileSync(`${dir}/reports/endless.sql`, `-- name: endless\n-- description: counts forever\n${ENDLESS};\n`);
  for (const args of [['query', ENDLESS, '--timeout', '2s'], ['report', 'endless', '--queries', `${dir}/reports`, '--timeout', '2s']]) {
    const started = Date.now();
    const run = pssql([...args, '--db', db]);
    const ms = Date.now() - started;
    t.is(run.code, 6, `${args[0]}: ${run.stderr}`);
    t.regex(run.stderr, /^pssql: (the query|report endless) did not finish within 2\.00 s \(--timeout\): stopped\n$/);
    t.true(ms < 15_000, `${args[0]} stopped after ${ms} ms`);
  }
  t.deepEqual(fs.readFileSync(db), before, 'the recording is unchanged');
  t.is(pssql(['report', 'handles-by-type', '--db', db]).code, 0, 'a report within its time limit (5 minutes by default) runs');
});
