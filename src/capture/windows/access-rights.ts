import { CaptureFlags, hasFlag } from '../../pss/index.js';

/** Process access rights (winnt.h) that PssCaptureSnapshot needs on the process handle. */
export const ProcessAccess = {
  PROCESS_CREATE_PROCESS: 0x0080,
  PROCESS_VM_READ: 0x0010,
  PROCESS_DUP_HANDLE: 0x0040,
  PROCESS_QUERY_INFORMATION: 0x0400,
} as const;

export type ProcessAccessName = keyof typeof ProcessAccess;

/** One access right a capture needs, and the capture flags that need it. */
export interface RequiredAccess {
  name: ProcessAccessName;
  right: number;
  /** Windows names of the flags that need the right; `process information` for the base one. */
  neededBy: string[];
}

/*
 * Windows documents only PROCESS_VM_READ (for section information). The rest follows what the
 * capture does: process information, the thread list and the handle table are queried
 * (PROCESS_QUERY_INFORMATION); handles are duplicated to read their names and details
 * (PROCESS_DUP_HANDLE); memory is read for the VA space and auxiliary pages (PROCESS_VM_READ);
 * the VA clone is a process created with the target as its parent (PROCESS_CREATE_PROCESS).
 */
// A sub-flag counts only with its parent flag, as Windows only consults it there.
const RULES: readonly { name: ProcessAccessName; flag: CaptureFlags | null; parent?: CaptureFlags; flagName: string }[] = [
  { name: 'PROCESS_QUERY_INFORMATION', flag: null, flagName: 'process information' },
  { name: 'PROCESS_VM_READ', flag: CaptureFlags.VaSpace, flagName: 'PSS_CAPTURE_VA_SPACE' },
  { name: 'PROCESS_VM_READ', flag: CaptureFlags.VaSpaceSectionInformation, parent: CaptureFlags.VaSpace, flagName: 'PSS_CAPTURE_VA_SPACE_SECTION_INFORMATION' },
  { name: 'PROCESS_VM_READ', flag: CaptureFlags.Reserved00000002, flagName: 'PSS_CAPTURE_RESERVED_00000002' },
  { name: 'PROCESS_DUP_HANDLE', flag: CaptureFlags.HandleNameInformation, parent: CaptureFlags.Handles, flagName: 'PSS_CAPTURE_HANDLE_NAME_INFORMATION' },
  { name: 'PROCESS_DUP_HANDLE', flag: CaptureFlags.HandleBasicInformation, parent: CaptureFlags.Handles, flagName: 'PSS_CAPTURE_HANDLE_BASIC_INFORMATION' },
  { name: 'PROCESS_DUP_HANDLE', flag: CaptureFlags.HandleTypeSpecificInformation, parent: CaptureFlags.Handles, flagName: 'PSS_CAPTURE_HANDLE_TYPE_SPECIFIC_INFORMATION' },
  { name: 'PROCESS_CREATE_PROCESS', flag: CaptureFlags.VaClone, flagName: 'PSS_CAPTURE_VA_CLONE' },
];

/**
 * The process access rights a capture with `flags` needs, each with the flags that need it.
 *
 * @example requiredAccess(CaptureFlags.VaSpace).map((a) => a.name)
 * // ['PROCESS_QUERY_INFORMATION', 'PROCESS_VM_READ']
 */
export function requiredAccess(flags: number): RequiredAccess[] {
  const byName = new Map<ProcessAccessName, RequiredAccess>();
  for (const rule of RULES) {
    if (rule.flag !== null && !hasFlag(flags, rule.flag)) continue;
    if (rule.parent !== undefined && !hasFlag(flags, rule.parent)) continue;
    let access = byName.get(rule.name);
    if (access === undefined) {
      access = { name: rule.name, right: ProcessAccess[rule.name], neededBy: [] };
      byName.set(rule.name, access);
    }
    access.neededBy.push(rule.flagName);
  }
  return [...byName.values()];
}

/** The rights of {@link requiredAccess} ORed into the `dwDesiredAccess` of OpenProcess. */
export function accessMask(required: readonly RequiredAccess[]): number {
  return required.reduce((mask, access) => (mask | access.right) >>> 0, 0);
}

/** `PROCESS_VM_READ (for PSS_CAPTURE_VA_SPACE)`: what a person needs to grant. */
export function describeAccess(access: RequiredAccess): string {
  return `${access.name} (for ${access.neededBy.join(', ')})`;
}
