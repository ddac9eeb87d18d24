/**
 * PSS_PROCESS_FLAGS.
 *
 * @example
 * const stopped = hasFlag(snapshot.query(QueryClass.ProcessInformation).flags, ProcessFlags.Frozen)
 */
export enum ProcessFlags {
  None = 0x00000000,
  Protected = 0x00000001,
  Wow64 = 0x00000002,
  Reserved03 = 0x00000004,
  Reserved04 = 0x00000008,
  Frozen = 0x00000010,
}

/**
 * STILL_ACTIVE: the exit status of a process or thread that is still running.
 *
 * @example
 * const exited = snapshot.query(QueryClass.ProcessInformation).exitStatus !== STILL_ACTIVE
 */
export const STILL_ACTIVE = 259;
