import { type Capturer, type CapturerOptions, createCapturer, type ListedProcess, processMatchesName } from '../capture/index.js';
import { QueryClass } from '../pss/information-class.js';
import { STILL_ACTIVE } from '../pss/process-flags.js';
import { isPssError, PssError } from '../pss/pss-error.js';
import type { Snapshot } from '../pss/snapshot.js';
import { databaseBytes } from '../store/database-bytes.js';
import { type Store, sqliteError } from '../store/open-store.js';
import { checkRetention, pruneCaptures, type Retention } from '../store/prune.js';
import { writeCapture } from '../store/capture-writer.js';
import { BackgroundPusher, type PushTotals } from '../push/background-push.js';
import type { PushSummary } from '../push/push-recording.js';
import { nextTick } from './tick-schedule.js';

/** Options of {@link startRecorder}. At least one of `pids`, `names` or `all` selects what to record. */
export interface RecorderOptions {
  /** The recording to write into (opened writable by the caller, who closes it). */
  store: Store;
  /** Processes to record by id. One that exits is dropped. */
  pids?: readonly number[];
  /** Processes to record by name (short name, executable or argv[0] file name), including ones that start later. */
  names?: readonly string[];
  /** Record every process of the system (but this one), including ones that start later. */
  all?: boolean;
  /** Time from the start of one round to the start of the next, µs. */
  everyUs: number;
  /** Stop after this many rounds (each round captures every target once). */
  count?: number;
  /** Stop once this much time has passed since the start: no round starts later, µs. */
  forUs?: number;
  /** Keep only the newest N captures of each process instance (pruned in each capture's transaction). */
  keep?: number;
  /** Delete captures older than this, µs (pruned in each capture's transaction). */
  maxAgeUs?: number;
  /** CaptureFlags of every capture; the default is DEFAULT_CAPTURE_FLAGS. */
  flags?: number;
  /** Linux: per-region resident/private/swap sizes (reads smaps: slower). */
  details?: boolean;
  /** All or nothing: a capture a part of which may not be read fails (see CaptureOptions.strict). */
  strict?: boolean;
  /** Free text stored with every capture. */
  label?: string | null;
  /** Told of every step; see {@link RecorderEvent}. Runs synchronously inside the loop. */
  onEvent?: (event: RecorderEvent) => void;
  /** Aborting it stops the recorder as {@link Recorder.stop} does. */
  signal?: AbortSignal;
  /** Capture options passed through to every capture (another backend, a fixture proc tree). */
  capture?: CapturerOptions;
  /**
   * Push the recording into another store in the background (a postgres:// URL or a recording
   * file), every `everyUs`, and once more when the recorder stops. The target being down never
   * slows or stops recording: captures stay in the file and go later. Retention (`keep`,
   * `maxAgeUs`) then deletes only captures the target holds.
   */
  push?: { target: string; everyUs: number };
}

/** A process being recorded. */
export interface RecorderTarget {
  pid: number;
  /** Its short name, once listed or captured. */
  name: string | null;
  /** How it was chosen: by pid, by one of the names, or by `all`. */
  selectedBy: 'pid' | 'name' | 'all';
}

/** Why a target stopped being recorded. */
export type DropReason = 'exited' | 'denied' | 'failing';

/** A target that is no longer recorded. */
export interface DroppedTarget extends RecorderTarget {
  reason: DropReason;
  /** After how many rounds of the recorder. */
  round: number;
  /** Captures of it written before it was dropped. */
  captured: number;
  message: string;
}

/** Why a recorder stopped. */
export type StopReason = 'count' | 'duration' | 'stopped' | 'no-targets';

