import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the benchmark finds the repository, and where it builds and keeps its scratch files. */
export interface BenchPaths {
  root: string;
  /** test/.cache/bench: compiled programs, target directories, databases (git-ignored). */
  cache: string;
  target: string;
  floor: string;
}

/** Paths under `root`; creates the cache directory. */
export function benchPaths(root: string): BenchPaths {
  const cache = join(root, 'test', '.cache', 'bench');
  mkdirSync(cache, { recursive: true });
  return { root, cache, target: join(cache, 'target'), floor: join(cache, 'floor') };
}

/** Compiles the target process and the floor with `cc` when their sources are newer than the binaries. */
export function buildPrograms(paths: BenchPaths): void {
  compile(join(paths.root, 'test', 'fixtures', 'target.c'), paths.target, ['-pthread']);
  compile(join(paths.root, 'test', 'bench', 'floor.c'), paths.floor, []);
}

function compile(source: string, out: string, flags: string[]): void {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) return;
  const r = spawnSync('cc', ['-O2', ...flags, '-o', out, source], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot compile ${source}: cc: ${r.error.message} (install build-essential)`);
  if (r.status !== 0) throw new Error(`cannot compile ${source}:\n${r.stderr}`);
}
