import { decodeLatin1 } from '../../pss/byte-string.js';
import { CaptureFlags, hasFlag } from '../../pss/capture-flags.js';
import { HandleFlags } from '../../pss/handle-flags.js';
import { ObjectType } from '../../pss/object-type.js';
import { STILL_ACTIVE } from '../../pss/process-flags.js';
import { PssError } from '../../pss/pss-error.js';
import type { HandleEntry, HandleTypeSpecific, SocketInfo } from '../../pss/walk-entries.js';
import type { CaptureContext } from './capture-context.js';
import { loadLibc } from './libc.js';
import { type FdInfo, parseFdInfo } from './parse-fdinfo.js';
import { protocolOfName } from './parse-net.js';
import { DENIED, failed, VANISHED } from './proc-files.js';
import { digestOf, reuseIfEqual } from './process-cache.js';
import { deviceText, parseStatText, type RawItem, STAT_DEFERRED, type StatOfFd } from './raw-reads.js';
import { SocketResolver } from './read-sockets.js';

/** The digest kept for a socket: no digest of texts is empty, so its texts never stand for it. */
const REREAD = '';

const O_ACCMODE = 0o3;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const OBJ_INHERIT = 0x2;
const FILE_GENERIC_READ = 0x120089;
const FILE_GENERIC_WRITE = 0x120116;

/** The Windows access mask that matches an fd's open mode. */
export function grantedAccessOf(openFlags: number): number {
  if ((openFlags & O_PATH) !== 0) return 0;
  switch (openFlags & O_ACCMODE) {
    case 0:
      return FILE_GENERIC_READ;
    case 1:
      return FILE_GENERIC_WRITE;
    default:
      return (FILE_GENERIC_READ | FILE_GENERIC_WRITE) >>> 0;
  }
}

const ANON_TYPES: Readonly<Record<string, string>> = {
  '[eventfd]': 'Event',
  '[eventpoll]': 'Epoll',
  '[timerfd]': 'Timer',
  '[signalfd]': 'Signal',
  inotify: 'Inotify',
  '[fanotify]': 'Fanotify',
  '[pidfd]': 'Process',
  '[io_uring]': 'IoUring',
  '[userfaultfd]': 'Userfaultfd',
  '[perf_event]': 'PerfEvent',
};

const NAMESPACES = new Set(['net', 'mnt', 'pid', 'uts', 'ipc', 'user', 'cgroup', 'time']);

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

/**
 * The type name of an fd: File, Directory, Device, FIFO, Pipe, Socket, Event, Epoll, Timer,
 * Signal, Inotify, Process, Memfd, Namespace, Anon... For a path, the file mode of what it points
 * to decides (as lsof types a named FIFO FIFO, whatever its name); without it, the path and
 * O_DIRECTORY do.
 */
