import * as fs from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import BetterSqlite from 'better-sqlite3';
import { loadMigrations, migrate } from './migrate.js';

/*
 * The empty recording the migrations make: what a new recording is, and the reference a recording
 * of the latest version is checked against. Making it takes some 20 ms (SQLite reparses the whole
 * schema after each ALTER TABLE), so `npm run build` makes it once (scripts/empty-recording.mjs)
 * and keeps it in dist/, named by a digest of the migrations: a copy made from other migrations is
 * never found. Without one (after a bare tsc), it is made in memory, once per process.
 */

/** dist/, where the build keeps it. */
const BUILD_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The build's copy for these migrations; it may not be there. Named by two 32-bit FNV-1a hashes
 * of the migrations' names and SQL: a name, not a seal (node:crypto would cost every command 3 ms).
 */
export function builtEmptyRecordingPath(): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (const migration of loadMigrations()) {
    const text = `${migration.name}\0${migration.sql}\0`;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
  }
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return join(BUILD_DIR, `empty-recording-${hex(a)}${hex(b)}.db`);
}

/** SQLite's version as a number, as the file header keeps it (3.53.2: 3053002). */
function sqliteVersionNumber(db: BetterSqlite3.Database): number {
  const [major = 0, minor = 0, patch = 0] = (db.prepare('SELECT sqlite_version()').pluck().get() as string).split('.').map(Number);
  return major * 1_000_000 + minor * 1000 + patch;
}

/** Offset in the file header of the version of the SQLite that wrote the file. */
const WRITER_VERSION_OFFSET = 96;

function migratedImage(): Buffer {
  const db = new BetterSqlite(':memory:');
  try {
    migrate(db, ':memory:');
    const image = db.serialize();
    image.writeUInt32BE(sqliteVersionNumber(db), WRITER_VERSION_OFFSET);
    return image;
  } finally {
    db.close();
  }
}

/** The build's copy, if made from these migrations, up to the last one, by this SQLite (another might word an altered table otherwise). */
function builtImage(): Buffer | null {
  let built: Buffer;
  try {
    built = fs.readFileSync(builtEmptyRecordingPath());
  } catch {
    return null; // none: a bare tsc, or migrations changed since the build
  }
  try {
    const db = new BetterSqlite(built);
    try {
      const upToDate = db.pragma('user_version', { simple: true }) === loadMigrations().length;
      return upToDate && built.readUInt32BE(WRITER_VERSION_OFFSET) === sqliteVersionNumber(db) ? built : null;
    } finally {
      db.close();
    }
  } catch {
    return null; // not a database: made anew
  }
}

let image: Buffer | undefined;

/** The empty recording, as a database in memory (close it when done): the build's copy, or made now. */
export function openEmptyRecording(): BetterSqlite3.Database {
  image ??= builtImage() ?? migratedImage();
  return new BetterSqlite(image);
}

/** A new recording, as the bytes of its file: the empty recording, its migrations applied now, in WAL mode. */
export function newRecordingImage(): Buffer {
  const db = openEmptyRecording();
  try {
    const nowUs = Math.round(Date.now() * 1000);
    db.prepare('UPDATE schema_migrations SET applied_at_us = ?').run(nowUs);
    // Its own identity: the empty recording's id is the build's, and two recordings never share one.
    db.prepare('UPDATE recordings SET recording_id = lower(hex(randomblob(16))), created_at_us = ? WHERE recording_key = 1').run(nowUs);
    const bytes = db.serialize();
    // The file format's read and write versions 2: the recording is in WAL mode from the start.
    bytes[18] = 2;
    bytes[19] = 2;
    return bytes;
  } finally {
    db.close();
  }
}

/** Writes the build's copy (npm run build), and removes those of other migrations. */
export function writeBuiltEmptyRecording(): string {
  const path = builtEmptyRecordingPath();
  for (const name of fs.readdirSync(BUILD_DIR)) {
    if (/^empty-recording-[0-9a-f]{16}\.db$/.test(name)) fs.rmSync(join(BUILD_DIR, name));
  }
  fs.writeFileSync(path, migratedImage());
  return path;
}
