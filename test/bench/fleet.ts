/**
 * The central store (issue 13): pushing a recording into a private PostgreSQL server (the first
 * capture of a target, and 100 captures of it at work), the bytes a capture takes there, and the
 * over-time reports on a store of 10 hosts x 100 captures, beside the same data in SQLite.
 *
 *   node dist/test/bench/fleet.js PID [--hosts 10] [--captures 100] [--rounds 3]
 *
 * run.ts runs it on the large target. The hosts are copies of one recording under new recording
 * ids and host names: ten machines running the same process.
 */
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { findReport, loadReports } from '../../src/analysis/report-catalog.js';
import { runReport } from '../../src/analysis/run-report.js';
import { captureSnapshot, openPushTarget, openStore, pushStore, type PushSummary, type Store, writeCapture } from '../../src/index.js';
import { openReadStore } from '../../src/store/open-read-store.js';
import type { ReadStore } from '../../src/store/read-store.js';
import { findPostgres, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/cli.js';
import { spread, type Spread } from './stats.js';

export interface FleetResult {
  hosts: number;
  captures: number;
  /** Pushing the first capture of the target into an empty store. */
  first: { rows: number; rowsPerS: Spread | null; ms: Spread | null; postgresBytes: number; sqliteBytes: number };
  /** Pushing `captures` captures of the target at work, in one push. */
  atWork: { rows: number; rowsPerS: Spread | null; msPerCapture: Spread | null; postgresBytesPerCapture: number; sqliteBytesPerCapture: number };
  /** Pushing each of the hosts' recordings into one store. */
  hostsPush: { ms: number; rows: number };
  postgresBytes: number;
  sqliteMergedBytes: number;
  /** Report timings, ms: on PostgreSQL (all hosts), a SQLite file of all hosts, and one host's own file. */
  reports: { name: string; args: string; rows: number; postgres: Spread | null; sqliteMerged: Spread | null; sqliteOne: Spread | null }[];
}

function capture(store: Store, pid: number): void {
  const snapshot = captureSnapshot({ pid });
  try {
    writeCapture(store, snapshot);
  } finally {
    snapshot.free();
  }
}

/** Bytes of pssql's relations in a PostgreSQL database: tables, their partitions, indexes and TOAST. */
async function postgresBytes(server: PostgresServer, database: string): Promise<number> {
  const [row] = await server.sql<{ bytes: string }>(
    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = 'pssql' AND c.relkind = 'r'",
    [],
    database,
  );
  return Number(row?.bytes ?? 0);
}

const fileBytes = (path: string): number => {
  const store = new BetterSqlite3(path);
  store.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return statSync(path).size;
};

const databaseOf = (url: string): string => new URL(url.replace('postgresql://', 'http://')).pathname.slice(1);

async function push(source: string, target: string): Promise<PushSummary> {
  const store = openStore(source, { readonly: true });
  const into = await openPushTarget(target);
  try {
    return await pushStore(store, into);
  } finally {
    await into.close();
    store.close();
  }
}

/** Times a report `repeat` times (after one warm-up run). */
async function timeReport(store: ReadStore, name: string, values: Record<string, unknown>, scope: { host?: string }, repeat: number): Promise<{ ms: Spread | null; rows: number }> {
  const report = findReport(loadReports(), name);
  let rows = (await runReport(store, report, values, scope)).rows.length;
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    rows = (await runReport(store, report, values, scope)).rows.length;
    ms.push(performance.now() - started);
  }
  return { ms: spread(ms), rows };
}