/** What a recorder did, so far or in the end. */
export interface RecorderSummary {
  /** Rounds started (a round captures every target once). */
  rounds: number;
  /** Captures written. */
  captures: number;
  /**
   * Captures that failed: a process that could not be read, or was not there when it was first
   * to be captured (a pid that does not exist). A recorded process that exits is dropped, and is
   * no failure: that is how processes end.
   */
  failures: number;
  /** Processes recorded at some point. */
  targets: number;
  dropped: DroppedTarget[];
  rowsWritten: number;
  versionsWritten: number;
  capturesPruned: number;
  /** Rounds that ran past the next tick. */
  overruns: number;
  /** Times the wall clock moved against the monotonic clock (a step, or a suspend). */
  clockJumps: number;
  /** Ticks skipped because a round overran them. */
  ticksSkipped: number;
  startedAtUs: number;
  durationUs: number;
  /** Bytes of the recording on disk, its write-ahead log included. */
  databaseBytes: number;
  /** Null while the recorder runs. */
  stopReason: StopReason | null;
  /** What the background pushes did (with `push`), else null. */
  push: PushTotals | null;
}

/** Progress of a recorder, for status lines and logs. */
export type RecorderEvent =
  | { type: 'target-added'; round: number; target: RecorderTarget }
  | { type: 'capture-start'; round: number; target: RecorderTarget }
  | {
      type: 'capture';
      round: number;
      target: RecorderTarget;
      captureId: number;
      /** What the capture and its transaction cost together, µs. */
      costUs: number;
      rowsWritten: number;
      versionsWritten: number;
      entries: number;
      capturesPruned: number;
      /** Parts left out for lack of privilege (see CaptureInfo.deniedParts). */
      deniedParts: readonly string[];
    }
  /** A capture that failed (target kept, or dropped right after), or a listing of processes that failed (target null). */
  | { type: 'failure'; round: number; target: RecorderTarget | null; error: Error }
  | { type: 'target-dropped'; round: number; target: DroppedTarget; error: Error | null }
  | { type: 'round'; round: number; costUs: number; captures: number; targets: number }
  /** A round ended past the next tick: it took too long, or started late (a busy machine, a slow first capture). */
  | { type: 'overrun'; round: number; costUs: number; startedLateUs: number; everyUs: number; ticksSkipped: number }
  /**
   * The wall clock moved against the monotonic one between two rounds: stepped (by hand, NTP) or
   * the machine was suspended. Captures are stamped with the wall clock, and --max-age prunes by it.
   */
  | { type: 'clock-jump'; round: number; jumpUs: number }
  | { type: 'stopping'; round: number; reason: StopReason }
  /** A background push (with `push`) wrote what the target lacked, or failed (the captures stay local, for a later push). */
  | { type: 'pushed'; summary: PushSummary }
  | { type: 'push-failed'; error: Error };

/**
 * A recorder at work: it captures its targets on a schedule and writes each capture into the
 * recording (the file) in its own transaction.
 */
export interface Recorder {
  /** Settles when the recorder stops: with its summary, or with the error that stopped it (the recording could not be written). */
  readonly done: Promise<RecorderSummary>;
  /**
   * Asks the recorder to stop: the capture in progress is finished and written (a capture is
   * one synchronous transaction, so the request lands between captures), no other starts.
   * Returns `done`.
   */
  stop(): Promise<RecorderSummary>;
  /** The summary so far. */
  summary(): RecorderSummary;
}

/** Errors that say the recorder is short of something, not that the target is wrong. */
const RESOURCE_ERRORS: ReadonlySet<string> = new Set(['ERROR_TOO_MANY_OPEN_FILES', 'ERROR_NOT_ENOUGH_MEMORY']);
/** How long a shortage may last before the recorder gives up (at least ten rounds), ms. */
const SHORTAGE_GIVE_UP_MS = 10_000;

/** Failures in a row after which a target that is still there is given up. */
const MAX_CONSECUTIVE_FAILURES = 3;
/** The shortest interval a recorder accepts, µs: below it the loop would only measure itself. */
export const MIN_EVERY_US = 10_000;

interface TargetState extends RecorderTarget {
  /** Tells this process from a later one with the same pid: from the listing, then from the first capture. */
  startKey: number | null;
  createTimeUs: number | null | undefined;
  consecutiveFailures: number;
  captured: number;
}

