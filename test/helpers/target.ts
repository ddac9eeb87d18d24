/**
 * Starts the C target process (test/fixtures/target.c) with known fds, threads and regions, and
 * stops it again. The binary is compiled once into test/.cache/ (atomically: test files run in
 * parallel processes).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE = path.join(PROJECT_ROOT, 'test/.cache');
export const TARGET_BINARY = path.join(CACHE, 'target');

/** What the target says it holds. */
export interface TargetInfo {
  pid: number;
  dir: string;
  fds: {
    file: number[];
    dir: number[];
    pipe: number[];
    tcp: number[];
    udp: number[];
    unix: number[];
    eventfd: number[];
    memfd: number[];
    pidfd: number[];
    /** timerfd, epoll, signalfd, inotify, then a connected TCP client and its accepted peer. */
    misc: number[];
    weird: number[];
  };
  tcpPort: number;
  threads: number;
  regions: number;
  regionBase: string;
  pageSize: number;
  mapFile: string | null;
  mapBase: string;
  mapSize: number;
}

export interface Target extends TargetInfo {
  process: ChildProcess;
  /** Closes its stdin (it exits) and waits for it; removes its files. */
  stop(): Promise<void>;
}

/**
 * Compiles test/fixtures/NAME.c into test/.cache/NAME if it is missing or older than its source
 * (atomically: test files run in parallel processes); returns the binary's path.
 */
export function buildFixture(name: string, kind: 'program' | 'shared-library' = 'program'): string {
  const source = path.join(PROJECT_ROOT, `test/fixtures/${name}.c`);
  const binary = path.join(CACHE, kind === 'program' ? name : `${name}.so`);
  const fresh = fs.existsSync(binary) && fs.statSync(binary).mtimeMs >= fs.statSync(source).mtimeMs;
  if (!fresh) {
    fs.mkdirSync(CACHE, { recursive: true });
    const temporary = `${binary}.${process.pid}`;
    const flags = kind === 'program' ? ['-O2', '-Wall', '-pthread'] : ['-O2', '-Wall', '-shared', '-fPIC'];
    execFileSync('cc', [...flags, '-o', temporary, source, ...(kind === 'program' ? [] : ['-ldl'])], { stdio: 'inherit' });
    fs.renameSync(temporary, binary);
  }
  return binary;
}

/** Compiles the target if it is missing or older than its source; returns the binary's path. */
export function buildTarget(): string {
  return buildFixture('target');
}

/** Starts a target with the given arguments (see target.c) and waits until it is ready. */
export function startTarget(args: string[], options: { uid?: number; gid?: number } = {}): Promise<Target> {
  const binary = buildTarget();
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'], ...options });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      child.stdout?.off('data', onData);
      const info = JSON.parse(out.slice(0, newline)) as TargetInfo;
      resolve({
        ...info,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            const finish = (): void => {
              fs.rmSync(info.dir, { recursive: true, force: true });
              done();
            };
            if (child.exitCode !== null || child.signalCode !== null) return finish();
            child.once('exit', finish);
            child.stdin?.end();
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`target exited with code ${code} before it was ready: ${out}`)));
  });
}

/** Lists /proc/PID/<dir> (fd, task) as numbers. */
export function procEntries(pid: number, dir: 'fd' | 'task'): number[] {
  return fs
    .readdirSync(`/proc/${pid}/${dir}`)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Lines of /proc/PID/maps. */
export function mapsLineCount(pid: number): number {
  return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => l !== '').length;
}
