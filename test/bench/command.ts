import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** One run of a command: wall time measured around it, and its peak memory when asked for. */
export interface CommandRun {
  wallNs: number;
  /** Max RSS of the command in KiB, from /usr/bin/time; null when not asked for or not installed. */
  maxRssKb: number | null;
  status: number | null;
  stdout: string;
  stderr: string;
}

const TIME = '/usr/bin/time';

/** The full path of an executable found on PATH (or in extra directories), or null. */
export function which(name: string, extraDirs: string[] = []): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when /usr/bin/time (Debian package `time`) can report a child's peak memory. */
export function canMeasureRss(): boolean {
  return isExecutable(TIME);
}

/**
 * Runs a command to completion. With `rss`, runs it under /usr/bin/time to read its max RSS
 * (the fork of `time` adds well under a millisecond to the wall time). `discardStdout` sends
 * stdout to /dev/null, as a user timing `lsof` would.
 */
export function runCommand(
  file: string,
  args: string[],
  options: { rss?: boolean; discardStdout?: boolean; timeoutMs?: number } = {},
): CommandRun {
  const useTime = options.rss === true && canMeasureRss();
  const dir = useTime ? mkdtempSync(join(tmpdir(), 'pssql-bench-')) : null;
  const rssFile = dir ? join(dir, 'rss') : '';
  const [timed, timedArgs] = useTime ? [TIME, ['-f', '%M', '-o', rssFile, file, ...args]] : [file, args];
  // coreutils timeout signals the whole process group: a command that runs too long (lsof on a
  // machine with many fds can take minutes and gigabytes) is killed, not left behind `time`.
  const seconds = Math.ceil((options.timeoutMs ?? 10 * 60_000) / 1000);
  const [cmd, argv] = ['timeout', ['-k', '5', String(seconds), timed, ...timedArgs]];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    stdio: ['ignore', options.discardStdout ? 'ignore' : 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status === 124 || r.status === 137) throw new Error(`cannot run ${file}: it did not finish within ${seconds} s`);
  const wallNs = Number(process.hrtime.bigint() - start);
  let maxRssKb: number | null = null;
  if (dir) {
    try {
      // /usr/bin/time writes "Command exited with non-zero status N" before the value on failure.
      const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '';
      maxRssKb = Number.parseInt(last, 10) || null;
    } catch {
      maxRssKb = null;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (r.error) throw new Error(`cannot run ${file}: ${r.error.message}`);
  return { wallNs, maxRssKb, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
