/** Capture backends and the choice between them. */
import { DEFAULT_CAPTURE_FLAGS, validateCaptureFlags } from '../pss/capture-flags.js';
import { PssError } from '../pss/pss-error.js';
import type { Snapshot } from '../pss/snapshot.js';
import { captureLinuxSnapshot } from './linux/linux-capture.js';
import { captureWindowsSnapshot } from './windows/capture-windows-snapshot.js';

/** Options of {@link captureSnapshot}. */
export interface CaptureOptions {
  pid: number;
  /** CaptureFlags; the default is everything the platform captures cheaply. */
  flags?: number;
  threadContextFlags?: number;
  /** Linux: read per-region resident/private/swap sizes from smaps. */
  details?: boolean;
  /** `procfs` (Linux) or `kernel32` (Windows); the platform's own by default. */
  backend?: 'procfs' | 'kernel32';
  /** Linux: root of the proc tree (tests point it at fixtures). */
  procRoot?: string;
  /** Windows: load the Pss* functions from this DLL instead of kernel32 (the test harness). */
  pssLibrary?: string;
}

/**
 * Captures a process with the backend of this platform.
 *
 * @example
 * const snapshot = captureSnapshot({ pid: 1234, flags: parseCaptureFlags('handles,handle-names') })
 */
export function captureSnapshot(options: CaptureOptions): Snapshot {
  const backend = options.backend ?? (process.platform === 'win32' ? 'kernel32' : 'procfs');
  const flags = options.flags ?? DEFAULT_CAPTURE_FLAGS;
  validateCaptureFlags(flags);
  switch (backend) {
    case 'procfs':
      return captureLinuxSnapshot({ ...options, flags });
    case 'kernel32':
      return captureWindowsSnapshot({ ...options, flags });
    default:
      throw new PssError('ERROR_NOT_SUPPORTED', `capture backend '${String(backend)}' is not available on ${process.platform}`, {
        option: 'backend',
      });
  }
}
