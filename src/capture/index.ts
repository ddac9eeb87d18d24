/** Capture backends and the choice between them. */
import { PssError } from '../pss/pss-error.js';
import type { Snapshot } from '../pss/snapshot.js';
import { captureLinuxSnapshot } from './linux/linux-capture.js';

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
}

/**
 * Captures a process with the backend of this platform.
 *
 * @example
 * const snapshot = captureSnapshot({ pid: 1234, flags: parseCaptureFlags('handles,handle-names') })
 */
export function captureSnapshot(options: CaptureOptions): Snapshot {
  const backend = options.backend ?? (process.platform === 'win32' ? 'kernel32' : 'procfs');
  switch (backend) {
    case 'procfs':
      return captureLinuxSnapshot(options);
    default:
      throw new PssError('ERROR_NOT_SUPPORTED', `capture backend '${String(backend)}' is not available on ${process.platform}`, {
        option: 'backend',
      });
  }
}
