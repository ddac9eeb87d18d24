/**
 * Rows bigger than any one JavaScript string can hold together: four values of 140 million
 * characters (a crafted recording's strings, or a query that makes them). JSON, NDJSON and CSV
 * are written row by row, so the output is whole where one string of it could not be made.
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
