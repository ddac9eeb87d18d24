/**
 * The empty recording the build keeps (dist/empty-recording-<digest>.db, npm run build): it must
 * be exactly what the migrations make, since new recordings are made from it and recordings of the
 * latest schema are checked against it.
 */
import * as fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { builtEmptyRecordingPath, newRecordingImage } from '../../src/store/empty-recording.js';
import { APPLICATION_ID, loadMigrations, migrate } from '../../src/store/migrate.js';
import { tempDir } from '../helpers/cli.js';

/** Everything of a recording but the times its migrations were applied. */
function contents(db: BetterSqlite3.Database) {
  return {
    objects: db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all(),
    migrations: db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all(),
    userVersion: db.pragma('user_version', { simple: true }),
    applicationId: db.pragma('application_id', { simple: true }),
    pageSize: db.pragma('page_size', { simple: true }),
    encoding: db.pragma('encoding', { simple: true }),
    autoVacuum: db.pragma('auto_vacuum', { simple: true }),
  };
}

function migratedNow(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  migrate(db, ':memory:');
  return db;
}

test("the build's empty recording is what the migrations make (run npm run build if it is missing)", (t) => {
  const path = builtEmptyRecordingPath();
  t.true(fs.existsSync(path), `${path} is there`);
  const built = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  const fresh = migratedNow();
  try {
    t.deepEqual(contents(built), contents(fresh));
    t.is(built.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    built.close();
    fresh.close();
  }
});

test('a new recording is the empty one, in WAL mode, its migrations applied when it was made', (t) => {
  const before = Date.now() * 1000;
  const file = `${tempDir()}/new.db`;
  fs.writeFileSync(file, newRecordingImage());
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  const fresh = migratedNow();
  try {
    t.deepEqual(contents(db), contents(fresh));
    t.is(contents(db).applicationId, APPLICATION_ID);
    t.is(contents(db).userVersion, loadMigrations().length);
    t.is(db.pragma('journal_mode', { simple: true }), 'wal');
    const applied = db.prepare('SELECT applied_at_us FROM schema_migrations').pluck().all() as number[];
    t.true(applied.every((us) => us >= before - 1000 && us <= Date.now() * 1000 + 1000), `applied at ${applied.join(', ')}`);
  } finally {
    db.close();
    fresh.close();
  }
});

test('every new recording has an identity of its own, though all are made from one empty recording', (t) => {
  const dir = tempDir();
  let made = 0;
  const idOf = (image: Buffer): { recording_id: string; created_at_us: number } => {
    // In WAL mode, as a file (an image in WAL mode cannot be opened in memory).
    const file = `${dir}/${made++}.db`;
    fs.writeFileSync(file, image);
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      return db.prepare('SELECT recording_id, created_at_us FROM recordings WHERE recording_key = 1').get() as { recording_id: string; created_at_us: number };
    } finally {
      db.close();
    }
  };
  const [a, b] = [idOf(newRecordingImage()), idOf(newRecordingImage())];
  t.regex(a.recording_id, /^[0-9a-f]{32}$/);
  t.not(a.recording_id, b.recording_id, 'two recordings, two ids: pushed into one store, they never mix');
  t.true(Math.abs(a.created_at_us - Date.now() * 1000) < 60e6, 'made now, not when the build was');
});
