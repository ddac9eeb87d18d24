import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { osError } from '../pss/os-error.js';
import { PssError } from '../pss/pss-error.js';
import { restrictToOwner } from './owner-only-acl.js';
import { APPLICATION_ID, latestSchemaVersion, migrate } from './migrate.js';
import { newRecordingImage } from './empty-recording.js';
import { verifySchema } from './schema-check.js';
import type { ReadStore } from './read-store.js';
import { prepareReader, type Reader } from './row-reader.js';
import { registerSqlFunctions } from './sql-functions.js';
import { StringTable } from './string-table.js';

/** Random bytes for a temporary file's name; node:crypto is loaded only by what makes such a file. */
const randomBytes = (size: number): Buffer => process.getBuiltinModule('node:crypto').randomBytes(size);

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Open read-only: nothing can be written through this connection (reports, queries). */
  readonly?: boolean;
  /** Create the file when it does not exist (default: true unless read-only). */
  create?: boolean;
  /** How long to wait for another writer before giving up, ms (default 60 000). */
  busyTimeoutMs?: number;
  /**
   * Write into a recording reached through a symbolic link. Without it a writer refuses a link:
   * a link planted where a recording is expected would have pssql write wherever it points.
   */
  followSymlinks?: boolean;
  /**
   * How a writer checks the file before writing into it: `quick` (quick_check, the default:
   * every page and cell) or `full` (integrity_check: each index against its table too; about
   * twice as long, 15 ms per MB here). A recorder, which writes for long, checks in full.
   */
  check?: 'quick' | 'full';
}

const SQLITE_HEADER = 'SQLite format 3\0';

// SQLite's immutable mode, for a reader that may not make a WAL index, is asked for by URI; the
// better-sqlite3 build takes URIs only when told so before its first connection. A path pssql is
// given never starts with `file:` once it reaches SQLite (see sqlitePath).
process.env.SQLITE_USE_URI ??= '1';

/** A path as SQLite should read it: with URIs on, one starting with `file:` would be read as a URI. */
function sqlitePath(path: string): string {
  return path.startsWith('file:') ? `./${path}` : path;
}

function statOrNull(path: string): fs.Stats | null {
  try {
    return fs.statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw osError(error, 'open', path);
  }
}

function lstatOrNull(path: string): fs.Stats | null {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw osError(error, 'open', path);
  }
}


/** Refuses, without changing a byte, a file that is not SQLite. */
function checkHeader(path: string): void {
  const header = Buffer.alloc(16);
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    throw osError(error, 'open', path);
  }
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } catch (error) {
    throw osError(error, 'read', path);
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new PssError('ERROR_BAD_FORMAT', `${path} is not a pssql recording (not a SQLite database)`, { path });
  }
}

