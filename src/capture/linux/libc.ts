import { createRequire } from 'node:module';

/*
 * The few libc calls the Linux backend needs that Node does not offer: getxattr (a socket's
 * protocol name, as lsof reads it), setns (to look into another network namespace), and a
 * netlink socket for sock_diag (a unix socket's peer, an IPv6 socket's interface), as ss does.
 * koffi is loaded by the first call, never by a capture that needs none of them.
 */

type Koffi = typeof import('koffi');

/** The bound libc functions. Each returns -1 and sets errno on failure, as in C. */
export interface Libc {
  getxattr(path: string, name: string, value: Buffer, size: number): number;
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buffer: Buffer, length: number, flags: number): number;
  recv(fd: number, buffer: Buffer, length: number, flags: number): number;
  close(fd: number): number;
  setns(fd: number, nstype: number): number;
  /** errno of the last failed call on this thread. */
  errno(): number;
}

/** The C library's file, as koffi loads it. */
export const LIBC_NAME = process.arch === 'x64' || process.arch === 'arm64' ? 'libc.so.6' : 'libc.so';

let libc: Libc | null | undefined;

/**
 * libc, bound on first use; null where it cannot be (no koffi build for this machine, not
 * glibc/musl): callers then leave out what needs it and say so.
 */
export function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const lib = koffi.load(LIBC_NAME);
    libc = {
      getxattr: lib.func('long getxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)'),
      socket: lib.func('int socket(int domain, int type, int protocol)'),
      send: lib.func('long send(int fd, const uint8_t *buf, size_t len, int flags)'),
      recv: lib.func('long recv(int fd, _Out_ uint8_t *buf, size_t len, int flags)'),
      close: lib.func('int close(int fd)'),
      setns: lib.func('int setns(int fd, int nstype)'),
      errno: () => koffi.errno(),
    } as Libc;
  } catch {
    libc = null;
  }
  return libc;
}
