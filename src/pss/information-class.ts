/**
 * PSS_QUERY_INFORMATION_CLASS: the single-instance records of PssQuerySnapshot.
 *
 * @example
 * const { handlesCaptured } = snapshot.query(QueryClass.HandleInformation)
 */
export enum QueryClass {
  ProcessInformation = 0,
  VaCloneInformation = 1,
  AuxiliaryPagesInformation = 2,
  VaSpaceInformation = 3,
  HandleInformation = 4,
  ThreadInformation = 5,
  HandleTraceInformation = 6,
  PerformanceCounters = 7,
}

/**
 * PSS_WALK_INFORMATION_CLASS: the multi-instance records of PssWalkSnapshot.
 *
 * @example
 * for (const thread of snapshot.entries(WalkClass.Threads)) console.log(thread.threadId, thread.name)
 */
export enum WalkClass {
  AuxiliaryPages = 0,
  VaSpace = 1,
  Handles = 2,
  Threads = 3,
  /** Header-only in Windows (no documentation); one entry per captured thread, in thread order. */
  ThreadName = 4,
}

/** x64 `BufferLength` of each query class (the Windows structure size). */
export const QUERY_RECORD_SIZE: Readonly<Record<QueryClass, number>> = {
  [QueryClass.ProcessInformation]: 704,
  [QueryClass.VaCloneInformation]: 8,
  [QueryClass.AuxiliaryPagesInformation]: 4,
  [QueryClass.VaSpaceInformation]: 4,
  [QueryClass.HandleInformation]: 4,
  [QueryClass.ThreadInformation]: 8,
  [QueryClass.HandleTraceInformation]: 16,
  [QueryClass.PerformanceCounters]: 96,
};

/** x64 `BufferLength` of each walk class (the Windows entry size); walk positions step by it. */
export const WALK_ENTRY_SIZE: Readonly<Record<WalkClass, number>> = {
  [WalkClass.AuxiliaryPages]: 80,
  [WalkClass.VaSpace]: 80,
  [WalkClass.Handles]: 136,
  [WalkClass.Threads]: 120,
  [WalkClass.ThreadName]: 16,
};

/** True when `value` is a defined query class. */
export function isQueryClass(value: unknown): value is QueryClass {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 7;
}

/** True when `value` is a defined walk class. */
export function isWalkClass(value: unknown): value is WalkClass {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4;
}
