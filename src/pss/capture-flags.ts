import { PssError } from './pss-error.js';

/**
 * PSS_CAPTURE_FLAGS with their Windows values: what PssCaptureSnapshot captures.
 * The enum holds 0x80000000, so combine flags with {@link combineFlags} (or `>>> 0`), never
 * with a bare `|`, which yields a negative int32 in JavaScript.
 *
 * @example
 * const flags = combineFlags(CaptureFlags.Handles, CaptureFlags.HandleNameInformation)
 */
export enum CaptureFlags {
  None = 0x00000000,
  VaClone = 0x00000001,
  /** Documented "do not use"; drives auxiliary-page capture on Windows. */
  Reserved00000002 = 0x00000002,
  Handles = 0x00000004,
  HandleNameInformation = 0x00000008,
  HandleBasicInformation = 0x00000010,
  HandleTypeSpecificInformation = 0x00000020,
  HandleTrace = 0x00000040,
  Threads = 0x00000080,
  ThreadContext = 0x00000100,
  ThreadContextExtended = 0x00000200,
  Reserved00000400 = 0x00000400,
  VaSpace = 0x00000800,
  VaSpaceSectionInformation = 0x00001000,
  IptTrace = 0x00002000,
  Reserved00004000 = 0x00004000,
  CreateBreakawayOptional = 0x04000000,
  CreateBreakaway = 0x08000000,
  CreateForceBreakaway = 0x10000000,
  CreateUseVmAllocations = 0x20000000,
  CreateMeasurePerformance = 0x40000000,
  CreateReleaseSection = 0x80000000,
}

/** Bits that PssCaptureSnapshot rejects with ERROR_INVALID_PARAMETER. */
export const UNDEFINED_CAPTURE_BITS = 0x03ff8000;

/**
 * ORs capture flags into an unsigned 32-bit value.
 *
 * @example
 * captureSnapshot({ pid: 1234, flags: combineFlags(CaptureFlags.Handles, CaptureFlags.HandleNameInformation) })
 */
export function combineFlags(...flags: number[]): number {
  let value = 0;
  for (const flag of flags) value = (value | flag) >>> 0;
  return value;
}

/**
 * True when every bit of `flag` is set in `flags`.
 *
 * @example
 * if (hasFlag(snapshot.info.captureFlags, CaptureFlags.VaSpace)) console.log('regions were captured')
 */
export function hasFlag(flags: number, flag: number): boolean {
  return ((flags & flag) >>> 0) === flag >>> 0;
}

/** A capture flag with its Windows name, its pssql name (used by `--flags`) and what it captures. */
export interface CaptureFlagInfo {
  flag: CaptureFlags;
  /** The Windows name, e.g. `PSS_CAPTURE_HANDLES`. */
  win32Name: string;
  /** The pssql name, e.g. `handles`. */
  name: string;
  description: string;
}

