/**
 * The Windows backend: Process Snapshotting through kernel32.dll with koffi. Importing this
 * module loads nothing native; koffi is loaded by the first capture.
 */
export {
  captureWindowsSnapshot,
  DEFAULT_CAPTURE_TIMEOUT_MS,
  defaultContextFlags,
  type WindowsCaptureOptions,
  WindowsCapturer,
} from './windows-capturer.js';
export { checkWindowsArchitecture } from './architecture.js';
export { allowPssLibraryFromEnvironment, resolvePssLibrary } from './pss-library.js';
export { privilegeAdvice, type DebugPrivilege } from './debug-privilege.js';
export { decodeProcessEntry, PROCESSENTRY32W } from './windows-process-list.js';
export { WindowsSnapshot } from './windows-snapshot.js';
export { decodeQueryRecord, decodeWalkEntry, PSS_STRUCT_OF } from './decode-records.js';
export { pssTypes, type PssTypes } from './pss-types.js';
export { requiredAccess, ProcessAccess, type RequiredAccess } from './access-rights.js';
export { fileTimeToDurationUs, fileTimeToUnixUs, type FileTime } from './filetime.js';
