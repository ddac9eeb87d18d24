import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { isPssError } from '../../src/pss/index.js';
import { openStore, writeCapture } from '../../src/store/index.js';
import { latestSchemaVersion } from '../../src/store/migrate.js';
import { captureLinuxSnapshot } from '../../src/capture/linux/index.js';
import { tempDir } from '../helpers/cli.js';

const digest = (path: string) => createHash('sha256').update(fs.readFileSync(path)).digest('hex');

function refused(t: import('ava').ExecutionContext, path: string, code: string, message: RegExp, readonly = false): void {
  const error = t.throws(() => openStore(path, { readonly }));
  t.true(isPssError(error), `a PssError, not ${String(error)}`);
  t.is((error as { code?: string }).code, code);
  t.regex(error?.message ?? '', message);
}

test('a new recording is readable by its owner only', (t) => {
  const path = `${tempDir()}/new.db`;
  openStore(path).close();
  t.is(fs.statSync(path).mode & 0o777, 0o600);
});

test('a file that is not SQLite is refused and not modified', (t) => {
  const path = `${tempDir()}/notes.txt`;
  fs.writeFileSync(path, 'my precious notes\n'.repeat(100));
  const before = digest(path);
  refused(t, path, 'ERROR_BAD_FORMAT', /is not a pssql recording \(not a SQLite database\)/);
  refused(t, path, 'ERROR_BAD_FORMAT', /not a pssql recording/, true);
  t.is(digest(path), before);
  t.false(fs.existsSync(`${path}-wal`));
});

test('a SQLite database of another application is refused and not modified', (t) => {
  const path = `${tempDir()}/other.db`;
  const other = new BetterSqlite3(path);
  other.exec('CREATE TABLE mine (x); INSERT INTO mine VALUES (1)');
  other.close();
  const before = digest(path);
  refused(t, path, 'ERROR_BAD_FORMAT', /is a SQLite database but not a pssql recording/);
  t.is(digest(path), before);
});

