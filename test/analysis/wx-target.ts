/** Starts test/analysis/fixtures/wx-target.c: a process with one known read-write-execute region. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../helpers/target.js';

const SOURCE = path.join(PROJECT_ROOT, 'test/analysis/fixtures/wx-target.c');
const BINARY = path.join(PROJECT_ROOT, 'test/.cache/wx-target');

export interface WxTarget {
  pid: number;
  /** The rwx region: its address as the fixture printed it (0x...) and its size. */
  base: string;
  size: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Compiles the fixture (atomically: test files run in parallel) and starts it with `pages` rwx pages. */
export async function startWxTarget(pages: number): Promise<WxTarget> {
  if (!fs.existsSync(BINARY) || fs.statSync(BINARY).mtimeMs < fs.statSync(SOURCE).mtimeMs) {
    fs.mkdirSync(path.dirname(BINARY), { recursive: true });
    execFileSync('cc', ['-O2', '-Wall', '-o', `${BINARY}.${process.pid}`, SOURCE], { stdio: 'inherit' });
    fs.renameSync(`${BINARY}.${process.pid}`, BINARY);
  }
  const child = spawn(BINARY, [String(pages)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`wx-target exited with code ${code}: ${out}`)));
  });
  const info = JSON.parse(line) as { pid: number; base: string; size: number };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ...info,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.stdin?.end();
      await exited;
    },
  };
}
