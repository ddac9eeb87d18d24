import { decodeLatin1 } from '../../pss/byte-string.js';
import { CaptureFlags, hasFlag } from '../../pss/capture-flags.js';
import { HandleFlags } from '../../pss/handle-flags.js';
import { ObjectType } from '../../pss/object-type.js';
import { STILL_ACTIVE } from '../../pss/process-flags.js';
import { PssError } from '../../pss/pss-error.js';
import type { HandleEntry, HandleTypeSpecific, SocketInfo } from '../../pss/walk-entries.js';
import type { CaptureContext } from './capture-context.js';
import { type FdInfo, parseFdInfo } from './parse-fdinfo.js';
import { DENIED, failed, VANISHED } from './proc-files.js';
import { reuseIfEqual } from './process-cache.js';
import type { RawItem } from './raw-reads.js';
import { SocketResolver } from './read-sockets.js';

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

/**
 * The type name of an fd from its link target (and O_DIRECTORY): File, Directory, Device, Pipe,
 * Socket, Event, Epoll, Timer, Signal, Inotify, Process, Memfd, Namespace, Anon...
 */
export function handleTypeName(target: string, openFlags: number | null): string {
  if (target.startsWith('/')) {
    if (target.startsWith('/memfd:')) return 'Memfd';
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

function typeSpecificOf(ctx: CaptureContext, fd: number, typeName: string, info: FdInfo): HandleTypeSpecific | null {
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
        : { objectType: ObjectType.Event, manualReset: false, signaled: info.eventCount > 0n };
    case 'Memfd': {
      const stat = ctx.files.stat(ctx.files.path(ctx.pid, 'fd', fd));
      return {
        objectType: ObjectType.Section,
        baseAddress: null,
        allocationAttributes: null,
        maximumSizeBytes: failed(stat) ? null : stat.size,
      };
    }
    default:
      return null;
  }
}

/** PSS_HANDLE_ENTRY for every fd of /proc/PID/fd, in fd order, detailed as the flags ask. */
export function readHandles(ctx: CaptureContext): HandleEntry[] {
  const { files, pid, flags } = ctx;
  const dir = files.path(pid, 'fd');
  const fds = files.listNumbers(dir);
  if (fds === VANISHED) throw new PssError('ERROR_NOT_FOUND', `pid ${pid} exited during the capture`, { pid, path: dir });
  if (fds === DENIED) {
    throw new PssError(
      'ERROR_ACCESS_DENIED',
      `cannot capture pid ${pid}: permission denied reading ${dir} (another user's process needs root or CAP_SYS_PTRACE)`,
      { pid, path: dir, option: 'PSS_CAPTURE_HANDLES' },
    );
  }
  const wantName = hasFlag(flags, CaptureFlags.HandleNameInformation);
  const wantBasic = hasFlag(flags, CaptureFlags.HandleBasicInformation);
  const wantSpecific = hasFlag(flags, CaptureFlags.HandleTypeSpecificInformation);
  let sockets: SocketResolver | null = null;

  const handles: HandleEntry[] = [];
  const previous = ctx.cache.handles;
  const seen = new Map<number, { link: string; info: string; entry: HandleEntry }>();
  const raws = ctx.reader.read(files, { root: files.root, pid, dir: 'fd', ids: fds });
  for (const [i, fd] of fds.entries()) {
    const [link, infoText] = raws[i] as RawItem;
    // An fd closed between the listing and its link, or between its link and its fdinfo: skipped.
    if (link === VANISHED || infoText === VANISHED || infoText === undefined) {
      ctx.skipped++;
      continue;
    }
    if (link === DENIED) ctx.denied++;
    if (infoText === DENIED) ctx.denied++;
    const linkText = failed(link) ? null : (link as string);
    const cached = previous.get(fd);
    if (cached !== undefined && cached.link === linkText && cached.info === infoText) {
      handles.push(cached.entry);
      seen.set(fd, cached);
      continue;
    }
    const target = linkText === null ? null : decodeLatin1(linkText);
    const info = failed(infoText) ? null : parseFdInfo(infoText);
    const openFlags = info?.openFlags ?? null;
    const typeName = target === null ? 'Unknown' : handleTypeName(target, openFlags);
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
        socket = (info.inode === null ? undefined : sockets.get(info.inode)) ?? {
          protocol: 'unknown',
          localAddress: null,
          remoteAddress: null,
          state: null,
        };
      } else {
        typeSpecific = typeSpecificOf(ctx, fd, typeName, info);
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
    });
    handles.push(entry);
    // Sockets (their state lives in /proc/PID/net) and memfds (their size) change without their
    // fdinfo changing: they are read again every time.
    if (linkText !== null && !failed(infoText) && typeName !== 'Socket' && typeName !== 'Memfd') {
      seen.set(fd, { link: linkText, info: infoText, entry });
    }
  }
  ctx.cache.handles = seen;
  return handles;
}
