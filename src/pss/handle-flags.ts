/**
 * PSS_HANDLE_FLAGS: which parts of a handle entry are valid.
 *
 * @example
 * const named = [...snapshot.entries(WalkClass.Handles)].filter((h) => hasFlag(h.flags, HandleFlags.HaveName))
 */
export enum HandleFlags {
  None = 0x00,
  HaveType = 0x01,
  HaveName = 0x02,
  HaveBasicInformation = 0x04,
  HaveTypeSpecificInformation = 0x08,
}