/** Measures the central store on process `pid`; null with the reason when PostgreSQL is not installed. */
export async function measureFleet(
  pid: number,
  options: { hosts: number; captures: number; rounds: number; log: (line: string) => void },
): Promise<{ available: true; fleet: FleetResult } | { available: false; reason: string }> {
  if (findPostgres() === null) return { available: false, reason: 'PostgreSQL is not installed: apt-get install -y postgresql' };
  const { hosts, captures, rounds, log } = options;
  const dir = tempDir('pssql-fleet-');
  const server = await startPostgres();
  try {
    // The first capture of the target, pushed into an empty store.
    log(`fleet: the first capture, pushed ${rounds} times into an empty store`);
    const first = join(dir, 'first.db');
    const store = openStore(first);
    capture(store, pid);
    store.close();
    const firstRuns: PushSummary[] = [];
    let firstUrl = '';
    for (let i = 0; i < rounds; i++) {
      firstUrl = await server.createDatabase('first');
      firstRuns.push(await push(first, firstUrl));
    }
    const emptyUrl = await server.createDatabase('empty');
    await (await openPushTarget(emptyUrl)).close();
    const emptyBytes = await postgresBytes(server, databaseOf(emptyUrl));

    // 100 captures at work: a recording of 1 + N captures; the first pushed, then the N timed in one push.
    log(`fleet: ${captures} captures at work`);
    const work = join(dir, 'work.db');
    const recorder = openStore(work);
    capture(recorder, pid);
    recorder.close();
    const oneCaptureBytes = fileBytes(work);
    const again = openStore(work);
    for (let i = 0; i < captures; i++) capture(again, pid);
    again.close();
    const workBytes = fileBytes(work);
    const workRuns: PushSummary[] = [];
    let workUrl = '';
    let atWorkBytes = 0;
    for (let i = 0; i < rounds; i++) {
      workUrl = await server.createDatabase('work');
      const copy = join(dir, `work-${i}.db`);
      copyFileSync(work, copy);
      // The first capture alone, then the rest at work: a copy that holds only the first pushes first.
      const only = join(dir, `first-of-work-${i}.db`);
      copyFileSync(work, only);
      const trim = new BetterSqlite3(only);
      trim.exec('DELETE FROM captures WHERE seq > 1; UPDATE process_instances SET last_seq = 1');
      trim.close();
      await push(only, workUrl);
      const before = await postgresBytes(server, databaseOf(workUrl));
      const summary = await push(copy, workUrl);
      workRuns.push(summary);
      atWorkBytes = (await postgresBytes(server, databaseOf(workUrl))) - before;
    }

    // Hosts: copies of the recording under new ids and host names, pushed into one store and one file.
    log(`fleet: ${hosts} hosts x ${captures + 1} captures, into PostgreSQL and into one SQLite file`);
    const files: string[] = [];
    for (let h = 1; h <= hosts; h++) {
      const file = join(dir, `host-${h}.db`);
      copyFileSync(work, file);
      const db = new BetterSqlite3(file);
      db.prepare('UPDATE recordings SET recording_id = lower(hex(randomblob(16)))').run();
      db.prepare('UPDATE captures SET host = ?').run(`host-${h}`);
      db.prepare('UPDATE process_instances SET host = ?').run(`host-${h}`);
      db.close();
      files.push(file);
    }
    const central = await server.createDatabase('fleet');
    const merged = join(dir, 'fleet.db');
    const started = performance.now();
    let hostRows = 0;
    for (const file of files) hostRows += (await push(file, central)).rows;
    const hostsMs = performance.now() - started;
    for (const file of files) await push(file, merged);

    log('fleet: reports on PostgreSQL, the merged file and one host\'s file');
    const stores = { postgres: await openReadStore(central), sqliteMerged: await openReadStore(merged), sqliteOne: await openReadStore(work) };
    const host = `host-${Math.min(3, hosts)}`;
    const cases = [
      { name: 'leak-suspects', values: {}, scope: {}, args: '(every host)' },
      { name: 'leak-suspects', values: {}, scope: { host }, args: `--host ${host}` },
      { name: 'handles-over-time', values: { pid }, scope: { host }, args: `--pid ${pid} --host ${host}` },
      { name: 'memory-over-time', values: { pid }, scope: { host }, args: `--pid ${pid} --host ${host}` },
    ];
    const reports: FleetResult['reports'] = [];
    try {
      for (const c of cases) {
        const pg = await timeReport(stores.postgres, c.name, c.values, c.scope, 5);
        const merged = await timeReport(stores.sqliteMerged, c.name, c.values, c.scope, 5);
        // One host's own file has that host only: the same report without the scope.
        const one = await timeReport(stores.sqliteOne, c.name, c.values, {}, 5);
        reports.push({ name: c.name, args: c.args, rows: pg.rows, postgres: pg.ms, sqliteMerged: merged.ms, sqliteOne: one.ms });
      }
    } finally {
      for (const s of Object.values(stores)) await s.close();
    }
    return {
      available: true,
      fleet: {
        hosts,
        captures,
        first: {
          rows: firstRuns[0]?.rows ?? 0,
          rowsPerS: spread(firstRuns.map((r) => r.rows / (r.durationUs / 1e6))),
          ms: spread(firstRuns.map((r) => r.durationUs / 1000)),
          postgresBytes: (await postgresBytes(server, databaseOf(firstUrl))) - emptyBytes,
          sqliteBytes: oneCaptureBytes,
        },
        atWork: {
          rows: workRuns[0]?.rows ?? 0,
          rowsPerS: spread(workRuns.map((r) => r.rows / (r.durationUs / 1e6))),
          msPerCapture: spread(workRuns.map((r) => r.durationUs / 1000 / captures)),
          postgresBytesPerCapture: atWorkBytes / captures,
          sqliteBytesPerCapture: (workBytes - oneCaptureBytes) / captures,
        },
        hostsPush: { ms: hostsMs, rows: hostRows },
        postgresBytes: await postgresBytes(server, databaseOf(central)),
        sqliteMergedBytes: fileBytes(merged),
        reports,
      },
    };
  } finally {
    await server.stop();
  }
}

