/**
 * One escaping scheme for every text a person reads (tables and CSV): a backslash is `\\`, so a
 * file named with the four characters `\xff` never reads like one whose name has the byte 0xff,
 * and no control byte reaches a terminal, CSV included.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import test from 'ava';
import { displayText } from '../../src/cli/format-value.js';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';

/** The inverse of displayText, written from its documentation: each text has one form. */
function undisplay(text: string): string {
  return text.replace(/\\(\\|n|t|r|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_, e: string) => {
    if (e === '\\') return '\\';
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === 'r') return '\r';
    const code = Number.parseInt(e.slice(1), 16);
    if (e.startsWith('x') && code >= 0x80) return String.fromCharCode(0xdc00 + code);
    return String.fromCharCode(code);
  });
}

test('displayText: every character visible, and each text has its own form', (t) => {
  const samples = ['plain', 'C:\\Windows\\x41', 'a\\xff', 'a\udcff', 'a\n\t\r\x1b[31m\x7f', '\u0085\u2028', 'caf\u00e9 \u{1f600}', '\\\\', '\\x1b'];
  const shown = samples.map(displayText);
  for (const [i, text] of shown.entries()) {
    // eslint-disable-next-line no-control-regex
    t.false(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(text), `${JSON.stringify(samples[i])} has no control character`);
    t.is(undisplay(text), samples[i] as string, `${JSON.stringify(samples[i])} reads back`);
  }
  t.is(new Set(shown).size, samples.length, 'no two texts look alike');
  t.is(displayText('a\\xff'), 'a\\\\xff');
  t.is(displayText('a\udcff'), 'a\\xff');
  t.is(displayText('\u0085'), '\\u0085', 'a C1 control is not mistaken for a byte that is not UTF-8');
});

test('a literal backslash, a byte that is not UTF-8 and control bytes: told apart in tables and CSV, never raw', async (t) => {
  const dir = tempDir();
  const names = { literal: 'lit\\xff.txt', byte: Buffer.concat([Buffer.from('byte'), Buffer.of(0xff), Buffer.from('.txt')]), control: 'ctl\x1b[1m\t.txt' };
  for (const name of Object.values(names)) fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(name)]), '');
  // A process that holds the three files open as fds 3, 4 and 5.
  const holder = spawn('sleep', ['300'], {
    stdio: ['ignore', 'ignore', 'ignore', ...Object.values(names).map((n) => fs.openSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(n)]), 'r'))],
  });
  try {
    const db = `${dir}/names.db`;
    t.is(pssql(['capture', String(holder.pid), '--db', db]).code, 0);
    const table = pssql(['show', 'latest', 'handles', '--db', db]);
    t.is(table.code, 0, table.stderr);
    t.true(table.stdout.includes(`${dir}/lit\\\\xff.txt`), 'the literal backslash is doubled');
    t.true(table.stdout.includes(`${dir}/byte\\xff.txt`), 'the byte is \\xff');
    t.true(table.stdout.includes(`${dir}/ctl\\x1b[1m\\t.txt`), 'control characters are escaped');
    // eslint-disable-next-line no-control-regex
    t.false(/[\x00-\x08\x0b-\x1f\x7f]/.test(table.stdout), 'no control byte in the table');

    const csv = pssql(['show', 'latest', 'handles', '--format', 'csv', '--db', db]);
    t.is(csv.code, 0, csv.stderr);
    // eslint-disable-next-line no-control-regex
    t.false(/[\x00-\x09\x0b-\x1f\x7f]/.test(csv.stdout), 'no control byte in the CSV');
    for (const name of ['lit\\\\xff.txt', 'byte\\xff.txt', 'ctl\\x1b[1m\\t.txt']) t.true(csv.stdout.includes(`${dir}/${name}`), `CSV has ${name}`);
    t.is(csv.stdout.trimEnd().split('\n').length, 1 + table.stdout.trimEnd().split('\n').length - 2, 'one CSV line per handle');

    // JSON keeps the SQL text: the exact name when it is valid UTF-8, the \xNN form when not.
    const rows = pssqlJson(['show', 'latest', 'handles', '--db', db]);
    const byFd = new Map(rows.map((r) => [r.handle_value, r.object_name]));
    t.is(byFd.get(3), `${dir}/lit\\xff.txt`);
    t.is(byFd.get(4), `${dir}/byte\\xff.txt`);
    t.is(byFd.get(5), `${dir}/ctl\x1b[1m\t.txt`);
  } finally {
    holder.kill();
  }
});

test('a name with a byte that is not UTF-8 and a backslash: its SQL form doubles the backslash', async (t) => {
  const dir = tempDir();
  const name = Buffer.concat([Buffer.from(`${dir}/back\\slash`), Buffer.of(0xfe)]);
  fs.writeFileSync(name, '');
  const holder = spawn('sleep', ['300'], { stdio: ['ignore', 'ignore', 'ignore', fs.openSync(name, 'r')] });
  try {
    const db = `${dir}/names.db`;
    t.is(pssql(['capture', String(holder.pid), '--db', db]).code, 0);
    const rows = pssqlJson(['query', 'SELECT object_name FROM handles WHERE handle_value = 3', '--db', db]);
    t.is(rows[0]?.object_name, `${dir}/back\\\\slash\\xfe`, 'SQL: \\\\ for the backslash, \\xfe for the byte');
    const table = pssql(['query', 'SELECT object_name FROM handles WHERE handle_value = 3', '--db', db]);
    t.true(table.stdout.includes(`${dir}/back\\\\slash\\xfe`), 'the table shows the exact name escaped once');
  } finally {
    holder.kill();
  }
});
