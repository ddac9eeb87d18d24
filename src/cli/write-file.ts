import * as fs from 'node:fs';
import * as path from 'node:path';
import { osError } from '../pss/os-error.js';

/**
 * Writes a file whole or not at all: into a temporary file beside it (a name that starts with a
 * dot and ends in .tmp, which node_exporter's textfile collector does not read), renamed into
 * place, so a reader never sees half of it and a failure leaves what was there. Errors name the
 * file, and the directory when that is what is missing.
 *
 * @example writeFileAtomically('snap.json', text, 0o600)
 */
export function writeFileAtomically(file: string, text: string, mode: number): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, text, { mode });
    // The mode a file is created with is cut by the umask; the reader of metrics is another user.
    fs.chmodSync(temporary, mode);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw osError(error, 'write', file, code === 'ENOENT' ? `no such directory ${path.dirname(file)}` : undefined);
  }
}
