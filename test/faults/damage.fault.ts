/**
 * Damaged recordings: single bits flipped at random in a recording, many times. pssql check finds
 * every file SQLite finds malformed; a writer refuses a file quick_check finds damaged and never
 * makes one worse; readers fail with one line naming the file, or answer; salvage keeps what
 * reads back whole.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { PSSQL_BIN, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

const TRIALS = 80;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PSSQL_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** integrity_check's problems, or -1 when the file cannot be opened at all. */
function integrityErrors(file: string): number {
  try {
    const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.filter((r) => r.integrity_check !== 'ok').length;
    } finally {
      db.close();
    }
  } catch {
    return -1;
  }
}

test(`${TRIALS} recordings with a bit flipped: found, refused for writing, never made worse, salvaged`, async (t) => {
  const target = await startTarget(['--files', '60', '--threads', '4', '--regions', '40', '--open-every', '50']);
  const dir = tempDir();
  const good = path.join(dir, 'good.db');
  try {
    t.is((await run(['record', String(target.pid), '--every', '100ms', '--count', '6', '--db', good])).code, 0);
    const size = fs.statSync(good).size;
    const next = random(7);
    let malformed = 0;
    let refused = 0;
    let written = 0;
    let salvaged = 0;
    const trial = async (i: number): Promise<void> => {
      const file = path.join(dir, `flip-${i}.db`);
      const bytes = fs.readFileSync(good);
      const offset = next();
      const bit = next();
      // Past the 100-byte header: a flipped header is refused as not SQLite, which bad input tries.
      const at = 100 + Math.floor(offset * (size - 100));
      bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(bit * 8));
      fs.writeFileSync(file, bytes, { mode: 0o600 });
      const before = integrityErrors(file);
      const check = await run(['check', '--db', file]);
      if (before !== 0) {
        malformed++;
        t.is(check.code, 5, `trial ${i}: check finds what integrity_check finds (${check.stderr})`);
        t.regex(check.stderr, new RegExp(`flip-${i}\\.db is damaged`));
      } else {
        t.true(check.code === 0 || check.code === 5, `trial ${i}: check answers (${check.stderr})`);
      }
      // Readers of a file check finds damaged: they answer, or fail in one line naming it.
      for (const args of check.code === 0 ? [] : [['list'], ['trend', String(target.pid)], ['report', 'handles-by-type']]) {
        const read = await run([...args, '--db', file]);
        t.true(read.code === 0 || read.code === 5, `trial ${i}: ${args[0]} exits 0 or 5, not ${read.code}: ${read.stderr}`);
        if (read.code !== 0) t.regex(read.stderr, new RegExp(`^pssql: .*flip-${i}\\.db`), `trial ${i}: ${args[0]} names the file`);
      }
      const record = await run(['record', String(target.pid), '--every', '10ms', '--count', '1', '--db', file]);
      if (record.code === 0) {
        written++;
        const after = integrityErrors(file);
        t.true(after <= Math.max(before, 0), `trial ${i}: recording made no damage worse (${before} -> ${after})`);
      } else {
        refused++;
        t.is(record.code, 5, `trial ${i}: a damaged file is refused with exit code 5: ${record.stderr}`);
        t.regex(record.stderr, new RegExp(`flip-${i}\\.db`), `trial ${i}: naming the file`);
      }
      if (check.code === 5) {
        const saved = path.join(dir, `saved-${i}.db`);
        const salvage = await run(['salvage', file, saved]);
        if (salvage.code === 0) {
          salvaged++;
          t.is((await run(['check', '--db', saved])).code, 0, `trial ${i}: what salvage keeps is whole`);
        } else {
          t.is(salvage.code, 5, `trial ${i}: salvage fails only when nothing can be read: ${salvage.stderr}`);
        }
      }
    };
    // Four trials at a time: each is a handful of pssql processes.
    const queue = Array.from({ length: TRIALS }, (_, i) => i);
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) await trial(i);
    }));
    t.log(`${TRIALS} bit flips: ${malformed} malformed, ${refused} refused for writing, ${written} written into, ${salvaged} salvaged`);
  } finally {
    await target.stop();
  }
});
