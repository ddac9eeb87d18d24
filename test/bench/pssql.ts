/**
 * pssql's side of the benchmark. Measuring needs the capture and recorder API (issue 2); until it
 * lands, every function here answers "not yet available" with the reason, and the runner prints
 * the slots empty. To plug pssql in, fill the SLOT in pssql-peer.ts (in-process, machine, read
 * back); the CLI is picked up by itself once `bin/pssql.js capture PID --db FILE` works.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchPaths } from './build.js';
import { runCommand } from './command.js';
import { databaseStats, removeDatabase } from './db-stats.js';
import type { Sample, Tool } from './tools.js';

/**
 * in-process: the library, in a Node process of its own, into a new database; again: the same,
 * capturing an unchanged process a second time; cli: `node bin/pssql.js capture PID --db FILE`
 * into a new database; machine: every process on the machine, into a new database.
 */
export type PssqlMode = 'in-process' | 'again' | 'cli' | 'machine' | 'machine-again';

export interface PssqlOptions {
  mode: PssqlMode;
  /** The database the capture goes into; made anew for each measurement. */
  dbFile: string;
  paths: BenchPaths;
}

export type PssqlMeasurement = { available: true; sample: Sample } | { available: false; reason: string };

/** Timings of the saved reports on a recording of many captures of one target. */
export interface ReadBack {
  captures: number;
  recordNs: number;
  rows: number;
  dbBytes: number;
  /** Peak RSS of the recorder after 1, 10 and all captures: it must not grow with their number. */
  maxRssKbAfterCaptures: Record<string, number>;
  /** Each saved report's timings; `skipped` says why a report could not run yet. */
  reports: Record<string, { ns: number[]; rows: number; skipped?: string }>;
}

const peerScript = (paths: BenchPaths): string => join(paths.root, 'dist', 'test', 'bench', 'pssql-peer.js');
const cliScript = (paths: BenchPaths): string => join(paths.root, 'bin', 'pssql.js');

const unavailable = new Map<PssqlMode, string | null>();

/** Why pssql cannot be measured in `mode` yet, or null when it can (asked once per run). */
export function pssqlUnavailable(mode: PssqlMode, paths: BenchPaths): string | null {
  if (!unavailable.has(mode)) unavailable.set(mode, whyUnavailable(mode, paths));
  return unavailable.get(mode)!;
}

function whyUnavailable(mode: PssqlMode, paths: BenchPaths): string | null {
  if (mode === 'cli') {
    if (!existsSync(cliScript(paths))) return 'not yet available: bin/pssql.js is not there yet';
    const r = runCommand(process.execPath, [cliScript(paths), 'capture', '--help']);
    return r.status === 0 ? null : `not yet available: pssql capture --help failed: ${firstLine(r.stderr)}`;
  }
  return probePeer(paths).capture;
}

let probed: { capture: string | null; reports: string | null } | undefined;
function probePeer(paths: BenchPaths): { capture: string | null; reports: string | null } {
  if (probed) return probed;
  const r = runCommand(process.execPath, [peerScript(paths), 'probe']);
  probed = r.status === 0 ? JSON.parse(r.stdout) : { capture: firstLine(r.stderr), reports: firstLine(r.stderr) };
  return probed!;
}

const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';

