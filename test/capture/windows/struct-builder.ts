/**
 * Builds Windows structures byte by byte at the offsets of the reference table, for the decode
 * tests: what the binding reads from them must come out of its own koffi declarations.
 */
import { createRequire } from 'node:module';
import { REFERENCE_LAYOUT } from './reference-layout.js';

const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');

/** A value for a field: an integer (written little-endian at the field's size) or UTF-16 text. */
export type FieldValue = number | bigint | { utf16: string };

/** A zero-filled `struct` with `values` written at the reference offsets. */
export function buildStruct(struct: string, values: Record<string, FieldValue>): Uint8Array {
  const layout = REFERENCE_LAYOUT[struct];
  if (layout === undefined) throw new Error(`no reference layout for ${struct}`);
  const bytes = new Uint8Array(layout.size);
  const view = new DataView(bytes.buffer);
  for (const [path, value] of Object.entries(values)) {
    const field = layout.fields.find(([name]) => name === path);
    if (field === undefined) throw new Error(`${struct} has no field ${path}`);
    const [, offset, size] = field;
    if (typeof value === 'object') {
      if (value.utf16.length * 2 > size) throw new Error(`${path} holds ${size / 2} code units`);
      for (let i = 0; i < value.utf16.length; i++) view.setUint16(offset + i * 2, value.utf16.charCodeAt(i), true);
      continue;
    }
    const unsigned = BigInt.asUintN(size * 8, BigInt(value));
    if (size === 8) view.setBigUint64(offset, unsigned, true);
    else if (size === 4) view.setUint32(offset, Number(unsigned), true);
    else if (size === 2) view.setUint16(offset, Number(unsigned), true);
    else throw new Error(`${path}: no integer of ${size} bytes`);
  }
  return bytes;
}

/** FILETIME ticks (100 ns since 1601) of a time given in µs since 1970, plus extra ticks. */
export function fileTimeTicks(unixUs: number, extraTicks = 0): bigint {
  return BigInt(unixUs) * 10n + 116_444_736_000_000_000n + BigInt(extraTicks);
}

/**
 * Native memory holding `bytes`, as Windows hands out marker-owned strings and buffers; its
 * address goes into a pointer field. Freed by the returned function.
 */
export function nativeMemory(bytes: Uint8Array): { address: bigint; free: () => void } {
  const pointer = koffi.alloc('uint8', Math.max(bytes.length, 1));
  if (bytes.length > 0) koffi.encode(pointer, koffi.array('uint8', bytes.length), Array.from(bytes));
  return { address: koffi.address(pointer), free: () => koffi.free(pointer) };
}

/** UTF-16LE bytes of `text`, optionally followed by more bytes (a NUL, or what must not be read). */
export function utf16Bytes(text: string, ...after: number[]): Uint8Array {
  const units = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
  return new Uint8Array([...new Uint8Array(new Uint16Array(units).buffer), ...after]);
}
