/** PSS_DUPLICATE_FLAGS. */
export enum DuplicateFlags {
  None = 0x00,
  CloseSource = 0x01,
}