/** A SQLite error as a PssError that says what is wrong with the file. */
export function sqliteError(error: unknown, path: string): unknown {
  if (!(error instanceof BetterSqlite3.SqliteError)) return error;
  const code = error.code;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new PssError('ERROR_BAD_FORMAT', `${path} is damaged: ${error.message}`, { path, cause: error });
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    return new PssError(code === 'SQLITE_FULL' ? 'ERROR_DISK_FULL' : 'ERROR_WRITE_FAULT', `cannot write ${path}: ${error.message}`, { path, cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new PssError('ERROR_BUSY', `${path} is busy: another pssql holds it too long (${error.message})`, { path, cause: error });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new PssError('ERROR_ACCESS_DENIED', `cannot write ${path}: it is read-only (${error.message})`, { path, cause: error });
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new PssError('ERROR_ACCESS_DENIED', `cannot open ${path}: ${error.message}`, { path, cause: error });
  }
  return error;
}

/**
 * An open pssql recording: a better-sqlite3 connection with pssql's pragmas and schema (typed
 * Kysely queries over it: `kyselyOf(store)`). Close it when done.
 */
export class Store implements ReadStore {
  readonly dialect = 'sqlite' as const;
  private readonly readers = new Map<string, Reader>();
  private readonly objects = new Map<object, unknown>();
  private stringTable: StringTable | null = null;

  /** The schema version this writer upgraded the recording from, or null. */
  readonly migratedFrom: number | null;
  /**
   * Read as the file is, without the write-ahead log (the folder or the file system lets this
   * user make no WAL index): what a recorder has not checkpointed yet is not seen.
   */
  readonly immutable: boolean;
  /** The upgraded copy an older recording is read through, removed on close. */
  private readonly copy: string | null;

  constructor(
    readonly db: BetterSqlite3.Database,
    readonly path: string,
    readonly readonly: boolean,
    options: { copy?: string | null; migratedFrom?: number | null; immutable?: boolean } = {},
  ) {
    this.copy = options.copy ?? null;
    this.migratedFrom = options.migratedFrom ?? null;
    this.immutable = options.immutable ?? false;
  }

  /** A cached prepared statement that reads rows with pssql's value rules (u64 as bigint). */
  reader<Row = Record<string, unknown>>(sql: string): Reader<Row> {
    let reader = this.readers.get(sql);
    if (reader === undefined) {
      reader = prepareReader(this.db, sql);
      this.readers.set(sql, reader);
    }
    return reader as Reader<Row>;
  }

  /** The `strings` table of this recording, with its cache of texts and ids. */
  strings(): StringTable {
    this.stringTable ??= new StringTable(this.db);
    return this.stringTable;
  }

  /**
   * An object that lives as long as this store, made once per `owner` (a writer, a typed query
   * builder), so that its prepared statements and caches serve every call.
   */
  /**
   * Runs `body` in one read transaction: every statement it makes sees the same recording, as it
   * was at its first read, whatever a recorder writes or prunes meanwhile (a capture resolved as
   * `latest` is still there when it is read). On a store that is already in a transaction, just
   * runs it.
   */
  async readConsistently<T>(body: () => Promise<T> | T): Promise<T> {
    if (this.db.inTransaction) return body();
    this.db.exec('BEGIN');
    try {
      return await body();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  cached<T>(owner: object, make: () => T): T {
    if (!this.objects.has(owner)) this.objects.set(owner, make());
    return this.objects.get(owner) as T;
  }

  close(): void {
    if (this.db.open) this.db.close();
    if (this.copy !== null) for (const file of [this.copy, `${this.copy}-wal`, `${this.copy}-shm`]) fs.rmSync(file, { force: true });
  }
}

/** Opens the SQLite file, read-only through SQLite's immutable mode when it cannot be opened otherwise. */
function connect(path: string, readonly: boolean, busyTimeoutMs: number): { db: BetterSqlite3.Database; immutable: boolean } {
  try {
    const db = new BetterSqlite3(sqlitePath(path), { readonly, fileMustExist: true, timeout: busyTimeoutMs });
    try {
      // A WAL reader fails on its first read, not at open, when it cannot make the WAL index.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (error) {
      db.close();
      throw error;
    }
    return { db, immutable: false };
  } catch (error) {
    // A reader without write access to the folder (a 0755 folder of another user, a read-only
    // file system) cannot make the WAL index a reader needs: the file is read as it is, then.
    const code = (error as { code?: string }).code ?? '';
    if (!readonly || !(code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY'))) throw sqliteError(error, path);
  }
  try {
    const uri = `file:${encodeURI(resolve(path)).replaceAll('?', '%3f').replaceAll('#', '%23')}?immutable=1`;
    return { db: new BetterSqlite3(uri, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs }), immutable: true };
  } catch (error) {
    throw sqliteError(error, path);
  }
}

/** Refuses a file that is SQLite but not a pssql recording, empty or not. */
function checkApplication(db: BetterSqlite3.Database, path: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId === APPLICATION_ID) return;
  const objects = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
  throw new PssError(
    'ERROR_BAD_FORMAT',
    objects.n > 0 ? `${path} is a SQLite database but not a pssql recording` : `${path} is an empty SQLite database, not a pssql recording`,
    { path },
  );
}

/**
 * Refuses to write into a file pssql did not make for this user: one reached through a symbolic
 * link (unless asked), one owned by another user, or one others may write (as ssh's StrictModes
 * refuses a key file). A planted 0666 file would otherwise take every command line recorded,
 * and give its -wal and -shm to its planter.
 */
function checkWritable(path: string, link: fs.Stats, followSymlinks: boolean): fs.Stats {
  if (link.isSymbolicLink() && !followSymlinks) {
    let target = '?';
    try {
      target = fs.readlinkSync(path);
    } catch {
      // The link's own target is only for the message.
    }
    throw new PssError('ERROR_ACCESS_DENIED', `will not write ${path}: it is a symbolic link (to ${target}); --follow-symlinks writes through it`, {
      path,
    });
  }
  const stat = link.isSymbolicLink() ? fs.statSync(path) : link;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new PssError('ERROR_ACCESS_DENIED', `will not write ${path}: it belongs to another user (uid ${stat.uid}), not to this one (uid ${uid})`, { path });
  }
  if (process.platform !== 'win32' && (stat.mode & 0o022) !== 0) {
    throw new PssError(
      'ERROR_ACCESS_DENIED',
      `will not write ${path}: others may write it (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); pssql makes recordings 0600 (chmod go-w to use it)`,
      { path },
    );
  }
  if (stat.size === 0) {
    throw new PssError('ERROR_BAD_FORMAT', `will not write ${path}: it is an empty file, not a pssql recording (pssql makes a recording where no file is)`, {
      path,
    });
  }
  return stat;
}

/**
 * A consistent copy of an older recording, brought up to this pssql's schema, for reading: the
 * recording itself is left byte for byte as it is (only a writer upgrades it).
 */
function upgradedCopy(db: BetterSqlite3.Database, path: string): string {
  const copy = join(tmpdir(), `pssql-read-${process.pid}-${randomBytes(6).toString('hex')}.db`);
  try {
    db.prepare('VACUUM INTO ?').run(copy);
    fs.chmodSync(copy, 0o600);
    const writable = new BetterSqlite3(copy, { fileMustExist: true });
    try {
      migrate(writable, path);
    } finally {
      writable.close();
    }
  } catch (error) {
    fs.rmSync(copy, { force: true });
    throw sqliteError(error, path);
  }
  return copy;
}

/**
 * Creates a recording whole: its schema is written to a private file beside it, which is then
 * linked into place. A reader never finds the recording empty or half-made, and of two pssql
 * that create it at once, one makes it and the other uses it.
 */
function createRecording(path: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.creating`);
  let image: Buffer;
  try {
    image = newRecordingImage();
  } catch (error) {
    throw sqliteError(error, path);
  }
  try {
    let fd: number;
    try {
      // Command lines, paths and peers are private: the recording is for its owner only.
      fd = fs.openSync(temp, 'wx', 0o600);
    } catch (error) {
      throw osError(error, 'create', path, 'no such directory');
    }
    try {
      fs.writeFileSync(fd, image);
      fs.fsyncSync(fd); // whole on disk before it is linked into place
    } catch (error) {
      throw osError(error, 'write', path);
    } finally {
      fs.closeSync(fd);
    }
    // Windows ignores the mode: an ACL says the same there (the link below shares it).
    restrictToOwner(temp);
    try {
      fs.linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // made by another pssql meanwhile
      try {
        // A file system without hard links: an exclusive copy still never replaces a recording.
        fs.copyFileSync(temp, path, fs.constants.COPYFILE_EXCL);
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code !== 'EEXIST') throw osError(copyError, 'create', path, 'no such directory');
      }
    }
  } finally {
    for (const file of [temp, `${temp}-wal`, `${temp}-shm`]) fs.rmSync(file, { force: true });
  }
}

/**
 * SQLite makes the write-ahead log and its index (which any connection, a reader's too, may
 * make anew) with the folder's ACL on Windows, and they hold the recording's data. Best effort:
 * the files of another user's recording are not ours to change.
 */
function restrictLogFiles(path: string): void {
  if (process.platform !== 'win32') return;
  for (const file of [`${path}-wal`, `${path}-shm`]) {
    try {
      if (fs.existsSync(file)) restrictToOwner(file);
    } catch {
      // Not ours to change.
    }
  }
}

/**
 * Opens (or creates) a pssql recording. A new file is created readable by its owner only. A
 * file that is not a pssql recording made by pssql is refused and never modified: not SQLite,
 * another application's, empty, a schema changed by hand or a trigger planted in it, or, for a
 * writer, a file of another user, one others may write or a symbolic link. One written by a newer
 * pssql is refused. An older one is read through an upgraded copy (the file is left as it is),
 * and upgraded by a writer (`migratedFrom` says from which version). A writer refuses a damaged
 * file (quick_check). Read-only connections cannot write at all.
 *
 * @example
 * const store = openStore('pssql.db')
 * try { console.log(store.db.prepare('SELECT count(*) FROM captures').pluck().get()) } finally { store.close() }
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const readonly = options.readonly ?? false;
  const create = options.create ?? !readonly;
  const busyTimeoutMs = options.busyTimeoutMs ?? 60_000;

  let link = lstatOrNull(path);
  if (link?.isDirectory() || (link?.isSymbolicLink() && statOrNull(path)?.isDirectory())) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${path} is a directory, not a pssql recording`, { path });
  }
  if (link === null) {
    if (!create) {
      throw new PssError('ERROR_FILE_NOT_FOUND', `no recording at ${path} (record one with 'pssql capture')`, { path });
    }
    createRecording(path);
    link = lstatOrNull(path);
    if (link === null) throw new PssError('ERROR_FILE_NOT_FOUND', `${path} vanished as it was made`, { path });
  }
  const stat = readonly ? (statOrNull(path) ?? link) : checkWritable(path, link, options.followSymlinks ?? false);
  if (stat.size === 0) throw new PssError('ERROR_BAD_FORMAT', `${path} is empty, not a pssql recording`, { path });
  checkHeader(path);
  if (!readonly) {
    try {
      fs.accessSync(path, fs.constants.R_OK | fs.constants.W_OK);
    } catch (error) {
      throw osError(error, 'write', path);
    }
  }

  let { db, immutable } = connect(path, readonly, busyTimeoutMs);
  let copy: string | null = null;
  let migratedFrom: number | null = null;
  try {
    checkApplication(db, path);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > latestSchemaVersion()) migrate(db, path); // throws the newer-version error
    verifySchema(db, version, path);
    if (readonly) {
      if (version < latestSchemaVersion()) {
        // Reading never writes: an older recording is read through an upgraded copy of it.
        copy = upgradedCopy(db, path);
        db.close();
        db = new BetterSqlite3(copy, { readonly: true, fileMustExist: true });
        immutable = false;
      }
      db.pragma('query_only = ON');
    } else {
      // A damaged file is refused before anything is written into it (and made worse).
      const pragma = options.check === 'full' ? 'integrity_check' : 'quick_check';
      const check = db.pragma(pragma, { simple: true }) as string;
      if (check !== 'ok') throw new PssError('ERROR_BAD_FORMAT', `${path} is damaged (${pragma}: ${check}); 'pssql check' tells more, 'pssql salvage' keeps what is readable`, { path });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      if (version < latestSchemaVersion()) migratedFrom = version;
      migrate(db, path);
    }
    restrictLogFiles(path);
    // 16 MiB of page cache: the B-tree pages a capture touches, without growing pssql's memory much.
    db.pragma('cache_size = -16384');
    db.pragma('temp_store = MEMORY');
    registerSqlFunctions(db);
  } catch (error) {
    if (db.open) db.close();
    if (copy !== null) fs.rmSync(copy, { force: true });
    throw sqliteError(error, path);
  }
  return new Store(db, path, readonly, { copy, migratedFrom, immutable });
}
