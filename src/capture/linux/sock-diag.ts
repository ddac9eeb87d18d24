import type { Libc } from './libc.js';

/*
 * sock_diag over netlink (as ss reads it): what /proc/net does not say. For unix sockets, each
 * one's peer; for IPv6 sockets, the interface a link-local address is scoped to. A netlink
 * socket sees the network namespace of the thread that makes it.
 */

const AF_NETLINK = 16;
const AF_UNIX = 1;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const UDIAG_SHOW_PEER = 0x4;
const UNIX_DIAG_PEER = 2;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** A unix socket as sock_diag sees it. */
export interface UnixDiag {
  /** SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_SEQPACKET (5). */
  type: number;
  /** The inode of the socket at the other end, when connected. */
  peerInode: number | null;
}

/** Sends one dump request and reads every answer; null when netlink refused or failed. */
function dump(libc: Libc, request: Buffer, each: (message: Buffer) => void): boolean {
  const fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return false;
  try {
    if (libc.send(fd, request, request.length, 0) !== request.length) return false;
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = libc.recv(fd, buffer, buffer.length, 0);
      if (n <= 0) return false;
      let at = 0;
      while (at + 16 <= n) {
        const length = buffer.readUInt32LE(at);
        const type = buffer.readUInt16LE(at + 4);
        if (length < 16 || at + length > n) return false;
        if (type === NLMSG_DONE) return true;
        if (type === NLMSG_ERROR) return false;
        each(buffer.subarray(at + 16, at + length));
        at += (length + 3) & ~3;
      }
    }
  } finally {
    libc.close(fd);
  }
}

function header(body: Buffer): Buffer {
  const message = Buffer.alloc(16 + body.length);
  message.writeUInt32LE(message.length, 0);
  message.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  message.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  message.writeUInt32LE(1, 8); // sequence
  body.copy(message, 16);
  return message;
}

/** Every unix socket of the calling thread's network namespace, by inode; null when unavailable. */
export function unixSockets(libc: Libc): Map<number, UnixDiag> | null {
  const request = Buffer.alloc(24); // struct unix_diag_req
  request.writeUInt8(AF_UNIX, 0);
  request.writeUInt32LE(0xffffffff, 4); // every state
  request.writeUInt32LE(UDIAG_SHOW_PEER, 12);
  request.writeUInt32LE(0xffffffff, 16); // no cookie
  request.writeUInt32LE(0xffffffff, 20);
  const sockets = new Map<number, UnixDiag>();
  const ok = dump(libc, header(request), (m) => {
    // struct unix_diag_msg: family, type, state, pad, inode, cookie[2]; then attributes.
    const type = m.readUInt8(1);
    const inode = m.readUInt32LE(4);
    let peerInode: number | null = null;
    for (let at = 16; at + 4 <= m.length; ) {
      const length = m.readUInt16LE(at);
      if (length < 4) break;
      if (m.readUInt16LE(at + 2) === UNIX_DIAG_PEER && length >= 8) peerInode = m.readUInt32LE(at + 4);
      at += (length + 3) & ~3;
    }
    sockets.set(inode, { type, peerInode });
  });
  return ok ? sockets : null;
}

/** The interface index of every IPv6 TCP and UDP socket bound to one, by inode; null when unavailable. */
export function ipv6Interfaces(libc: Libc): Map<number, number> | null {
  const interfaces = new Map<number, number>();
  for (const protocol of [IPPROTO_TCP, IPPROTO_UDP]) {
    const request = Buffer.alloc(56); // struct inet_diag_req_v2
    request.writeUInt8(AF_INET6, 0);
    request.writeUInt8(protocol, 1);
    request.writeUInt32LE(0xffffffff, 4); // every state
    const ok = dump(libc, header(request), (m) => {
      // struct inet_diag_msg: family, state, timer, retrans, id (sport, dport, src, dst, if, cookie), expires, rqueue, wqueue, uid, inode.
      const ifindex = m.readUInt32LE(4 + 36);
      const inode = m.readUInt32LE(4 + 48 + 16);
      if (ifindex !== 0) interfaces.set(inode, ifindex);
    });
    if (!ok) return null;
  }
  return interfaces;
}
