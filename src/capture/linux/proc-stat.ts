import { decodeLatin1 } from '../../pss/byte-string.js';
import { STILL_ACTIVE } from '../../pss/process-flags.js';
import { failed, type ProcFiles } from './proc-files.js';

/** USER_HZ: /proc reports CPU times and start times in these ticks on every Linux architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;
const US_PER_TICK = 1_000_000 / CLOCK_TICKS_PER_SECOND;

/** The fields pssql uses from /proc/PID/stat (or task/TID/stat). */
export interface StatFields {
  name: string;
  state: string;
  ppid: number;
  minorFaults: number;
  majorFaults: number;
  userTimeUs: number;
  kernelTimeUs: number;
  priority: number;
  nice: number;
  threadCount: number;
  startTicks: number;
  virtualSizeBytes: number;
  /** rt_priority (field 40): 1-99 under a real-time policy, else 0. */
  realtimePriority: number;
  /** policy (field 41). */
  policy: number;
  exitCode: number | null;
}

/**
 * Parses a stat line. The name sits in parentheses and may itself hold spaces and parentheses,
 * so the fields are counted from the last `)`. `text` is latin1 (one char per byte).
 */
export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text.slice(close + 2).split(' ');
  if (f.length < 20) return null;
  const num = (i: number): number => Number(f[i]);
  const rawName = text.slice(open + 1, close);
  return {
    name: decodeLatin1(rawName),
    state: f[0] ?? '?',
    ppid: num(1),
    minorFaults: num(7),
    majorFaults: num(9),
    userTimeUs: num(11) * US_PER_TICK,
    kernelTimeUs: num(12) * US_PER_TICK,
    priority: num(15),
    nice: num(16),
    threadCount: num(17),
    startTicks: num(19),
    virtualSizeBytes: num(20),
    realtimePriority: f.length > 37 ? num(37) : 0,
    policy: f.length > 38 ? num(38) : 0,
    exitCode: f.length > 49 ? num(49) : null,
  };
}

/** Reads `key:\tvalue` from a status file, or null when the key is absent (kernel threads). */
export function statusField(text: string, key: string): string | null {
  let at = text.startsWith(`${key}:`) ? 0 : text.indexOf(`\n${key}:`);
  if (at < 0) return null;
  if (at > 0) at += 1;
  const end = text.indexOf('\n', at);
  return text.slice(at + key.length + 1, end < 0 ? undefined : end).trim();
}

/** A `kB` status field in bytes. */
export function statusBytes(text: string, key: string): number | null {
  const value = statusField(text, key);
  if (value === null) return null;
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) ? null : n * 1024;
}

/** A numeric status field. */
export function statusNumber(text: string, key: string): number | null {
  const value = statusField(text, key);
  if (value === null) return null;
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) ? null : n;
}

/** The first 64 CPUs of `Cpus_allowed` (comma-separated 32-bit hex groups) as an affinity mask. */
export function statusAffinity(text: string): bigint | null {
  const value = statusField(text, 'Cpus_allowed');
  if (value === null || value === '') return null;
  return BigInt.asUintN(64, BigInt(`0x${value.replaceAll(',', '')}`));
}

/** SCHED_FIFO and SCHED_RR: real-time policies. */
export function isRealTimePolicy(policy: number): boolean {
  return policy === 1 || policy === 2;
}

/** Windows priority class that best matches a Linux scheduling policy and nice value. */
export function priorityClassOf(policy: number, nice: number): number {
  if (isRealTimePolicy(policy)) return 0x100; // REALTIME_PRIORITY_CLASS
  if (policy === 5 || nice >= 15) return 0x40; // SCHED_IDLE or very nice: IDLE_PRIORITY_CLASS
  if (nice <= -15) return 0x80; // HIGH_PRIORITY_CLASS
  if (nice < 0) return 0x8000; // ABOVE_NORMAL_PRIORITY_CLASS
  if (nice > 0) return 0x4000; // BELOW_NORMAL_PRIORITY_CLASS
  return 0x20; // NORMAL_PRIORITY_CLASS
}

/** The exit status of a zombie from stat's exit_code (a waitpid status). */
export function exitStatusOf(waitStatus: number): number {
  const signal = waitStatus & 0x7f;
  return signal === 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
}

/** A process or thread that has exited: a zombie (Z) or dead (X). */
export function isDead(state: string): boolean {
  return state === 'Z' || state === 'X';
}

/** The Windows exit status of a process or thread: its exit code once it exited, STILL_ACTIVE before. */
export function exitStatusOfStat(stat: StatFields): number {
  return isDead(stat.state) && stat.exitCode !== null ? exitStatusOf(stat.exitCode) : STILL_ACTIVE;
}

/** Boot time of the machine behind a /proc root, µs since the Unix epoch (whole seconds: stable). */
export function readBootTimeUs(files: ProcFiles): number {
  const text = files.readText(files.path('stat'));
  const match = failed(text) ? null : /^btime (\d+)$/m.exec(text);
  return match === null ? 0 : Number(match[1]) * 1_000_000;
}

/** Converts a start time in clock ticks since boot into µs since the Unix epoch. */
export function ticksToUnixUs(bootTimeUs: number, ticks: number): number {
  return bootTimeUs + ticks * US_PER_TICK;
}
