import type { SocketInfo } from '../../pss/walk-entries.js';
import { inetTable, netlinkTable, packetTable, unixTable } from './parse-net.js';
import { failed, type ProcFiles } from './proc-files.js';

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
