import type { Snapshot } from '../pss/snapshot.js';

/** What one capture takes. */
export interface CaptureOptions {
  pid: number;
  /** CaptureFlags; the default is everything the platform captures cheaply (DEFAULT_CAPTURE_FLAGS). */
  flags?: number;
  /** CONTEXT flags of thread contexts (Windows); Linux has no CONTEXT records. */
  threadContextFlags?: number;
  /** Linux: read per-region resident/private/swap sizes from smaps (slower). */
  details?: boolean;
  /**
   * All or nothing: fail with ERROR_ACCESS_DENIED when a part may not be read, instead of
   * capturing the rest and naming the part in `info.deniedParts`.
   */
  strict?: boolean;
}

/** The capture backends: Linux's /proc and Windows' kernel32. */
export type Backend = 'procfs' | 'kernel32';

/** Where a capturer reads from. */
export interface CapturerOptions {
  /** `procfs` (Linux) or `kernel32` (Windows); the platform's own by default. */
  backend?: Backend;
  /** Linux: root of the proc tree (tests point it at fixtures). */
  procRoot?: string;
  /** Windows: load the Pss* functions from this DLL instead of kernel32 (the test harness). */
  pssLibrary?: string;
  /** Windows: the longest one capture may take before it is given up and reported, ms (30 s by default). */
  captureTimeoutMs?: number;
}

/** A running process as a listing of the system shows it, before any capture. */
export interface ListedProcess {
  pid: number;
  /** Short name: Linux `comm` (at most 15 bytes), the executable's file name on Windows. */
  name: string;
  /** Full path of the executable, when it may be read. */
  imageFileName: string | null;
  /** The first word of the command line (Linux), which scripts and symlinks name. */
  argv0: string | null;
  /**
   * Tells a process from a later one with the same pid: its start time (clock ticks since boot
   * on Linux, the creation time in µs since 1970 on Windows); null where it may not be read.
   */
  startKey: number | null;
}

/**
 * A backend that captures processes again and again. It owns what it keeps between captures:
 * the previous capture of each process (so an unchanged entry comes back as the same frozen
 * object), shared tables such as the sockets of a network namespace, and its reading threads.
 * Create one for a series of captures and close it at the end; `captureSnapshot` is the one-shot.
 *
 * @example
 * const capturer = createCapturer()
 * try {
 *   const a = capturer.capture({ pid: 1234 })
 *   const b = capturer.capture({ pid: 1234 })   // unchanged entries: the very objects of `a`
 * } finally { capturer.close() }
 */
export interface Capturer {
  readonly backend: Backend;
  /** Captures one process; the snapshot stays valid after the capturer is closed. Free it when done. */
  capture(options: CaptureOptions): Snapshot;
  /** Every process of the system, zombies included, in pid order. */
  listProcesses(): ListedProcess[];
  /** Ends the capturer: its threads stop and what it kept is dropped. */
  close(): void;
  /** Why parts of a capture of `pid` were denied, and what would help, in a few words (Linux). */
  explainDenied?(pid: number): string;
}

/** One capture with a capturer made for it, closed again: the one-shot captures of every backend. */
export function captureOnce(capturer: Capturer, options: CaptureOptions): Snapshot {
  try {
    return capturer.capture(options);
  } finally {
    capturer.close();
  }
}
