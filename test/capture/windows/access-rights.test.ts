/**
 * The process access rights a capture asks OpenProcess for, by capture flag, and how a denial is
 * worded: these decide whether a capture works without administrator rights.
 */
import test from 'ava';
import { requiredAccess } from '../../../src/capture/windows/index.js';
import { describeAccess } from '../../../src/capture/windows/access-rights.js';
import { ALL_HANDLE_FLAGS, CaptureFlags, combineFlags } from '../../../src/pss/index.js';

const names = (flags: number) => requiredAccess(flags).map((access) => access.name);

test('process information alone needs PROCESS_QUERY_INFORMATION only', (t) => {
  t.deepEqual(requiredAccess(CaptureFlags.None), [
    { name: 'PROCESS_QUERY_INFORMATION', right: 0x400, neededBy: ['process information'] },
  ]);
  t.deepEqual(names(combineFlags(CaptureFlags.Threads, CaptureFlags.ThreadContext, CaptureFlags.Handles, CaptureFlags.HandleTrace)), [
    'PROCESS_QUERY_INFORMATION',
  ]);
});

test('memory needs PROCESS_VM_READ, handle details PROCESS_DUP_HANDLE, a VA clone PROCESS_CREATE_PROCESS', (t) => {
  t.deepEqual(names(CaptureFlags.VaSpace), ['PROCESS_QUERY_INFORMATION', 'PROCESS_VM_READ']);
  t.deepEqual(names(ALL_HANDLE_FLAGS), ['PROCESS_QUERY_INFORMATION', 'PROCESS_DUP_HANDLE']);
  t.deepEqual(names(CaptureFlags.VaClone), ['PROCESS_QUERY_INFORMATION', 'PROCESS_CREATE_PROCESS']);
});

test('a detail flag without its parent flag asks for nothing (Windows ignores it)', (t) => {
  t.deepEqual(names(combineFlags(CaptureFlags.HandleNameInformation, CaptureFlags.VaSpaceSectionInformation)), ['PROCESS_QUERY_INFORMATION']);
});

test('a denial names the right and every flag that needs it', (t) => {
  const flags = combineFlags(
    CaptureFlags.VaSpace,
    CaptureFlags.VaSpaceSectionInformation,
    CaptureFlags.Handles,
    CaptureFlags.HandleNameInformation,
  );
  t.deepEqual(requiredAccess(flags).map(describeAccess), [
    'PROCESS_QUERY_INFORMATION (for process information)',
    'PROCESS_VM_READ (for PSS_CAPTURE_VA_SPACE, PSS_CAPTURE_VA_SPACE_SECTION_INFORMATION)',
    'PROCESS_DUP_HANDLE (for PSS_CAPTURE_HANDLE_NAME_INFORMATION)',
  ]);
});
