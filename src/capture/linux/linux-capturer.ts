import { hostname } from 'node:os';
import {
  CAPTURE_FLAG_INFO,
  CaptureFlags,
  DEFAULT_CAPTURE_FLAGS,
  hasFlag,
  validateCaptureFlags,
} from '../../pss/capture-flags.js';
import { WalkClass } from '../../pss/information-class.js';
import { entrySource, MemorySnapshot, type SnapshotData } from '../../pss/memory-snapshot.js';
import { PssError } from '../../pss/pss-error.js';
import type { PerformanceCounters, PhaseCounters } from '../../pss/query-records.js';
import type { Snapshot } from '../../pss/snapshot.js';
import { type CaptureOptions, type Capturer, captureOnce, type ListedProcess } from '../capturer.js';
import { listLinuxProcesses } from './linux-process-list.js';
import { BlockingStats } from './blocking-stats.js';
import { ReaderThread } from './reader-thread.js';
import { UserNames } from './user-names.js';
import { SocketTables } from './read-sockets.js';
import { CaptureContext } from './capture-context.js';
import { inPartOrder, whyDenied } from './denied.js';
import { ProcFiles } from './proc-files.js';
import { isDead, readBootTimeUs } from './proc-stat.js';
import { ProcessCaches } from './process-cache.js';
import { readProcessInformation, readProcessStat } from './read-process.js';
import { readHandles } from './read-handles.js';
import { readRegions } from './read-regions.js';
import { readThreads } from './read-threads.js';

/** Options of a one-shot Linux capture: the capture's, and the proc tree to read. */
export interface LinuxCaptureOptions extends CaptureOptions {
  /** Root of the proc tree, `/proc` unless a test points it at a fixture tree. */
  procRoot?: string;
}

/** Flags that ask for what Linux does not have. */
const UNSUPPORTED: readonly [CaptureFlags, string][] = [
  [CaptureFlags.VaClone, 'Linux has no address-space clone'],
  [CaptureFlags.Reserved00000002, 'Linux has no auxiliary pages'],
  [CaptureFlags.HandleTrace, 'Linux has no handle trace'],
  [CaptureFlags.ThreadContextExtended, 'Linux exposes no extended thread context'],
  [CaptureFlags.IptTrace, 'Linux has no Intel PT capture in pssql'],
  [CaptureFlags.Reserved00000400, 'the flag is reserved'],
  [CaptureFlags.Reserved00004000, 'the flag is reserved'],
];

function checkLinuxFlags(flags: number): void {
  validateCaptureFlags(flags);
  for (const [flag, why] of UNSUPPORTED) {
    if (hasFlag(flags, flag)) {
      const info = CAPTURE_FLAG_INFO.find((i) => i.flag === flag);
      throw new PssError('ERROR_NOT_SUPPORTED', `capture flag ${info?.win32Name} (${info?.name}) is not available on Linux: ${why}`, {
        option: info?.win32Name ?? 'flags',
        function: 'PssCaptureSnapshot',
      });
    }
  }
}

/** Measures the wall-clock and CPU time of capture phases. */
class PhaseTimer {
  private readonly wallStart = process.hrtime.bigint();
  private readonly cpuStart = process.cpuUsage();

  measure<T>(run: () => T): [T, PhaseCounters] {
    const wall = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const result = run();
    return [result, PhaseTimer.since(wall, cpu)];
  }

  total(): PhaseCounters {
    return PhaseTimer.since(this.wallStart, this.cpuStart);
  }

  static since(wall: bigint, cpu: NodeJS.CpuUsage): PhaseCounters {
    const used = process.cpuUsage(cpu);
    return {
      cycleCount: null,
      wallClockUs: Number((process.hrtime.bigint() - wall) / 1000n),
      cpuTimeUs: used.user + used.system,
    };
  }
}

const NOT_RUN: PhaseCounters = { cycleCount: null, wallClockUs: 0, cpuTimeUs: 0 };

/**
 * The Linux backend: captures live processes from /proc as immutable snapshots. It keeps the
 * previous capture of each process, so that the next one parses only what changed and hands back
 * the very same frozen entry objects for what did not; the socket tables of each network
 * namespace, shared for a moment by the captures of other processes; and a second reading thread
 * for large fd and thread lists.
 */
export class LinuxCapturer implements Capturer {
  readonly backend = 'procfs';
  private readonly files: ProcFiles;
  private readonly caches = new ProcessCaches();
  private readonly sockets = new SocketTables();
  private readonly reader = new ReaderThread();
  private readonly names = new UserNames();
  private readonly blocking = new BlockingStats();
  private bootTimeUs: number | null = null;

  constructor(procRoot = '/proc') {
    this.files = new ProcFiles(procRoot);
  }