function checkOptions(options: RecorderOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (options.store === undefined || options.store.readonly) throw new TypeError('store must be a recording opened for writing');
  const positiveInteger = (value: unknown, name: string): void => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)) {
      throw new RangeError(`${name} must be a positive integer (got ${String(value)})`);
    }
  };
  for (const pid of options.pids ?? []) positiveInteger(pid, 'pids[]');
  for (const name of options.names ?? []) {
    if (typeof name !== 'string' || name === '') throw new TypeError('names[] must be non-empty strings');
  }
  if ((options.pids ?? []).length === 0 && (options.names ?? []).length === 0 && options.all !== true) {
    throw new TypeError('say what to record: pids, names or all');
  }
  if (typeof options.everyUs !== 'number' || !Number.isFinite(options.everyUs) || options.everyUs < MIN_EVERY_US) {
    throw new RangeError(`everyUs must be at least ${MIN_EVERY_US} µs (10ms) (got ${String(options.everyUs)})`);
  }
  positiveInteger(options.count, 'count');
  if (options.forUs !== undefined && (!Number.isFinite(options.forUs) || options.forUs <= 0)) {
    throw new RangeError(`forUs must be a positive duration (got ${String(options.forUs)})`);
  }
  checkRetention(retentionOf(options));
  if (options.push !== undefined) {
    if (typeof options.push.target !== 'string' || options.push.target === '') throw new TypeError('push.target must be a non-empty string');
    if (!Number.isFinite(options.push.everyUs) || options.push.everyUs < MIN_EVERY_US) {
      throw new RangeError(`push.everyUs must be at least ${MIN_EVERY_US} µs (got ${String(options.push.everyUs)})`);
    }
  }
}

function retentionOf(options: RecorderOptions): Retention {
  const retention: Retention = {};
  if (options.keep !== undefined) retention.keep = options.keep;
  if (options.maxAgeUs !== undefined) retention.maxAgeUs = options.maxAgeUs;
  return retention;
}

/** The wall clock, µs since the Unix epoch. */
const nowUs = (): number => Math.round(Date.now() * 1000);
/** How far the wall clock stands ahead of the monotonic one, ms: constant unless the wall clock is stepped or the machine suspended. */
const clockOffsetMs = (): number => Date.now() - performance.now();
/** A change of the offset beyond this is a clock jump (NTP slews far slower; a step or a suspend does not). */
const CLOCK_JUMP_MS = 2000;
const targetOf = (t: TargetState): RecorderTarget => ({ pid: t.pid, name: t.name, selectedBy: t.selectedBy });

class RecorderLoop {
  private readonly targets = new Map<number, TargetState>();
  /** Processes given up (denied, failing) or done with (exited) by pid and start, so that the listing does not bring them back. */
  private readonly givenUp = new Set<string>();
  private readonly retention: Retention;
  private readonly totals: RecorderSummary;
  /** Tick 0: when the first round starts. */
  private startMs = 0;
  /** When the recorder was made, on the monotonic clock (its duration is measured on it). */
  private readonly startedMonotonicMs = performance.now();
  /** The wall clock's offset from the monotonic one when last looked at. */
  private clockOffset = clockOffsetMs();
  /** Since when captures have failed for a shortage (none has worked since), and how; null when none. */
  private short: { sinceMs: number; error: PssError } | null = null;
  /** How far the wall clock jumped ahead while this recorder ran, net of steps back (never below 0), µs. */
  private jumpedAheadUs = 0;
  private stopRequested = false;
  private wake: (() => void) | null = null;
  private round = 0;
  /** The capturer of this recorder: what it keeps between captures lives as long as the loop. */
  private readonly capturer: Capturer;
  /** The background pushes, with `push`. */
  private readonly pusher: BackgroundPusher | null;

  constructor(private readonly options: RecorderOptions) {
    this.capturer = createCapturer(options.capture);
    this.pusher =
      options.push === undefined
        ? null
        : new BackgroundPusher({ db: options.store.path, target: options.push.target, everyUs: options.push.everyUs, onEvent: (event) => this.emit(event) });
    // With pushing on, retention deletes only what the target holds (the pusher keeps that up to date).
    this.retention = this.pusher === null ? retentionOf(options) : { ...retentionOf(options), pushed: this.pusher.pushed };
    this.totals = {
      rounds: 0,
      captures: 0,
      failures: 0,
      targets: 0,
      dropped: [],
      rowsWritten: 0,
      versionsWritten: 0,
      capturesPruned: 0,
      overruns: 0,
      ticksSkipped: 0,
      startedAtUs: nowUs(),
      clockJumps: 0,
      durationUs: 0,
      databaseBytes: databaseBytes(options.store.path),
      stopReason: null,
      push: null,
    };
    for (const pid of new Set(options.pids ?? [])) {
      this.addTarget({ pid, name: null, selectedBy: 'pid', startKey: null, createTimeUs: undefined, consecutiveFailures: 0, captured: 0 });
    }
  }

