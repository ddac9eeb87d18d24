import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Removes a database file and what SQLite keeps beside it (its write-ahead log, shared memory, journal). */
export function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/** How many rows a pssql database holds in all its tables, and its size once its WAL is checkpointed. */
export interface DatabaseStats {
  rows: number;
  bytes: number;
}

/** Rows and bytes of a database; zeros when the file does not exist yet. */
export function databaseStats(file: string): DatabaseStats {
  if (!existsSync(file)) return { rows: 0, bytes: 0 };
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
      .pluck()
      .all() as string[];
    let rows = 0;
    for (const t of tables) rows += db.prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`).pluck().get() as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return { rows, bytes: pages * pageSize };
  } finally {
    db.close();
  }
}
