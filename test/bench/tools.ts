import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchPaths } from './build.js';
import { runCommand, which } from './command.js';

/** The kinds of data one capture reads; `net` is the part of `fds` spent on /proc/PID/net. */
export type Kind = 'process' | 'threads' | 'fds' | 'net' | 'regions';

/** One measured run of a tool on one target (or on the whole machine). */
export interface Sample {
  totalNs: number;
  /** Time per kind, where the tool reports it. */
  kindNs: Partial<Record<Kind, number>>;
  maxRssKb: number | null;
  /** What the tool saw, where it reports it (the floor does: processes, threads, fds, regions...). */
  counts?: Record<string, number>;
  /** pssql only: rows written into SQLite, and how much the database grew, by this capture. */
  rows?: number;
  dbBytes?: number;
  /** pssql in-process only: the part of totalNs spent writing into SQLite (writeCapture). */
  writeNs?: number;
}

/** Something measured: the floor, a peer, or pssql. */
export interface Tool {
  id: string;
  label: string;
  /** `process`: captures one pid; `machine`: every process on the machine. */
  scope: 'process' | 'machine';
  /** Null when it can run here, else why not and how to install it. */
  probe(): string | null;
  /** One run; `pid` is null for machine scope. */
  measure(pid: number | null): Promise<Sample>;
}

/** The JSON line printed by floor.c and psutil-peer.py. */
interface PeerOutput {
  counts: Record<string, number>;
  ns: Partial<Record<Kind | 'total', number[]>>;
}

function parsePeer(stdout: string, what: string, maxRssKb: number | null): Sample {
  let out: PeerOutput;
  try {
    out = JSON.parse(stdout) as PeerOutput;
  } catch {
    throw new Error(`${what} printed no JSON: ${stdout.slice(0, 200)}`);
  }
  const kindNs: Partial<Record<Kind, number>> = {};
  for (const k of ['process', 'threads', 'fds', 'net', 'regions'] as const) {
    const v = out.ns[k]?.[0];
    if (v !== undefined) kindNs[k] = v;
  }
  return { totalNs: out.ns.total?.[0] ?? 0, kindNs, maxRssKb, counts: out.counts };
}

/**
 * Runs the floor or a peer script, which time themselves. Peak memory comes from /usr/bin/time:
 * what they report themselves would include what their parent held before exec.
 */
function runPeer(what: string, file: string, args: string[]): Sample {
  const r = runCommand(file, args, { rss: true });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr.trim()}`);
  return parsePeer(r.stdout, what, r.maxRssKb);
}

const target = (pid: number | null): string[] => (pid === null ? ['--all'] : [String(pid)]);

function floorTool(paths: BenchPaths, details: boolean, scope: Tool['scope']): Tool {
  const extra = details ? ['--details'] : [];
  return {
    id: `floor${details ? '-smaps' : ''}${scope === 'machine' ? '-all' : ''}`,
    label: `floor${details ? ' (smaps)' : ''}${scope === 'machine' ? ' --all' : ''}`,
    scope,
    probe: () => null,
    measure: async (pid) => runPeer('floor', paths.floor, [...extra, ...target(pid)]),
  };
}

/** The first Python on PATH (or the system one) that can import psutil. */
export function findPsutilPython(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const file = which(python);
    if (file && spawnSync(file, ['-c', 'import psutil'], { stdio: 'ignore' }).status === 0) return file;
  }
  return null;
}

function psutilTool(paths: BenchPaths, scope: Tool['scope']): Tool {
  let python: string | null | undefined;
  const script = join(paths.root, 'test', 'bench', 'psutil-peer.py');
  return {
    id: scope === 'machine' ? 'psutil-all' : 'psutil',
    label: scope === 'machine' ? 'psutil, every process' : 'psutil',
    scope,
    probe: () => {
      python ??= findPsutilPython();
      return python ? null : 'psutil is not installed: apt-get install -y python3-psutil (or: pip install psutil)';
    },
    measure: async (pid) => runPeer('psutil', python!, [script, ...target(pid)]),
  };
}

function lsofTool(scope: Tool['scope']): Tool {
  let lsof: string | null | undefined;
  return {
    id: scope === 'machine' ? 'lsof-all' : 'lsof',
    label: scope === 'machine' ? 'lsof (all)' : 'lsof -p',
    scope,
    probe: () => {
      lsof ??= which('lsof', ['/usr/sbin', '/sbin']);
      return lsof ? null : 'lsof is not installed: apt-get install -y lsof';
    },
    measure: async (pid) => {
      // -n -P: no host or port name look-ups, which would time the resolver rather than /proc.
      const args = pid === null ? ['-n', '-P'] : ['-n', '-P', '-p', String(pid)];
      const r = runCommand(lsof!, args, { rss: true, discardStdout: true });
      // lsof exits 1 when some listed item was not found; it still printed everything else.
      if (r.status !== 0 && r.status !== 1) throw new Error(`lsof failed (${r.status}): ${r.stderr.trim()}`);
      return { totalNs: r.wallNs, kindNs: {}, maxRssKb: r.maxRssKb };
    },
  };
}

/** The floor and the peers, for one process and for the whole machine. */
export function floorAndPeers(paths: BenchPaths): Tool[] {
  return [
    floorTool(paths, false, 'process'),
    floorTool(paths, true, 'process'),
    psutilTool(paths, 'process'),
    lsofTool('process'),
    floorTool(paths, false, 'machine'),
    psutilTool(paths, 'machine'),
    lsofTool('machine'),
  ];
}
