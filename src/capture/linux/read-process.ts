import { decodeBytes, decodeLatin1 } from '../../pss/byte-string.js';
import { ProcessFlags } from '../../pss/process-flags.js';
import { PssError } from '../../pss/pss-error.js';
import type { ProcessInformation } from '../../pss/query-records.js';
import type { CaptureContext } from './capture-context.js';
import { DENIED, failed, type ProcFiles } from './proc-files.js';
import type { DeniedPart } from './denied.js';
import type { UserNames } from './user-names.js';
import {
  exitStatusOfStat,
  isDead,
  parseStat,
  priorityClassOf,
  type StatFields,
  statusAffinity,
  statusBytes,
  statusField,
  ticksToUnixUs,
} from './proc-stat.js';

/** Reads and parses /proc/PID/stat, or throws the error a user sees for a missing process. */
export function readProcessStat(files: ProcFiles, pid: number): StatFields {
  const path = files.path(pid, 'stat');
  const text = files.readText(path);
  if (failed(text)) {
    throw text === DENIED
      ? new PssError('ERROR_ACCESS_DENIED', `cannot capture pid ${pid}: permission denied reading ${path}`, { pid, path })
      : new PssError('ERROR_NOT_FOUND', `cannot capture pid ${pid}: no such process`, { pid, path });
  }
  const stat = parseStat(text);
  if (stat === null) {
    throw new PssError('ERROR_INVALID_DATA', `cannot capture pid ${pid}: cannot parse ${path}`, { pid, path });
  }
  return stat;
}

/** A word as a POSIX shell would need it quoted to read it back as one argument. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The arguments of /proc/PID/cmdline, exactly: each NUL ends one, empty ones included. A process
 * that rewrote its title (nginx, postgres) left one text without NULs: that is its one argument.
 */
export function parseArgv(bytes: Uint8Array): { argv: string[]; terminated: boolean } {
  if (bytes.length === 0) return { argv: [], terminated: true };
  const terminated = bytes[bytes.length - 1] === 0;
  const text = decodeBytes(terminated ? bytes.subarray(0, bytes.length - 1) : bytes);
  return { argv: text.split('\0'), terminated };
}

/** The namespace id of a /proc/PID/ns link (`net:[4026531840]`). */
function namespaceId(link: string): number | null {
  const m = /\[(\d+)\]$/.exec(link);
  return m === null ? null : Number(m[1]);
}

const NAMESPACES = ['pid', 'net', 'mnt', 'user', 'uts', 'ipc', 'cgroup'] as const;

/** The cgroup v2 path of /proc/PID/cgroup (its `0::` line). */
export function cgroupPath(text: string): string | null {
  for (const line of text.split('\n')) if (line.startsWith('0::')) return line.slice(3);
  return null;
}

/**
 * The container a process's cgroups name: the last 64-hex-digit id in its cgroup path, as docker
 * (`docker-<id>.scope`, `/docker/<id>`), containerd (`cri-containerd-<id>.scope`), CRI-O
 * (`crio-<id>.scope`), podman (`libpod-<id>.scope`) and kubepods paths all hold one. The v2
 * path decides; on a v1 or hybrid host whose v2 path is `/`, the v1 paths do.
 */
export function containerIdOf(cgroupText: string): string | null {
  const last = (path: string): string | null => path.match(/[0-9a-f]{64}/g)?.at(-1) ?? null;
  const v2 = cgroupPath(cgroupText);
  const fromV2 = v2 === null ? null : last(v2);
  if (fromV2 !== null) return fromV2;
  for (const line of cgroupText.split('\n')) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    const id = last(path);
    if (id !== null) return id;
  }
  return null;
}

/** `Max open files  1024  1048576  files` of /proc/PID/limits: soft and hard, null for unlimited. */
export function openFileLimits(text: string): { soft: number | null; hard: number | null } {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  const value = (v: string | undefined): number | null => (v === undefined || v === 'unlimited' ? null : Number(v));
  return m === null ? { soft: null, hard: null } : { soft: value(m[1]), hard: value(m[2]) };
}

/** /proc/PID/io, `key: value` lines. */
function ioCounters(text: string): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) counters[line.slice(0, colon)] = Number(line.slice(colon + 1));
  }
  return counters;
}

/** The real and effective ids of a `Uid:` or `Gid:` status line (real, effective, saved, fs). */
function ids(status: string, key: string): { real: number | null; effective: number | null } {
  const [real, effective] = (statusField(status, key) ?? '').split(/\s+/).map((v) => (v === '' ? null : Number(v)));
  return { real: real ?? null, effective: effective ?? null };
}

