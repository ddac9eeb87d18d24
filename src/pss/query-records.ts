import { QueryClass } from './information-class.js';

/*
 * The single-instance records of PssQuerySnapshot, in platform-neutral form:
 * addresses and masks are bigint, absolute times are microseconds since the Unix epoch (`...TimeUs`),
 * durations are microseconds, sizes are bytes, strings are decoded. A value a platform does not
 * provide is null, never -1. Fields after the Windows ones are pssql extensions, null on Windows.
 */

/** PSS_PROCESS_INFORMATION, plus what Linux adds (name, command line, state, nice, ...). */
export interface ProcessInformation {
  /** STILL_ACTIVE (259) while the process runs. */
  exitStatus: number;
  pebBaseAddress: bigint | null;
  affinityMask: bigint | null;
  basePriority: number | null;
  processId: number;
  parentProcessId: number | null;
  /** ProcessFlags. */
  flags: number;
  createTimeUs: number | null;
  exitTimeUs: number | null;
  kernelTimeUs: number | null;
  userTimeUs: number | null;
  /** Windows priority class, e.g. NORMAL_PRIORITY_CLASS (0x20); emulated from nice on Linux. */
  priorityClass: number | null;
  peakVirtualSizeBytes: number | null;
  virtualSizeBytes: number | null;
  /** All page faults (minor and major). */
  pageFaultCount: number | null;
  peakWorkingSetSizeBytes: number | null;
  workingSetSizeBytes: number | null;
  quotaPeakPagedPoolUsageBytes: number | null;
  quotaPagedPoolUsageBytes: number | null;
  quotaPeakNonPagedPoolUsageBytes: number | null;
  quotaNonPagedPoolUsageBytes: number | null;
  pagefileUsageBytes: number | null;
  peakPagefileUsageBytes: number | null;
  /** Private memory in use: commit charge on Windows, anonymous resident plus swapped on Linux. */
  privateUsageBytes: number | null;
  executeFlags: number | null;
  /** Full path of the executable image. */
  imageFileName: string | null;
  /** Short process name (Linux `comm`). */
  name: string | null;
  commandLine: string | null;
  /** Linux state letter (R, S, D, Z, T, t, X, I). */
  state: string | null;
  nice: number | null;
  threadCount: number | null;
  majorFaultCount: number | null;
  swapBytes: number | null;
  /** Every argument of the command line, exactly (Linux `cmdline`; `commandLine` quotes them as a shell would). */
  argv: string[] | null;
  /** The working directory and the root directory (Linux `cwd`, `root`: lsof's cwd and rtd). */
  currentDirectory: string | null;
  rootDirectory: string | null;
  /** Real and effective user and group ids, with the user and group names of this host. */
  realUserId: number | null;
  effectiveUserId: number | null;
  realGroupId: number | null;
  effectiveGroupId: number | null;
  userName: string | null;
  effectiveUserName: string | null;
  groupName: string | null;
  effectiveGroupName: string | null;
  /** The pid inside the process's own pid namespace (the last of `NSpid`). */
  namespacePid: number | null;
  /** Namespace ids (the inode of /proc/PID/ns/*): processes that share one share the namespace. */
  pidNamespace: number | null;
  netNamespace: number | null;
  mntNamespace: number | null;
  userNamespace: number | null;
  utsNamespace: number | null;
  ipcNamespace: number | null;
  cgroupNamespace: number | null;
  /** The cgroup v2 path, and the container id it names (docker, containerd, cri-o, podman, kubepods). */
  cgroup: string | null;
  containerId: string | null;
  /** The open-file limit, soft and hard (RLIMIT_NOFILE). */
  openFileLimit: number | null;
  openFileLimitHard: number | null;
  /** I/O counters (/proc/PID/io): bytes through read/write calls, the calls, and bytes that reached storage. */
  ioReadCharsBytes: number | null;
  ioWriteCharsBytes: number | null;
  ioReadSyscalls: number | null;
  ioWriteSyscalls: number | null;
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  ioCancelledWriteBytes: number | null;
}

/** PSS_VA_CLONE_INFORMATION. */
export interface VaCloneInformation {
  vaCloneHandle: bigint;
}

/** PSS_AUXILIARY_PAGES_INFORMATION. */
export interface AuxiliaryPagesInformation {
  auxPagesCaptured: number;
}

/** PSS_VA_SPACE_INFORMATION. */
export interface VaSpaceInformation {
  regionCount: number;
}

/** PSS_HANDLE_INFORMATION. */
export interface HandleInformation {
  handlesCaptured: number;
}

/** PSS_THREAD_INFORMATION. */
export interface ThreadInformation {
  threadsCaptured: number;
  /** Bytes of each captured CONTEXT record; 0 when contexts were not captured as records. */
  contextLength: number;
}

/** PSS_HANDLE_TRACE_INFORMATION. */
export interface HandleTraceInformation {
  sectionHandle: bigint;
  sizeBytes: number;
}

/** Cost of one capture phase. */
export interface PhaseCounters {
  /** CPU cycles (Windows); null where the platform measures CPU time instead. */
  cycleCount: number | null;
  wallClockUs: number;
  /** CPU time of the capturing process (Linux); null where the platform counts cycles. */
  cpuTimeUs: number | null;
}

/** PSS_PERFORMANCE_COUNTERS, one {@link PhaseCounters} per phase. Wall clock in µs. */
export interface PerformanceCounters {
  total: PhaseCounters;
  vaClone: PhaseCounters;
  vaSpace: PhaseCounters;
  auxPages: PhaseCounters;
  handles: PhaseCounters;
  threads: PhaseCounters;
}

/** The phases of {@link PerformanceCounters}, in the order of the Windows structure. */
export const PERFORMANCE_PHASES = ['total', 'vaClone', 'vaSpace', 'auxPages', 'handles', 'threads'] as const;
/** A phase of a capture whose cost PSS_PERFORMANCE_COUNTERS measures: `total`, `vaSpace`, `handles`... */
export type PerformancePhase = (typeof PERFORMANCE_PHASES)[number];

/** The record type that `query(cls)` returns for each query class. */
export interface QueryRecordMap {
  [QueryClass.ProcessInformation]: ProcessInformation;
  [QueryClass.VaCloneInformation]: VaCloneInformation;
  [QueryClass.AuxiliaryPagesInformation]: AuxiliaryPagesInformation;
  [QueryClass.VaSpaceInformation]: VaSpaceInformation;
  [QueryClass.HandleInformation]: HandleInformation;
  [QueryClass.ThreadInformation]: ThreadInformation;
  [QueryClass.HandleTraceInformation]: HandleTraceInformation;
  [QueryClass.PerformanceCounters]: PerformanceCounters;
}
