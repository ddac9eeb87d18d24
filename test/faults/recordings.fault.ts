/**
 * Recordings pssql did not make, or made and then had tampered with: older ones (read as they
 * are, upgraded only by a writer), crafted ones (a view replaced, a trigger planted, a version
 * that lies), planted files (another user's, world-writable, a symbolic link, an empty file), and
 * storage a reader may not write (another user's folder, a read-only file system).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { loadMigrations } from '../../src/store/migrate.js';
import { PSSQL_BIN, pssql, tempDir } from '../helpers/cli.js';
import { otherUser } from '../helpers/other-user.js';

const digest = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A recording of schema `version` made with the migrations of that time, holding one capture of this process. */
function oldRecording(file: string, version: number): void {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    for (const [i, migration] of loadMigrations().slice(0, version).entries()) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?, ?, ?)').run(i + 1, migration.name, 1);
    }
    db.pragma('application_id = 1886614385');
    db.pragma(`user_version = ${version}`);
    const name = db.prepare("INSERT INTO strings (value) VALUES ('old-pssql')").run().lastInsertRowid;
    db.prepare('INSERT INTO process_instances (host, pid, create_time_us, name_id, last_seq) VALUES (?, ?, ?, ?, 1)').run('vm', 4242, 1_700_000_000_000_000, name);
    db.prepare(
      `INSERT INTO captures (instance_id, seq, pid, host, platform, backend, capture_flags, thread_context_flags, details, started_at_us,
         duration_us, recorded_at_us, thread_count, handle_count, region_count, thread_context_length, skipped_count, denied_count, pssql_version)
       VALUES (1, 1, 4242, 'vm', 'linux', 'procfs', 128, 0, 0, 1700000001000000, 1000, 1700000001000000, 1, NULL, NULL, 0, 0, 0, '0.1.0')`,
    ).run();
    db.prepare('INSERT INTO process_info (capture_id, exit_status, process_id, flags, name_id) VALUES (1, 259, 4242, 0, ?)').run(name);
    db.prepare(
      'INSERT INTO thread_versions (instance_id, first_seq, thread_id, exit_status, process_id, flags, name_id) VALUES (1, 1, 4242, 259, 4242, 0, ?)',
    ).run(name);
  } finally {
    db.close();
  }
}

function aRecording(dir: string, name = 'good.db'): string {
  const file = path.join(dir, name);
  const made = pssql(['capture', String(process.pid), '--db', file, '--flags', 'threads']);
  if (made.code !== 0) throw new Error(made.stderr);
  return file;
}

/** One line on stderr with the exit code; a file name in it where one is given. */
function oneLine(t: import('ava').ExecutionContext, what: string, result: { code: number; stderr: string }, code: number, message: RegExp): void {
  t.is(result.code, code, `${what}: exit code (${result.stderr.trim()})`);
  t.regex(result.stderr, message, what);
  t.true(result.stderr.trimEnd().split('\n').length <= 2, `${what}: one line`);
  t.false(/\n\s+at /.test(result.stderr), `${what}: no stack trace`);
}

test('an older recording is read as it is, byte for byte; only a writer upgrades it, saying so', (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'v1.db');
  oldRecording(file, 1);
  const before = digest(file);
  const list = pssql(['list', '--db', file, '--format', 'json']);
  t.is(list.code, 0, list.stderr);
  t.like(JSON.parse(list.stdout)[0], { capture_id: 1, pid: 4242, name: 'old-pssql', threads: 1 });
  for (const args of [['show', '1'], ['show', '1', 'threads'], ['report', 'process-captures', '--pid', '4242'], ['query', 'SELECT count(*) FROM handles']]) {
    const read = pssql([...args, '--db', file]);
    t.is(read.code, 0, `${args.join(' ')}: ${read.stderr}`);
  }
  t.is(digest(file), before, 'reading left it byte for byte as it was');
  t.false(fs.existsSync(`${file}-shm`) && fs.statSync(`${file}-shm`).size > 0 && digest(file) !== before);
  const write = pssql(['capture', String(process.pid), '--flags', 'threads', '--db', file]);
  t.is(write.code, 0, write.stderr);
  t.regex(write.stderr, /upgraded .*v1\.db from schema 1 to \d+/);
  const db = new BetterSqlite3(file, { readonly: true });
  t.is(db.pragma('user_version', { simple: true }), loadMigrations().length);
  db.close();
});

