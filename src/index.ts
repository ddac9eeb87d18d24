/**
 * pssql as a library: capture processes (the Windows Process Snapshotting model, on Linux from
 * /proc and on Windows from kernel32), record them into SQLite, and read them back.
 *
 * @example
 * import { captureSnapshot, openStore, recordSnapshot } from 'pssql'
 * const store = openStore('pssql.db')
 * recordSnapshot(store, captureSnapshot({ pid: 1234 }))
 * store.close()
 */
export * from './pss/index.js';
export { captureSnapshot, type CaptureOptions } from './capture/index.js';
export { captureLinuxSnapshot, type LinuxCaptureOptions } from './capture/linux/index.js';
export { captureWindowsSnapshot, type WindowsCaptureOptions } from './capture/windows/index.js';
export * from './store/index.js';
export * from './analysis/captures.js';
export * from './analysis/series.js';
export { PSSQL_VERSION } from './version.js';
