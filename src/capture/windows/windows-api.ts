import { PssError } from '../../pss/pss-error.js';
import { type Koffi, loadKoffi } from './load-koffi.js';
import { pssTypes } from './pss-types.js';

/** A koffi pointer value (an opaque handle): HANDLE, HPSS or HPSSWALK, or its address. */
export type Pointer = object | bigint;

/**
 * The Win32 functions the backend calls: the ten documented Pss* functions (from kernel32.dll,
 * or from another DLL that exports them) and the process functions of kernel32.dll. Every Pss*
 * function returns its Win32 error code; out-parameters are one-element arrays.
 */
export interface WindowsApi {
  readonly koffi: Koffi;
  /** The file the Pss* functions come from. */
  readonly pssLibrary: string;
  PssCaptureSnapshot(process: Pointer, flags: number, threadContextFlags: number, snapshot: [Pointer | null]): number;
  PssDuplicateSnapshot(source: Pointer, snapshot: Pointer, target: Pointer, duplicate: [Pointer | null], flags: number): number;
  PssFreeSnapshot(process: Pointer, snapshot: Pointer): number;
  PssQuerySnapshot(snapshot: Pointer | null, cls: number, buffer: Uint8Array | null, length: number): number;
  PssWalkSnapshot(snapshot: Pointer | null, cls: number, marker: Pointer | null, buffer: Uint8Array | null, length: number): number;
  PssWalkMarkerCreate(allocator: null, marker: [Pointer | null]): number;
  PssWalkMarkerFree(marker: Pointer): number;
  PssWalkMarkerGetPosition(marker: Pointer, position: [number | bigint | null]): number;
  PssWalkMarkerSetPosition(marker: Pointer, position: bigint): number;
  PssWalkMarkerSeekToBeginning(marker: Pointer): number;
  OpenProcess(access: number, inheritHandle: number, pid: number): Pointer | null;
  CloseHandle(handle: Pointer): number;
  GetCurrentProcess(): Pointer;
  GetLastError(): number;
}

// MSDN prototypes (processsnapshot.h); __stdcall is what WINAPI means, and is ignored on x64.
const PSS_PROTOTYPES = [
  'DWORD __stdcall PssCaptureSnapshot(HANDLE ProcessHandle, DWORD CaptureFlags, DWORD ThreadContextFlags, _Out_ HPSS *SnapshotHandle)',
  'DWORD __stdcall PssDuplicateSnapshot(HANDLE SourceProcessHandle, HPSS SnapshotHandle, HANDLE TargetProcessHandle, _Out_ HPSS *TargetSnapshotHandle, DWORD Flags)',
  'DWORD __stdcall PssFreeSnapshot(HANDLE ProcessHandle, HPSS SnapshotHandle)',
  'DWORD __stdcall PssQuerySnapshot(HPSS SnapshotHandle, DWORD InformationClass, void *Buffer, DWORD BufferLength)',
  'DWORD __stdcall PssWalkSnapshot(HPSS SnapshotHandle, DWORD InformationClass, HPSSWALK WalkMarkerHandle, void *Buffer, DWORD BufferLength)',
  'DWORD __stdcall PssWalkMarkerCreate(const PSS_ALLOCATOR *Allocator, _Out_ HPSSWALK *WalkMarkerHandle)',
  'DWORD __stdcall PssWalkMarkerFree(HPSSWALK WalkMarkerHandle)',
  'DWORD __stdcall PssWalkMarkerGetPosition(HPSSWALK WalkMarkerHandle, _Out_ ULONG_PTR *Position)',
  'DWORD __stdcall PssWalkMarkerSetPosition(HPSSWALK WalkMarkerHandle, ULONG_PTR Position)',
  'DWORD __stdcall PssWalkMarkerSeekToBeginning(HPSSWALK WalkMarkerHandle)',
];

const KERNEL32_PROTOTYPES = [
  'HANDLE __stdcall OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId)',
  'BOOL __stdcall CloseHandle(HANDLE hObject)',
  'HANDLE __stdcall GetCurrentProcess()',
  'DWORD __stdcall GetLastError()',
];

/**
 * Loads kernel32.dll and binds the Pss* functions. `pssLibrary` names another DLL to take the
 * Pss* functions from (the test harness uses one, since Wine has none); the process functions
 * always come from kernel32.dll. A capturer loads it once and keeps it.
 */
export function loadWindowsApi(pssLibrary = 'kernel32.dll'): WindowsApi {
  const koffi = loadKoffi();
  pssTypes(); // the prototypes name its types
  const kernel32 = koffi.load('kernel32.dll');
  const pss = pssLibrary.toLowerCase() === 'kernel32.dll' ? kernel32 : koffi.load(pssLibrary);
  const functions: Record<string, unknown> = { koffi, pssLibrary };
  for (const prototype of PSS_PROTOTYPES) bind(functions, pss, prototype, pssLibrary);
  for (const prototype of KERNEL32_PROTOTYPES) bind(functions, kernel32, prototype, 'kernel32.dll');
  return functions as unknown as WindowsApi;
}

function bind(into: Record<string, unknown>, library: ReturnType<Koffi['load']>, prototype: string, file: string): void {
  const name = /(\w+)\(/.exec(prototype)?.[1];
  if (name === undefined) throw new Error(`bad prototype: ${prototype}`);
  try {
    into[name] = library.func(prototype);
  } catch (error) {
    // A Windows older than 8.1 (or Wine, which has none of them) does not export the Pss* functions.
    throw new PssError('ERROR_NOT_SUPPORTED', `cannot capture: ${file} has no ${name} (the Process Snapshotting API needs Windows 8.1 or later)`, {
      function: name,
      cause: error,
    });
  }
}
