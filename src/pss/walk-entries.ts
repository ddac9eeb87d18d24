import { WalkClass } from './information-class.js';
import { ObjectType } from './object-type.js';

/*
 * The multi-instance records of PssWalkSnapshot, in the same platform-neutral form as the query
 * records: addresses bigint, times µs (absolute times since the Unix epoch), sizes bytes,
 * strings decoded, null for what the platform does not provide.
 */

/** MEMORY_BASIC_INFORMATION, as embedded in an auxiliary page entry. */
export interface MemoryBasicInformation {
  baseAddress: bigint;
  allocationBase: bigint;
  allocationProtect: number;
  regionSizeBytes: number;
  state: number;
  protect: number;
  type: number;
}

/** PSS_AUXILIARY_PAGE_ENTRY (Windows only). */
export interface AuxiliaryPageEntry {
  address: bigint;
  basicInformation: MemoryBasicInformation;
  captureTimeUs: number | null;
  /** A copy of the page; null when Windows gave none. */
  pageContents: Uint8Array | null;
  pageSize: number;
}

/** PSS_VA_SPACE_ENTRY, plus the Linux `maps`/`smaps` fields. */
export interface VaSpaceEntry {
  baseAddress: bigint;
  allocationBase: bigint;
  allocationProtect: number;
  regionSizeBytes: number;
  /** MemState. */
  state: number;
  /** PageProtection. */
  protect: number;
  /** MemType. */
  type: number;
  /** Image timestamp (PE header; file modification time in Unix seconds on Linux). */
  timeDateStamp: number | null;
  sizeOfImageBytes: number | null;
  imageBase: bigint | null;
  checkSum: number | null;
  /** Backing file; only with section information and for image or mapped regions. */
  mappedFileName: string | null;
  /** Linux permissions as in `maps`, e.g. `r-xp`. */
  permissions: string | null;
  fileOffsetBytes: number | null;
  /** Device of the backing file, `major:minor` in hex as in `maps`. */
  device: string | null;
  inode: number | null;
  /** Per-region sizes from `smaps`, with the details option only. */
  residentBytes: number | null;
  proportionalBytes: number | null;
  privateBytes: number | null;
  swapBytes: number | null;
  /** More of `smaps`, with the details option only. */
  sharedCleanBytes: number | null;
  sharedDirtyBytes: number | null;
  privateCleanBytes: number | null;
  privateDirtyBytes: number | null;
  anonymousBytes: number | null;
  lockedBytes: number | null;
  /** smaps VmFlags, e.g. `rd ex mr mw me dw`. */
  vmFlags: string | null;
  /** Links to the mapped file: 0 once it is deleted (the kernel's ` (deleted)` suffix is only a hint). */
  linkCount: number | null;
}

/** Type-specific arm of a process handle. */
export interface ProcessHandleInfo {
  objectType: ObjectType.Process;
  exitStatus: number | null;
  pebBaseAddress: bigint | null;
  affinityMask: bigint | null;
  basePriority: number | null;
  processId: number | null;
  parentProcessId: number | null;
  flags: number | null;
}

/** Type-specific arm of a thread handle. */
export interface ThreadHandleInfo {
  objectType: ObjectType.Thread;
  exitStatus: number | null;
  tebBaseAddress: bigint | null;
  processId: number | null;
  threadId: number | null;
  affinityMask: bigint | null;
  priority: number | null;
  basePriority: number | null;
  win32StartAddress: bigint | null;
}

/** Type-specific arm of a mutant (mutex) handle. */
export interface MutantHandleInfo {
  objectType: ObjectType.Mutant;
  currentCount: number;
  abandoned: boolean;
  ownerProcessId: number;
  ownerThreadId: number;
}

/** Type-specific arm of an event handle (an eventfd on Linux). */
export interface EventHandleInfo {
  objectType: ObjectType.Event;
  manualReset: boolean;
  signaled: boolean;
  /** The eventfd's counter (Linux). */
  count: bigint | null;
}

/** Type-specific arm of a section handle (a memfd on Linux). */
export interface SectionHandleInfo {
  objectType: ObjectType.Section;
  baseAddress: bigint | null;
  allocationAttributes: number | null;
  maximumSizeBytes: number | null;
}

/** Type-specific arm of a semaphore handle. */
export interface SemaphoreHandleInfo {
  objectType: ObjectType.Semaphore;
  currentCount: number;
  maximumCount: number;
}

/** The TypeSpecificInformation union, discriminated by `objectType`. */
export type HandleTypeSpecific =
  | ProcessHandleInfo
  | ThreadHandleInfo
  | MutantHandleInfo
  | EventHandleInfo
  | SectionHandleInfo
  | SemaphoreHandleInfo;

