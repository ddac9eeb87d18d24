/**
 * MEMORY_BASIC_INFORMATION.State values.
 *
 * @example
 * const committed = regions.filter((r) => r.state === MemState.Commit)
 */
export enum MemState {
  Commit = 0x1000,
  Reserve = 0x2000,
  Free = 0x10000,
}

/**
 * MEMORY_BASIC_INFORMATION.Type values.
 *
 * @example
 * const images = regions.filter((r) => r.type === MemType.Image)
 */
export enum MemType {
  Private = 0x20000,
  Mapped = 0x40000,
  Image = 0x1000000,
}

/**
 * PAGE_* memory protection constants (the low byte) and modifiers.
 *
 * @example
 * const writableCode = regions.filter((r) => (r.protect & 0xff) === PageProtection.ExecuteReadWrite)
 */
export enum PageProtection {
  NoAccess = 0x01,
  ReadOnly = 0x02,
  ReadWrite = 0x04,
  WriteCopy = 0x08,
  Execute = 0x10,
  ExecuteRead = 0x20,
  ExecuteReadWrite = 0x40,
  ExecuteWriteCopy = 0x80,
  Guard = 0x100,
  NoCache = 0x200,
  WriteCombine = 0x400,
}

/** Windows names of the base protections, e.g. `PAGE_READWRITE`. */
export const PAGE_PROTECTION_NAMES: Readonly<Record<number, string>> = {
  0x01: 'PAGE_NOACCESS',
  0x02: 'PAGE_READONLY',
  0x04: 'PAGE_READWRITE',
  0x08: 'PAGE_WRITECOPY',
  0x10: 'PAGE_EXECUTE',
  0x20: 'PAGE_EXECUTE_READ',
  0x40: 'PAGE_EXECUTE_READWRITE',
  0x80: 'PAGE_EXECUTE_WRITECOPY',
};

/** Short `rwx` form of the base protections (`c` marks copy-on-write). */
export const PAGE_PROTECTION_SHORT: Readonly<Record<number, string>> = {
  0x01: '---',
  0x02: 'r--',
  0x04: 'rw-',
  0x08: 'rc-',
  0x10: '--x',
  0x20: 'r-x',
  0x40: 'rwx',
  0x80: 'rcx',
};

/** x64 CONTEXT size in bytes and the ContextFlags values PssCaptureSnapshot takes. */
export const CONTEXT_SIZE_X64 = 1232;
export const CONTEXT_FLAGS = {
  CONTEXT_AMD64: 0x00100000,
  CONTEXT_CONTROL: 0x00100001,
  CONTEXT_INTEGER: 0x00100002,
  CONTEXT_SEGMENTS: 0x00100004,
  CONTEXT_FLOATING_POINT: 0x00100008,
  CONTEXT_DEBUG_REGISTERS: 0x00100010,
  CONTEXT_FULL: 0x0010000b,
  CONTEXT_ALL: 0x0010001f,
  CONTEXT_XSTATE: 0x00100040,
} as const;
