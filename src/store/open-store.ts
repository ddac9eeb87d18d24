import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { osError } from '../pss/os-error.js';
import { PssError } from '../pss/pss-error.js';
import { APPLICATION_ID, latestSchemaVersion, migrate } from './migrate.js';
import type { ReadStore } from './read-store.js';
import { prepareReader, type Reader } from './row-reader.js';
import { registerSqlFunctions } from './sql-functions.js';
import { StringTable } from './string-table.js';

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Open read-only: nothing can be written through this connection (reports, queries). */
  readonly?: boolean;
  /** Create the file when it does not exist (default: true unless read-only). */
  create?: boolean;
  /** How long to wait for another writer before giving up, ms (default 60 000). */
  busyTimeoutMs?: number;
}

const SQLITE_HEADER = 'SQLite format 3\0';

function statOrNull(path: string): fs.Stats | null {
  try {
    return fs.statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
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

  constructor(
    readonly db: BetterSqlite3.Database,
    readonly path: string,
    readonly readonly: boolean,
  ) {}

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
  cached<T>(owner: object, make: () => T): T {
    if (!this.objects.has(owner)) this.objects.set(owner, make());
    return this.objects.get(owner) as T;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function connect(path: string, readonly: boolean, busyTimeoutMs: number): BetterSqlite3.Database {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(path, { readonly, fileMustExist: true, timeout: busyTimeoutMs });
  } catch (error) {
    throw sqliteError(error, path);
  }
  try {
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (appId !== APPLICATION_ID) {
      const objects = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
      if (objects.n > 0) {
        throw new PssError('ERROR_BAD_FORMAT', `${path} is a SQLite database but not a pssql recording`, { path });
      }
      // An empty SQLite database becomes a recording only when asked to write: reading never migrates it.
      if (readonly) throw new PssError('ERROR_BAD_FORMAT', `${path} is an empty SQLite database, not a pssql recording`, { path });
    }
  } catch (error) {
    db.close();
    throw sqliteError(error, path);
  }
  return db;
}

/**
 * Creates a recording whole: its schema is written to a private file beside it, which is then
 * linked into place. A reader never finds the recording empty or half-made, and of two pssql
 * that create it at once, one makes it and the other uses it.
 */
function createRecording(path: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.creating`);
  try {
    try {
      // Command lines, paths and peers are private: the recording is for its owner only.
      fs.writeFileSync(temp, '', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw osError(error, 'create', path, 'no such directory');
    }
    try {
      const db = new BetterSqlite3(temp, { fileMustExist: true });
      try {
        db.pragma('journal_mode = WAL');
        migrate(db, path);
      } finally {
        db.close(); // the last connection: its WAL is checkpointed into the file
      }
    } catch (error) {
      throw sqliteError(error, path);
    }
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
 * Opens (or creates) a pssql recording. A new file is created readable by its owner only. A
 * file that is not a pssql recording is refused and never modified; one written by a newer pssql
 * is refused; an older one is migrated. Read-only connections cannot write at all.
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

  const stat = statOrNull(path);
  if (stat?.isDirectory()) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${path} is a directory, not a pssql recording`, { path });
  }
  if (stat === null) {
    if (!create) {
      throw new PssError('ERROR_FILE_NOT_FOUND', `no recording at ${path} (record one with 'pssql capture')`, { path });
    }
    createRecording(path);
  } else if (stat.size > 0) {
    checkHeader(path);
  } else if (readonly) {
    throw new PssError('ERROR_BAD_FORMAT', `${path} is empty, not a pssql recording`, { path });
  }
  if (!readonly) {
    try {
      fs.accessSync(path, fs.constants.R_OK | fs.constants.W_OK);
    } catch (error) {
      throw osError(error, 'write', path);
    }
  }

  let db = connect(path, readonly, busyTimeoutMs);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (readonly && version !== latestSchemaVersion()) {
      if (version > latestSchemaVersion()) migrate(db, path); // throws the newer-version error
      // An older recording is brought up to date once, through a short-lived writable connection.
      db.close();
      const writer = connect(path, false, busyTimeoutMs);
      try {
        writer.pragma('journal_mode = WAL');
        migrate(writer, path);
      } finally {
        writer.close();
      }
      db = connect(path, true, busyTimeoutMs);
    }
    if (readonly) {
      db.pragma('query_only = ON');
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, path);
    }
    // 16 MiB of page cache: the B-tree pages a capture touches, without growing pssql's memory much.
    db.pragma('cache_size = -16384');
    db.pragma('temp_store = MEMORY');
    registerSqlFunctions(db);
  } catch (error) {
    if (db.open) db.close();
    throw sqliteError(error, path);
  }
  return new Store(db, path, readonly);
}
