import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A target process of known size, started from test/fixtures/target.c. */
export interface TargetSpec {
  name: string;
  /** Arguments of the target program (without --dir). */
  args: string[];
  /** What it must hold once started: at least these many fds, threads (tasks) and regions. */
  expect: { fds: number; threads: number; regions: number };
  /** What to say about its size, when a limit of the machine shaped it. */
  about?: string;
}

/** What a started target really holds, counted from /proc/PID/{fd,task,maps}. */
export interface TargetCounts {
  fds: number;
  threads: number;
  regions: number;
}

export interface RunningTarget {
  spec: TargetSpec;
  pid: number;
  counts: TargetCounts;
  /** Closes its stdin (it exits on EOF), kills it if it lingers, waits for its exit. */
  stop(): Promise<void>;
}

/** Fd kinds of a target, in the target program's option names; `files` fills up the rest. */
interface FdMix {
  dirs: number;
  pipes: number;
  tcp: number;
  udp: number;
  unix: number;
  eventfds: number;
  memfds: number;
  pidfds: number;
}

/** fds the target holds besides its options: stdin, stdout, stderr. */
const STD_FDS = 3;
/** --misc: timerfd, epoll, signalfd, inotify, and a connected TCP pair. */
const MISC_FDS = 6;
/** fds left free below the limit, for the C library and /proc reads inside the target. */
const FD_MARGIN = 8;

function fdArgs(total: number, mix: FdMix): { args: string[]; fds: number } {
  const others = mix.dirs + 2 * mix.pipes + mix.tcp + mix.udp + 2 * mix.unix + mix.eventfds + mix.memfds + mix.pidfds;
  const files = total - STD_FDS - MISC_FDS - others;
  if (files < 0) throw new RangeError(`fd mix needs more than ${total} fds`);
  const args = ['--files', String(files), '--misc'];
  for (const [k, v] of Object.entries(mix)) args.push(`--${k}`, String(v));
  return { args, fds: total };
}

/**
 * The targets of issue 6. `fdLimit` is the hard RLIMIT_NOFILE the target can raise itself to;
 * "20k fds" means as many as fit below it.
 */
export function targetSpecs(fdLimit: number): TargetSpec[] {
  const small = fdArgs(1000, { dirs: 50, pipes: 50, tcp: 50, udp: 50, unix: 50, eventfds: 25, memfds: 10, pidfds: 10 });
  const largeFds = Math.min(20_000, fdLimit - FD_MARGIN);
  const large = fdArgs(largeFds, { dirs: 1000, pipes: 1000, tcp: 500, udp: 500, unix: 500, eventfds: 500, memfds: 100, pidfds: 300 });
  // Each thread adds its stack and guard page: two regions.
  return [
    { name: 'small', args: [...small.args, '--threads', '100', '--regions', '1000'], expect: { fds: small.fds, threads: 101, regions: 1200 } },
    {
      name: 'large',
      args: [...large.args, '--threads', '2000', '--regions', '60000'],
      expect: { fds: large.fds, threads: 2001, regions: 64000 },
      ...(large.fds < 20_000 ? { about: `"20k fds" is as many as fit below the fd hard limit of ${fdLimit}` } : {}),
    },
    { name: 'thread-heavy', args: ['--files', '10', '--threads', '10000'], expect: { fds: 13, threads: 10001, regions: 20000 } },
    { name: 'map-heavy', args: ['--files', '10', '--regions', '60000'], expect: { fds: 13, threads: 1, regions: 60000 } },
  ];
}

/** The small process of the start-up rows (issue 11): 200 fds of several kinds, a few threads. */
export function startupTargetSpec(): TargetSpec {
  const fds = fdArgs(200, { dirs: 10, pipes: 10, tcp: 10, udp: 10, unix: 10, eventfds: 5, memfds: 2, pidfds: 2 });
  return { name: 'start-up', args: [...fds.args, '--threads', '4', '--regions', '100'], expect: { fds: fds.fds, threads: 5, regions: 100 } };
}

/** Shells and target pids still running, for the exit and signal handlers. */
const running = new Set<ChildProcess>();
const runningPids = new Set<number>();

/** Kills every target still running, synchronously: for exit and signal handlers. */
export function killAllTargets(): void {
  for (const pid of runningPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const child of running) child.kill('SIGKILL');
  runningPids.clear();
  running.clear();
}

/** Counts what a process holds right now. */
export function countTarget(pid: number): TargetCounts {
  const maps = readFileSync(`/proc/${pid}/maps`, 'latin1');
  let regions = 0;
  for (let i = maps.indexOf('\n'); i !== -1; i = maps.indexOf('\n', i + 1)) regions++;
  return {
    fds: readdirSync(`/proc/${pid}/fd`).length,
    threads: readdirSync(`/proc/${pid}/task`).length,
    regions,
  };
}

/**
 * Starts a target and waits for its JSON line; its files go to `dir`. Fails when it dies or does
 * not hold what its spec expects (a limit may have stopped it short).
 */
export async function startTarget(binary: string, spec: TargetSpec, dir: string, maxMapCount: number): Promise<RunningTarget> {
  if (spec.expect.regions + 100 > maxMapCount) {
    throw new Error(
      `target ${spec.name} needs about ${spec.expect.regions + 100} regions but vm.max_map_count is ${maxMapCount}` +
        ' (raise it with: sysctl -w vm.max_map_count=262144)',
    );
  }
  mkdirSync(dir, { recursive: true });
  // Node gives a child Unix socketpairs for stdio, which would make every target hold sockets
  // (and a capture read /proc/PID/net). Behind `cat`, the target's stdin and stdout are pipes.
  // It still exits when its stdin closes: when we end it, or when this process dies.
  const script = 'cat | "$0" "$@" 2>&1 | cat';
  const child = spawn('/bin/sh', ['-c', script, binary, ...spec.args, '--dir', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let pid = 0;
  const stop = async (): Promise<void> => {
    child.stdin!.end();
    const timer = setTimeout(() => {
      if (pid) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
    }, 10_000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
    runningPids.delete(pid);
  };
  try {
    const line = await firstLine(child, 120_000);
    if (line === null) throw new Error(`target ${spec.name} exited before it was ready: ${stderr.trim() || 'no message'}`);
    try {
      pid = (JSON.parse(line) as { pid: number }).pid;
    } catch {
      throw new Error(`target ${spec.name} failed: ${line}`);
    }
    runningPids.add(pid);
    const counts = countTarget(pid);
    const short = (['fds', 'threads', 'regions'] as const).filter((k) => counts[k] < spec.expect[k]);
    if (short.length) {
      throw new Error(`target ${spec.name} holds ${JSON.stringify(counts)}, less than expected ${JSON.stringify(spec.expect)}`);
    }
    return { spec, pid, counts, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`target did not start within ${timeoutMs} ms`)), timeoutMs);
    const done = (line: string | null): void => {
      clearTimeout(timer);
      lines.close();
      resolve(line);
    };
    lines.once('line', done);
    child.once('exit', () => done(null));
  });
}

/** The directory of a target's files inside the benchmark cache. */
export function targetDir(cache: string, spec: TargetSpec): string {
  return join(cache, 'targets', spec.name);
}
