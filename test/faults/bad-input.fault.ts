/**
 * Bad input, tried systematically: every command with malformed arguments, and every command on
 * recordings that cannot be used (a directory, an unwritable file, a file that is not SQLite, a
 * truncated recording, one written by a newer pssql, one that does not exist). Each gets one line
 * naming what is wrong, its documented exit code, no stack trace, and a file that is not a pssql
 * recording is never modified.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { PSSQL_BIN, pssql, tempDir } from '../helpers/cli.js';
import { otherUser } from '../helpers/other-user.js';
import { startTarget, type Target } from '../helpers/target.js';

interface Outcome {
  code: number | null;
  stderr: string;
}

function runAsync(args: string[], options: { uid?: number; gid?: number; bin?: string } = {}): Promise<Outcome> {
  const { bin = PSSQL_BIN, ...ids } = options;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Another user may not enter the checkout: it starts in a directory of its own.
      ...(bin === PSSQL_BIN ? {} : { cwd: dirname(dirname(bin)) }),
      ...ids,
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // 'close', not 'exit': stderr may still hold output when the process has exited.
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

/** Runs cases a few at a time (each is a whole node process). */
async function runAll<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

function assertOneLine(t: import('ava').ExecutionContext, what: string, outcome: Outcome, code: number, message: RegExp): void {
  t.is(outcome.code, code, `${what}: exit code (${outcome.stderr.trim()})`);
  const lines = outcome.stderr.trimEnd().split('\n');
  t.regex(lines[0] ?? '', /^pssql: /, `${what}: starts with 'pssql: '`);
  t.regex(lines[0] ?? '', message, `${what}: names what is wrong`);
  t.true(lines.length <= 2, `${what}: one line (and at most a usage hint)`);
  t.false(/\n\s+at /.test(outcome.stderr), `${what}: no stack trace`);
  // eslint-disable-next-line no-control-regex
  t.false(/[\x00-\x08\x0b-\x1f]/.test(outcome.stderr), `${what}: no control characters`);
}

let target: Target;
let dir: string;
let good: string;
test.before(async () => {
  target = await startTarget(['--files', '5', '--threads', '2', '--open-every', '100']);
  dir = tempDir();
  good = `${dir}/good.db`;
  for (let i = 0; i < 2; i++) if (pssql(['capture', String(target.pid), '--db', good]).code !== 0) throw new Error('setup');
});
test.after.always(async () => {
  await target?.stop();
});

