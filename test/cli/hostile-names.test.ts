/**
 * File and socket names with a newline, an escape sequence and bytes that are not UTF-8, and a
 * path of 3000 bytes: stored exactly, read back exactly, and printed so that nothing reaches a
 * terminal as a control sequence.
 */
import test from 'ava';
import { HandleFlags, WalkClass } from '../../src/pss/index.js';
import { openStore, openStoredSnapshot } from '../../src/store/index.js';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { startTarget, type Target } from '../helpers/target.js';

let target: Target;
let db: string;
test.before(async () => {
  target = await startTarget(['--name-weird']);
  db = `${tempDir()}/names.db`;
  if (pssql(['capture', String(target.pid), '--db', db]).code !== 0) throw new Error('capture failed');
});
test.after.always(async () => {
  await target?.stop();
});

/** The names target.c gives them, with bytes that are not UTF-8 as U+DC80+byte. */
const fileName = () => `${target.dir}/we\nird\x1b[31m\udcff.txt`;
const socketName = () => `${target.dir}/so\nck\x1b[1m\udcfe`;
function longPath(): string {
  let path = target.dir;
  for (let level = 0; path.length < 2900; level++) path += `/a-rather-long-directory-name-to-make-a-long-path-${String(level).padStart(2, '0')}`;
  return `${path}/end-of-a-long-path.txt`;
}

test('names are stored exactly and read back exactly', (t) => {
  const store = openStore(db, { readonly: true });
  try {
    const handles = [...openStoredSnapshot(store, 1).entries(WalkClass.Handles)];
    const [file, socket, long] = target.fds.weird.map((fd) => handles.find((h) => h.handle === fd));
    t.is(file?.objectName, fileName());
    t.is(socket?.socket?.localAddress, socketName());
    t.true(((socket?.flags ?? 0) & HandleFlags.HaveTypeSpecificInformation) !== 0);
    t.is(long?.objectName, longPath());
    t.true((long?.objectName?.length ?? 0) > 2900);
  } finally {
    store.close();
  }
});

test('JSON output carries the names, with bytes that are not UTF-8 as \\xNN', (t) => {
  const rows = pssqlJson(['show', 'latest', 'handles', '--db', db]);
  const byFd = new Map(rows.map((r) => [r.handle_value, r]));
  const [file, socket, long] = target.fds.weird.map((fd) => byFd.get(fd));
  t.is(file?.object_name, `${target.dir}/we\nird\x1b[31m\\xff.txt`);
  t.is(socket?.local_address, `${target.dir}/so\nck\x1b[1m\\xfe`);
  t.is(long?.object_name, longPath());
});

test('tables and reports print names without control characters', (t) => {
  for (const args of [
    ['show', 'latest', 'handles'],
    ['report', 'sockets'],
    ['report', 'handles-matching', '--pattern', '%we%'],
    ['query', 'SELECT object_name FROM handles'],
  ]) {
    const result = pssql([...args, '--db', db]);
    t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    // eslint-disable-next-line no-control-regex
    t.false(/[\x00-\x08\x0b-\x1f\x7f]/.test(result.stdout), `${args.join(' ')}: no control character reaches the terminal`);
  }
  const table = pssql(['show', 'latest', 'handles', '--db', db]).stdout;
  t.true(table.includes('we\\nird\\x1b[31m\\xff.txt'), `the name shows with visible escapes`);
  const lines = table.trimEnd().split('\n');
  t.is(lines.length, 2 + pssqlJson(['show', 'latest', 'handles', '--db', db]).length, 'one line per handle: no newline inside a cell');
});