  /** Processes whose last capture this capturer remembers. */
  get remembered(): number {
    return this.caches.size;
  }

  /** Whether its second reading thread runs (tests). */
  get readerRunning(): boolean {
    return this.reader.running;
  }

  listProcesses(): ListedProcess[] {
    return listLinuxProcesses(this.files);
  }

  close(): void {
    this.reader.close();
    this.blocking.close();
  }

  explainDenied(pid: number): string {
    return whyDenied(this.files, pid);
  }

  /**
   * Captures a live process from /proc as an immutable {@link Snapshot}, with the data the flags
   * ask for. Threads, fds or regions that vanish mid-capture are skipped and counted; fields that
   * need more privilege are null and counted; a process that is missing, unreadable or that exits
   * during the capture gives a PssError.
   */
  capture(options: CaptureOptions): Snapshot {
    const { pid } = options;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
      throw new RangeError(`pid must be a positive integer (got ${String(pid)})`);
    }
    checkLinuxFlags(options.flags ?? DEFAULT_CAPTURE_FLAGS);
    const flags = (options.flags ?? DEFAULT_CAPTURE_FLAGS) >>> 0;
    const details = options.details ?? false;

    const timer = new PhaseTimer();
    // The wall clock, which follows NTP and goes on during a suspend: what --max-age and people
    // compare with. (Durations are measured with the monotonic clock.)
    const startedAtUs = Math.round(Date.now() * 1000);
    const files = this.files;
    const stat = readProcessStat(files, pid);
    this.bootTimeUs ??= readBootTimeUs(files);
    const budget = this.blocking.budget();
    const ctx = new CaptureContext({
      files,
      pid,
      flags,
      bootTimeUs: this.bootTimeUs,
      cache: this.caches.of(pid, stat.startTicks, flags, details),
      sockets: this.sockets,
      reader: this.reader,
      strict: options.strict ?? false,
      statBlocking: (path, device) => this.blocking.stat(path, device, budget, pid),
    });
    this.names.refresh();
    const processInfo = readProcessInformation(ctx, stat, this.names);
    const walks: SnapshotData['walks'] = {};
    const perf: PerformanceCounters = {
      total: NOT_RUN,
      vaClone: NOT_RUN,
      vaSpace: NOT_RUN,
      auxPages: NOT_RUN,
      handles: NOT_RUN,
      threads: NOT_RUN,
    };
    if (hasFlag(flags, CaptureFlags.VaSpace)) {
      const [regions, cost] = timer.measure(() => readRegions(ctx, details));
      if (regions !== null) walks[WalkClass.VaSpace] = entrySource(regions);
      perf.vaSpace = cost;
    }
    if (hasFlag(flags, CaptureFlags.Handles)) {
      const [handles, cost] = timer.measure(() => readHandles(ctx));
      if (handles !== null) walks[WalkClass.Handles] = entrySource(handles);
      perf.handles = cost;
    }
    if (hasFlag(flags, CaptureFlags.Threads)) {
      const [threads, cost] = timer.measure(() => readThreads(ctx));
      walks[WalkClass.Threads] = entrySource(threads);
      walks[WalkClass.ThreadName] = entrySource(threads.map((t) => ({ threadName: t.name ?? '' })));
      perf.threads = cost;
    }

    // The capture is only whole if the same process is still there (not exited, pid not reused).
    const after = readProcessStat(files, pid);
    if (after.startTicks !== stat.startTicks || (!isDead(stat.state) && isDead(after.state))) {
      throw new PssError('ERROR_NOT_FOUND', `cannot capture pid ${pid}: the process exited during the capture`, { pid });
    }
    perf.total = timer.total();

    return new MemorySnapshot({
      info: {
        processId: pid,
        platform: 'linux',
        backend: 'procfs',
        host: hostname(),
        captureFlags: flags,
        threadContextFlags: options.threadContextFlags ?? 0,
        startedAtUs,
        durationUs: perf.total.wallClockUs,
        skippedCount: ctx.skipped,
        deniedCount: ctx.denied,
        deniedParts: inPartOrder(ctx.deniedParts),
        details,
      },
      process: processInfo,
      performance: hasFlag(flags, CaptureFlags.CreateMeasurePerformance) ? perf : null,
      vaClone: null,
      handleTrace: null,
      threadContextLength: 0,
      walks,
    });
  }
}

/**
 * Captures a live process from /proc once, with a capturer of its own (see {@link LinuxCapturer}
 * for a series of captures).
 *
 * @example
 * const snapshot = captureLinuxSnapshot({ pid: process.pid })
 * console.log(snapshot.query(QueryClass.HandleInformation).handlesCaptured)
 */
export function captureLinuxSnapshot(options: LinuxCaptureOptions): Snapshot {
  return captureOnce(new LinuxCapturer(options.procRoot), options);
}
