import { createRequire } from 'node:module';
import { PssError } from '../pss/pss-error.js';

/*
 * A recording holds command lines, paths and peers: it is for its owner only. On Linux its mode
 * (0600) says so; Windows ignores the mode, and a new file takes the ACL of its folder, which
 * often lets every user read it. There the file gets an ACL of its own: full access for the user
 * who made it, nothing inherited, nobody else.
 */

type Koffi = typeof import('koffi');

const TOKEN_QUERY = 0x0008;
const TOKEN_USER = 1;
const SDDL_REVISION_1 = 1;
const DACL_SECURITY_INFORMATION = 0x0000_0004;
const ERROR_NOT_SUPPORTED = 50;

/** The Windows functions it takes, bound once; koffi is loaded on Windows only, on first use. */
let bound: ReturnType<typeof bind> | undefined;

function bind(koffi: Koffi) {
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  return {
    koffi,
    GetCurrentProcess: kernel32.func('uintptr_t __stdcall GetCurrentProcess()'),
    CloseHandle: kernel32.func('int32_t __stdcall CloseHandle(uintptr_t hObject)'),
    LocalFree: kernel32.func('uintptr_t __stdcall LocalFree(void *hMem)'),
    GetLastError: kernel32.func('uint32_t __stdcall GetLastError()'),
    OpenProcessToken: advapi32.func('int32_t __stdcall OpenProcessToken(uintptr_t ProcessHandle, uint32_t DesiredAccess, _Out_ uintptr_t *TokenHandle)'),
    GetTokenInformation: advapi32.func(
      'int32_t __stdcall GetTokenInformation(uintptr_t TokenHandle, uint32_t TokenInformationClass, _Out_ uint8_t *TokenInformation, uint32_t TokenInformationLength, _Out_ uint32_t *ReturnLength)',
    ),
    ConvertSidToStringSidW: advapi32.func('int32_t __stdcall ConvertSidToStringSidW(void *Sid, _Out_ void **StringSid)'),
    ConvertStringSecurityDescriptorToSecurityDescriptorW: advapi32.func(
      'int32_t __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(const char16_t *StringSecurityDescriptor, uint32_t StringSDRevision, _Out_ void **SecurityDescriptor, void *SecurityDescriptorSize)',
    ),
    // The descriptor's DACL with its control bits: SE_DACL_PROTECTED (SDDL's P) keeps the folder's ACEs out.
    SetFileSecurityW: advapi32.func('int32_t __stdcall SetFileSecurityW(const char16_t *lpFileName, uint32_t SecurityInformation, void *pSecurityDescriptor)'),
  };
}

type Api = ReturnType<typeof bind>;

function failure(api: Api, fn: string, path: string, code = api.GetLastError()): PssError {
  return new PssError(code, `cannot make ${path} private to its owner: ${fn} failed`, { path, function: fn });
}

/** The string SID of the user this process runs as, e.g. `S-1-5-21-…-1001`. */
function currentUserSid(api: Api, path: string): string {
  const token: [number | bigint | null] = [null];
  if (api.OpenProcessToken(api.GetCurrentProcess(), TOKEN_QUERY, token) === 0) throw failure(api, 'OpenProcessToken', path);
  try {
    const user = new Uint8Array(512);
    const length: [number | null] = [null];
    if (api.GetTokenInformation(token[0], TOKEN_USER, user, user.length, length) === 0) throw failure(api, 'GetTokenInformation', path);
    // TOKEN_USER starts with the SID's address, which points into the same buffer.
    const sid = api.koffi.decode(user, 'void *') as unknown;
    const text: [unknown] = [null];
    if (api.ConvertSidToStringSidW(sid, text) === 0) throw failure(api, 'ConvertSidToStringSidW', path);
    try {
      return api.koffi.decode(text[0], 'char16_t', -1) as string;
    } finally {
      api.LocalFree(text[0]);
    }
  } finally {
    api.CloseHandle(token[0]);
  }
}

/**
 * On Windows, replaces the ACL of `path` with one that lets only the current user in (protected:
 * nothing is inherited from the folder). A file system without ACLs (FAT) is left as it is.
 * Elsewhere it does nothing: the file's mode does the same there.
 *
 * @example restrictToOwner('C:\\Users\\me\\pssql.db')
 */
export function restrictToOwner(path: string): void {
  if (process.platform !== 'win32') return;
  bound ??= bind(createRequire(import.meta.url)('koffi') as Koffi);
  const api = bound;
  // D:P - a protected DACL; A;;FA - allow file all access; to the user's SID only.
  const sddl = `D:P(A;;FA;;;${currentUserSid(api, path)})`;
  const descriptor: [unknown] = [null];
  if (api.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, descriptor, null) === 0) {
    throw failure(api, 'ConvertStringSecurityDescriptorToSecurityDescriptorW', path);
  }
  try {
    if (api.SetFileSecurityW(path, DACL_SECURITY_INFORMATION, descriptor[0]) === 0) {
      const code = api.GetLastError();
      if (code !== ERROR_NOT_SUPPORTED) throw failure(api, 'SetFileSecurityW', path, code);
    }
  } finally {
    api.LocalFree(descriptor[0]);
  }
}
