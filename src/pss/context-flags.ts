import { CONTEXT_FLAGS } from './memory.js';
import { PssError } from './pss-error.js';

/** CONTEXT flag names as `--context-flags` takes them. */
const NAMES: Record<string, number> = {
  control: CONTEXT_FLAGS.CONTEXT_CONTROL,
  integer: CONTEXT_FLAGS.CONTEXT_INTEGER,
  segments: CONTEXT_FLAGS.CONTEXT_SEGMENTS,
  'floating-point': CONTEXT_FLAGS.CONTEXT_FLOATING_POINT,
  'debug-registers': CONTEXT_FLAGS.CONTEXT_DEBUG_REGISTERS,
  full: CONTEXT_FLAGS.CONTEXT_FULL,
  all: CONTEXT_FLAGS.CONTEXT_ALL,
  xstate: CONTEXT_FLAGS.CONTEXT_XSTATE,
};

/**
 * Parses x64 CONTEXT flags for thread contexts (PssCaptureSnapshot's ThreadContextFlags): names
 * (`full`, `all`, `xstate`, `control`, ...) joined by commas, Windows names (`CONTEXT_FULL`), or
 * a number (`0x10004b`).
 *
 * @example parseContextFlags('full,xstate')  // 0x0010004b
 */
export function parseContextFlags(text: string): number {
  let flags = 0;
  for (const part of text.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '')) {
    const name = part.replace(/^context_/, '').replaceAll('_', '-');
    const value = NAMES[name] ?? (/^(0x[0-9a-f]+|\d+)$/.test(part) ? Number(part) : undefined);
    if (value === undefined || value > 0xffffffff) {
      throw new PssError('ERROR_INVALID_PARAMETER', `unknown context flag '${part}' (known: ${Object.keys(NAMES).join(', ')}, or a number)`, {
        option: 'context-flags',
      });
    }
    flags = (flags | value) >>> 0;
  }
  return flags;
}
