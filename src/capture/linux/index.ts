/** The Linux backend: captures processes from /proc. */
export { captureLinuxSnapshot, LinuxCapturer, type LinuxCaptureOptions } from './linux-capturer.js';
export { ProcFiles } from './proc-files.js';