/** [args (DB is appended), exit code, message]. */
const ARGUMENT_CASES: [string[], number, RegExp][] = [
  [['capture', '-1'], 2, /invalid pid '-1'|Unknown argument/],
  [['capture', '0'], 2, /invalid pid 0/],
  [['capture', 'abc'], 2, /invalid pid 'abc'/],
  [['capture', '1e3'], 2, /invalid pid '1e3'/],
  [['capture', '99999999999'], 2, /invalid pid 99999999999/],
  [['capture', '4194000'], 3, /no such process/],
  [['capture', 'PID', '--flags', ''], 2, /no capture flags|Not enough arguments|flags/],
  [['capture', 'PID', '--flags', 'handles,zzz'], 2, /unknown capture flag 'zzz'/],
  [['capture', 'PID', '--flags', 'ipt-trace'], 2, /not available on Linux/],
  [['capture', 'PID', '--flags', '0x8000'], 2, /undefined bits/],
  [['record', 'PID', '--every', 'soon'], 2, /invalid --every 'soon'/],
  [['record', 'PID', '--every', '5'], 2, /give a unit/],
  [['record', 'PID', '--every', '-1s'], 2, /--every|Unknown argument/],
  [['record', 'PID', '--count', '0'], 2, /count must be a positive integer/],
  [['record', 'PID', '--count', 'many'], 2, /count|Invalid|number/],
  [['record', 'PID', '--for', '1 hour'], 2, /invalid --for/],
  [['record', 'PID', '--keep', '0'], 2, /keep/],
  [['record', 'PID', '--max-age', 'old'], 2, /invalid --max-age/],
  [['record', 'abc'], 2, /invalid pid 'abc'/],
  [['list', '--limit', '-3'], 2, /--limit must be a positive integer/],
  // A flag without its value (the appended --db is not one): a usage error, not an internal one.
  [['list', '--limit'], 2, /Not enough arguments following: limit/],
  [['record', 'PID', '--every'], 2, /Not enough arguments following: every/],
  [['diff', 'first', 'latest', '--fail-if'], 2, /Not enough arguments following: fail-if/],
  [['list', '--pid', 'x'], 2, /invalid pid 'x'/],
  [['show', '99'], 3, /no capture 99/],
  [['show', 'latest-99'], 3, /no capture 'latest-99'/],
  [['show', 'yesterday'], 2, /invalid capture 'yesterday'/],
  [['show', 'latest', 'kernels'], 2, /Invalid values/],
  [['export', 'nope'], 2, /invalid capture 'nope'/],
  [['diff', 'first', '42'], 3, /no capture 42/],
  [['diff', 'first', 'latest', '--fail-if', 'handles>>3'], 2, /invalid --fail-if/],
  [['diff', 'first', 'latest', '--fail-if', 'mood>+1'], 2, /invalid --fail-if/],
  [['diff', 'first', 'missing.db:latest'], 3, /no recording at/],
  [['trend', '4194000'], 3, /no capture|no captures|not found|no process/i],
  [['trend', 'no-such-process-name'], 3, /no capture|no captures|not found/i],
  [['report', 'no-such-report'], 3, /no report 'no-such-report'/],
  [['report', 'leak-suspect'], 3, /did you mean 'leak-suspects'/],
  [['report', 'handles-by-type', '--capture', 'xyz'], 2, /parameter 'capture'/],
  [['report', 'threads-by-cpu', '--limit', 'ten'], 2, /parameter 'limit' must be an integer/],
  [['report', 'handles-by-type', '--bogus', '1'], 2, /Unknown argument|bogus/],
  [['query', 'DELETE FROM captures'], 2, /DELETE would write/],
  [['query', 'DROP TABLE captures'], 2, /DROP would write/],
  [['query', "ATTACH 'x.db' AS x"], 2, /ATTACH/],
  [['query', 'PRAGMA query_only = OFF'], 2, /PRAGMA|would/],
  [['query', 'SELEC 1'], 2, /syntax error/],
  [['query', 'SELECT * FROM no_such_table'], 2, /no such table/],
  [['import', '/etc/hostname'], 5, /not a pssql snapshot/],
  [['import', 'no-such-file.json'], 3, /cannot read/],
  [['schema', 'no_such_view'], 3, /no table or view/],
  [['frobnicate'], 2, /Unknown argument: frobnicate/],
  // Captures named by process, times as people write them, one option one meaning (issue 15).
  [['show', 'PID'], 3, /is a recorded pid: its newest capture is \d+@latest/],
  [['show', 'nginx@yesterday'], 2, /invalid capture 'nginx@yesterday'/],
  [['show', 'no-such-name@latest'], 3, /there is no capture of 'no-such-name'/],
  [['show', 'latest', '--pid', 'x'], 2, /invalid pid 'x'/],
  [['show', 'latest', '--limit', '0'], 2, /--limit must be a positive integer/],
  [['export', 'latest', '--format', 'csv'], 2, /export cannot write --format csv/],
  [['export', 'latest', '-o', '/nonexistent-dir/x.json'], 3, /no such directory \/nonexistent-dir/],
  [['diff', 'first', 'latest', '--since', 'yesterday'], 2, /invalid --since 'yesterday'/],
  [['diff', 'first', 'latest', '--name', 'no-such-name'], 3, /there is no capture of 'no-such-name'/],
  [['list', '--until', '5'], 2, /invalid --until '5': a bare number is µs/],
  [['list', '--last', '0'], 2, /--last must be a positive integer/],
  [['trend', 'PID', '--limit', '3'], 2, /--limit is a number of rows/],
  [['trend'], 2, /say which process/],
  [['trend', 'PID', '--pid', 'PID'], 2, /name the process once/],
  [['capture', '--name', 'no-such-process-name'], 3, /no process named 'no-such-process-name'/],
  [['capture', 'PID', '--flags', '-bogus'], 2, /unknown capture flag '-bogus'/],
  [['import', '-', '-'], 2, /can be read once/],
  [['report', 'sockets', '--pid', 'abc'], 2, /parameter 'pid' must be a process id/],
  [['report', 'process-captures', '--since', 'soon'], 2, /parameter 'since' must be a time/],
  [['query', 'PRAGMA wal_checkpoint'], 2, /PRAGMA would write/],
  [['metrics', '--listen', 'nowhere'], 2, /invalid --listen 'nowhere'/],
  [['metrics', '--listen', '127.0.0.1:99999'], 2, /invalid --listen/],
  [['metrics', '--format', 'csv'], 2, /metrics cannot write --format csv/],
  [['metrics', '--since', 'yesterday'], 2, /invalid --since 'yesterday'/],
];

test(`${ARGUMENT_CASES.length} malformed command lines: one line each, the documented exit code`, async (t) => {
  await runAll(ARGUMENT_CASES, async ([args, code, message]) => {
    const filled = args.map((a) => (a === 'PID' ? String(target.pid) : a));
    assertOneLine(t, `pssql ${filled.join(' ')}`, await runAsync([...filled, '--db', good]), code, message);
  });
  // None of them recorded anything.
  const db = new BetterSqlite3(good, { readonly: true });
  t.is(db.prepare('SELECT count(*) FROM captures').pluck().get(), 2);
  db.close();
  t.log(`${ARGUMENT_CASES.length} malformed command lines tried`);
});