  requestStop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  summary(): RecorderSummary {
    return {
      ...this.totals,
      dropped: [...this.totals.dropped],
      // Measured with the monotonic clock: a clock jump does not change how long it ran.
      durationUs: Math.round((performance.now() - this.startedMonotonicMs) * 1000),
      databaseBytes: databaseBytes(this.options.store.path),
      push: this.pusher === null ? null : { ...this.pusher.totals },
    };
  }

  private emit(event: RecorderEvent): void {
    this.options.onEvent?.(event);
  }

  private addTarget(target: TargetState): void {
    this.targets.set(target.pid, target);
    this.totals.targets++;
    this.emit({ type: 'target-added', round: this.round, target: targetOf(target) });
  }

  private drop(target: TargetState, reason: DropReason, error: Error | null): void {
    this.targets.delete(target.pid);
    // A zombie the listing still shows was recorded already; a process given up stays given up.
    if (reason !== 'exited' || target.startKey !== null) this.givenUp.add(`${target.pid}:${target.startKey}`);
    // A process seen before has exited; one never captured was never there for us (wrong pid, no right).
    const message =
      reason === 'exited' && (target.captured > 0 || error === null)
        ? `pid ${target.pid}${target.name === null ? '' : ` (${target.name})`} exited`
        : (error?.message ?? `pid ${target.pid} failed`);
    const dropped: DroppedTarget = { ...targetOf(target), reason, round: this.round, captured: target.captured, message };
    this.totals.dropped.push(dropped);
    this.emit({ type: 'target-dropped', round: this.round, target: dropped, error });
  }

  /** Adds the processes that the names or `all` select and that are not recorded yet. */
  private discover(): void {
    const names = this.options.names ?? [];
    if (names.length === 0 && this.options.all !== true) return;
    let listed: ListedProcess[];
    try {
      listed = this.capturer.listProcesses();
    } catch (error) {
      // A listing that fails this round may work the next; the targets already known go on.
      this.totals.failures++;
      this.emit({ type: 'failure', round: this.round, target: null, error: error as Error });
      return;
    }
    for (const p of listed) {
      // pssql records others; capturing itself would only measure the capture.
      if (p.pid === process.pid || this.targets.has(p.pid) || this.givenUp.has(`${p.pid}:${p.startKey}`)) continue;
      const byName = names.some((name) => processMatchesName(p, name));
      if (!byName && this.options.all !== true) continue;
      this.addTarget({
        pid: p.pid,
        name: p.name,
        selectedBy: byName ? 'name' : 'all',
        startKey: p.startKey,
        createTimeUs: undefined,
        consecutiveFailures: 0,
        captured: 0,
      });
    }
  }

