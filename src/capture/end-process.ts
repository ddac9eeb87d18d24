import { LIBC_NAME } from './linux/libc.js';
import { loadKoffi } from './windows/load-koffi.js';

/**
 * Ends this process at once with `exitCode`, as the system ends a process: no exit handlers run
 * and no thread is waited for. Node joins every worker thread at exit, and a thread blocked in a
 * call that never returns (a hung capture, a read inside SQLite) never joins. TerminateProcess on
 * Windows, the C library's _exit elsewhere. Throws when koffi cannot be loaded on this machine.
 */
export function endProcessNow(exitCode: number): void {
  const koffi = loadKoffi();
  if (process.platform === 'win32') {
    const kernel32 = koffi.load('kernel32.dll');
    const terminate = kernel32.func('int32_t __stdcall TerminateProcess(uintptr_t hProcess, uint32_t uExitCode)');
    terminate(kernel32.func('uintptr_t __stdcall GetCurrentProcess()')(), exitCode >>> 0);
  } else {
    koffi.load(LIBC_NAME).func('void _exit(int status)')(exitCode);
  }
}
