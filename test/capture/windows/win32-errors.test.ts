/**
 * The Win32 codes the Windows backend meets beyond the Pss* functions' own: each has its name
 * (not WIN32_nnn) and an exit code of its own, never the internal error's.
 */
import test from 'ava';
import { ExitCode, exitCodeOf } from '../../../src/cli/exit-codes.js';
import { PssError, type Win32ErrorName } from '../../../src/pss/index.js';
import type { ExitCodeValue } from '../../../src/cli/exit-codes.js';

test('ERROR_PARTIAL_COPY, ERROR_TIMEOUT and ERROR_PRIVILEGE_NOT_HELD are named, and none is an internal error', (t) => {
  const cases: [number, Win32ErrorName, ExitCodeValue][] = [
    [299, 'ERROR_PARTIAL_COPY', ExitCode.Resource],
    [1460, 'ERROR_TIMEOUT', ExitCode.Resource],
    [1314, 'ERROR_PRIVILEGE_NOT_HELD', ExitCode.AccessDenied],
    [1300, 'ERROR_NOT_ALL_ASSIGNED', ExitCode.Internal],
  ];
  for (const [value, name, exit] of cases) {
    const error = new PssError(value, `cannot capture pid 4242: ${name}`);
    t.is(error.code, name, `${value} is ${name}`);
    t.is(exitCodeOf(error), exit, `${name} exits ${exit}`);
  }
});