  /** Captures one target and writes it in one transaction; a failure to write stops the recorder. */
  private captureOne(target: TargetState): void {
    this.emit({ type: 'capture-start', round: this.round, target: targetOf(target) });
    const started = performance.now();
    let snapshot: Snapshot;
    try {
      snapshot = this.capturer.capture({
        pid: target.pid,
        ...(this.options.flags === undefined ? {} : { flags: this.options.flags }),
        details: this.options.details ?? false,
        strict: this.options.strict ?? false,
      });
    } catch (error) {
      this.captureFailed(target, error);
      return;
    }
    try {
      const process = snapshot.query(QueryClass.ProcessInformation);
      // A zombie, or another process under a reused pid: the process recorded so far is gone.
      const reused = target.createTimeUs !== undefined && process.createTimeUs !== target.createTimeUs;
      if (process.exitStatus !== STILL_ACTIVE || reused) {
        if (target.captured === 0) this.totals.failures++;
        this.drop(target, 'exited', null);
        return;
      }
      // A zombie is recorded once, as capture records it: its last state and exit status.
      const exited = process.exitStatus !== STILL_ACTIVE;
      target.createTimeUs = process.createTimeUs;
      target.name = process.name ?? target.name;
      // Time the recorder did not run through (a suspend, a clock stepped ahead) does not age what it recorded.
      const retention = this.retention.maxAgeUs === undefined ? this.retention : { ...this.retention, nowUs: nowUs() - this.jumpedAheadUs };
      const result = writeCapture(this.options.store, snapshot, { label: this.options.label ?? null, retention });
      target.consecutiveFailures = 0;
      this.short = null;
      target.captured++;
      this.totals.captures++;
      this.totals.rowsWritten += result.rowsWritten;
      this.totals.versionsWritten += result.versionsWritten;
      this.totals.capturesPruned += result.capturesPruned;
      this.emit({
        type: 'capture',
        round: this.round,
        target: targetOf(target),
        captureId: result.captureId,
        costUs: Math.round((performance.now() - started) * 1000),
        rowsWritten: result.rowsWritten,
        versionsWritten: result.versionsWritten,
        entries: result.entries,
        capturesPruned: result.capturesPruned,
        deniedParts: snapshot.info.deniedParts,
      });
      if (exited) this.drop(target, 'exited', null);
    } finally {
      snapshot.free();
    }
  }

  /**
   * Retention once more, after the last push: what waited for the target (it was down, or behind)
   * and is there now goes, so that the recording ends as `keep` and `maxAgeUs` say.
   */
  private pruneWhatWasPushed(): number {
    if (this.retention.keep === undefined && this.retention.maxAgeUs === undefined) return 0;
    const db = this.options.store.db;
    const instances = [...(this.pusher?.pushed.keys() ?? [])];
    try {
      return db.transaction(() => pruneCaptures(db, this.retention, instances, Date.now() * 1000)).immediate();
    } catch (error) {
      throw sqliteError(error, this.options.store.path);
    }
  }

  private captureFailed(target: TargetState, error: unknown): void {
    if (!(error instanceof Error)) throw error;
    // A process that was recorded and is gone has exited; one never found was a failure.
    if (!isPssError(error, 'ERROR_NOT_FOUND') || target.captured === 0) this.totals.failures++;
    if (isPssError(error, 'ERROR_NOT_FOUND')) return this.drop(target, 'exited', error);
    if (isPssError(error, 'ERROR_ACCESS_DENIED')) return this.drop(target, 'denied', error);
    // Bad flags or an unsupported platform fail every capture the same way: a usage error, not a target's.
    if (isPssError(error, 'ERROR_INVALID_PARAMETER') || isPssError(error, 'ERROR_NOT_SUPPORTED') || !(error instanceof PssError)) throw error;
    // Out of fds or memory is the recorder's trouble, not the target's: the target is kept and
    // captured again next round; only a shortage that lasts ends the recording (exit code 6).
    if (RESOURCE_ERRORS.has(error.code)) {
      this.emit({ type: 'failure', round: this.round, target: targetOf(target), error });
      this.short ??= { sinceMs: performance.now(), error };
      const lastedMs = performance.now() - this.short.sinceMs;
      if (lastedMs >= Math.max(SHORTAGE_GIVE_UP_MS, (10 * this.options.everyUs) / 1000)) {
        throw new PssError(error.win32, `${error.message}; it lasted ${Math.round(lastedMs / 1000)} s: the recording cannot go on`, { cause: error });
      }
      return;
    }
    target.consecutiveFailures++;
    this.emit({ type: 'failure', round: this.round, target: targetOf(target), error });
    if (target.consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) this.drop(target, 'failing', error);
  }

  /** Notices the wall clock moving against the monotonic one, and says so. */
  private watchClock(): void {
    const offset = clockOffsetMs();
    const jumpMs = offset - this.clockOffset;
    this.clockOffset = offset;
    if (Math.abs(jumpMs) < CLOCK_JUMP_MS) return;
    this.totals.clockJumps++;
    // A step back after a step ahead gives back what it took; a step back alone ages nothing.
    this.jumpedAheadUs = Math.max(0, this.jumpedAheadUs + Math.round(jumpMs * 1000));
    this.emit({ type: 'clock-jump', round: this.round, jumpUs: Math.round(jumpMs * 1000) });
  }

