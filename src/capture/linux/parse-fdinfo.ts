/** Parsing /proc/PID/fdinfo/N: a pure function of the text, shared by the capture and its tests. */

export interface FdInfo {
  position: number | null;
  openFlags: number | null;
  mountId: number | null;
  inode: number | null;
  eventCount: bigint | null;
  pidfdPid: number | null;
}

/** Parses /proc/PID/fdinfo/N (`key:\tvalue` lines). */
export function parseFdInfo(text: string): FdInfo {
  const info: FdInfo = { position: null, openFlags: null, mountId: null, inode: null, eventCount: null, pidfdPid: null };
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
    }
  }
  return info;
}
