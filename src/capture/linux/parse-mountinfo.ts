/*
 * Parsing /proc/PID/mountinfo: which mounts are served over a network or by a user-space process
 * (NFS, CIFS, FUSE...). A stat() of a file there waits for its server, for ever if the server is
 * gone (a hard-mounted NFS share), so the capture never makes one where it cannot give up.
 */

/** Mounts whose file systems may block, by mount id and by device (`major:minor` in hex, as maps writes it). */
export interface BlockingMounts {
  mountIds: Set<number>;
  devices: Set<string>;
  /** The device of each such mount id. */
  deviceOf: Map<number, string>;
}

const REMOTE = /^(nfs4?|cifs|smb3?|smbfs|9p|ceph|glusterfs|lustre|afs|davfs|virtiofs|gpfs|orangefs|fuse(blk)?|fuse\..+)$/;

/** True for a file system type whose operations may wait on a server. */
export function mayBlock(fstype: string): boolean {
  return REMOTE.test(fstype);
}

/** `maj:min` of mountinfo (decimal) as maps writes a device (hex, two digits at least). */
export function mapsDevice(decimal: string): string {
  const [major = '0', minor = '0'] = decimal.split(':');
  return `${Number(major).toString(16).padStart(2, '0')}:${Number(minor).toString(16).padStart(2, '0')}`;
}

/** The mounts of a mountinfo text that may block. */
export function parseBlockingMounts(text: string): BlockingMounts {
  const mounts: BlockingMounts = { mountIds: new Set(), devices: new Set(), deviceOf: new Map() };
  for (const line of text.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const fstype = line.slice(separator + 3).split(' ')[0] ?? '';
    if (!mayBlock(fstype)) continue;
    const [id = '', , device = ''] = line.slice(0, separator).split(' ');
    mounts.mountIds.add(Number(id));
    mounts.devices.add(mapsDevice(device));
    mounts.deviceOf.set(Number(id), mapsDevice(device));
  }
  return mounts;
}
