/** PSS_THREAD_FLAGS. */
export enum ThreadFlags {
  None = 0x0000,
  Terminated = 0x0001,
}
