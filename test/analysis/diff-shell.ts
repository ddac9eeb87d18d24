/** A real process whose fds change in known ways, for the diff tests of the library and the CLI. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { tempDir } from '../helpers/cli.js';

/**
 * A shell whose fds change in known ways between two points: fd 6 is closed, fd 7 is written to
 * (its position moves), fd 8 is closed and reopened on another file, fd 9 is opened.
 */
export async function fdShell() {
  const dir = tempDir();
  const script = [
    'exec 6>"$D/gone" 7>"$D/written" 8>"$D/a"',
    'echo ready',
    'read _',
    'echo hello >&7',
    'exec 8>"$D/b"',
    'exec 9<"$D/a"',
    'exec 6>&-',
    'echo changed',
    'read _',
  ].join('\n');
  const child = spawn('bash', ['-c', script], { env: { ...process.env, D: dir }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const expect = async (line: string) => {
    const { value } = await lines.next();
    if (value !== line) throw new Error(`shell said ${String(value)}, not ${line}`);
  };
  await expect('ready');
  return {
    pid: child.pid as number,
    dir,
    change: async () => {
      child.stdin.write('\n');
      await expect('changed');
    },
    stop: async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

