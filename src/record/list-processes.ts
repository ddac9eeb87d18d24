import { listLinuxProcesses } from './list-linux-processes.js';
import { listWindowsProcesses } from './list-windows-processes.js';

/** A running process as a listing of the system shows it, before any capture. */
export interface ListedProcess {
  pid: number;
  /** Short name: Linux `comm` (at most 15 bytes), the executable's file name on Windows. */
  name: string;
  /** Full path of the executable, when it may be read. */
  imageFileName: string | null;
  /** The first word of the command line (Linux), which scripts and symlinks name. */
  argv0: string | null;
  /**
   * Tells a process from a later one with the same pid: start time in clock ticks on Linux;
   * null where the listing does not give it (Windows), where the capture's create time does.
   */
  startKey: number | null;
}

/** Options of {@link listProcesses}. */
export interface ListProcessesOptions {
  /** Linux: root of the proc tree (tests point it at fixtures). */
  procRoot?: string;
}

/**
 * Every live process of the system (zombies excluded: they have exited), in pid order.
 *
 * @example
 * const nginx = listProcesses().filter((p) => processMatchesName(p, 'nginx'))
 */
export function listProcesses(options: ListProcessesOptions = {}): ListedProcess[] {
  return process.platform === 'win32' ? listWindowsProcesses() : listLinuxProcesses(options.procRoot ?? '/proc');
}

const baseName = (path: string | null): string | null => (path === null ? null : (path.split(/[\\/]/).pop() ?? null));

/**
 * True when `name` is the process's short name, its executable's file name or its argv[0]'s
 * file name. Windows compares without case and with `.exe` optional, as Task Manager does.
 *
 * @example
 * processMatchesName({ pid: 1, name: 'nginx', imageFileName: '/usr/sbin/nginx', argv0: 'nginx: master', startKey: 1 }, 'nginx') // true
 */
export function processMatchesName(listed: ListedProcess, name: string, platform: NodeJS.Platform = process.platform): boolean {
  const candidates = [listed.name, baseName(listed.imageFileName), baseName(listed.argv0)];
  if (platform !== 'win32') return candidates.includes(name);
  const fold = (text: string): string => text.toLowerCase().replace(/\.exe$/, '');
  const wanted = fold(name);
  return candidates.some((candidate) => candidate !== null && fold(candidate) === wanted);
}
