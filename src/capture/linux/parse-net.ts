import { decodeLatin1 } from '../../pss/byte-string.js';
import type { SocketInfo } from '../../pss/walk-entries.js';

/*
 * Parsing the socket tables of /proc/PID/net (tcp, udp, raw, unix, netlink, packet): pure
 * functions of the text that add each socket, by inode, to a map.
 */

const TCP_STATES: Readonly<Record<string, string>> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

// ss's names: an unconnected socket of any family is UNCONN.
const UNIX_STATES: Readonly<Record<string, string>> = {
  '01': 'UNCONN',
  '02': 'CONNECTING',
  '03': 'CONNECTED',
  '04': 'DISCONNECTING',
};

const NETLINK_FAMILIES: Readonly<Record<string, string>> = {
  '0': 'route',
  '4': 'sock_diag',
  '9': 'audit',
  '15': 'uevent',
  '16': 'generic',
};

/** `0100007F:9CB1` -> `127.0.0.1:40113`; the address is in host (little-endian) byte order. */
function ipv4Endpoint(hex: string): string {
  const [addr = '', port = '0'] = hex.split(':');
  const n = Number.parseInt(addr, 16);
  return `${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${n >>> 24}:${Number.parseInt(port, 16)}`;
}

/** The IPv6 form of 32 hex digits written as four host-order 32-bit words. */
function ipv6Address(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}

function ipv6Endpoint(hex: string): string {
  const [addr = '', port = '0'] = hex.split(':');
  return `[${ipv6Address(addr)}]:${Number.parseInt(port, 16)}`;
}

const UNSPECIFIED = /^(0\.0\.0\.0|\[::\]):0$/;

export function inetTable(text: string, protocol: string, v6: boolean, into: Map<number, SocketInfo>): void {
  const endpoint = v6 ? ipv6Endpoint : ipv4Endpoint;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] as string).trim().split(/\s+/);
    if (f.length < 10) continue;
    const inode = Number(f[9]);
    if (inode === 0) continue;
    const remote = endpoint(f[2] as string);
    const st = f[3] as string;
    const tcp = protocol.startsWith('tcp');
    into.set(inode, {
      protocol,
      localAddress: endpoint(f[1] as string),
      remoteAddress: UNSPECIFIED.test(remote) ? null : remote,
      // A datagram or raw socket is TCP_ESTABLISHED once connected, TCP_CLOSE (07) before.
      state: tcp ? (TCP_STATES[st] ?? st) : st === '01' ? 'ESTABLISHED' : st === '07' ? 'UNCONN' : null,
      socketType: tcp ? 'STREAM' : protocol.startsWith('raw') ? 'RAW' : 'DGRAM',
      peerInode: null,
    });
  }
}

const UNIX_LINE = /^\s*\S+: \S+ \S+ (\S+) (\S+) (\S+)\s+(\d+)(?: (.*))?$/;

/** The Type column of /proc/net/unix: SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET. */
const UNIX_TYPES: Readonly<Record<string, string>> = { '0001': 'STREAM', '0002': 'DGRAM', '0005': 'SEQPACKET' };

export function unixTable(text: string, into: Map<number, SocketInfo>): void {
  const lines = text.split('\n');
  let last: { inode: number; path: string } | null = null;
  const flush = (): void => {
    if (last === null) return;
    const socket = into.get(last.inode);
    if (socket !== undefined) socket.localAddress = decodeLatin1(last.path);
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const m = UNIX_LINE.exec(line);
    if (m === null) {
      // The kernel prints a path as it is: a newline in it continues the path on the next line.
      if (last !== null && i < lines.length - 1) last.path += `\n${line}`;
      continue;
    }
    flush();
    const [, flags = '0', type = '', st = '', inode = '0', path] = m;
    const listening = (Number.parseInt(flags, 16) & 0x10000) !== 0; // __SO_ACCEPTCON
    into.set(Number(inode), {
      protocol: 'unix',
      localAddress: null,
      remoteAddress: null,
      state: listening ? 'LISTEN' : (UNIX_STATES[st] ?? null),
      socketType: UNIX_TYPES[type] ?? null,
      peerInode: null,
    });
    last = path === undefined || path === '' ? null : { inode: Number(inode), path };
  }
  flush();
}

export function netlinkTable(text: string, into: Map<number, SocketInfo>): void {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] as string).trim().split(/\s+/);
    if (f.length < 10) continue;
    const family = f[1] as string;
    into.set(Number(f[9]), {
      protocol: 'netlink',
      localAddress: `${NETLINK_FAMILIES[family] ?? family}:${f[2]}`,
      remoteAddress: null,
      state: null,
      socketType: null,
      peerInode: null,
    });
  }
}

export function packetTable(text: string, into: Map<number, SocketInfo>): void {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] as string).trim().split(/\s+/);
    if (f.length < 9) continue;
    into.set(Number(f[8]), { protocol: 'packet', localAddress: `ifindex ${f[4]} proto 0x${f[3]}`, remoteAddress: null, state: null, socketType: null, peerInode: null });
  }
}

/** `[fe80::1]:8443` with its interface, as ss prints a scoped address: `[fe80::1]%lo:8443`. */
export function withScope(endpoint: string, interfaceName: string): string {
  const close = endpoint.lastIndexOf(']');
  return close < 0 ? endpoint : `${endpoint.slice(0, close + 1)}%${interfaceName}${endpoint.slice(close + 1)}`;
}

/** True for an IPv6 link-local endpoint (fe80::/10), whose address means nothing without its interface. */
export function isLinkLocal(endpoint: string | null): boolean {
  return endpoint !== null && /^\[fe[89ab][0-9a-f]:/i.test(endpoint);
}

/** Interface index -> name from /proc/PID/net/if_inet6 (`address ifindex prefix scope flags name`). */
export function interfaceNames(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 6) names.set(Number.parseInt(f[1] as string, 16), f[5] as string);
  }
  return names;
}

/** The protocol lsof names from a socket's `system.sockprotoname` attribute (TCP, UNIX, AF_VSOCK...). */
export function protocolOfName(name: string): string {
  const known: Readonly<Record<string, string>> = {
    TCP: 'tcp',
    TCPv6: 'tcp6',
    UDP: 'udp',
    UDPv6: 'udp6',
    UDPLITE: 'udplite',
    UDPLITEv6: 'udplite6',
    RAW: 'raw',
    RAWv6: 'raw6',
    UNIX: 'unix',
    NETLINK: 'netlink',
    PACKET: 'packet',
    AF_VSOCK: 'vsock',
  };
  return known[name] ?? name.toLowerCase().replace(/^af_/, '');
}
