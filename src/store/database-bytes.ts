import * as fs from 'node:fs';

/** Bytes of a recording on disk: the database file and its write-ahead log. */
export function databaseBytes(path: string): number {
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      bytes += fs.statSync(file).size;
    } catch {
      // No WAL (checkpointed and removed) is normal.
    }
  }
  return bytes;
}