/** Every named capture flag, in value order. */
export const CAPTURE_FLAG_INFO: readonly CaptureFlagInfo[] = [
  { flag: CaptureFlags.VaClone, win32Name: 'PSS_CAPTURE_VA_CLONE', name: 'va-clone', description: 'clone the address space (Windows only)' },
  { flag: CaptureFlags.Reserved00000002, win32Name: 'PSS_CAPTURE_RESERVED_00000002', name: 'aux-pages', description: 'auxiliary pages (undocumented, Windows only)' },
  { flag: CaptureFlags.Handles, win32Name: 'PSS_CAPTURE_HANDLES', name: 'handles', description: 'handles (file descriptors on Linux)' },
  { flag: CaptureFlags.HandleNameInformation, win32Name: 'PSS_CAPTURE_HANDLE_NAME_INFORMATION', name: 'handle-names', description: 'object name of each handle' },
  { flag: CaptureFlags.HandleBasicInformation, win32Name: 'PSS_CAPTURE_HANDLE_BASIC_INFORMATION', name: 'handle-basic', description: 'access, attributes, position and inode of each handle' },
  { flag: CaptureFlags.HandleTypeSpecificInformation, win32Name: 'PSS_CAPTURE_HANDLE_TYPE_SPECIFIC_INFORMATION', name: 'handle-type-specific', description: 'type-specific detail: processes, events, sections, sockets' },
  { flag: CaptureFlags.HandleTrace, win32Name: 'PSS_CAPTURE_HANDLE_TRACE', name: 'handle-trace', description: 'handle trace table (Windows only)' },
  { flag: CaptureFlags.Threads, win32Name: 'PSS_CAPTURE_THREADS', name: 'threads', description: 'threads' },
  { flag: CaptureFlags.ThreadContext, win32Name: 'PSS_CAPTURE_THREAD_CONTEXT', name: 'thread-context', description: 'instruction and stack pointer of each thread' },
  { flag: CaptureFlags.ThreadContextExtended, win32Name: 'PSS_CAPTURE_THREAD_CONTEXT_EXTENDED', name: 'thread-context-extended', description: 'extended thread context (Windows only)' },
  { flag: CaptureFlags.Reserved00000400, win32Name: 'PSS_CAPTURE_RESERVED_00000400', name: 'reserved-400', description: 'reserved' },
  { flag: CaptureFlags.VaSpace, win32Name: 'PSS_CAPTURE_VA_SPACE', name: 'va-space', description: 'virtual address space regions' },
  { flag: CaptureFlags.VaSpaceSectionInformation, win32Name: 'PSS_CAPTURE_VA_SPACE_SECTION_INFORMATION', name: 'section-info', description: 'mapped file name and image information of each region' },
  { flag: CaptureFlags.IptTrace, win32Name: 'PSS_CAPTURE_IPT_TRACE', name: 'ipt-trace', description: 'Intel Processor Trace (Windows only)' },
  { flag: CaptureFlags.Reserved00004000, win32Name: 'PSS_CAPTURE_RESERVED_00004000', name: 'reserved-4000', description: 'reserved' },
  { flag: CaptureFlags.CreateBreakawayOptional, win32Name: 'PSS_CREATE_BREAKAWAY_OPTIONAL', name: 'breakaway-optional', description: 'VA clone: fall back to the job if breakaway fails' },
  { flag: CaptureFlags.CreateBreakaway, win32Name: 'PSS_CREATE_BREAKAWAY', name: 'breakaway', description: 'VA clone: leave the job' },
  { flag: CaptureFlags.CreateForceBreakaway, win32Name: 'PSS_CREATE_FORCE_BREAKAWAY', name: 'force-breakaway', description: 'VA clone: forced breakaway (Tcb privilege)' },
  { flag: CaptureFlags.CreateUseVmAllocations, win32Name: 'PSS_CREATE_USE_VM_ALLOCATIONS', name: 'use-vm-allocations', description: 'never use the process heap' },
  { flag: CaptureFlags.CreateMeasurePerformance, win32Name: 'PSS_CREATE_MEASURE_PERFORMANCE', name: 'measure-performance', description: 'time each capture phase (performance counters)' },
  { flag: CaptureFlags.CreateReleaseSection, win32Name: 'PSS_CREATE_RELEASE_SECTION', name: 'release-section', description: 'VA clone: do not keep the image section' },
];

/** Everything about handles: values, names, basic and type-specific information. */
export const ALL_HANDLE_FLAGS = combineFlags(
  CaptureFlags.Handles,
  CaptureFlags.HandleNameInformation,
  CaptureFlags.HandleBasicInformation,
  CaptureFlags.HandleTypeSpecificInformation,
);

/**
 * What `pssql capture` takes by default: everything the Linux backend can read cheaply.
 * (Thread contexts on Linux come from the same file as the last system call, so they are free.)
 *
 * @example
 * captureSnapshot({ pid: 1234, flags: DEFAULT_CAPTURE_FLAGS | CaptureFlags.HandleTrace }) // Windows only
 */
export const DEFAULT_CAPTURE_FLAGS = combineFlags(
  ALL_HANDLE_FLAGS,
  CaptureFlags.Threads,
  CaptureFlags.ThreadContext,
  CaptureFlags.VaSpace,
  CaptureFlags.VaSpaceSectionInformation,
  CaptureFlags.CreateMeasurePerformance,
);

/** Named groups accepted by `--flags` besides single flag names. */
export const CAPTURE_FLAG_PRESETS: Readonly<Record<string, number>> = {
  default: DEFAULT_CAPTURE_FLAGS,
  none: CaptureFlags.None,
  'all-handles': ALL_HANDLE_FLAGS,
  perf: CaptureFlags.CreateMeasurePerformance,
  regions: combineFlags(CaptureFlags.VaSpace, CaptureFlags.VaSpaceSectionInformation),
};

const byName = new Map<string, number>();
for (const info of CAPTURE_FLAG_INFO) {
  byName.set(info.name, info.flag >>> 0);
  byName.set(info.win32Name.toLowerCase(), info.flag >>> 0);
}
for (const [name, value] of Object.entries(CAPTURE_FLAG_PRESETS)) byName.set(name, value);

/**
 * Parses capture flags written as a comma- or `|`-separated list of pssql names (`handles`),
 * Windows names (`PSS_CAPTURE_HANDLES`), presets (`default`) or numbers (`0x804`). A list that
 * starts with `-x` or `+x` changes the default (`-threads` is the default without threads), as
 * nobody means "nothing, minus threads". Removing a flag removes the flags that detail it too
 * (`-threads` takes thread-context with it).
 *
 * @example parseCaptureFlags('default,-thread-context')  // a leading `-` removes flags
 * @example parseCaptureFlags('-threads')                 // DEFAULT_CAPTURE_FLAGS without threads
 */