/** Every command that opens a recording, with what it needs besides --db. */
const COMMANDS: { args: string[]; writes: boolean }[] = [
  { args: ['capture', 'PID'], writes: true },
  { args: ['record', 'PID', '--count', '1', '--every', '100ms'], writes: true },
  { args: ['import', 'SNAPSHOT'], writes: true },
  { args: ['list'], writes: false },
  { args: ['show', 'latest'], writes: false },
  { args: ['export', 'latest'], writes: false },
  { args: ['diff', 'first', 'latest'], writes: false },
  { args: ['trend', 'PID'], writes: false },
  { args: ['report', 'handles-by-type'], writes: false },
  { args: ['query', 'SELECT count(*) FROM captures'], writes: false },
  { args: ['shell'], writes: false },
  { args: ['metrics'], writes: false },
];

test('every command on recordings it cannot use: the right error, files not modified', async (t) => {
  const snapshot = `${dir}/snapshot.json`;
  fs.writeFileSync(snapshot, pssql(['export', 'latest', '--db', good]).stdout);
  const notSqlite = `${dir}/notes.txt`;
  fs.writeFileSync(notSqlite, 'not a database\n'.repeat(50));
  const otherApp = `${dir}/other.db`;
  const other = new BetterSqlite3(otherApp);
  other.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
  other.close();
  const truncated = `${dir}/truncated.db`;
  fs.copyFileSync(good, truncated);
  const goodDb = new BetterSqlite3(truncated);
  goodDb.pragma('wal_checkpoint(TRUNCATE)');
  goodDb.close();
  fs.truncateSync(truncated, Math.floor(fs.statSync(truncated).size / 3));
  const newer = `${dir}/newer.db`;
  fs.copyFileSync(good, newer);
  const newerDb = new BetterSqlite3(newer);
  newerDb.pragma('user_version = 999');
  newerDb.close();
  const untouched = [notSqlite, otherApp].map((f) => [f, createHash('sha256').update(fs.readFileSync(f)).digest('hex')] as const);

  const variants: { db: string; code: (writes: boolean) => number | null; message: RegExp }[] = [
    { db: dir, code: () => 2, message: /is a directory/ },
    { db: notSqlite, code: () => 5, message: /not a pssql recording \(not a SQLite database\)/ },
    { db: otherApp, code: () => 5, message: /a SQLite database but not a pssql recording/ },
    { db: newer, code: () => 5, message: /written by a newer pssql/ },
    { db: `${dir}/missing.db`, code: (writes) => (writes ? null : 3), message: /no recording at/ },
    { db: truncated, code: () => 5, message: /damaged|malformed|not a database|newer/ },
  ];
  let tried = 0;
  const cases = COMMANDS.flatMap((command) => variants.map((variant) => ({ command, variant })));
  await runAll(cases, async ({ command, variant }) => {
    const args = command.args.map((a) => (a === 'PID' ? String(target.pid) : a === 'SNAPSHOT' ? snapshot : a));
    const expected = variant.code(command.writes);
    const db = variant.db === `${dir}/missing.db` && command.writes ? `${dir}/created-${command.args[0]}.db` : variant.db;
    const outcome = await runAsync([...args, '--db', db]);
    tried++;
    if (expected === null) {
      t.is(outcome.code, 0, `${args.join(' ')} creates a new recording: ${outcome.stderr}`);
      return;
    }
    // A truncated file may still open: what matters is a clean error, not which one.
    if (variant.db === truncated && outcome.code === 0) return;
    assertOneLine(t, `${args[0]} on ${variant.db.replace(dir, 'DIR')}`, outcome, expected, variant.message);
  });
  for (const [file, digest] of untouched) {
    t.is(createHash('sha256').update(fs.readFileSync(file)).digest('hex'), digest, `${file} is unchanged`);
    t.false(fs.existsSync(`${file}-wal`), `${file} got no WAL`);
  }
  t.log(`${tried} command and recording combinations tried`);
});

test('a recording another user may not read or write: access denied, exit code 4', async (t) => {
  const other = otherUser(t);
  if (other === null) return;
  const nobody = { uid: other.uid, gid: other.gid, bin: other.bin };
  fs.chmodSync(good, 0o600);
  for (const args of [['list'], ['capture', String(process.pid)], ['report', 'handles-by-type']]) {
    const outcome = await runAsync([...args, '--db', good], nobody);
    assertOneLine(t, `${args[0]} as nobody`, outcome, 4, /permission denied|cannot open|cannot write|read-only/);
  }
  // Capturing another user's process strictly records nothing; without --strict, what may be read.
  const own = `${tempDir()}/nobody.db`;
  fs.chmodSync(own.replace(/\/[^/]+$/, ''), 0o777);
  const denied = await runAsync(['capture', String(target.pid), '--db', own, '--strict'], nobody);
  assertOneLine(t, 'strict capture of a root process as nobody', denied, 4, /permission denied/);
  if (fs.existsSync(own)) {
    const db = new BetterSqlite3(own, { readonly: true });
    t.is(db.prepare('SELECT count(*) FROM captures').pluck().get(), 0, 'nothing recorded');
    db.close();
  }
  const partial = await runAsync(['capture', String(target.pid), '--db', own], nobody);
  assertOneLine(t, 'capture of a root process as nobody', partial, 0, /captured without handles, regions/);
});