  private sleepUntil(atMs: number): Promise<void> {
    const ms = atMs - performance.now();
    if (ms <= 0 || this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private finish(reason: StopReason): RecorderSummary {
    this.totals.stopReason = reason;
    this.emit({ type: 'stopping', round: this.round, reason });
    return this.summary();
  }

  async run(): Promise<RecorderSummary> {
    this.pusher?.start();
    try {
      const summary = await this.loop();
      // What was recorded last goes too (a target that is down does not hold the stop up for long).
      if (this.pusher !== null) {
        await this.pusher.finish();
        const capturesPruned = summary.capturesPruned + this.pruneWhatWasPushed();
        return { ...summary, capturesPruned, push: { ...this.pusher.totals } };
      }
      return summary;
    } finally {
      this.capturer.close();
      await this.pusher?.close();
    }
  }

  private async loop(): Promise<RecorderSummary> {
    // The caller gets the handle first (to install signal handlers) and the grid starts with round 1.
    await Promise.resolve();
    this.startMs = performance.now();
    const everyMs = this.options.everyUs / 1000;
    const endMs = this.options.forUs === undefined ? Number.POSITIVE_INFINITY : this.startMs + this.options.forUs / 1000;
    const open = (this.options.names ?? []).length > 0 || this.options.all === true;
    let tick = 0;
    for (;;) {
      const tickMs = this.startMs + tick * everyMs;
      await this.sleepUntil(tickMs);
      if (this.stopRequested) return this.finish('stopped');

      this.round++;
      this.totals.rounds = this.round;
      this.watchClock();
      const roundStart = performance.now();
      const capturesBefore = this.totals.captures;
      this.discover();
      for (const target of [...this.targets.values()]) {
        if (this.stopRequested) break;
        this.captureOne(target);
        // Let signal handlers and timers run between captures: a stop lands here, never inside one.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const costUs = Math.round((performance.now() - roundStart) * 1000);
      this.emit({ type: 'round', round: this.round, costUs, captures: this.totals.captures - capturesBefore, targets: this.targets.size });
      if (this.targets.size === 0 && !open) return this.finish('no-targets');
      if (this.stopRequested) return this.finish('stopped');
      if (this.options.count !== undefined && this.round >= this.options.count) return this.finish('count');

      const next = nextTick({ startMs: this.startMs, everyMs, lastTick: tick, nowMs: performance.now() });
      if (next.atMs >= endMs) return this.finish('duration');
      if (next.skipped > 0) {
        this.totals.overruns++;
        this.totals.ticksSkipped += next.skipped;
        const startedLateUs = Math.max(0, Math.round((roundStart - tickMs) * 1000));
        this.emit({ type: 'overrun', round: this.round, costUs, startedLateUs, everyUs: this.options.everyUs, ticksSkipped: next.skipped });
      }
      tick = next.tick;
    }
  }
}

/**
 * Records processes on a schedule until a count, a duration or a stop: every `everyUs`, start to
 * start, each target is captured and written in its own transaction (with retention applied in
 * the same transaction). Targets that exit are noted and dropped; processes that start later and
 * match `names` (or any, with `all`) are picked up. A round that overruns its interval is reported
 * and the ticks it ran over are skipped.
 *
 * @example
 * const recorder = startRecorder({ store, names: ['nginx'], everyUs: parseDuration('5s'), count: 12,
 *   onEvent: (e) => { if (e.type === 'capture') console.log(e.target.pid, e.captureId) } })
 * process.once('SIGINT', () => recorder.stop())
 * const summary = await recorder.done
 */
export function startRecorder(options: RecorderOptions): Recorder {
  checkOptions(options);
  const loop = new RecorderLoop(options);
  const done = loop.run();
  const stop = (): Promise<RecorderSummary> => {
    loop.requestStop();
    return done;
  };
  if (options.signal !== undefined) {
    if (options.signal.aborted) loop.requestStop();
    else options.signal.addEventListener('abort', () => loop.requestStop(), { once: true });
  }
  return { done, stop, summary: () => loop.summary() };
}