const num = (n: number | null | undefined, digits = 0): string => (n === null || n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits }));

/** The section of the report. */
export function fleetSection(r: { available: true; fleet: FleetResult } | { available: false; reason: string } | null): string {
  const title = 'the central store: pushing into PostgreSQL, and reports on many hosts';
  if (r === null) return `${title}\n  skipped: the large target was not run`;
  if (!r.available) return `${title}\n  ${r.reason}`;
  const f = r.fleet;
  const range = (s: Spread | null, digits = 0): string => (s === null ? '–' : `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`);
  return [
    title,
    `  first capture: ${num(f.first.rows)} rows pushed in ${range(f.first.ms)} ms, ${range(f.first.rowsPerS)} rows/s; ` +
      `${num(f.first.postgresBytes / 2 ** 20, 1)} MiB in PostgreSQL (${num(f.first.sqliteBytes / 2 ** 20, 1)} MiB in SQLite)`,
    `  ${f.captures} captures at work, in one push: ${num(f.atWork.rows)} rows, ${range(f.atWork.rowsPerS)} rows/s, ${range(f.atWork.msPerCapture, 2)} ms per capture; ` +
      `${num(f.atWork.postgresBytesPerCapture)} bytes per capture in PostgreSQL (${num(f.atWork.sqliteBytesPerCapture)} in SQLite)`,
    `  ${f.hosts} hosts x ${f.captures + 1} captures: pushed in ${num(f.hostsPush.ms / 1000, 1)} s (${num(f.hostsPush.rows / (f.hostsPush.ms / 1000))} rows/s); ` +
      `${num(f.postgresBytes / 2 ** 20, 1)} MiB in PostgreSQL, ${num(f.sqliteMergedBytes / 2 ** 20, 1)} MiB as one SQLite file`,
    '  report (median ms, min–max)                  PostgreSQL, all hosts   SQLite, all hosts   SQLite, one host',
    ...f.reports.map(
      (x) => `  ${`${x.name} ${x.args}`.padEnd(44)} ${range(x.postgres, 1).padStart(22)}  ${range(x.sqliteMerged, 1).padStart(18)}  ${range(x.sqliteOne, 1).padStart(17)}   (${x.rows} rows)`,
    ),
  ].join('\n');
}

// Run by itself: node dist/test/bench/fleet.js PID [...]
if (process.argv[1]?.endsWith('fleet.js')) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { hosts: { type: 'string' }, captures: { type: 'string' }, rounds: { type: 'string' } } });
  const pid = Number(positionals[0] ?? process.pid);
  const result = await measureFleet(pid, {
    hosts: Number(values.hosts ?? 10),
    captures: Number(values.captures ?? 100),
    rounds: Number(values.rounds ?? 3),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${fleetSection(result)}\n`);
}
