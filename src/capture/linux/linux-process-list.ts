import { decodeBytes, decodeLatin1 } from '../../pss/byte-string.js';
import type { ListedProcess } from '../capturer.js';
import { failed, type ProcFiles } from './proc-files.js';
import { parseStat } from './proc-stat.js';

/**
 * Lists the processes of a /proc tree, zombies included. A process that exits while it is read is left out, as
 * the capture backend does: the race is normal. Fields that need privilege (another user's exe
 * link) are null.
 */
export function listLinuxProcesses(files: ProcFiles): ListedProcess[] {
  const pids = files.listNumbers(files.root);
  if (failed(pids)) return [];
  const listed: ListedProcess[] = [];
  for (const pid of pids) {
    const text = files.readText(files.path(pid, 'stat'));
    if (failed(text)) continue;
    const stat = parseStat(text);
    // Zombies are listed (a capture records their exit); a dead (X) process is gone.
    if (stat === null || stat.state === 'X') continue;
    const exe = files.readLink(files.path(pid, 'exe'));
    // Kernel threads have an empty command line and no exe: they are listed under their name.
    const cmdline = files.readBytes(files.path(pid, 'cmdline'));
    let argv0: string | null = null;
    if (!failed(cmdline) && cmdline.length > 0) {
      const end = cmdline.indexOf(0);
      argv0 = decodeBytes(cmdline.subarray(0, end < 0 ? cmdline.length : end));
    }
    listed.push({
      pid,
      name: stat.name,
      imageFileName: failed(exe) ? null : decodeLatin1(exe).replace(/ \(deleted\)$/, ''),
      argv0,
      startKey: stat.startTicks,
    });
  }
  return listed;
}