test('a recording whose version lies, a view replaced, a trigger planted: refused by name, exit 5, nothing run', (t) => {
  const dir = tempDir();
  // The current schema under an older version number.
  const lying = aRecording(dir, 'lying.db');
  let db = new BetterSqlite3(lying);
  db.pragma('user_version = 1');
  db.close();
  oneLine(t, 'a version that lies', pssql(['list', '--db', lying]), 5, /lying\.db .*(is not part of schema 1|differs from the one schema 1 makes)/);
  // A view replaced by one that never ends.
  const hostile = aRecording(dir, 'hostile.db');
  db = new BetterSqlite3(hostile);
  db.exec('DROP VIEW handles; CREATE VIEW handles AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS capture_id FROM n');
  db.close();
  for (const args of [['show', 'latest', 'handles'], ['report', 'handles-by-type'], ['query', 'SELECT count(*) FROM handles']]) {
    const started = Date.now();
    const result = spawnSync(process.execPath, [PSSQL_BIN, ...args, '--db', hostile], { encoding: 'utf8', timeout: 30_000 });
    oneLine(t, `${args[0]} on a replaced view`, { code: result.status ?? -1, stderr: result.stderr }, 5, /hostile\.db .*view handles differs/);
    t.true(Date.now() - started < 20_000, 'refused, not run');
  }
  // A trigger that would run inside pssql's own write transaction.
  const trapped = aRecording(dir, 'trapped.db');
  db = new BetterSqlite3(trapped);
  db.exec("CREATE TABLE stolen (line TEXT); CREATE TRIGGER steal AFTER INSERT ON captures BEGIN INSERT INTO stolen VALUES ('x'); END");
  db.close();
  const before = digest(trapped);
  oneLine(t, 'a planted trigger, writing', pssql(['capture', String(process.pid), '--db', trapped]), 5, /trapped\.db .*trigger steal/);
  oneLine(t, 'a planted trigger, reading', pssql(['list', '--db', trapped]), 5, /trigger steal/);
  t.is(digest(trapped), before, 'nothing written into it');
});

test('planted files are not taken over: another user\'s, writable by others, a symbolic link, an empty file', async (t) => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o1777);
  const good = aRecording(dir);
  // Writable by others.
  const open = aRecording(dir, 'open.db');
  fs.chmodSync(open, 0o666);
  oneLine(t, 'a 0666 recording', pssql(['capture', String(process.pid), '--db', open]), 4, /will not write .*open\.db: others may write it \(mode 0666\)/);
  t.false(fs.existsSync(`${open}-wal`) && fs.statSync(`${open}-wal`).size > 0, 'no log written for it');
  // An empty file, and a symbolic link to one.
  const empty = path.join(dir, 'empty.conf');
  fs.writeFileSync(empty, '', { mode: 0o644 });
  oneLine(t, 'an empty file', pssql(['capture', String(process.pid), '--db', empty]), 5, /empty\.conf: it is an empty file/);
  const link = path.join(dir, 'link.db');
  fs.symlinkSync(empty, link);
  oneLine(t, 'a link to an empty file', pssql(['capture', String(process.pid), '--db', link]), 4, /link\.db: it is a symbolic link/);
  t.is(fs.statSync(empty).size, 0, 'the file it points to is untouched');
  // A link to another recording: refused unless asked.
  const toGood = path.join(dir, 'to-good.db');
  fs.symlinkSync(good, toGood);
  oneLine(t, 'a link to a recording', pssql(['capture', String(process.pid), '--db', toGood]), 4, /symbolic link.*--follow-symlinks/);
  t.is(pssql(['capture', String(process.pid), '--db', toGood, '--follow-symlinks', '--flags', 'threads']).code, 0, '--follow-symlinks writes through it');
  t.is(pssql(['list', '--db', toGood]).code, 0, 'reading through a link is fine');
  // Another user's file, planted where root records.
  const user = otherUser(t);
  if (user === null) return;
  const planted = path.join(dir, 'pssql.db');
  spawnSync('touch', [planted], { uid: user.uid, gid: user.gid });
  fs.chmodSync(planted, 0o600);
  const taken = spawnSync(process.execPath, [PSSQL_BIN, 'capture', String(process.pid), '--db', planted], { encoding: 'utf8' });
  oneLine(t, "nobody's file, written by root", { code: taken.status ?? -1, stderr: taken.stderr }, 4, /pssql\.db: it belongs to another user \(uid 65534\)/);
  t.false(fs.existsSync(`${planted}-wal`), 'no -wal for the planter to read');
  t.is(fs.statSync(planted).size, 0);
});

