/**
 * pssql prune on a recording file: captures deleted in one transaction, and with --vacuum the
 * file rewritten without the pages they left free. (PostgreSQL stores: test/push/.)
 */
import fs from 'node:fs';
import test from 'ava';
import Database from 'better-sqlite3';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

/**
 * Records `count` rounds of a process that changes every 2 ms (fds and threads come and go, its
 * heap grows) into `db`, so that each capture writes versions of its own and the old captures
 * hold most of the file; returns how many captures were made (--count counts rounds).
 */
async function recordDrifting(db: string, count: number): Promise<number> {
  const target = await startTarget(['--files', '5', '--drift', '2']);
  try {
    const [recorded] = pssqlJson<{ captures: number }[]>(['record', String(target.pid), '--every', '10ms', '--count', String(count), '--db', db, '--quiet']);
    return recorded!.captures;
  } finally {
    await target.stop();
  }
}

test('prune --keep leaves the file its size; with --vacuum it shrinks, and what is kept reads as before', async (t) => {
  const dir = tempDir();
  const db = `${dir}/prune.db`;
  const captures = await recordDrifting(db, 200);
  const latest = pssqlJson(['show', 'latest', 'handles', '--db', db]);
  // On a loaded machine a round may fail its capture.
  const deleted = captures - 3;
  t.true(deleted > 100, `${captures} captures recorded`);
  const size = (): number => fs.statSync(db).size + (fs.existsSync(`${db}-wal`) ? fs.statSync(`${db}-wal`).size : 0);

  const copy = `${dir}/copy.db`;
  fs.copyFileSync(db, copy);
  const copied = fs.statSync(copy).size;
  const [plain] = pssqlJson(['prune', '--keep', '3', '--db', copy]);
  t.like(plain, { captures_deleted: deleted, captures_left: 3 });
  t.false('file_size_after_bytes' in (plain as object), 'no vacuum, no sizes');
  t.true(fs.statSync(copy).size >= copied, 'without --vacuum the file keeps its size (its free pages serve the next captures)');

  const before = size();
  const [pruned] = pssqlJson<Record<string, number>[]>(['prune', '--keep', '3', '--vacuum', '--db', db]);
  t.like(pruned, { captures_deleted: deleted, captures_left: 3 });
  t.true(pruned!.file_size_before_bytes! >= before, 'before the vacuum, the prune has only added to the log');
  t.true(pruned!.file_size_after_bytes! < before / 2, `${before} bytes before, ${pruned?.file_size_after_bytes} after`);
  t.is(size(), pruned!.file_size_after_bytes!, 'the write-ahead log is folded in: the file is what it says');
  t.deepEqual(pssqlJson(['show', 'latest', 'handles', '--db', db]), latest, 'the newest capture reads as before');
  t.is(pssql(['check', '--db', db]).code, 0);
});

test('prune --vacuum of a PostgreSQL store is refused with one line, before it connects', (t) => {
  const r = pssql(['prune', '--keep', '1', '--vacuum', '--db', 'postgres://pssql@nowhere.invalid/pssql']);
  t.is(r.code, 2);
  t.is(r.stderr.trim(), 'pssql: --vacuum is for recording files: in PostgreSQL, autovacuum reclaims the space of deleted rows');
});

test('prune --vacuum while a reader holds the file: the prune stands, and one line says the file could not shrink yet', async (t) => {
  const db = `${tempDir()}/busy.db`;
  await recordDrifting(db, 50);
  const reader = new Database(db, { readonly: true });
  try {
    // A read transaction open in another connection: its snapshot keeps the old pages alive.
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM captures').get();
    const r = pssql(['prune', '--keep', '2', '--vacuum', '--db', db]);
    t.not(r.code, 0);
    t.regex(r.stderr.trim(), /^pssql: pruned .*busy\.db, but cannot vacuum it: .*; the prune stands$/);
    t.is(r.stderr.trim().split('\n').length, 1);
    reader.prepare('COMMIT').run();
  } finally {
    reader.close();
  }
  t.is(pssqlJson(['list', '--db', db]).length, 2, 'the prune was committed');
  t.is(pssql(['check', '--db', db]).code, 0);
});
