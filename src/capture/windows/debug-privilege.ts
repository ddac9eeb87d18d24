import type { Koffi } from './load-koffi.js';

/** What became of SeDebugPrivilege in this process's token. */
export type DebugPrivilege = 'enabled' | 'not-held' | 'unknown';

const TOKEN_ADJUST_PRIVILEGES = 0x0020;
const TOKEN_QUERY = 0x0008;
const SE_PRIVILEGE_ENABLED = 0x0002;
const ERROR_NOT_ALL_ASSIGNED = 1300;

/**
 * Enables SeDebugPrivilege when the token holds it (an elevated prompt, a service): with it,
 * OpenProcess grants the rights a capture needs on other users' processes and services. A token
 * without it (a normal prompt) is left as it is and says so: errors then tell how to get it.
 */
export function enableDebugPrivilege(koffi: Koffi): DebugPrivilege {
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  const GetCurrentProcess = kernel32.func('uintptr_t __stdcall GetCurrentProcess()');
  const CloseHandle = kernel32.func('int32_t __stdcall CloseHandle(uintptr_t hObject)');
  const GetLastError = kernel32.func('uint32_t __stdcall GetLastError()');
  const OpenProcessToken = advapi32.func('int32_t __stdcall OpenProcessToken(uintptr_t ProcessHandle, uint32_t DesiredAccess, _Out_ uintptr_t *TokenHandle)');
  const LookupPrivilegeValueW = advapi32.func('int32_t __stdcall LookupPrivilegeValueW(const char16_t *lpSystemName, const char16_t *lpName, _Out_ uint8_t *lpLuid)');
  // TOKEN_PRIVILEGES with one LUID_AND_ATTRIBUTES, passed as its 16 bytes.
  const AdjustTokenPrivileges = advapi32.func(
    'int32_t __stdcall AdjustTokenPrivileges(uintptr_t TokenHandle, int32_t DisableAllPrivileges, const uint8_t *NewState, uint32_t BufferLength, void *PreviousState, void *ReturnLength)',
  );

  const token: [number | bigint | null] = [null];
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, token) === 0 || token[0] === null) return 'unknown';
  try {
    const luid = new Uint8Array(8);
    if (LookupPrivilegeValueW(null, 'SeDebugPrivilege', luid) === 0) return 'unknown';
    const privileges = new Uint8Array(16);
    const view = new DataView(privileges.buffer);
    view.setUint32(0, 1, true); // PrivilegeCount
    privileges.set(luid, 4); // LUID, 4-byte aligned
    view.setUint32(12, SE_PRIVILEGE_ENABLED, true);
    if (AdjustTokenPrivileges(token[0], 0, privileges, privileges.length, null, null) === 0) return 'unknown';
    // It succeeds for a privilege the token lacks, and says so only through the last error.
    return GetLastError() === ERROR_NOT_ALL_ASSIGNED ? 'not-held' : 'enabled';
  } finally {
    CloseHandle(token[0]);
  }
}

/** What an access-denied error adds about the privilege, so a person knows what to try. */
export function privilegeAdvice(privilege: DebugPrivilege): string {
  switch (privilege) {
    case 'enabled':
      return 'even with SeDebugPrivilege enabled (a protected process cannot be captured)';
    case 'not-held':
      return 'SeDebugPrivilege is not held: run pssql from an elevated prompt to capture processes of other users and services';
    default:
      return 'SeDebugPrivilege could not be enabled';
  }
}
