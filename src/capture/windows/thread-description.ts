import type { Koffi } from './load-koffi.js';

/** How reading one thread's name went. */
export type ThreadNameOutcome = { name: string | null; outcome: 'read' | 'denied' | 'vanished' | 'failed' };

/** Reads thread names of any process by thread id, with GetThreadDescription. */
export interface ThreadDescriptionReader {
  read(threadId: number): ThreadNameOutcome;
}

const THREAD_QUERY_LIMITED_INFORMATION = 0x0800;
const ERROR_ACCESS_DENIED = 5;
const ERROR_INVALID_PARAMETER = 87;

/**
 * Binds GetThreadDescription (Windows 10 1607 and later; Wine has it too), or null on a Windows
 * that has none. A thread's description is what SetThreadDescription gave it; an unnamed thread
 * has an empty one, read as null.
 */
export function loadThreadDescriptionReader(koffi: Koffi): ThreadDescriptionReader | null {
  const kernel32 = koffi.load('kernel32.dll');
  let GetThreadDescription: (thread: number | bigint, description: [unknown]) => number;
  try {
    GetThreadDescription = kernel32.func('int32_t __stdcall GetThreadDescription(uintptr_t hThread, _Out_ void **ppszThreadDescription)');
  } catch {
    return null; // an older Windows: no such export
  }
  const OpenThread = kernel32.func('uintptr_t __stdcall OpenThread(uint32_t dwDesiredAccess, int32_t bInheritHandle, uint32_t dwThreadId)');
  const CloseHandle = kernel32.func('int32_t __stdcall CloseHandle(uintptr_t hObject)');
  const LocalFree = kernel32.func('void * __stdcall LocalFree(void *hMem)');
  const GetLastError = kernel32.func('uint32_t __stdcall GetLastError()');
  return {
    read(threadId: number): ThreadNameOutcome {
      const thread = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, 0, threadId) as number | bigint;
      if (BigInt(thread) === 0n) {
        const code = GetLastError();
        // OpenThread names a thread that has exited ERROR_INVALID_PARAMETER, as OpenProcess does.
        return { name: null, outcome: code === ERROR_ACCESS_DENIED ? 'denied' : code === ERROR_INVALID_PARAMETER ? 'vanished' : 'failed' };
      }
      try {
        const description: [unknown] = [null];
        const result = GetThreadDescription(thread, description);
        if (result < 0 || description[0] === null) return { name: null, outcome: result === -2147024891 ? 'denied' : 'failed' };
        try {
          // NUL-terminated UTF-16, copied unit for unit (a lone surrogate stays one).
          const name = koffi.decode(description[0], 'char16_t', -1) as string;
          return { name: name === '' ? null : name, outcome: 'read' };
        } finally {
          LocalFree(description[0]);
        }
      } finally {
        CloseHandle(thread);
      }
    },
  };
}
