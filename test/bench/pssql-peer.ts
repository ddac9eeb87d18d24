/**
 * pssql measured in its own Node process, as a user's recorder would run: the library captures
 * and records into SQLite, timed inside the process (like psutil-peer.py), so Node's start-up is
 * not counted and the peak memory is pssql's own.
 *
 *   node dist/test/bench/pssql-peer.js probe        which parts of the slot are filled
 *   node dist/test/bench/pssql-peer.js capture (PID | --all) --db FILE [--again]
 *   node dist/test/bench/pssql-peer.js read-back PID --db FILE [--captures 100] [--repeat 5]
 *   node dist/test/bench/pssql-peer.js sqlite-alone --db FILE
 *
 * capture: one warm-up capture into a scratch database (so the code is warm, as in a recorder
 * that runs every few seconds), then one timed capture into FILE, made anew. With --again, FILE
 * first gets 10 untimed captures and the timed one comes 2 s after the last, so it finds the
 * process as a recorder at work every 2 s does: pssql stores unchanged entries once, and this is
 * the cost of recording a steady process again.
 *
 * Prints one JSON line. Exits 3 with the reason on stderr while the slot below is not filled.
 *
 * ───── SLOT: the only part that depends on the capture and recorder API (issue 2). ─────
 * Fill in `openRecorder` and `runReport`; everything else (timing, rows, bytes, memory) is done.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseStats, removeDatabase } from './db-stats.js';

/** A recording open on one database file. */
interface Recorder {
  /** Captures `pid` (null: every process on the machine) with the default flags into the database. */
  capture(pid: number | null): Promise<void>;
  /** Time spent writing into SQLite so far, ns. */
  writeNs(): number;
  close(): void;
}

/** The saved reports that issue 6 times on a recording of 100 captures. */
const REPORTS = ['handles-by-type', 'leak-suspects', 'memory-over-time'] as const;

class NotYetAvailable extends Error {}

/** Opens (creates and migrates) a pssql database and returns a recorder on it. */
async function openRecorder(dbFile: string): Promise<Recorder> {
  const { createCapturer, openStore, writeCapture } = await import('../../src/index.js');
  const store = openStore(dbFile);
  // One capturer for the recorder's life, as pssql record keeps one: it gives an unchanged entry
  // back as the same object, which the writer then skips without encoding it.
  const capturer = createCapturer();
  let writeNs = 0;
  const one = (pid: number): void => {
    const snapshot = capturer.capture({ pid });
    try {
      const t0 = process.hrtime.bigint();
      writeCapture(store, snapshot);
      writeNs += Number(process.hrtime.bigint() - t0);
    } finally {
      snapshot.free();
    }
  };
  return {
    async capture(pid) {
      if (pid !== null) return one(pid);
      // Every process on the machine; one that exits or may not be read is skipped, as psutil does.
      for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
        try {
          one(Number(name));
        } catch {
          // gone or denied
        }
      }
    },
    writeNs: () => writeNs,
    close: () => {
      capturer.close();
      store.close();
    },
  };
}

/** Runs a saved report on a recording (opened read-only, as `pssql report` does); returns its row count. */
async function runReport(dbFile: string, report: (typeof REPORTS)[number]): Promise<number> {
  const { openRecording } = await import('../../src/index.js');
  const recording = openRecording(dbFile);
  try {
    return (await recording.report(report)).rows.length;
  } finally {
    recording.close();
  }
}
// ───── end of SLOT ─────

/** Captures made before the "again" capture that is timed. */
const STEADY_AFTER = 10;
/**
 * Time between the last of those and the timed one, ms: a real cadence (issue 11: every 2 s),
 * so that no cache that holds for a time window (the 500 ms socket tables) flatters it.
 */
const CADENCE_MS = 2000;

const now = (): bigint => process.hrtime.bigint();
const maxRssKb = (): number => process.resourceUsage().maxRSS;

async function capture(pid: number | null, dbFile: string, again: boolean): Promise<object> {
  const scratch = `${dbFile}.warm-up`;
  const warm = await openRecorder(scratch);
  await warm.capture(pid);
  warm.close();
  removeDatabase(scratch);
  removeDatabase(dbFile);
  const recorder = await openRecorder(dbFile);
  // "Again" is a recorder at work: a few captures of the process first, as a recording every
  // few seconds would have made, so that what is timed is its steady state.
  if (again) {
    for (let i = 0; i < STEADY_AFTER; i++) await recorder.capture(pid);
    await new Promise((resolve) => setTimeout(resolve, CADENCE_MS));
  }
  const before = databaseStats(dbFile);
  const writtenBefore = recorder.writeNs();
  const t0 = now();
  await recorder.capture(pid);
  const ns = Number(now() - t0);
  const writeNs = recorder.writeNs() - writtenBefore;
  recorder.close();
  const after = databaseStats(dbFile);
  return { tool: 'pssql', pid, again, maxRssKb: maxRssKb(), rows: after.rows - before.rows, dbBytes: after.bytes - before.bytes, writeNs, ns: { total: [ns] } };
}

