/** Runs the real pssql binary, as a user would. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './target.js';

export const PSSQL_BIN = path.join(PROJECT_ROOT, 'bin/pssql.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

/** Runs `pssql ...args` and returns its exit code and output. */
export function pssql(args: string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [PSSQL_BIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, PSSQL_DB: undefined, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  if (result.error !== undefined) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `pssql ... --format json` and parses its output; fails when the exit code is not 0. */
export function pssqlJson<T = Record<string, unknown>[]>(args: string[], options: CliOptions = {}): T {
  const result = pssql([...args, '--format', 'json'], options);
  if (result.code !== 0) throw new Error(`pssql ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const made: string[] = [];

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix = 'pssql-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (made.length === 0) process.on('exit', () => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });
  made.push(dir);
  return dir;
}