export function handleTypeName(target: string, openFlags: number | null, mode: number | null = null): string {
  if (target.startsWith('/')) {
    if (target.startsWith('/memfd:')) return 'Memfd';
    if (mode !== null) {
      switch (mode & S_IFMT) {
        case S_IFIFO:
          return 'FIFO';
        case S_IFDIR:
          return 'Directory';
        case S_IFCHR:
        case S_IFBLK:
          return 'Device';
        case S_IFSOCK:
          return 'Socket';
        default:
          return 'File';
      }
    }
    if (openFlags !== null && (openFlags & O_DIRECTORY) !== 0) return 'Directory';
    if (target.startsWith('/dev/') && !target.startsWith('/dev/shm/') && !target.startsWith('/dev/mqueue/')) return 'Device';
    return 'File';
  }
  if (target.startsWith('socket:[')) return 'Socket';
  if (target.startsWith('pipe:[')) return 'Pipe';
  if (target.startsWith('anon_inode:')) {
    const inner = target.slice('anon_inode:'.length);
    const known = ANON_TYPES[inner];
    if (known !== undefined) return known;
    if (inner.startsWith('bpf')) return 'Bpf';
    if (inner.startsWith('kvm') || inner.startsWith('[kvm')) return 'Kvm';
    return 'Anon';
  }
  const kind = /^(\w+):\[/.exec(target)?.[1];
  if (kind === 'pidfd') return 'Process';
  if (kind !== undefined && NAMESPACES.has(kind)) return 'Namespace';
  return 'Unknown';
}

/** What the stat of an fd's target says, in the model's terms: lsof's SIZE (files), DEVICE and NLINK. */
function statFields(stat: StatOfFd | null): { sizeBytes: number | null; device: string | null; linkCount: number | null } {
  if (stat === null) return { sizeBytes: null, device: null, linkCount: null };
  const type = stat.mode & S_IFMT;
  const isDevice = type === S_IFCHR || type === S_IFBLK;
  return {
    // A size means something for files and directories; a pipe's or a socket's is always 0.
    sizeBytes: type === S_IFDIR || (type !== S_IFIFO && type !== S_IFSOCK && !isDevice && type !== 0) ? stat.size : null,
    device: deviceText(isDevice ? stat.rdev : stat.dev),
    linkCount: stat.nlink,
  };
}

/** The PSS object type where one fits the Linux kind. */
export function objectTypeOf(typeName: string): ObjectType {
  switch (typeName) {
    case 'Process':
      return ObjectType.Process;
    case 'Event':
      return ObjectType.Event;
    case 'Memfd':
      return ObjectType.Section;
    default:
      return ObjectType.Unknown;
  }
}

function typeSpecificOf(typeName: string, info: FdInfo, stat: StatOfFd | null): HandleTypeSpecific | null {
  switch (typeName) {
    case 'Process': {
      const pid = info.pidfdPid;
      // A pidfd of a process that has exited shows Pid: -1.
      return {
        objectType: ObjectType.Process,
        exitStatus: pid === null ? null : pid > 0 ? STILL_ACTIVE : null,
        pebBaseAddress: null,
        affinityMask: null,
        basePriority: null,
        processId: pid !== null && pid > 0 ? pid : null,
        parentProcessId: null,
        flags: null,
      };
    }
    case 'Event':
      // An eventfd resets on read unless it is a semaphore: an auto-reset event, signaled while its count is not 0.
      return info.eventCount === null
        ? null
        : { objectType: ObjectType.Event, manualReset: false, signaled: info.eventCount > 0n, count: info.eventCount };
    case 'Memfd':
      return {
        objectType: ObjectType.Section,
        baseAddress: null,
        allocationAttributes: null,
        maximumSizeBytes: stat === null ? null : stat.size,
      };
    default:
      return null;
  }
}

/** A socket that is in no table of /proc/PID/net: its protocol, from the kernel's name for it. */
function unlistedSocket(ctx: CaptureContext, fd: number): SocketInfo {
  const libc = loadLibc();
  let protocol = 'unknown';
  if (libc !== null) {
    const name = Buffer.alloc(64);
    const n = libc.getxattr(ctx.files.path(ctx.pid, 'fd', fd), 'system.sockprotoname', name, name.length);
    if (n > 0) protocol = protocolOfName(name.toString('latin1', 0, n).replace(/\0+$/, ''));
  }
  // In no table means never bound: a datagram socket that is not bound is not connected either.
  const datagram = protocol.startsWith('udp');
  const raw = protocol.startsWith('raw');
  return Object.freeze({
    protocol,
    localAddress: null,
    remoteAddress: null,
    state: datagram || raw ? 'UNCONN' : null,
    socketType: protocol.startsWith('tcp') ? 'STREAM' : datagram ? 'DGRAM' : raw ? 'RAW' : null,
    peerInode: null,
  });
}

/**
 * PSS_HANDLE_ENTRY for every fd of /proc/PID/fd, in fd order, detailed as the flags ask; null
 * when the fds may not be read (another user's process without CAP_SYS_PTRACE), which the
 * capture then records as a part it was denied.
 */
export function readHandles(ctx: CaptureContext): HandleEntry[] | null {
  const { files, pid, flags } = ctx;
  const dir = files.path(pid, 'fd');
  const fds = files.listNumbers(dir);
  if (fds === VANISHED) throw new PssError('ERROR_NOT_FOUND', `pid ${pid} exited during the capture`, { pid, path: dir });
  if (fds === DENIED) return ctx.deny('handles', dir);
  const wantName = hasFlag(flags, CaptureFlags.HandleNameInformation);
  const wantBasic = hasFlag(flags, CaptureFlags.HandleBasicInformation);
  const wantSpecific = hasFlag(flags, CaptureFlags.HandleTypeSpecificInformation);
  let sockets: SocketResolver | null = null;

  const handles: HandleEntry[] = [];
  const previous = ctx.cache.handles;
  const seen: typeof previous = new Map();
  const raws = ctx.reader.read(files, { root: files.root, pid, dir: 'fd', ids: fds, unsafeMounts: [...ctx.blockingMounts().mountIds] });
  for (const [i, fd] of fds.entries()) {
    const [link, infoText, statRaw] = raws[i] as RawItem;
    // An fd closed between the listing and its link, or between its link and its fdinfo: skipped.
    if (link === VANISHED || infoText === VANISHED || infoText === undefined) {
      ctx.skipped++;
      continue;
    }
    // fds listed but not readable (a process holding capabilities this one lacks): their values
    // are kept, the rest is a part left out, or refused whole by a strict capture.
    if (link === DENIED || infoText === DENIED) {
      if (ctx.strict) ctx.deny('handles', files.path(pid, link === DENIED ? 'fd' : 'fdinfo', fd));
      ctx.withhold('handles');
    }
    const linkText = failed(link) ? null : (link as string);
    // The stat of a file on a mount that may block is made where the capture can give up on it.
    const statValue =
      statRaw === STAT_DEFERRED
        ? ctx.statBlocking(files.path(pid, 'fd', fd), ctx.blockingMounts().deviceOf.get(failed(infoText) ? -1 : (parseFdInfo(infoText as string).mountId ?? -1)) ?? '?')
        : statRaw;
    const statKey = typeof statValue === 'string' ? statValue : null;
    const cached = previous.get(fd);
    // The texts stand for the entry only when both could be read (see below).
    const digest = linkText === null || failed(infoText) ? null : digestOf(`${linkText}\0${infoText}\0${statKey ?? '\u0100'}`);
    if (cached !== undefined && cached.digest === digest) {
      handles.push(cached.entry);
      seen.set(fd, cached);
      continue;
    }
    const stat = statKey === null || statKey === '' ? null : parseStatText(statKey);
    const target = linkText === null ? null : decodeLatin1(linkText);
    const info = failed(infoText) ? null : parseFdInfo(infoText);
    const openFlags = info?.openFlags ?? null;
    const typeName = target === null ? 'Unknown' : handleTypeName(target, openFlags, stat?.mode ?? null);
    const objectType = objectTypeOf(typeName);

    let handleFlags = HandleFlags.HaveType;
    if (wantName && target !== null) handleFlags |= HandleFlags.HaveName;
    const basic = wantBasic && info !== null && openFlags !== null;
    if (basic) handleFlags |= HandleFlags.HaveBasicInformation;

    let typeSpecific: HandleTypeSpecific | null = null;
    let socket: SocketInfo | null = null;
    if (wantSpecific && info !== null) {
      if (typeName === 'Socket') {
        sockets ??= new SocketResolver(ctx.sockets, files, pid);
        socket = (info.inode === null ? undefined : sockets.get(info.inode)) ?? unlistedSocket(ctx, fd);
      } else {
        typeSpecific = typeSpecificOf(typeName, info, stat);
      }
      if (typeSpecific !== null || socket !== null) handleFlags |= HandleFlags.HaveTypeSpecificInformation;
    }

    const entry = reuseIfEqual<HandleEntry>(cached?.entry, {
      handle: fd,
      flags: handleFlags,
      objectType,
      // Linux reads an fd at one moment of the capture; the capture's own time stands for it.
      captureTimeUs: null,
      attributes: basic ? ((openFlags as number) & O_CLOEXEC ? 0 : OBJ_INHERIT) : null,
      grantedAccess: basic ? grantedAccessOf(openFlags as number) : null,
      handleCount: null,
      pointerCount: null,
      pagedPoolCharge: null,
      nonPagedPoolCharge: null,
      creationTimeUs: null,
      typeName,
      objectName: wantName ? target : null,
      typeSpecific,
      openFlags: basic ? openFlags : null,
      positionBytes: basic ? (info?.position ?? null) : null,
      inode: basic ? (info?.inode ?? null) : null,
      mountId: basic ? (info?.mountId ?? null) : null,
      socket,
      ...(basic ? statFields(stat) : { sizeBytes: null, device: null, linkCount: null }),
      epollTargets: wantSpecific ? (info?.epollTargets ?? null) : null,
      timer: wantSpecific ? (info?.timer ?? null) : null,
      inotifyWatchCount: wantSpecific ? (info?.inotifyWatchCount ?? null) : null,
    });
    handles.push(entry);
    // Sockets (their state lives in /proc/PID/net) change without their fdinfo changing: they
    // are read again every time (a digest that matches none), and a socket whose state did not
    // change is then handed back as the same entry, so that a recorder skips it.
    if (digest !== null) seen.set(fd, { digest: typeName === 'Socket' ? REREAD : digest, entry });
  }
  ctx.cache.handles = seen;
  return handles;
}
