/*
 * A long-running command (pssql record) must stop cleanly however it was started. Two ways it
 * was not, on Linux and other POSIX systems (Windows has its own handling):
 *
 * - Run through npx or `npm run`, pssql is the child of `sh -c`, itself the child of npm, all in
 *   one process group. Ctrl-C sends SIGINT to the three: pssql finished its capture and exited 0,
 *   but sh (dash) died of the signal, and npm, seeing that, exited 130. A SIGTERM to npm reached
 *   sh alone, which died, and left pssql running as an orphan. So pssql watches its parent: when
 *   the parent goes, pssql stops as on SIGTERM (watchParent); and under npm, on a terminal, it
 *   moves into a process group of its own and makes that the terminal's foreground group, so that
 *   Ctrl-C reaches pssql alone, which stops, prints its summary and exits 0, and so do sh and npm
 *   after it (takeTerminalForeground).
 */

/**
 * The parent of this process as soon as the CLI is loaded (this module is imported with the
 * commands), so that a parent that exits while a command starts up is still seen to go.
 */
export const STARTED_BY = process.ppid;

/**
 * Calls `onGone` once, soon after the process that started this one has exited (the parent pid
 * changes when the orphan is adopted). Polls with an unreferenced timer, so it never keeps the
 * process alive. Returns a function that stops watching.
 *
 * @example const unwatch = watchParent(() => recorder.stop())
 */
export function watchParent(onGone: () => void, everyMs = 500): () => void {
  if (process.platform === 'win32') return () => {};
  const parent = STARTED_BY;
  // Gone before the watch began (a parent that exits while pssql starts): said at the first look.
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

interface Libc {
  getpgrp(): number;
  setpgid(pid: number, pgid: number): number;
  tcgetpgrp(fd: number): number;
  tcsetpgrp(fd: number, pgrp: number): number;
  signal(signal: number, handler: number): number;
}

/** libc through koffi (a dependency for the Windows backend), or null where it cannot be loaded. */
async function loadLibc(): Promise<Libc | null> {
  try {
    const koffi = (await import('koffi')).default;
    let lib: ReturnType<typeof koffi.load> | undefined;
    for (const name of ['libc.so.6', 'libc.so', 'libc.dylib']) {
      try {
        lib = koffi.load(name);
        break;
      } catch {
        // The next name.
      }
    }
    if (lib === undefined) return null;
    return {
      getpgrp: lib.func('int getpgrp()'),
      setpgid: lib.func('int setpgid(int, int)'),
      tcgetpgrp: lib.func('int tcgetpgrp(int)'),
      tcsetpgrp: lib.func('int tcsetpgrp(int, int)'),
      signal: lib.func('intptr_t signal(int, intptr_t)'),
    };
  } catch {
    return null;
  }
}

const SIGTTOU = 22;
const SIG_IGN = 1;

/**
 * Under npm (npx, npm exec, npm run), on a terminal: puts this process in a process group of its
 * own and makes it the terminal's foreground group, so that Ctrl-C (and the terminal's other
 * signals) reach this process, not npm and its shell. Returns a function that gives the terminal
 * back to the group it came from (also run at exit), or null when nothing was done: not under
 * npm, not a terminal, not in its foreground, already a group of its own, or no libc to call.
 */
export async function takeTerminalForeground(): Promise<(() => void) | null> {
  if (process.platform === 'win32' || process.env.npm_execpath === undefined || process.stdin.isTTY !== true) return null;
  const libc = await loadLibc();
  if (libc === null) return null;
  const group = libc.getpgrp();
  // A shell with job control gave pssql a group of its own already; a group in the background has no Ctrl-C to take.
  if (group === process.pid || libc.tcgetpgrp(0) !== group) return null;
  // tcsetpgrp from what becomes a background group sends SIGTTOU, which would stop this process.
  libc.signal(SIGTTOU, SIG_IGN);
  if (libc.setpgid(0, 0) !== 0 || libc.tcsetpgrp(0, process.pid) !== 0) return null;
  let given = false;
  const giveBack = (): void => {
    if (given) return;
    given = true;
    // The group may be gone (npm died): then there is nobody to give it to, and the shell takes it.
    libc.tcsetpgrp(0, group);
  };
  process.once('exit', giveBack);
  // Ctrl-Z would stop this group alone, with the shell still waiting for npm: a terminal that
  // seems to hang. Suspending is refused instead.
  process.on('SIGTSTP', () => process.stderr.write('\npssql: started through npm, pssql cannot be suspended; Ctrl-C stops it\n'));
  return giveBack;
}