/** PSS_PROCESS_INFORMATION from stat, status, cmdline and the links and small files of /proc/PID. */
export function readProcessInformation(ctx: CaptureContext, stat: StatFields, names: UserNames): ProcessInformation {
  const { files, pid } = ctx;
  const statusText = files.readText(files.path(pid, 'status'));
  const status = failed(statusText) ? '' : statusText;
  const dead = isDead(stat.state);

  const link = (name: string, part: DeniedPart): string | null => {
    const target = files.readLink(files.path(pid, name));
    if (target === DENIED) return ctx.withhold(part);
    return failed(target) ? null : decodeLatin1(target);
  };
  const imageFileName = link('exe', 'executable');
  const currentDirectory = link('cwd', 'directories');
  const rootDirectory = link('root', 'directories');

  let argv: string[] | null = null;
  let commandLine: string | null = null;
  const cmdline = files.readBytes(files.path(pid, 'cmdline'));
  if (cmdline === DENIED) ctx.denied++;
  else if (!failed(cmdline) && cmdline.length > 0) {
    const parsed = parseArgv(cmdline);
    argv = parsed.argv;
    commandLine = parsed.argv.length === 1 && !parsed.terminated ? (parsed.argv[0] as string) : parsed.argv.map(shellQuote).join(' ');
  }

  const namespaces: Partial<Record<(typeof NAMESPACES)[number], number | null>> = {};
  for (const ns of NAMESPACES) {
    const target = files.readLink(files.path(pid, 'ns', ns));
    namespaces[ns] = target === DENIED ? ctx.withhold('namespaces') : failed(target) ? null : namespaceId(target);
  }
  const cgroupText = files.readText(files.path(pid, 'cgroup'));
  const cgroup = failed(cgroupText) ? null : cgroupPath(cgroupText);
  const limitsText = files.readText(files.path(pid, 'limits'));
  const limits = failed(limitsText) ? { soft: null, hard: null } : openFileLimits(limitsText);
  const ioText = files.readText(files.path(pid, 'io'));
  if (ioText === DENIED) ctx.withhold('io counters');
  const io = failed(ioText) ? null : ioCounters(ioText);
  const counter = (key: string): number | null => io?.[key] ?? null;
  const uid = ids(status, 'Uid');
  const gid = ids(status, 'Gid');
  const nspid = statusField(status, 'NSpid')?.split(/\s+/).at(-1);

  const swap = statusBytes(status, 'VmSwap');
  const anon = statusBytes(status, 'RssAnon');
  const privateUsage = anon === null ? null : anon + (swap ?? 0);
  return {
    exitStatus: exitStatusOfStat(stat),
    pebBaseAddress: null,
    affinityMask: statusAffinity(status),
    basePriority: stat.priority,
    processId: pid,
    parentProcessId: stat.ppid,
    flags: stat.state === 'T' ? ProcessFlags.Frozen : ProcessFlags.None,
    createTimeUs: ticksToUnixUs(ctx.bootTimeUs, stat.startTicks),
    exitTimeUs: null,
    kernelTimeUs: stat.kernelTimeUs,
    userTimeUs: stat.userTimeUs,
    priorityClass: priorityClassOf(stat.policy, stat.nice),
    peakVirtualSizeBytes: statusBytes(status, 'VmPeak'),
    virtualSizeBytes: stat.virtualSizeBytes,
    pageFaultCount: stat.minorFaults + stat.majorFaults,
    peakWorkingSetSizeBytes: statusBytes(status, 'VmHWM'),
    // A zombie has no memory left: its status shows no sizes, and its resident set is 0.
    workingSetSizeBytes: statusBytes(status, 'VmRSS') ?? (dead ? 0 : null),
    quotaPeakPagedPoolUsageBytes: null,
    quotaPagedPoolUsageBytes: null,
    quotaPeakNonPagedPoolUsageBytes: null,
    quotaNonPagedPoolUsageBytes: null,
    pagefileUsageBytes: privateUsage,
    peakPagefileUsageBytes: null,
    privateUsageBytes: privateUsage,
    executeFlags: null,
    imageFileName,
    name: stat.name,
    commandLine,
    state: stat.state,
    nice: stat.nice,
    threadCount: stat.threadCount,
    majorFaultCount: stat.majorFaults,
    swapBytes: swap,
    argv,
    currentDirectory,
    rootDirectory,
    realUserId: uid.real,
    effectiveUserId: uid.effective,
    realGroupId: gid.real,
    effectiveGroupId: gid.effective,
    userName: names.user(uid.real),
    effectiveUserName: names.user(uid.effective),
    groupName: names.groupName(gid.real),
    effectiveGroupName: names.groupName(gid.effective),
    namespacePid: nspid === undefined || nspid === '' ? null : Number(nspid),
    pidNamespace: namespaces.pid ?? null,
    netNamespace: namespaces.net ?? null,
    mntNamespace: namespaces.mnt ?? null,
    userNamespace: namespaces.user ?? null,
    utsNamespace: namespaces.uts ?? null,
    ipcNamespace: namespaces.ipc ?? null,
    cgroupNamespace: namespaces.cgroup ?? null,
    cgroup,
    containerId: failed(cgroupText) ? null : containerIdOf(cgroupText),
    openFileLimit: limits.soft,
    openFileLimitHard: limits.hard,
    ioReadCharsBytes: counter('rchar'),
    ioWriteCharsBytes: counter('wchar'),
    ioReadSyscalls: counter('syscr'),
    ioWriteSyscalls: counter('syscw'),
    ioReadBytes: counter('read_bytes'),
    ioWriteBytes: counter('write_bytes'),
    ioCancelledWriteBytes: counter('cancelled_write_bytes'),
  };
}
