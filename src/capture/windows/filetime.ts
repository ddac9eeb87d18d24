/** A FILETIME as koffi decodes it: two 32-bit halves (the struct is 4-byte aligned). */
export interface FileTime {
  dwLowDateTime: number;
  dwHighDateTime: number;
}

/** 100-ns ticks between 1601-01-01 (the FILETIME epoch) and 1970-01-01. */
const UNIX_EPOCH_TICKS = 116_444_736_000_000_000n;

function ticks(time: FileTime): bigint {
  return (BigInt(time.dwHighDateTime >>> 0) << 32n) | BigInt(time.dwLowDateTime >>> 0);
}

/**
 * An absolute FILETIME as µs since the Unix epoch (rounded down to the µs); null for 0, which is
 * how Windows says "never" (the exit time of a live process) or "not recorded".
 */
export function fileTimeToUnixUs(time: FileTime): number | null {
  const value = ticks(time);
  if (value === 0n) return null;
  // Floor division, also for times before 1970 (BigInt division truncates toward zero).
  const offset = value - UNIX_EPOCH_TICKS;
  const us = offset >= 0n ? offset / 10n : -((-offset + 9n) / 10n);
  return Number(us);
}

/** A FILETIME that holds a duration (kernel or user time) in µs, rounded down. */
export function fileTimeToDurationUs(time: FileTime): number {
  return Number(ticks(time) / 10n);
}