/** Why each part of the slot is not available yet (null: available). */
async function probe(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'pssql-peer-'));
  const why = async (f: () => Promise<unknown>): Promise<string | null> =>
    f().then(
      () => null,
      (err: unknown) => (err instanceof NotYetAvailable ? err.message : null),
    );
  try {
    return {
      capture: await why(async () => (await openRecorder(join(dir, 'probe.db'))).close()),
      reports: await why(() => runReport(join(dir, 'probe.db'), REPORTS[0])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readBack(pid: number, dbFile: string, captures: number, repeat: number): Promise<object> {
  removeDatabase(dbFile);
  const recorder = await openRecorder(dbFile);
  const rssAt: Record<string, number> = {};
  const t0 = now();
  for (let i = 1; i <= captures; i++) {
    await recorder.capture(pid);
    if (i === 1 || i === 10 || i === captures) rssAt[i] = maxRssKb();
  }
  const recordNs = Number(now() - t0);
  recorder.close();
  const stats = databaseStats(dbFile);
  const reports: Record<string, { ns: number[]; rows: number; skipped?: string }> = {};
  for (const report of REPORTS) {
    const ns: number[] = [];
    let rows = 0;
    try {
      for (let r = 0; r < repeat; r++) {
        const t = now();
        rows = await runReport(dbFile, report);
        ns.push(Number(now() - t));
      }
      reports[report] = { ns, rows };
    } catch (err) {
      // The recording is worth reporting even while a report is missing.
      if (!(err instanceof NotYetAvailable)) throw err;
      reports[report] = { ns, rows, skipped: err.message };
    }
  }
  return { tool: 'pssql', pid, captures, recordNs, rows: stats.rows, dbBytes: stats.bytes, maxRssKbAfterCaptures: rssAt, reports };
}

/**
 * What better-sqlite3 reaches on the rows of a recording without pssql (issue 11, item 3): every
 * row of FILE (a first capture) inserted again, with one prepared INSERT per table in one
 * transaction, into a new file of the same tables and indexes and the recording's pragmas
 * (foreign keys checked, at the commit). Only the transaction is timed; the rows are read into
 * memory first.
 */
async function sqliteAlone(dbFile: string): Promise<object> {
  const { default: Database } = await import('better-sqlite3');
  const source = new Database(dbFile, { readonly: true });
  const copy = `${dbFile}.alone`;
  removeDatabase(copy);
  const target = new Database(copy);
  try {
    target.pragma('journal_mode = WAL');
    target.pragma('synchronous = NORMAL');
    target.pragma('cache_size = -16384');
    target.pragma('temp_store = MEMORY');
    // Foreign keys checked as pssql's store checks them; at the commit, so that table order does not matter.
    target.pragma('foreign_keys = ON');
    const schema = source
      .prepare("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND type IN ('table', 'index') ORDER BY type = 'index'")
      .all() as { type: string; name: string; sql: string }[];
    for (const { sql } of schema) target.exec(sql);
    const tables = schema.filter((s) => s.type === 'table').map((s) => s.name);
    const data = tables.map((name) => ({ name, rows: source.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][] }));
    const rows = data.reduce((n, t) => n + t.rows.length, 0);
    const t0 = now();
    target.transaction(() => {
      target.pragma('defer_foreign_keys = ON');
      for (const { name, rows: tableRows } of data) {
        if (tableRows.length === 0) continue;
        const insert = target.prepare(`INSERT INTO "${name}" VALUES (${tableRows[0]!.map(() => '?').join(', ')})`);
        for (const row of tableRows) insert.run(row);
      }
    })();
    const ns = Number(now() - t0);
    return { rows, ns, rowsPerS: rows / (ns / 1e9) };
  } finally {
    source.close();
    target.close();
    removeDatabase(copy);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      all: { type: 'boolean', default: false },
      db: { type: 'string' },
      again: { type: 'boolean', default: false },
      captures: { type: 'string', default: '100' },
      repeat: { type: 'string', default: '5' },
    },
  });
  const [command, pidArg] = positionals;
  const pid = values.all ? null : Number(pidArg);
  if (command === 'probe') {
    console.log(JSON.stringify(await probe()));
    return;
  }
  if (command === 'sqlite-alone' && values.db) {
    console.log(JSON.stringify(await sqliteAlone(values.db)));
    return;
  }
  if (!values.db || (pid !== null && !(pid > 0))) throw new TypeError('usage: pssql-peer (capture|read-back) (PID | --all) --db FILE');
  const out =
    command === 'capture'
      ? await capture(pid, values.db, values.again!)
      : command === 'read-back' && pid !== null
        ? await readBack(pid, values.db, Number(values.captures), Number(values.repeat))
        : null;
  if (!out) throw new TypeError(`unknown command ${command ?? '(none)'}`);
  console.log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  process.stderr.write(`pssql-peer: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof NotYetAvailable ? 3 : 1);
});
