/** Capture backends and the choice between them. */
import { PssError } from '../pss/pss-error.js';
import type { Snapshot } from '../pss/snapshot.js';
import { type Backend, type CaptureOptions, type Capturer, type CapturerOptions, captureOnce, type ListedProcess } from './capturer.js';
import { LinuxCapturer } from './linux/linux-capturer.js';
import { WindowsCapturer } from './windows/windows-capturer.js';

export type { Backend, CaptureOptions, Capturer, CapturerOptions, ListedProcess } from './capturer.js';
export { processMatchesName } from './process-name.js';

/** The backend of this platform. */
export function platformBackend(): Backend {
  return process.platform === 'win32' ? 'kernel32' : 'procfs';
}

/**
 * A capturer of this platform's backend (or the one asked for), for a series of captures; close
 * it at the end.
 *
 * @example
 * const capturer = createCapturer()
 * try { for (const pid of [1234, 5678]) writeCapture(store, capturer.capture({ pid })) } finally { capturer.close() }
 */
export function createCapturer(options: CapturerOptions = {}): Capturer {
  const backend = options.backend ?? platformBackend();
  switch (backend) {
    case 'procfs':
      return new LinuxCapturer(options.procRoot);
    case 'kernel32':
      return new WindowsCapturer(options.pssLibrary, options.captureTimeoutMs === undefined ? {} : { captureTimeoutMs: options.captureTimeoutMs });
    default:
      throw new PssError('ERROR_NOT_SUPPORTED', `capture backend '${String(backend)}' is not available on ${process.platform}`, {
        option: 'backend',
      });
  }
}

/**
 * Captures a process once with the backend of this platform.
 *
 * @example
 * const snapshot = captureSnapshot({ pid: 1234, flags: parseCaptureFlags('handles,handle-names') })
 */
export function captureSnapshot(options: CaptureOptions & CapturerOptions): Snapshot {
  return captureOnce(createCapturer(options), options);
}

/**
 * Every process of the system, zombies included, in pid order.
 *
 * @example
 * const nginx = listProcesses().filter((p) => processMatchesName(p, 'nginx'))
 */
export function listProcesses(options: CapturerOptions = {}): ListedProcess[] {
  const capturer = createCapturer(options);
  try {
    return capturer.listProcesses();
  } finally {
    capturer.close();
  }
}
