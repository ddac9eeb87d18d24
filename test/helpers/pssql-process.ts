/** pssql as a process of its own, for tests that run several at once or kill one. */
import { type ChildProcess, spawn } from 'node:child_process';
import { PROJECT_ROOT } from './target.js';
import { PSSQL_BIN } from './cli.js';

export interface RunningPssql {
  child: ChildProcess;
  /** Settles when it exits: its code (null when killed), signal and output. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `pssql ...args` without waiting for it. */
export function startPssql(args: string[], env: Record<string, string | undefined> = {}): RunningPssql {
  const child = spawn(process.execPath, [PSSQL_BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, PSSQL_DB: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}