test('storage a reader may not write: another user\'s folder, a read-only file system', async (t) => {
  const user = otherUser(t);
  if (user === null) return;
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const file = aRecording(dir);
  fs.chmodSync(file, 0o644);
  const list = spawnSync(process.execPath, [user.bin, 'list', '--db', file, '--format', 'json'], { uid: user.uid, gid: user.gid, cwd: user.root, encoding: 'utf8' });
  t.is(list.status, 0, `nobody reads root's 0644 recording in root's 0755 folder: ${list.stderr}`);
  t.is(JSON.parse(list.stdout).length, 1);
  // A read-only file system (a read-only bind mount of the folder).
  const mount = tempDir();
  const bound = spawnSync('mount', ['--bind', '-o', 'ro', dir, mount]);
  if (bound.status !== 0) {
    if (process.env.CI === 'true') t.fail(`CI must mount a read-only bind mount: ${bound.stderr}`);
    return;
  }
  try {
    spawnSync('mount', ['-o', 'remount,bind,ro', mount]);
    const ro = pssql(['list', '--db', path.join(mount, path.basename(file)), '--format', 'json']);
    t.is(ro.code, 0, `root reads a recording on a read-only file system: ${ro.stderr}`);
    t.is(JSON.parse(ro.stdout).length, 1);
  } finally {
    spawnSync('umount', [mount]);
  }
});

test('a backup made while a recorder writes holds its captures whole; check finds a broken invariant', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'live.db');
  const recorder = spawn(process.execPath, [PSSQL_BIN, 'record', String(process.pid), '--every', '50ms', '--flags', 'threads,handles', '--db', file], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 200 && !(fs.existsSync(file) && fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const backup = path.join(dir, 'backup.db');
    const made = pssql(['backup', backup, '--db', file]);
    t.is(made.code, 0, made.stderr);
    t.is(fs.statSync(backup).mode & 0o777, 0o600);
    const db = new BetterSqlite3(backup, { readonly: true });
    const captures = db.prepare('SELECT count(*) FROM captures').pluck().get() as number;
    db.close();
    t.true(captures >= 1, `the backup holds the captures written so far (${captures})`);
    t.is(pssql(['check', '--db', backup]).code, 0, 'and they are whole');
    t.is(pssql(['backup', backup, '--db', file]).code, 2, 'an existing file is never replaced');
  } finally {
    recorder.kill('SIGINT');
    await new Promise((r) => recorder.once('close', r));
  }
  const broken = path.join(dir, 'broken.db');
  fs.copyFileSync(file, broken);
  const db = new BetterSqlite3(broken);
  db.exec('UPDATE captures SET thread_count = thread_count + 1 WHERE capture_id = 1');
  db.close();
  const check = pssql(['check', '--db', broken]);
  t.is(check.code, 5);
  t.regex(check.stdout, /threads counts\s+FAILED\s+capture 1 records \d+ threads but holds \d+/);
  t.regex(check.stderr, /broken\.db is damaged: threads counts failed/);
});