/** A socket's endpoints, as lsof and ss show them (Linux, from /proc/PID/net and sock_diag). */
export interface SocketInfo {
  /**
   * tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6, unix, netlink, packet, or the kernel's
   * name for a socket in none of those tables (vsock, ...); unknown when even that cannot be read.
   */
  protocol: string;
  /** An IPv6 link-local address keeps its interface: `[fe80::1]%lo:8443`. */
  localAddress: string | null;
  remoteAddress: string | null;
  /** TCP state (LISTEN, ESTABLISHED, ...), unix state, or UNCONN for an unconnected datagram socket, as ss says. */
  state: string | null;
  /** STREAM, DGRAM, SEQPACKET (unix sockets). */
  socketType: string | null;
  /** The socket at the other end of a connected unix socket, by inode. */
  peerInode: number | null;
}

/** One fd an epoll instance watches (an fdinfo `tfd` line). */
export interface EpollTarget {
  targetFd: number;
  /** EPOLL* event mask. */
  events: number;
  /** The user data registered with it. */
  data: bigint;
}

/** A timerfd's settings (fdinfo). */
export interface TimerInfo {
  /** CLOCK_REALTIME (0), CLOCK_MONOTONIC (1), CLOCK_BOOTTIME (7)... */
  clockId: number;
  /** Expirations not yet read. */
  ticks: number;
  /** TFD_TIMER_ABSTIME and others. */
  settimeFlags: number;
  /** The interval, ns (0 for a one-shot or disarmed timer). The time to the next expiry is not kept: it moves all the time. */
  intervalNs: number;
}

/** PSS_HANDLE_ENTRY, plus the Linux `fdinfo` fields and socket endpoints. */
export interface HandleEntry {
  /** Handle value in the target; the fd number on Linux. */
  handle: number;
  /** HandleFlags: which parts are valid. */
  flags: number;
  objectType: ObjectType;
  captureTimeUs: number | null;
  attributes: number | null;
  grantedAccess: number | null;
  handleCount: number | null;
  pointerCount: number | null;
  pagedPoolCharge: number | null;
  nonPagedPoolCharge: number | null;
  creationTimeUs: number | null;
  /** e.g. File, Directory, Pipe, Socket, Event, Process, Memfd (Linux); File, Event, Key (Windows). */
  typeName: string | null;
  objectName: string | null;
  typeSpecific: HandleTypeSpecific | null;
  /** Linux open flags (O_*) from fdinfo. */
  openFlags: number | null;
  positionBytes: number | null;
  inode: number | null;
  mountId: number | null;
  socket: SocketInfo | null;
  /** What the fd refers to, from stat(2): size, the device (st_rdev for devices, else st_dev) and links (0: deleted). */
  sizeBytes: number | null;
  device: string | null;
  linkCount: number | null;
  /** The fds an epoll instance watches. */
  epollTargets: EpollTarget[] | null;
  timer: TimerInfo | null;
  /** The watches of an inotify instance. */
  inotifyWatchCount: number | null;
}

/** PSS_THREAD_ENTRY, plus Linux name, state and context switches. */
export interface ThreadEntry {
  /** STILL_ACTIVE (259) while the thread runs. */
  exitStatus: number;
  tebBaseAddress: bigint | null;
  processId: number;
  threadId: number;
  affinityMask: bigint | null;
  priority: number | null;
  basePriority: number | null;
  lastSyscallFirstArgument: bigint | null;
  lastSyscallNumber: number | null;
  createTimeUs: number | null;
  exitTimeUs: number | null;
  kernelTimeUs: number | null;
  userTimeUs: number | null;
  win32StartAddress: bigint | null;
  captureTimeUs: number | null;
  /** ThreadFlags. */
  flags: number;
  suspendCount: number | null;
  /** The raw CONTEXT record, when Windows captured one. */
  contextRecord: Uint8Array | null;
  /** Decoded from the context (Windows) or from /proc/PID/task/TID/syscall (Linux). */
  instructionPointer: bigint | null;
  stackPointer: bigint | null;
  name: string | null;
  /** Linux state letter (R, S, D, Z, T, t, X, I). */
  state: string | null;
  voluntaryContextSwitches: number | null;
  involuntaryContextSwitches: number | null;
  /** Linux scheduling policy: 0 SCHED_OTHER, 1 SCHED_FIFO, 2 SCHED_RR, 3 SCHED_BATCH, 5 SCHED_IDLE, 6 SCHED_DEADLINE. */
  schedulingPolicy: number | null;
  /** The real-time priority, 1-99 under SCHED_FIFO and SCHED_RR, else 0. */
  realtimePriority: number | null;
}

/** PSS_THREAD_NAME (header-only in Windows). */
export interface ThreadNameEntry {
  threadName: string;
}

/** The entry type that `walk(cls, marker)` returns for each walk class. */
export interface WalkEntryMap {
  [WalkClass.AuxiliaryPages]: AuxiliaryPageEntry;
  [WalkClass.VaSpace]: VaSpaceEntry;
  [WalkClass.Handles]: HandleEntry;
  [WalkClass.Threads]: ThreadEntry;
  [WalkClass.ThreadName]: ThreadNameEntry;
}
