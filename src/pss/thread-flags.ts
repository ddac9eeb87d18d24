/**
 * PSS_THREAD_FLAGS.
 *
 * @example
 * const ended = [...snapshot.entries(WalkClass.Threads)].filter((t) => hasFlag(t.flags, ThreadFlags.Terminated))
 */
export enum ThreadFlags {
  None = 0x0000,
  Terminated = 0x0001,
}
