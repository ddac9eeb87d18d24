/**
 * The C target under a name of the test's own (a symbolic link named so): a process that a
 * recording by name finds, and that no other test file's target can be mistaken for.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { createInterface } from 'node:readline';
import { tempDir } from '../helpers/cli.js';
import { buildTarget } from '../helpers/target.js';

export interface NamedTarget {
  pid: number;
  /** Closes its stdin (it exits) and waits until it is reaped. */
  stop(): Promise<void>;
}

/** A process name of at most 15 bytes (Linux `comm`), unique to this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid % 100000}${Math.floor(Math.random() * 1000)}`.slice(0, 15);
}

/** Starts the target as `name` with the target's arguments and waits until it is ready. */
export async function startNamedTarget(name: string, args: string[] = []): Promise<NamedTarget> {
  const link = `${tempDir()}/${name}`;
  if (!fs.existsSync(link)) fs.symlinkSync(buildTarget(), link);
  const child = spawn(link, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const info = JSON.parse(line) as { pid: number; dir: string };
  return {
    pid: info.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin.end();
        await exited;
      }
      fs.rmSync(info.dir, { recursive: true, force: true });
    },
  };
}
