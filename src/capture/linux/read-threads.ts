import { CaptureFlags, hasFlag } from '../../pss/capture-flags.js';
import { PssError } from '../../pss/pss-error.js';
import { ThreadFlags } from '../../pss/thread-flags.js';
import type { ThreadEntry } from '../../pss/walk-entries.js';
import type { CaptureContext } from './capture-context.js';
import { DENIED, failed, VANISHED } from './proc-files.js';
import { digestOf, reuseIfEqual } from './process-cache.js';
import type { RawItem } from './raw-reads.js';
import {
  exitStatusOfStat,
  isDead,
  isRealTimePolicy,
  parseStat,
  statusAffinity,
  statusNumber,
  ticksToUnixUs,
} from './proc-stat.js';

interface SyscallState {
  number: number | null;
  firstArgument: bigint | null;
  stackPointer: bigint | null;
  instructionPointer: bigint | null;
}

const NOT_IN_SYSCALL: SyscallState = { number: null, firstArgument: null, stackPointer: null, instructionPointer: null };

/**
 * Parses task/TID/syscall: `nr arg1 .. arg6 sp pc` while blocked in a system call, `-1 sp pc`
 * while blocked outside one, `running` while on a CPU.
 */
export function parseSyscall(text: string): SyscallState {
  const f = text.trim().split(' ');
  if (f.length === 9) {
    return {
      number: Number(f[0]),
      firstArgument: BigInt(f[1] as string),
      stackPointer: BigInt(f[7] as string),
      instructionPointer: BigInt(f[8] as string),
    };
  }
  if (f.length === 3 && f[0] === '-1') {
    return { number: null, firstArgument: null, stackPointer: BigInt(f[1] as string), instructionPointer: BigInt(f[2] as string) };
  }
  return NOT_IN_SYSCALL;
}

/** PSS_THREAD_ENTRY for every thread in /proc/PID/task, in thread id order. */
export function readThreads(ctx: CaptureContext): ThreadEntry[] {
  const { files, pid } = ctx;
  const tids = files.listNumbers(files.path(pid, 'task'));
  if (tids === VANISHED) throw new PssError('ERROR_NOT_FOUND', `pid ${pid} exited during the capture`, { pid });
  if (tids === DENIED) {
    throw new PssError('ERROR_ACCESS_DENIED', `cannot capture pid ${pid}: permission denied listing its threads`, { pid });
  }
  const withContext = hasFlag(ctx.flags, CaptureFlags.ThreadContext);
  const threads: ThreadEntry[] = [];
  const previous = ctx.cache.threads;
  const seen: typeof previous = new Map();
  const raws = ctx.reader.read(files, { root: files.root, pid, dir: 'task', ids: tids });
  for (const [i, tid] of tids.entries()) {
    const [statText, statusText, syscallText] = raws[i] as RawItem;
    const stat = typeof statText === 'string' ? parseStat(statText) : null;
    // A thread that ended between the listing and its files: skipped.
    if (stat === null || typeof statusText !== 'string' || syscallText === VANISHED || syscallText === undefined) {
      ctx.skipped++;
      continue;
    }
    if (syscallText === DENIED) ctx.withhold('thread contexts');
    const digest = digestOf(`${statText as string}\0${statusText}\0${failed(syscallText) ? '' : syscallText}`);
    const cached = previous.get(tid);
    if (cached !== undefined && cached.digest === digest && syscallText !== DENIED) {
      threads.push(cached.entry);
      seen.set(tid, cached);
      continue;
    }
    const syscall = failed(syscallText) ? NOT_IN_SYSCALL : parseSyscall(syscallText);
    const entry = reuseIfEqual<ThreadEntry>(cached?.entry, {
      exitStatus: exitStatusOfStat(stat),
      tebBaseAddress: null,
      processId: pid,
      threadId: tid,
      affinityMask: statusAffinity(statusText),
      priority: stat.priority,
      // As the schema says: 20 + nice, or the real-time priority under SCHED_FIFO and SCHED_RR
      // (stat's priority field holds -1 - rt_priority there).
      basePriority: isRealTimePolicy(stat.policy) ? stat.realtimePriority : 20 + stat.nice,
      lastSyscallFirstArgument: syscall.firstArgument,
      lastSyscallNumber: syscall.number,
      createTimeUs: ticksToUnixUs(ctx.bootTimeUs, stat.startTicks),
      exitTimeUs: null,
      kernelTimeUs: stat.kernelTimeUs,
      userTimeUs: stat.userTimeUs,
      win32StartAddress: null,
      // Linux reads a thread at one moment of the capture; the capture's own time stands for it.
      captureTimeUs: null,
      flags: isDead(stat.state) ? ThreadFlags.Terminated : ThreadFlags.None,
      suspendCount: stat.state === 'T' || stat.state === 't' ? 1 : 0,
      contextRecord: null,
      instructionPointer: withContext ? syscall.instructionPointer : null,
      stackPointer: withContext ? syscall.stackPointer : null,
      name: stat.name,
      state: stat.state,
      voluntaryContextSwitches: statusNumber(statusText, 'voluntary_ctxt_switches'),
      involuntaryContextSwitches: statusNumber(statusText, 'nonvoluntary_ctxt_switches'),
      schedulingPolicy: stat.policy,
      realtimePriority: stat.realtimePriority,
    });
    threads.push(entry);
    if (syscallText !== DENIED) seen.set(tid, { digest, entry });
  }
  ctx.cache.threads = seen;
  return threads;
}
