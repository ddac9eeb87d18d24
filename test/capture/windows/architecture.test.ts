/**
 * Only x64 Node.js is supported on Windows: the CONTEXT layout and the structure sizes the binding
 * declares are x64's. Anything else is refused with one line before koffi is loaded.
 */
import test from 'ava';
import { checkWindowsArchitecture, defaultContextFlags } from '../../../src/capture/windows/index.js';
import { parseContextFlags } from '../../../src/pss/context-flags.js';
import { ExitCode, exitCodeOf } from '../../../src/cli/exit-codes.js';
import { CaptureFlags, CONTEXT_FLAGS } from '../../../src/pss/index.js';

test('ARM64 and 32-bit Node.js are refused with one line; x64 is not', (t) => {
  t.notThrows(() => checkWindowsArchitecture('x64'));
  for (const arch of ['arm64', 'ia32']) {
    const error = t.throws(() => checkWindowsArchitecture(arch), { message: new RegExp(`^cannot capture with ${arch} Node.js: .*supports only x64`) });
    t.false(error?.message.includes('\n'), 'one line');
    t.is(exitCodeOf(error), ExitCode.Usage);
  }
});

test('extended contexts ask for CONTEXT_XSTATE by default; plain ones for CONTEXT_FULL; none without contexts', (t) => {
  t.is(defaultContextFlags(CaptureFlags.Threads), 0);
  t.is(defaultContextFlags(CaptureFlags.Threads | CaptureFlags.ThreadContext), CONTEXT_FLAGS.CONTEXT_FULL);
  t.is(
    defaultContextFlags(CaptureFlags.Threads | CaptureFlags.ThreadContext | CaptureFlags.ThreadContextExtended),
    (CONTEXT_FLAGS.CONTEXT_FULL | CONTEXT_FLAGS.CONTEXT_XSTATE) >>> 0,
  );
});

test('--context-flags takes names, Windows names and numbers, and refuses the rest', (t) => {
  t.is(parseContextFlags('full,xstate'), (CONTEXT_FLAGS.CONTEXT_FULL | CONTEXT_FLAGS.CONTEXT_XSTATE) >>> 0);
  t.is(parseContextFlags('CONTEXT_ALL'), CONTEXT_FLAGS.CONTEXT_ALL);
  t.is(parseContextFlags('control, floating-point'), (CONTEXT_FLAGS.CONTEXT_CONTROL | CONTEXT_FLAGS.CONTEXT_FLOATING_POINT) >>> 0);
  t.is(parseContextFlags('0x10004b'), 0x0010004b);
  const error = t.throws(() => parseContextFlags('full,avx'), { message: /unknown context flag 'avx'/ });
  t.is(exitCodeOf(error), ExitCode.Usage);
});
