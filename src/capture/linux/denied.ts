import * as fs from 'node:fs';
import { failed, type ProcFiles } from './proc-files.js';
import { statusField } from './proc-stat.js';

/** The parts of a capture that need more privilege than the world-readable stat, status, cmdline and task, in the order they are named. */
export const DENIED_PARTS = ['handles', 'regions', 'thread contexts', 'executable', 'directories', 'namespaces', 'io counters', 'mapped files'] as const;
export type DeniedPart = (typeof DENIED_PARTS)[number];

/** Parts in the order they are named, whatever order they were met in. */
export function inPartOrder(parts: readonly DeniedPart[]): DeniedPart[] {
  return DENIED_PARTS.filter((part) => parts.includes(part));
}

/** The capabilities by bit (linux/capability.h), for saying which one is missing. */
const CAPABILITIES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'linux_immutable',
  'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot',
  'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease',
  'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read',
  'perfmon', 'bpf', 'checkpoint_restore',
];

function capabilities(hex: string | null): bigint | null {
  return hex === null || !/^[0-9a-f]+$/i.test(hex) ? null : BigInt(`0x${hex}`);
}

function names(bits: bigint): string[] {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((bits >> BigInt(i)) & 1n) out.push(`cap_${CAPABILITIES[i] ?? `${i}`}`);
  return out;
}

/**
 * Why Linux refuses this process a look at another's fds and memory, and what would help. The
 * check is ptrace's (PTRACE_MODE_READ): another user's process needs root or CAP_SYS_PTRACE; even
 * root is refused a process holding capabilities that root's own set lacks (a container's or a
 * sandbox's init, for one) unless it has CAP_SYS_PTRACE over it.
 */
export function whyDenied(files: ProcFiles, pid: number): string {
  const theirs = files.readText(files.path(pid, 'status'));
  let ours = '';
  try {
    ours = fs.readFileSync('/proc/self/status', 'latin1');
  } catch {
    // Without our own status there is less to say.
  }
  const uid = process.getuid?.();
  const owner = failed(theirs) ? null : Number(statusField(theirs, 'Uid')?.split(/\s+/)[1] ?? Number.NaN);
  if (uid !== 0 && owner !== null && owner !== uid) {
    return `it is another user's process (uid ${owner}): run pssql as root or with CAP_SYS_PTRACE, or leave out what needs it (--flags -handles,-va-space)`;
  }
  const held = failed(theirs) ? null : capabilities(statusField(theirs, 'CapPrm'));
  const mine = capabilities(statusField(ours, 'CapEff'));
  if (held !== null && mine !== null && (held & ~mine) !== 0n) {
    const missing = names(held & ~mine).join(', ');
    return `it holds capabilities this pssql lacks (${missing}): Linux shows a process's fds and memory only to one whose capabilities include its own`;
  }
  if (uid === 0) return 'Linux refuses it even to root here (a security module, or a process that is not dumpable)';
  return 'run pssql as the process owner, as root or with CAP_SYS_PTRACE, or leave out what needs it (--flags -handles,-va-space)';
}
