import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { osError } from '../pss/os-error.js';
import { PssError } from '../pss/pss-error.js';
import { type Store, sqliteError } from './open-store.js';

/**
 * A consistent copy of a recording, while recorders write into it: SQLite's online backup, which
 * copies the database as one transaction sees it (what its write-ahead log holds included). The
 * copy is made beside its path, readable by its owner only, and linked into place: an existing
 * file is never replaced.
 *
 * @example
 * await backupRecording(openStore('pssql.db', { readonly: true }), 'backup.db')
 */
export async function backupRecording(store: Store, destination: string): Promise<{ bytes: number }> {
  if (fs.existsSync(destination)) throw new PssError('ERROR_INVALID_PARAMETER', `${destination} exists: a backup is written into a new file`, { path: destination });
  const temp = join(dirname(destination), `.${basename(destination)}.${process.pid}-${randomBytes(4).toString('hex')}.backup`);
  try {
    try {
      fs.writeFileSync(temp, '', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw osError(error, 'create', destination, 'no such directory');
    }
    try {
      await store.db.backup(temp);
    } catch (error) {
      throw sqliteError(error, destination);
    }
    fs.chmodSync(temp, 0o600);
    try {
      fs.linkSync(temp, destination);
    } catch (error) {
      throw osError(error, 'create', destination, 'no such directory');
    }
    return { bytes: fs.statSync(destination).size };
  } finally {
    for (const file of [temp, `${temp}-wal`, `${temp}-shm`]) fs.rmSync(file, { force: true });
  }
}
