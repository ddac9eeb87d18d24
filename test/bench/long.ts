/**
 * Long recordings (issue 11, item 6): `pssql record` as users run it, for many captures of a
 * process that changes a little every time (the target's --drift: some fds and threads come and
 * go, its heap grows), then the over-time reports on that recording, then the same recording
 * length with retention (--keep), whose file must stop growing.
 *
 * - The cost of each capture is the recorder's own (its --verbose log: "capture N of pid P: X ms"),
 *   so Node's start-up is not in it; flat means the last tenth costs about what the first did.
 * - File size: the recording's size once its write-ahead log is folded in (record's summary).
 * - Retention: two runs of half the captures each into one file with --keep; SQLite puts the
 *   pages of pruned captures on its free list and the next captures reuse them, so the file stays
 *   the size of the captures it keeps. No VACUUM is needed while recording (it would rewrite the
 *   whole file); `pssql prune` after a large deletion is where one pays (see README).
 */
import { join } from 'node:path';
import type { BenchPaths } from './build.js';
import { runCommand } from './command.js';
import { removeDatabase } from './db-stats.js';
import { type Spread, spread } from './stats.js';

/** The --drift step of the target, ms: it changes a little between any two captures. */
export const DRIFT_MS = 20;
/** Time from the start of one capture to the start of the next, ms. */
const EVERY_MS = 10;
/** The reports a long recording is read with, each timed as the whole command (`pssql report NAME`). */
const OVER_TIME = ['leak-suspects', 'handles-over-time', 'memory-over-time'] as const;
/** Each report's goal on the long recording, ms. */
export const REPORT_GOAL_MS = 1000;

export interface LongRecording {
  captures: number;
  everyMs: number;
  /** The recorder's cost of each capture, ms: the first tenth and the last tenth. */
  firstMs: Spread | null;
  lastMs: Spread | null;
  dbBytes: number;
  peakMemoryBytes: number;
  recordS: number;
  /** Each over-time command, timed as users run it (Node's start-up included). */
  reports: { name: string; ms: Spread | null; rows: number }[];
  retention: {
    keep: number;
    /** The file after the first half of the captures and after the second. */
    halfBytes: number;
    endBytes: number;
    pruned: number;
    /** The recorder's cost of a capture with retention (median ms of the second half). */
    costMs: Spread | null;
  };
}

interface RecordSummary {
  captures: number;
  captures_pruned: number;
  database_size_bytes: number;
  peak_memory_bytes: number;
  duration_us: number;
  failures: number;
}

const COST = /: capture \d+ of pid \d+ [^:]*: ([\d.]+) ms,/;

/** One `pssql record` run: its summary and the cost of each capture, in order. */
function record(paths: BenchPaths, pid: number, db: string, count: number, extra: string[]): { summary: RecordSummary; costs: number[] } {
  const bin = join(paths.root, 'bin', 'pssql.js');
  const args = [bin, 'record', String(pid), '--every', `${EVERY_MS}ms`, '--count', String(count), '--db', db, '--verbose', '--format', 'json', ...extra];
  const r = runCommand(process.execPath, args, { timeoutMs: 60 * 60_000 });
  if (r.status !== 0) throw new Error(`pssql record failed (${r.status}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const [summary] = JSON.parse(r.stdout) as RecordSummary[];
  if (summary === undefined || summary.captures !== count) throw new Error(`pssql record made ${summary?.captures ?? 0} captures of ${count}`);
  const costs = r.stderr.split('\n').flatMap((line) => {
    const m = COST.exec(line);
    return m ? [Number(m[1])] : [];
  });
  return { summary, costs };
}

const tenth = (costs: number[], last: boolean): Spread | null => {
  const n = Math.max(1, Math.floor(costs.length / 10));
  return spread(last ? costs.slice(-n) : costs.slice(0, n));
};

/** Records `captures` captures of `pid` (a --drift target), reads the recording back, then records as many with --keep. */
export function measureLongRecording(
  pid: number,
  options: { paths: BenchPaths; dir: string; captures: number; keep: number; repeat: number; log: (line: string) => void },
): LongRecording {
  const { paths, dir, captures, keep, log } = options;
  const db = join(dir, 'long.db');
  const kept = join(dir, 'long-kept.db');
  for (const file of [db, kept]) removeDatabase(file);

  log(`long: ${captures.toLocaleString('en-US')} captures, every ${EVERY_MS} ms`);
  const started = process.hrtime.bigint();
  const full = record(paths, pid, db, captures, []);
  const recordS = Number(process.hrtime.bigint() - started) / 1e9;

  const bin = join(paths.root, 'bin', 'pssql.js');
  const reports: LongRecording['reports'] = [];
  const commands: [string, string[]][] = [
    ...OVER_TIME.map((name): [string, string[]] => [name, ['report', name, '--pid', String(pid)]]),
    ['trend', ['trend', String(pid)]],
  ];
  for (const [name, command] of commands) {
    log(`long: ${name}`);
    const ms: number[] = [];
    let rows = 0;
    for (let i = 0; i < options.repeat; i++) {
      const r = runCommand(process.execPath, [bin, ...command, '--db', db, '--format', 'json'], {});
      if (r.status !== 0) throw new Error(`pssql ${command.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
      ms.push(r.wallNs / 1e6);
      const out = JSON.parse(r.stdout) as unknown;
      rows = Array.isArray(out) ? out.length : 1;
    }
    reports.push({ name, ms: spread(ms), rows });
  }

  log(`long: ${captures.toLocaleString('en-US')} captures with --keep ${keep}, in two runs`);
  const half = Math.floor(captures / 2);
  const first = record(paths, pid, kept, half, ['--keep', String(keep)]);
  const second = record(paths, pid, kept, captures - half, ['--keep', String(keep)]);
  return {
    captures,
    everyMs: EVERY_MS,
    firstMs: tenth(full.costs, false),
    lastMs: tenth(full.costs, true),
    dbBytes: full.summary.database_size_bytes,
    peakMemoryBytes: full.summary.peak_memory_bytes,
    recordS,
    reports,
    retention: {
      keep,
      halfBytes: first.summary.database_size_bytes,
      endBytes: second.summary.database_size_bytes,
      pruned: first.summary.captures_pruned + second.summary.captures_pruned,
      costMs: spread(second.costs),
    },
  };
}

/** A recorder's own peak memory (record's summary) after each number of captures, each a run of its own. */
export interface RecorderMemory {
  target: string;
  runs: { captures: number; peakBytes: number }[];
}

/** Runs `pssql record` of `pid` for each count in `counts` (back to back captures) and keeps its peak memory. */
export function measureRecorderMemory(pid: number, options: { paths: BenchPaths; dir: string; target: string; counts: number[]; log: (line: string) => void }): RecorderMemory {
  const runs = options.counts.map((count) => {
    options.log(`memory: pssql record of the ${options.target} target, ${count} captures`);
    const db = join(options.dir, `memory-${count}.db`);
    removeDatabase(db);
    const { summary } = record(options.paths, pid, db, count, []);
    removeDatabase(db);
    return { captures: count, peakBytes: summary.peak_memory_bytes };
  });
  return { target: options.target, runs };
}