/** One capture of `pid` (null: every process) by pssql into SQLite: wall time, rows, bytes, peak memory. */
export async function measurePssql(pid: number | null, options: PssqlOptions): Promise<PssqlMeasurement> {
  const reason = pssqlUnavailable(options.mode, options.paths);
  if (reason) return { available: false, reason };
  if (options.mode === 'cli') {
    removeDatabase(options.dbFile);
    const r = runCommand(process.execPath, [cliScript(options.paths), 'capture', String(pid), '--db', options.dbFile], {
      rss: true,
      discardStdout: true,
    });
    if (r.status !== 0) throw new Error(`pssql capture failed (${r.status}): ${firstLine(r.stderr)}`);
    const after = databaseStats(options.dbFile);
    return { available: true, sample: { totalNs: r.wallNs, kindNs: {}, maxRssKb: r.maxRssKb, rows: after.rows, dbBytes: after.bytes } };
  }
  const again = options.mode === 'again' || options.mode === 'machine-again' ? ['--again'] : [];
  const args = [peerScript(options.paths), 'capture', ...(pid === null ? ['--all'] : [String(pid)]), '--db', options.dbFile, ...again];
  const r = runCommand(process.execPath, args, { rss: true });
  if (r.status === 3) return { available: false, reason: firstLine(r.stderr) };
  if (r.status !== 0) throw new Error(`pssql-peer failed (${r.status}): ${firstLine(r.stderr)}`);
  const out = JSON.parse(r.stdout) as { ns: { total: number[] }; maxRssKb: number; rows: number; dbBytes: number; writeNs: number };
  return {
    available: true,
    sample: { totalNs: out.ns.total[0]!, kindNs: {}, maxRssKb: r.maxRssKb ?? out.maxRssKb, rows: out.rows, dbBytes: out.dbBytes, writeNs: out.writeNs },
  };
}

/** Records `captures` captures of `pid`, then times each saved report (those available) on that recording. */
export async function measureReadBack(
  pid: number,
  options: { paths: BenchPaths; dbFile: string; captures: number; repeat: number },
): Promise<{ available: true; readBack: ReadBack } | { available: false; reason: string }> {
  const { capture } = probePeer(options.paths);
  if (capture) return { available: false, reason: capture };
  rmSync(options.dbFile, { force: true });
  const args = ['read-back', String(pid), '--db', options.dbFile, '--captures', String(options.captures), '--repeat', String(options.repeat)];
  const r = runCommand(process.execPath, [peerScript(options.paths), ...args], { timeoutMs: 60 * 60_000 });
  if (r.status === 3) return { available: false, reason: firstLine(r.stderr) };
  if (r.status !== 0) throw new Error(`pssql-peer read-back failed (${r.status}): ${firstLine(r.stderr)}`);
  return { available: true, readBack: JSON.parse(r.stdout) as ReadBack };
}

/** better-sqlite3 alone on the rows of `dbFile` (a first capture), in one transaction: rows/s. */
export function measureSqliteAlone(paths: BenchPaths, dbFile: string): { rows: number; ns: number; rowsPerS: number } {
  const r = runCommand(process.execPath, [peerScript(paths), 'sqlite-alone', '--db', dbFile], { timeoutMs: 10 * 60_000 });
  if (r.status !== 0) throw new Error(`pssql-peer sqlite-alone failed (${r.status}): ${firstLine(r.stderr)}`);
  return JSON.parse(r.stdout) as { rows: number; ns: number; rowsPerS: number };
}

/** pssql as three tools of the runner: in-process and CLI on one target, and every process. */
export function pssqlTools(paths: BenchPaths, dbFile: (toolId: string) => string): Tool[] {
  const tool = (id: string, label: string, mode: PssqlMode): Tool => ({
    id,
    label,
    scope: mode === 'machine' || mode === 'machine-again' ? 'machine' : 'process',
    probe: () => pssqlUnavailable(mode, paths),
    measure: async (pid) => {
      const m = await measurePssql(pid, { mode, dbFile: dbFile(id), paths });
      if (!m.available) throw new Error(m.reason);
      return m.sample;
    },
  });
  return [
    tool('pssql', 'pssql (in-process)', 'in-process'),
    tool('pssql-again', 'pssql, again (steady state)', 'again'),
    tool('pssql-cli', 'pssql capture (CLI)', 'cli'),
    tool('pssql-all', 'pssql, every process', 'machine'),
    tool('pssql-all-again', 'pssql, every process, again (steady state)', 'machine-again'),
  ];
}
