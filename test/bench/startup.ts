/**
 * Start-up (issue 11): the CLI as users run it (`node bin/pssql.js`, which runs the bundle of
 * dist/bundle/), beside a bare `node -e 0` timed in the same rounds, interleaved, so that their
 * ratio holds on a busy machine. The capture is of a small process (200 fds), the whole command.
 */
import { existsSync, statSync } from 'node:fs';
import { removeDatabase } from './db-stats.js';
import { join } from 'node:path';
import type { BenchPaths } from './build.js';
import { runCommand } from './command.js';
import { type Spread, spread } from './stats.js';

export interface StartupCommand {
  id: 'node' | 'version' | 'version-cli' | 'capture' | 'capture-again';
  label: string;
  /** The goal as a multiple of `node -e 0`, where issue 11 sets one. */
  goal?: number;
  ms: number[];
}

export interface StartupResult {
  /** What bin/pssql.js runs: the bundle, or dist/src when there is none or it is older than tsc's output. */
  entry: 'bundle' | 'dist/src';
  pid: number;
  fds: number;
  commands: StartupCommand[];
}

/** Which code bin/pssql.js runs, by its own rule (a bundle older than tsc's last build is not used). */
export function cliEntry(root: string): StartupResult['entry'] {
  const bundle = join(root, 'dist', 'bundle', 'main.js');
  if (!existsSync(bundle)) return 'dist/src';
  const compiled = join(root, 'dist', '.tsbuildinfo');
  return existsSync(compiled) && statSync(compiled).mtimeMs > statSync(bundle).mtimeMs ? 'dist/src' : 'bundle';
}

/** Times each command `samples` times (after one warm-up), round by round; `dbDir` holds the recordings. */
export function measureStartup(paths: BenchPaths, target: { pid: number; fds: number }, samples: number, dbDir: string): StartupResult {
  const bin = join(paths.root, 'bin', 'pssql.js');
  const fresh = join(dbDir, 'startup.db');
  const kept = join(dbDir, 'startup-kept.db');
  const commands: (StartupCommand & { args: string[]; before?: () => void })[] = [
    { id: 'node', label: 'node -e 0', args: ['-e', '0'], ms: [] },
    { id: 'version', label: 'pssql --version', goal: 1.5, args: [bin, '--version'], ms: [] },
    // bin/pssql.js answers --version alone from package.json; with another option, the CLI (yargs) does.
    { id: 'version-cli', label: 'pssql --quiet --version (through the CLI)', args: [bin, '--quiet', '--version'], ms: [] },
    {
      id: 'capture',
      label: `pssql capture (${target.fds} fds, into a new recording)`,
      goal: 2.5,
      args: [bin, 'capture', String(target.pid), '--db', fresh],
      before: () => {
        removeDatabase(fresh);
      },
      ms: [],
    },
    { id: 'capture-again', label: 'pssql capture (the same, into an existing recording)', args: [bin, 'capture', String(target.pid), '--db', kept], ms: [] },
  ];
  for (let round = 0; round <= samples; round++) {
    for (const command of commands) {
      command.before?.();
      const r = runCommand(process.execPath, command.args, { discardStdout: true });
      if (r.status !== 0) throw new Error(`${command.label} failed (${r.status}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
      if (round > 0) command.ms.push(r.wallNs / 1e6);
    }
  }
  return {
    entry: cliEntry(paths.root),
    pid: target.pid,
    fds: target.fds,
    commands: commands.map(({ id, label, goal, ms }) => ({ id, label, ...(goal === undefined ? {} : { goal }), ms })),
  };
}

/** Median and range of each command, and its median over that of `node -e 0`. */
export function summarizeStartup(result: StartupResult): { command: StartupCommand; ms: Spread | null; ratio: number | null }[] {
  const node = spread(result.commands.find((c) => c.id === 'node')?.ms ?? [])?.median ?? null;
  return result.commands.map((command) => {
    const ms = spread(command.ms);
    return { command, ms, ratio: ms === null || node === null ? null : ms.median / node };
  });
}
