/**
 * PSS_OBJECT_TYPE: the kind of object a handle refers to; selects the type-specific arm.
 *
 * @example
 * if (h.typeSpecific?.objectType === ObjectType.Process) console.log('a handle to pid', h.typeSpecific.processId)
 */
export enum ObjectType {
  Unknown = 0,
  Process = 1,
  Thread = 2,
  Mutant = 3,
  Event = 4,
  Section = 5,
  Semaphore = 6,
}