export function parseCaptureFlags(text: string): number {
  const trimmed = String(text).trim();
  let value = trimmed.startsWith('-') || trimmed.startsWith('+') ? DEFAULT_CAPTURE_FLAGS >>> 0 : 0;
  const parts = trimmed.split(/[,|+\s]+/).filter((part) => part !== '');
  if (parts.length === 0) {
    throw new PssError('ERROR_INVALID_PARAMETER', 'no capture flags given', { option: 'flags' });
  }
  for (const part of parts) {
    const remove = part.startsWith('-');
    const name = (remove ? part.slice(1) : part).toLowerCase();
    let flag = byName.get(name);
    if (flag === undefined && /^(0x[0-9a-f]+|\d+)$/.test(name)) flag = Number(name) >>> 0;
    if (flag === undefined || !Number.isSafeInteger(flag) || flag > 0xffffffff) {
      throw new PssError(
        'ERROR_INVALID_PARAMETER',
        `unknown capture flag '${part}' (see 'pssql capture --help' for the names)`,
        { option: 'flags' },
      );
    }
    value = remove ? (value & ~withDetails(flag)) >>> 0 : (value | flag) >>> 0;
  }
  return value;
}

/**
 * The pssql names of the flags set in `flags`; unnamed bits as hex.
 *
 * @example
 * captureFlagNames(CaptureFlags.Handles | CaptureFlags.Threads) // ['handles', 'threads']
 */
export function captureFlagNames(flags: number): string[] {
  const names: string[] = [];
  let rest = flags >>> 0;
  for (const info of CAPTURE_FLAG_INFO) {
    if (hasFlag(rest, info.flag)) {
      names.push(info.name);
      rest = (rest & ~info.flag) >>> 0;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names;
}

const PARENT_FLAGS: readonly [child: CaptureFlags, parent: CaptureFlags][] = [
  [CaptureFlags.HandleNameInformation, CaptureFlags.Handles],
  [CaptureFlags.HandleBasicInformation, CaptureFlags.Handles],
  [CaptureFlags.HandleTypeSpecificInformation, CaptureFlags.Handles],
  [CaptureFlags.ThreadContext, CaptureFlags.Threads],
  [CaptureFlags.ThreadContextExtended, CaptureFlags.ThreadContext],
  [CaptureFlags.VaSpaceSectionInformation, CaptureFlags.VaSpace],
];

/** A flag with every flag that details it, transitively (threads: thread-context, thread-context-extended). */
function withDetails(flag: number): number {
  let all = flag >>> 0;
  for (let grown = true; grown; ) {
    grown = false;
    for (const [child, parent] of PARENT_FLAGS) {
      if (hasFlag(all, parent) && !hasFlag(all, child)) {
        all = (all | child) >>> 0;
        grown = true;
      }
    }
  }
  return all;
}

function flagLabel(flag: CaptureFlags): string {
  const info = CAPTURE_FLAG_INFO.find((i) => i.flag === flag);
  return info === undefined ? `0x${(flag >>> 0).toString(16)}` : `${info.win32Name} (${info.name})`;
}

/**
 * Checks capture flags as PssCaptureSnapshot does (undefined bits, BREAKAWAY_OPTIONAL alone) and
 * one rule more: a detail flag without the flag it details (handle names without handles) is an
 * error, where Windows would silently capture nothing.
 */
export function validateCaptureFlags(flags: number): void {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw new TypeError('flags must be an unsigned 32-bit integer of CaptureFlags');
  }
  const undefinedBits = (flags & UNDEFINED_CAPTURE_BITS) >>> 0;
  if (undefinedBits !== 0) {
    throw new PssError('ERROR_INVALID_PARAMETER', `capture flags 0x${(flags >>> 0).toString(16)} set undefined bits 0x${undefinedBits.toString(16)}`, {
      function: 'PssCaptureSnapshot',
      option: 'flags',
    });
  }
  if (
    hasFlag(flags, CaptureFlags.CreateBreakawayOptional) &&
    !hasFlag(flags, CaptureFlags.CreateBreakaway) &&
    !hasFlag(flags, CaptureFlags.CreateForceBreakaway)
  ) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${flagLabel(CaptureFlags.CreateBreakawayOptional)} needs ${flagLabel(CaptureFlags.CreateBreakaway)} or ${flagLabel(CaptureFlags.CreateForceBreakaway)}`, {
      function: 'PssCaptureSnapshot',
      option: 'PSS_CREATE_BREAKAWAY_OPTIONAL',
    });
  }
  for (const [child, parent] of PARENT_FLAGS) {
    if (hasFlag(flags, child) && !hasFlag(flags, parent)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `capture flag ${flagLabel(child)} needs ${flagLabel(parent)}`, {
        function: 'PssCaptureSnapshot',
        option: CAPTURE_FLAG_INFO.find((i) => i.flag === child)?.win32Name ?? 'flags',
      });
    }
  }
}
