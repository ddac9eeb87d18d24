import { PssError } from '../../pss/pss-error.js';
import type { ListedProcess } from '../capturer.js';
import { fileTimeToUnixUs } from './filetime.js';
import type { Koffi } from './load-koffi.js';

/** x64 PROCESSENTRY32W: its size and the offsets pssql reads (tlhelp32.h). */
export const PROCESSENTRY32W = { size: 568, th32ProcessID: 8, th32ParentProcessID: 32, szExeFile: 44, exeFileChars: 260 } as const;

const TH32CS_SNAPPROCESS = 0x2;
const ERROR_NO_MORE_FILES = 18;
const INVALID_HANDLE_VALUE = 0xffff_ffff_ffff_ffffn;

/** The Toolhelp32 functions of kernel32.dll that list processes. */
export interface ToolhelpApi {
  CreateToolhelp32Snapshot(flags: number, pid: number): object;
  Process32FirstW(snapshot: object, entry: Uint8Array): number;
  Process32NextW(snapshot: object, entry: Uint8Array): number;
  CloseHandle(handle: object): number;
  GetLastError(): number;
  address(handle: object): bigint;
  /** The creation time of `pid`, µs since 1970, or null when it may not be read. */
  creationTimeUs(pid: number): number | null;
}

const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

/** Binds the Toolhelp32 functions; the entry is passed as raw bytes and decoded by offset, as the Pss* records are. */
export function loadToolhelpApi(koffi: Koffi): ToolhelpApi {
  const kernel32 = koffi.load('kernel32.dll');
  const OpenProcess = kernel32.func('uintptr_t __stdcall OpenProcess(uint32_t dwDesiredAccess, int32_t bInheritHandle, uint32_t dwProcessId)');
  const CloseHandle = kernel32.func('int32_t __stdcall CloseHandle(uintptr_t hObject)');
  const GetProcessTimes = kernel32.func(
    'int32_t __stdcall GetProcessTimes(uintptr_t hProcess, _Out_ uint64_t *lpCreationTime, _Out_ uint64_t *lpExitTime, _Out_ uint64_t *lpKernelTime, _Out_ uint64_t *lpUserTime)',
  );
  return {
    CreateToolhelp32Snapshot: kernel32.func('void * __stdcall CreateToolhelp32Snapshot(uint32_t dwFlags, uint32_t th32ProcessID)'),
    Process32FirstW: kernel32.func('int __stdcall Process32FirstW(void *hSnapshot, void *lppe)'),
    Process32NextW: kernel32.func('int __stdcall Process32NextW(void *hSnapshot, void *lppe)'),
    CloseHandle: kernel32.func('int __stdcall CloseHandle(void *hObject)'),
    GetLastError: kernel32.func('uint32_t __stdcall GetLastError()'),
    address: (handle) => koffi.address(handle),
    creationTimeUs(pid: number): number | null {
      // The least right there is: it is granted on nearly every process, services included.
      const process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
      if (BigInt(process) === 0n) return null;
      try {
        const times: [bigint | number | null][] = [[null], [null], [null], [null]];
        if (GetProcessTimes(process, ...times) === 0 || times[0]![0] === null) return null;
        const ticks = BigInt(times[0]![0]);
        return fileTimeToUnixUs({ dwLowDateTime: Number(ticks & 0xffff_ffffn), dwHighDateTime: Number(ticks >> 32n) });
      } finally {
        CloseHandle(process);
      }
    },
  } as ToolhelpApi;
}

/** Decodes one PROCESSENTRY32W; the exe name is a NUL-terminated UTF-16 array of 260 units. */
export function decodeProcessEntry(entry: Uint8Array): { pid: number; parentPid: number; exeFile: string } {
  const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
  let end = PROCESSENTRY32W.szExeFile;
  const limit = PROCESSENTRY32W.szExeFile + 2 * PROCESSENTRY32W.exeFileChars;
  while (end < limit && view.getUint16(end, true) !== 0) end += 2;
  return {
    pid: view.getUint32(PROCESSENTRY32W.th32ProcessID, true),
    parentPid: view.getUint32(PROCESSENTRY32W.th32ParentProcessID, true),
    exeFile: Buffer.from(entry.buffer, entry.byteOffset + PROCESSENTRY32W.szExeFile, end - PROCESSENTRY32W.szExeFile).toString('utf16le'),
  };
}

/**
 * Lists the processes of this Windows machine with CreateToolhelp32Snapshot, which needs no
 * right on the processes themselves; each one's start key is its creation time (µs since 1970, as
 * a capture's createTimeUs), null where even PROCESS_QUERY_LIMITED_INFORMATION is refused. The
 * System Idle Process (pid 0) is left out: it cannot be captured.
 */
export function listWindowsProcesses(k: ToolhelpApi): ListedProcess[] {
  const snapshot = k.CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snapshot === null || k.address(snapshot) === INVALID_HANDLE_VALUE) {
    throw new PssError(k.GetLastError(), 'cannot list processes: CreateToolhelp32Snapshot failed', { function: 'CreateToolhelp32Snapshot' });
  }
  try {
    const entry = new Uint8Array(PROCESSENTRY32W.size);
    new DataView(entry.buffer).setUint32(0, PROCESSENTRY32W.size, true);
    const listed: ListedProcess[] = [];
    for (let ok = k.Process32FirstW(snapshot, entry); ok !== 0; ok = k.Process32NextW(snapshot, entry)) {
      const { pid, exeFile } = decodeProcessEntry(entry);
      // The creation time tells this process from a later one with the same pid (Windows reuses pids soon).
      if (pid !== 0) listed.push({ pid, name: exeFile, imageFileName: null, argv0: null, startKey: k.creationTimeUs(pid) });
    }
    const code = k.GetLastError();
    if (code !== ERROR_NO_MORE_FILES && code !== 0) {
      throw new PssError(code, 'cannot list processes: Process32NextW failed', { function: 'Process32NextW' });
    }
    return listed.sort((a, b) => a.pid - b.pid);
  } finally {
    k.CloseHandle(snapshot);
  }
}
