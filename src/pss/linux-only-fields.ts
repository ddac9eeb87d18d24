import type { ProcessInformation } from './query-records.js';
import type { HandleEntry, ThreadEntry, VaSpaceEntry } from './walk-entries.js';

/*
 * The fields of each record that only Linux fills, all null: what a backend without them (the
 * Windows one, a test's hand-built record) spreads into its records. A Linux field added to the
 * model is added here once.
 */

export const NO_LINUX_PROCESS_FIELDS = {
  commandLine: null,
  state: null,
  nice: null,
  threadCount: null,
  majorFaultCount: null,
  swapBytes: null,
  argv: null,
  currentDirectory: null,
  rootDirectory: null,
  realUserId: null,
  effectiveUserId: null,
  realGroupId: null,
  effectiveGroupId: null,
  userName: null,
  effectiveUserName: null,
  groupName: null,
  effectiveGroupName: null,
  namespacePid: null,
  pidNamespace: null,
  netNamespace: null,
  mntNamespace: null,
  userNamespace: null,
  utsNamespace: null,
  ipcNamespace: null,
  cgroupNamespace: null,
  cgroup: null,
  containerId: null,
  openFileLimit: null,
  openFileLimitHard: null,
  ioReadCharsBytes: null,
  ioWriteCharsBytes: null,
  ioReadSyscalls: null,
  ioWriteSyscalls: null,
  ioReadBytes: null,
  ioWriteBytes: null,
  ioCancelledWriteBytes: null,
} as const satisfies Partial<ProcessInformation>;

export const NO_LINUX_THREAD_FIELDS = {
  name: null,
  state: null,
  voluntaryContextSwitches: null,
  involuntaryContextSwitches: null,
  schedulingPolicy: null,
  realtimePriority: null,
} as const satisfies Partial<ThreadEntry>;

export const NO_LINUX_HANDLE_FIELDS = {
  openFlags: null,
  positionBytes: null,
  inode: null,
  mountId: null,
  socket: null,
  sizeBytes: null,
  device: null,
  linkCount: null,
  epollTargets: null,
  timer: null,
  inotifyWatchCount: null,
} as const satisfies Partial<HandleEntry>;

export const NO_LINUX_REGION_FIELDS = {
  permissions: null,
  fileOffsetBytes: null,
  device: null,
  inode: null,
  residentBytes: null,
  proportionalBytes: null,
  privateBytes: null,
  swapBytes: null,
  sharedCleanBytes: null,
  sharedDirtyBytes: null,
  privateCleanBytes: null,
  privateDirtyBytes: null,
  anonymousBytes: null,
  lockedBytes: null,
  vmFlags: null,
  linkCount: null,
} as const satisfies Partial<VaSpaceEntry>;
