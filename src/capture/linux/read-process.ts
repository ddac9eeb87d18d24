import { decodeBytes, decodeLatin1 } from '../../pss/byte-string.js';
import { ProcessFlags } from '../../pss/process-flags.js';
import { PssError } from '../../pss/pss-error.js';
import type { ProcessInformation } from '../../pss/query-records.js';
import type { CaptureContext } from './capture-context.js';
import { DENIED, failed, type ProcFiles } from './proc-files.js';
import {
  exitStatusOfStat,
  parseStat,
  priorityClassOf,
  type StatFields,
  statusAffinity,
  statusBytes,
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

/** PSS_PROCESS_INFORMATION from stat, status, cmdline and the exe link. */
export function readProcessInformation(ctx: CaptureContext, stat: StatFields): ProcessInformation {
  const { files, pid } = ctx;
  const statusText = files.readText(files.path(pid, 'status'));
  const status = failed(statusText) ? '' : statusText;

  let imageFileName: string | null = null;
  const exe = files.readLink(files.path(pid, 'exe'));
  if (exe === DENIED) ctx.denied++;
  else if (!failed(exe)) imageFileName = decodeLatin1(exe);

  let commandLine: string | null = null;
  const cmdline = files.readBytes(files.path(pid, 'cmdline'));
  if (cmdline === DENIED) ctx.denied++;
  else if (!failed(cmdline) && cmdline.length > 0) {
    const end = cmdline[cmdline.length - 1] === 0 ? cmdline.length - 1 : cmdline.length;
    commandLine = decodeBytes(cmdline.subarray(0, end)).replaceAll('\0', ' ');
  }

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
    workingSetSizeBytes: statusBytes(status, 'VmRSS'),
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
  };
}
