import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { which } from './command.js';
import { findPsutilPython } from './tools.js';

/** What the numbers depend on, printed with them. */
export interface MachineFacts {
  kernel: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  /** RLIMIT_NOFILE of this process: the target raises its soft limit to the hard one. */
  fdSoftLimit: number;
  fdHardLimit: number;
  maxMapCount: number;
  pidMax: number;
  threadsMax: number;
  processes: number;
  node: string;
  cc: string;
  /** Versions of the peers, null when not installed. */
  psutil: string | null;
  lsof: string | null;
}

const readNumber = (path: string): number => Number(readFileSync(path, 'utf8').trim());

/** Reads the facts from /proc and the tools. */
export function machineFacts(): MachineFacts {
  const limits = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)\s+(\d+)/m);
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'unknown';
  return {
    kernel: release(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    fdSoftLimit: Number(limits?.[1]),
    fdHardLimit: Number(limits?.[2]),
    maxMapCount: readNumber('/proc/sys/vm/max_map_count'),
    pidMax: readNumber('/proc/sys/kernel/pid_max'),
    threadsMax: readNumber('/proc/sys/kernel/threads-max'),
    processes: readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length,
    node: process.version,
    cc,
    psutil: psutilVersion(),
    lsof: lsofVersion(),
  };
}

function psutilVersion(): string | null {
  const python = findPsutilPython();
  if (!python) return null;
  return spawnSync(python, ['-c', 'import psutil; print(psutil.__version__)'], { encoding: 'utf8' }).stdout.trim() || null;
}

function lsofVersion(): string | null {
  const lsof = which('lsof', ['/usr/sbin', '/sbin']);
  if (!lsof) return null;
  const r = spawnSync(lsof, ['-v'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.match(/revision: (\S+)/)?.[1] ?? 'unknown';
}
