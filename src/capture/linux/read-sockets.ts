import * as fs from 'node:fs';
import type { SocketInfo } from '../../pss/walk-entries.js';
import { type Libc, loadLibc } from './libc.js';
import { inetTable, interfaceNames, isLinkLocal, netlinkTable, packetTable, unixTable, withScope } from './parse-net.js';
import { failed, type ProcFiles } from './proc-files.js';
import { ipv6Interfaces, unixSockets } from './sock-diag.js';

const CLONE_NEWNET = 0x40000000;

/**
 * Runs `read` in the network namespace of `pid` on this thread: directly when it is this
 * process's own, else by entering it (setns needs CAP_SYS_ADMIN) and coming back. Null when the
 * namespace cannot be entered: what only netlink tells is then unknown.
 */
function inNetworkNamespace<T>(libc: Libc, files: ProcFiles, pid: number, read: () => T | null): T | null {
  const theirs = files.readLink(files.path(pid, 'ns', 'net'));
  if (failed(theirs)) return null;
  let ours: string;
  try {
    ours = fs.readlinkSync('/proc/thread-self/ns/net');
  } catch {
    return null;
  }
  if (files.root === '/proc' && theirs === ours) return read();
  if (files.root !== '/proc') return null; // a fixture tree has no namespace to enter
  let target: number;
  let home: number;
  try {
    target = fs.openSync(files.path(pid, 'ns', 'net'), 'r');
  } catch {
    return null;
  }
  try {
    home = fs.openSync('/proc/thread-self/ns/net', 'r');
  } catch {
    fs.closeSync(target);
    return null;
  }
  try {
    if (libc.setns(target, CLONE_NEWNET) !== 0) return null;
    try {
      return read();
    } finally {
      // Back home before anything else runs on this thread; failing that, nothing here is safe.
      if (libc.setns(home, CLONE_NEWNET) !== 0) throw new Error('cannot return to this process network namespace after reading another one');
    }
  } finally {
    fs.closeSync(target);
    fs.closeSync(home);
  }
}

/**
 * What netlink adds to the tables: each unix socket's peer, and the interface of IPv6 link-local
 * addresses (as ss shows them: `[fe80::1]%lo:8443`). Left as it is where netlink is unavailable.
 */
function addSockDiag(files: ProcFiles, pid: number, sockets: Map<number, SocketInfo>): void {
  let unix = false;
  let linkLocal = false;
  for (const socket of sockets.values()) {
    if (socket.protocol === 'unix') unix = true;
    else if (isLinkLocal(socket.localAddress) || isLinkLocal(socket.remoteAddress)) linkLocal = true;
  }
  if (!unix && !linkLocal) return;
  const libc = loadLibc();
  if (libc === null) return;
  const diag = inNetworkNamespace(libc, files, pid, () => ({ unix: unix ? unixSockets(libc) : null, ipv6: linkLocal ? ipv6Interfaces(libc) : null }));
  if (diag === null) return;
  for (const [inode, d] of diag.unix ?? []) {
    const socket = sockets.get(inode);
    if (socket !== undefined && socket.protocol === 'unix') socket.peerInode = d.peerInode;
  }
  if (diag.ipv6 !== null && diag.ipv6.size > 0) {
    const text = files.readText(files.path(pid, 'net', 'if_inet6'));
    const names = failed(text) ? new Map<number, string>() : interfaceNames(text);
    for (const [inode, ifindex] of diag.ipv6) {
      const socket = sockets.get(inode);
      const name = names.get(ifindex) ?? String(ifindex);
      if (socket === undefined) continue;
      if (isLinkLocal(socket.localAddress)) socket.localAddress = withScope(socket.localAddress as string, name);
      if (isLinkLocal(socket.remoteAddress)) socket.remoteAddress = withScope(socket.remoteAddress as string, name);
    }
  }
}

/**
 * Every socket of the target's network namespace, by inode, from /proc/PID/net: what lsof shows
 * for a socket fd. A table the kernel does not have (no IPv6, no udplite) is skipped.
 */
export function readSocketTable(files: ProcFiles, pid: number): Map<number, SocketInfo> {
  const sockets = new Map<number, SocketInfo>();
  const read = (name: string): string | null => {
    const text = files.readText(files.path(pid, 'net', name));
    return failed(text) ? null : text;
  };
  for (const [name, v6] of [
    ['tcp', false],
    ['tcp6', true],
    ['udp', false],
    ['udp6', true],
    ['udplite', false],
    ['udplite6', true],
    ['raw', false],
    ['raw6', true],
  ] as const) {
    const text = read(name);
    if (text !== null) inetTable(text, name, v6, sockets);
  }
  const unix = read('unix');
  if (unix !== null) unixTable(unix, sockets);
  const netlink = read('netlink');
  if (netlink !== null) netlinkTable(netlink, sockets);
  const packet = read('packet');
  if (packet !== null) packetTable(packet, sockets);
  addSockDiag(files, pid, sockets);
  // Shared by the captures of every process of the namespace for a moment: never changed after.
  for (const socket of sockets.values()) Object.freeze(socket);
  return sockets;
}

/**
 * How long the socket tables of a network namespace serve other captures. Capturing every process
 * of a machine would otherwise read /proc/net (a few ms per table) once per process with sockets;
 * lsof and ss read it once too. A socket missing from a table that old is looked up afresh, so
 * only the state of a socket already listed can be that old.
 */
const SHARED_TABLE_MAX_AGE_MS = 500;

/** The socket tables a capturer read lately, by network namespace, shared by its captures. */
export class SocketTables {
  private readonly byNamespace = new Map<string, { readAtMs: number; sockets: Map<number, SocketInfo> }>();

  /** A recent table of the namespace, or null. */
  recent(namespace: string): Map<number, SocketInfo> | null {
    const table = this.byNamespace.get(namespace);
    return table !== undefined && performance.now() - table.readAtMs < SHARED_TABLE_MAX_AGE_MS ? table.sockets : null;
  }

  /** Reads the namespace's tables afresh through `pid` and keeps them for the next captures. */
  read(namespace: string, files: ProcFiles, pid: number): Map<number, SocketInfo> {
    const sockets = readSocketTable(files, pid);
    // Tables of namespaces not seen for a while are dropped: a machine's namespaces come and go.
    for (const [key, table] of this.byNamespace) if (performance.now() - table.readAtMs >= SHARED_TABLE_MAX_AGE_MS) this.byNamespace.delete(key);
    this.byNamespace.set(namespace, { readAtMs: performance.now(), sockets });
    return sockets;
  }
}

/** Finds the endpoints of the sockets of one capture, by inode. */
export class SocketResolver {
  private fresh: Map<number, SocketInfo> | null = null;
  private readonly namespace: string;

  constructor(
    private readonly tables: SocketTables,
    private readonly files: ProcFiles,
    private readonly pid: number,
  ) {
    const link = files.readLink(files.path(pid, 'ns', 'net'));
    this.namespace = failed(link) ? `pid ${pid}` : link;
  }

  get(inode: number): SocketInfo | undefined {
    if (this.fresh === null) {
      const found = this.tables.recent(this.namespace)?.get(inode);
      if (found !== undefined) return found;
      this.fresh = this.tables.read(this.namespace, this.files, this.pid);
    }
    return this.fresh.get(inode);
  }
}
