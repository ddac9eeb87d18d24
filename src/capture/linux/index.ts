/** The Linux backend: captures a process from /proc. */
export { captureLinuxSnapshot, type LinuxCaptureOptions } from './linux-capture.js';
export { ProcFiles } from './proc-files.js';
