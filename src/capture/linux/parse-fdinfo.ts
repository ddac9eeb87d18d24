import type { EpollTarget, TimerInfo } from '../../pss/walk-entries.js';

/** Parsing /proc/PID/fdinfo/N: a pure function of the text, shared by the capture and its tests. */

export interface FdInfo {
  position: number | null;
  openFlags: number | null;
  mountId: number | null;
  inode: number | null;
  eventCount: bigint | null;
  pidfdPid: number | null;
  /** An epoll's `tfd:` lines: the fds it watches. */
  epollTargets: EpollTarget[] | null;
  /** A timerfd's `clockid`, `ticks`, `settime flags` and `it_interval` (not `it_value`, which moves all the time). */
  timer: TimerInfo | null;
  /** An inotify's `inotify wd:` lines. */
  inotifyWatchCount: number | null;
}

/** `(3, 500000000)`: seconds and nanoseconds, as ns. */
function timespecNs(value: string): number {
  const m = /\((\d+),\s*(\d+)\)/.exec(value);
  return m === null ? 0 : Number(m[1]) * 1e9 + Number(m[2]);
}

/** `tfd:        3 events:       19 data:                3  pos:0 ino:... sdev:...` */
const TFD = /^tfd:\s*(\d+)\s+events:\s*([0-9a-f]+)\s+data:\s*([0-9a-f]+)/;

/** Parses /proc/PID/fdinfo/N (`key:\tvalue` lines, and the lines of epoll, timerfd and inotify). */
export function parseFdInfo(text: string): FdInfo {
  const info: FdInfo = {
    position: null,
    openFlags: null,
    mountId: null,
    inode: null,
    eventCount: null,
    pidfdPid: null,
    epollTargets: null,
    timer: null,
    inotifyWatchCount: null,
  };
  const timer = { clockId: -1, ticks: 0, settimeFlags: 0, intervalNs: 0 };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const value = line.slice(colon + 1).trim();
    switch (line.slice(0, colon)) {
      case 'pos':
        info.position = Number(value);
        break;
      case 'flags':
        info.openFlags = Number.parseInt(value, 8);
        break;
      case 'mnt_id':
        info.mountId = Number(value);
        break;
      case 'ino':
        info.inode = Number(value);
        break;
      case 'eventfd-count':
        info.eventCount = BigInt(`0x${value}`);
        break;
      case 'Pid':
        info.pidfdPid = Number(value);
        break;
      case 'tfd': {
        // The kernel prints the events mask and the data in hex.
        const m = TFD.exec(line);
        if (m !== null) (info.epollTargets ??= []).push({ targetFd: Number(m[1]), events: Number.parseInt(m[2] as string, 16), data: BigInt(`0x${m[3]}`) });
        break;
      }
      case 'clockid':
        timer.clockId = Number(value);
        break;
      case 'ticks':
        timer.ticks = Number(value);
        break;
      case 'settime flags':
        timer.settimeFlags = Number.parseInt(value, 8);
        break;
      case 'it_interval':
        timer.intervalNs = timespecNs(value);
        break;
      case 'inotify wd':
        info.inotifyWatchCount = (info.inotifyWatchCount ?? 0) + 1;
        break;
    }
  }
  if (timer.clockId >= 0) info.timer = timer;
  return info;
}