test('a recording of a newer pssql is refused, read-only or not', (t) => {
  const path = `${tempDir()}/newer.db`;
  openStore(path).close();
  const db = new BetterSqlite3(path);
  db.pragma('user_version = 999');
  db.close();
  refused(t, path, 'ERROR_REVISION_MISMATCH', /written by a newer pssql \(schema 999/);
  refused(t, path, 'ERROR_REVISION_MISMATCH', /newer pssql/, true);
});

test('paths that cannot be a recording: a directory, a missing file read-only, an empty file read-only', (t) => {
  const dir = tempDir();
  refused(t, dir, 'ERROR_INVALID_PARAMETER', /is a directory/);
  refused(t, `${dir}/missing.db`, 'ERROR_FILE_NOT_FOUND', /no recording at/, true);
  fs.writeFileSync(`${dir}/empty.db`, '');
  refused(t, `${dir}/empty.db`, 'ERROR_BAD_FORMAT', /is empty/, true);
  refused(t, `${dir}/no/such/dir/x.db`, 'ERROR_FILE_NOT_FOUND', /cannot create/);
});

test('an empty SQLite database is not made a recording, by reading it or by writing', (t) => {
  const path = `${tempDir()}/blank.db`;
  const blank = new BetterSqlite3(path);
  blank.pragma('user_version = 0');
  blank.exec('VACUUM');
  blank.close();
  t.true(fs.statSync(path).size > 0, 'a real SQLite file, not an empty one');
  const before = digest(path);
  refused(t, path, 'ERROR_BAD_FORMAT', /is an empty SQLite database, not a pssql recording/, true);
  t.is(digest(path), before, 'reading did not migrate it');
  // Nor by writing: pssql writes only into a recording it made.
  refused(t, path, 'ERROR_BAD_FORMAT', /is an empty SQLite database, not a pssql recording/, false);
  t.is(digest(path), before, 'writing did not take it over');
});

test('a read-only store cannot write, even with raw SQL', (t) => {
  const path = `${tempDir()}/ro.db`;
  const writer = openStore(path);
  writeCapture(writer, captureLinuxSnapshot({ pid: process.pid, flags: 0x4 }));
  writer.close();
  const store = openStore(path, { readonly: true });
  try {
    // better-sqlite3's SqliteError is not a native Error subclass, hence `any`.
    t.throws(() => store.db.exec('DELETE FROM captures'), { any: true, code: 'SQLITE_READONLY' });
    t.is((store.db.prepare('SELECT count(*) AS n FROM captures').get() as { n: number }).n, 1);
  } finally {
    store.close();
  }
});

test('a truncated recording gives a clear error when read', (t) => {
  const path = `${tempDir()}/truncated.db`;
  const store = openStore(path);
  for (let i = 0; i < 3; i++) writeCapture(store, captureLinuxSnapshot({ pid: process.pid }));
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  const size = fs.statSync(path).size;
  fs.truncateSync(path, Math.floor(size / 2));
  const error = t.throws(() => {
    const damaged = openStore(path, { readonly: true });
    try {
      damaged.db.prepare('SELECT count(*) FROM regions').get();
    } finally {
      damaged.close();
    }
  });
  t.regex(error?.message ?? '', /malformed|damaged|not a database/i);
});

/** A pssql process that creates (or only reads) the recording at `path`, starting at `startAt`. */
function opener(role: 'create' | 'read', path: string, startAt: number): Promise<{ code: number | null; output: string }> {
  const store = new URL('../../src/store/index.js', import.meta.url).href;
  const script = `
    import { openStore } from ${JSON.stringify(store)};
    const [role, path, startAt] = [process.argv[1], process.argv[2], Number(process.argv[3])];
    // Sleep until just before the start, then spin, so that waiting children do not starve others.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now() - 20)));
    while (Date.now() < startAt);
    if (role === 'create') {
      openStore(path).close();
    } else {
      // Poll until the recording is there: until then, only "no recording" is a right answer.
      for (;;) {
        try { openStore(path, { readonly: true }).close(); break; }
        catch (error) { if (!/no recording at/.test(error.message)) { console.log(error.message); process.exit(1); } }
        if (Date.now() > startAt + 20000) { console.log('the recording never appeared'); process.exit(1); }
      }
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, role, path, String(startAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

test('several pssql creating and reading a new recording at once: made once, never seen half-made', async (t) => {
  const dir = tempDir();
  for (let round = 0; round < 3; round++) {
    const path = `${dir}/race-${round}.db`;
    // Node starts in some 100 ms; all of them begin at the same moment after that.
    const startAt = Date.now() + 1500;
    const roles = ['create', 'read', 'create', 'read', 'read', 'create'] as const;
    const results = await Promise.all(roles.map((role) => opener(role, path, startAt)));
    results.forEach((result, i) => t.is(result.code, 0, `round ${round}, ${roles[i]} #${i}: ${result.output}`));
    const db = new BetterSqlite3(path, { readonly: true });
    const applied = db.prepare('SELECT count(*) FROM schema_migrations').pluck().get();
    db.close();
    t.is(applied, latestSchemaVersion(), `round ${round}: each migration applied once`);
    t.is(fs.statSync(path).mode & 0o777, 0o600);
  }
  t.deepEqual(fs.readdirSync(dir).filter((name) => name.includes('.creating')), [], 'no temporary file left behind');
});

test('a reader that resolves a capture and then reads it sees it, though a writer prunes it between', async (t) => {
  const file = `${tempDir()}/consistent.db`;
  const writer = openStore(file);
  for (let i = 0; i < 2; i++) writeCapture(writer, captureLinuxSnapshot({ pid: process.pid }));
  const reader = openStore(file, { readonly: true });
  const { resolveCaptureRef } = await import('../../src/analysis/capture-ref.js');
  const { loadStoredSnapshot } = await import('../../src/store/stored-snapshot.js');
  try {
    const snapshot = await reader.readConsistently(async () => {
      const id = await resolveCaptureRef(reader, 'first');
      // As --keep 1 does in a recorder's transaction: the oldest capture goes.
      writer.db.prepare('DELETE FROM captures WHERE capture_id = ?').run(id);
      return loadStoredSnapshot(reader, id);
    });
    t.true([...snapshot.entries(1 /* WalkClass.Handles */)].length > 0, 'the capture is read whole');
    await t.throwsAsync(resolveCaptureRef(reader, '1'), undefined, 'after the transaction, the pruned capture is gone');
  } finally {
    reader.close();
    writer.close();
  }
});
