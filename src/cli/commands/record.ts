import * as fs from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { parseCaptureFlags } from '../../pss/capture-flags.js';
import { PssError } from '../../pss/pss-error.js';
import { humanBytes, humanDuration } from '../../pss/units.js';
import type { RecorderEvent, RecorderSummary } from '../../recorder/recorder.js';
import { defineCommand, type GlobalOptions, parsePid, printRecord, warn, withStore } from '../context.js';
import { displayLine } from '../format-value.js';
import { exitCodeOf } from '../exit-codes.js';
import { STARTED_BY, takeTerminalForeground, watchParent } from '../process-lifetime.js';
import { wrapHelp } from '../help-text.js';

/** How much V8 lets the old generation grow past what the last full collection kept, in percent. */
const HEAP_GROWING_PERCENT = 30;

/**
 * The live status line: one line on stderr, redrawn in place, only on a terminal and never with
 * --quiet. Messages printed meanwhile clear it first, so the two never mix on one line.
 */
class StatusLine {
  private shown = false;
  constructor(readonly enabled: boolean) {}

  /** Draws `text`, and `hint` after it when the terminal is wide enough; never wraps. */
  draw(text: string, hint = ''): void {
    if (!this.enabled) return;
    const width = process.stderr.columns ?? 80;
    const line = text.length + hint.length < width ? text + hint : text.length < width ? text : `${text.slice(0, width - 2)}…`;
    process.stderr.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }

  /** Prints a message on its own line, above the status line. */
  print(message: string, draw: () => void): void {
    this.clear();
    process.stderr.write(`pssql: ${message}\n`);
    draw();
  }
}

/**
 * The signals that stop a recording cleanly. Windows delivers no SIGTERM: there Ctrl-C is
 * SIGINT, Ctrl-Break SIGBREAK, and closing the console window SIGHUP (Windows then ends the
 * process within seconds, time enough to finish a capture).
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGBREAK', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What a recorder of a large process may need of address space (V8 reserves much more than it uses). */
const ADDRESS_SPACE_NEEDED = 2 * 2 ** 30;

/** The soft address-space limit (ulimit -v) in bytes, or null when there is none or it cannot be read. */
function addressSpaceLimit(): number | null {
  try {
    const line = /^Max address space\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return line === undefined || line === 'unlimited' ? null : Number(line);
  } catch {
    return null;
  }
}

function who(target: { pid: number; name: string | null }): string {
  return target.name === null ? `pid ${target.pid}` : `pid ${target.pid} (${target.name})`;
}

/** The sizes of a recording's file and of its write-ahead log, in bytes (0 for one that is not there). */
function fileSizes(db: string): { file: number; wal: number } {
  const size = (file: string): number => {
    try {
      return fs.statSync(file).size;
    } catch {
      return 0;
    }
  };
  return { file: size(db), wal: size(`${db}-wal`) };
}

/** What stopped a recorder, as the summary says it: the recorder's reason, or the signal that asked it to stop. */
export type StoppedBy = Exclude<RecorderSummary['stopReason'], 'stopped' | null> | 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGBREAK' | 'parent-exited' | 'stopped';

/** The summary as one record: structured lists for JSON, text for tables and CSV. */
function summaryRecord(summary: RecorderSummary, structured: boolean, stoppedBy: StoppedBy | null): Record<string, unknown> {
  const dropped = summary.dropped.map((d) => ({ pid: d.pid, name: d.name, reason: d.reason, round: d.round }));
  return {
    captures: summary.captures,
    rounds: summary.rounds,
    failures: summary.failures,
    targets: summary.targets,
    targets_dropped: summary.dropped.length,
    dropped: structured ? dropped : dropped.map((d) => `${d.pid}${d.name === null ? '' : ` ${d.name}`} (${d.reason})`).join(', '),
    rows_written: summary.rowsWritten,
    versions_written: summary.versionsWritten,
    captures_pruned: summary.capturesPruned,
    overruns: summary.overruns,
    clock_jumps: summary.clockJumps,
    duration_us: summary.durationUs,
    database_size_bytes: summary.databaseBytes,
    // The most memory this pssql held at once (the kernel's high-water mark of its resident set).
    peak_memory_bytes: process.resourceUsage().maxRSS * 1024,
    stopped_by: summary.stopReason === 'stopped' ? (stoppedBy ?? 'stopped') : summary.stopReason,
    ...(summary.push === null
      ? {}
      : {
          pushes: summary.push.pushes,
          push_failures: summary.push.failures,
          captures_pushed: summary.push.captures,
          rows_pushed: summary.push.rows,
          last_push_error: summary.push.lastError,
        }),
  };
}

export const recordCommand = defineCommand({
  command: 'record [pid..]',
  describe: 'capture processes again and again on a schedule, until a count, a duration or Ctrl-C',
  builder: (yargs) =>
    yargs
      .positional('pid', { describe: 'process ids to record', type: 'string', array: true })
      .option('name', {
        type: 'string',
        array: true,
        describe: 'record processes with this name (short name, executable or argv[0] file name), also ones that start later',
        requiresArg: true,
      })
      .option('all', { type: 'boolean', default: false, describe: 'record every process (but pssql itself), also ones that start later' })
      .option('every', { type: 'string', default: '5s', describe: 'time from the start of one round to the start of the next', requiresArg: true })
      .option('count', { type: 'number', describe: 'stop after N rounds (a round captures every target once)', requiresArg: true })
      .option('for', { type: 'string', describe: 'stop after this long: no round starts later', requiresArg: true })
      .option('keep', { type: 'number', describe: 'keep only the newest N captures of each process', requiresArg: true })
      .option('max-age', { type: 'string', describe: 'delete captures older than this (in the whole recording)', requiresArg: true })
      .option('flags', { type: 'string', describe: "what to capture (names as in 'pssql capture --help')", requiresArg: true })
      .option('details', { type: 'boolean', default: false, describe: 'per-region resident/private/swap sizes (reads smaps: slower)' })
      .option('strict', { type: 'boolean', default: false, describe: 'all or nothing: a process a part of which may not be read is not recorded' })
      .option('label', { type: 'string', describe: 'free text stored with every capture', requiresArg: true })
      .option('push', {
        type: 'string',
        requiresArg: true,
        describe: 'also push the recording into this store in the background: postgres://... or a recording file',
      })
      .option('push-every', { type: 'string', defaultDescription: '1m', requiresArg: true, describe: 'time between background pushes (with --push)' })
      .example('$0 record 1234 --every 5s --for 1h', 'capture pid 1234 every 5 seconds for an hour')
      .example('$0 record --name nginx --every 1m --keep 1440', 'every nginx, also new ones, one day of captures each')
      .example('$0 record --all --every 10m --max-age 7d', 'the whole machine every 10 minutes, a week kept')
      .example('$0 record --all --every 5s --keep 720 --push postgres://pssql@db/pssql', 'and into the central store every minute')
      .epilog(
        wrapHelp(
          [
            'Durations: a number and a unit, largest first: 500ms, 5s, 1m30s, 1h, 7d (units us, ms, s, m, h, d, w).',
            'The interval is measured start to start; a round that takes longer than --every is reported and the ticks it ran over are skipped. ' +
              'Ctrl-C (SIGINT), SIGTERM, SIGHUP (on Windows Ctrl-C, Ctrl-Break or closing the console), or the end of the process that started pssql (a shell, npx) ' +
              'finishes the capture in progress, writes it, and exits 0 with a summary. ' +
              'Every capture is one transaction, pruned by --keep/--max-age in the same one.',
            'On a terminal a status line on stderr shows progress; --verbose logs each capture, --quiet nothing.',
            '--push pushes in the background (a thread of its own), every --push-every and once more at the end. ' +
              'When the target is down, captures stay in the recording and go later; --keep and --max-age then delete only captures the target holds.',
            'The summary: failures counts captures that failed (a process that exits is dropped, not failed); stopped_by is count, duration, no-targets (none left), SIGINT, SIGTERM, SIGHUP (SIGBREAK on Windows) or parent-exited; database_size_bytes is the file once its write-ahead log is folded in.',
          ].join('\n'),
        ),
      ),
  handler: async (args) => {
    // Below this, V8 ends the process with a native out-of-memory report that pssql cannot catch.
    const limit = addressSpaceLimit();
    if (limit !== null && limit < ADDRESS_SPACE_NEEDED) {
      warn(args, `the address-space limit (ulimit -v) is ${humanBytes(limit)}: a recorder may need ${humanBytes(ADDRESS_SPACE_NEEDED)}, and Node stops with its own out-of-memory report past the limit`);
    }
    const pids = (args.pid ?? []).map(parsePid);
    const names = args.name ?? [];
    if (pids.length === 0 && names.length === 0 && !args.all) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'say what to record: pids, --name NAME or --all', { option: 'pid' });
    }
    // A recorder lives long and makes a capture's worth of garbage every round, which V8 lets
    // pile up to four times the live heap before it collects (hundreds of megabytes for a large
    // target). A lower growing factor keeps the heap near what is live, for a few more full
    // collections (mostly concurrent, on the other core). Set for this process only: the
    // library leaves the heap of its users alone.
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    const [{ parseDuration }, { MIN_EVERY_US, startRecorder }] = await Promise.all([
      import('../../recorder/parse-duration.js'),
      import('../../recorder/recorder.js'),
    ]);
    const everyUs = parseDuration(args.every, '--every');
    if (everyUs < MIN_EVERY_US) {
      throw new PssError('ERROR_INVALID_PARAMETER', `--every ${args.every} is too short: 10ms at least`, { option: 'every' });
    }
    const forUs = args.for === undefined ? undefined : parseDuration(args.for, '--for');
    const maxAgeUs = args.maxAge === undefined ? undefined : parseDuration(args.maxAge, '--max-age');
    const flags = args.flags === undefined ? undefined : parseCaptureFlags(args.flags);
    const pushEveryUs = parseDuration(args.pushEvery ?? '1m', '--push-every');
    if (args.push !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(args.push)) {
      const { checkPostgresUrl } = await import('../../store/postgres/connection-url.js');
      checkPostgresUrl(args.push, 'push');
    }
    if (args.push === undefined && args.pushEvery !== undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', '--push-every needs --push TARGET', { option: 'push-every' });
    }

    const status = new StatusLine(!args.quiet && process.stderr.isTTY === true);
    const totals = { captures: 0, rows: 0, lastCostUs: 0, targets: 0 };
    const drawStatus = (): void => {
      // Not on a terminal, nothing is drawn: skip the stat() calls of the database size too.
      if (!status.enabled) return;
      // The file as the summary counts it, and the write-ahead log beside it until it is folded in.
      const size = fileSizes(args.db);
      status.draw(
        `recording ${totals.targets} process${totals.targets === 1 ? '' : 'es'}: ${totals.captures} captures, ` +
          `last ${humanDuration(totals.lastCostUs)}, ${totals.rows} rows, ${humanBytes(size.file)}${size.wal > 0 ? ` + ${humanBytes(size.wal)} WAL` : ''}`,
        ' (Ctrl-C to stop)',
      );
    };
    const say = (message: string): void => {
      // Process names are the process's to choose: shown escaped, never as terminal control.
      if (!args.quiet) status.print(displayLine(message), drawStatus);
    };
    const verbose = (message: string): void => {
      if (args.verbose) say(message);
    };
    // With --all, processes come and go all the time: only --verbose tells each one.
    const routine = args.all ? verbose : say;
    let firstDropError: Error | null = null;
    let stoppedBy: StoppedBy | null = null;
    const deniedTargets = new Map<number, readonly string[]>();
    let lastPushError: string | null = null;
    const redact = (location: string): string => location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1@');

    const onEvent = (event: RecorderEvent): void => {
      switch (event.type) {
        case 'target-added':
          totals.targets++;
          verbose(`recording ${who(event.target)}, chosen by ${event.target.selectedBy}`);
          break;
        case 'capture-start':
          verbose(`round ${event.round}: capturing ${who(event.target)}`);
          break;
        case 'capture':
          if (event.deniedParts.length > 0 && !deniedTargets.has(event.target.pid)) {
            deniedTargets.set(event.target.pid, event.deniedParts);
            // One process is told when it happens; with --all, one line at the end tells them all.
            if (!args.all) say(`${who(event.target)}: recorded without ${event.deniedParts.join(', ')} (run as root or with CAP_SYS_PTRACE for them)`);
          }
          totals.captures++;
          totals.rows += event.rowsWritten;
          totals.lastCostUs = event.costUs;
          verbose(
            `round ${event.round}: capture ${event.captureId} of ${who(event.target)}: ${humanDuration(event.costUs)}, ` +
              `${event.entries} entries, ${event.rowsWritten} rows (${event.versionsWritten} new version${event.versionsWritten === 1 ? '' : 's'})` +
              (event.capturesPruned > 0 ? `, ${event.capturesPruned} old captures pruned` : ''),
          );
          drawStatus();
          break;
        case 'failure':
          say(event.target === null ? event.error.message : `${who(event.target)}: ${event.error.message}`);
          break;
        case 'target-dropped':
          totals.targets--;
          firstDropError ??= event.error;
          {
            // A target never captured (no such pid, no right) is said as it is; with --all, exits are routine.
            const message = event.target.captured === 0 ? event.target.message : `${event.target.message}: no longer recorded`;
            if (event.target.reason === 'exited') routine(message);
            else say(message);
          }
          break;
        case 'round':
          drawStatus();
          break;
        case 'overrun':
          say(
            `round ${event.round} overran --every ${humanDuration(event.everyUs)} (it took ${humanDuration(event.costUs)}` +
              `${event.startedLateUs >= 1000 ? ` and started ${humanDuration(event.startedLateUs)} late` : ''}): ` +
              `${event.ticksSkipped} tick${event.ticksSkipped === 1 ? '' : 's'} skipped`,
          );
          break;
        case 'clock-jump': {
          const ahead = event.jumpUs > 0;
          say(
            `the wall clock moved ${humanDuration(Math.abs(event.jumpUs))} ${ahead ? 'ahead' : 'back'} before round ${event.round} ` +
              `(${ahead ? 'a clock step, or the machine was suspended' : 'a clock step back'}): captures are stamped with the wall clock; ` +
              (ahead ? 'the time jumped over does not age what this recorder recorded (--max-age)' : 'nothing is pruned for it'),
          );
          break;
        }
        case 'stopping':
          break;
        case 'pushed':
          if (lastPushError !== null) say(`push to ${redact(args.push ?? '')} works again`);
          lastPushError = null;
          if (event.summary.captures > 0) verbose(`pushed ${event.summary.captures} captures (${event.summary.rows} rows) to ${event.summary.target}`);
          break;
        case 'push-failed':
          // Said once, and again when the reason changes: a target down for an hour is not sixty lines.
          if (event.error.message !== lastPushError) say(`push failed, captures stay in the recording and go later: ${event.error.message}`);
          lastPushError = event.error.message;
          break;
      }
    };

    // A recorder writes for long: the file is checked in full before it starts.
    const summary = await withStore(args, { check: 'full', removeIfUnused: true }, async (store) => {
      const recorder = startRecorder({
        store,
        pids,
        names,
        all: args.all,
        everyUs,
        ...(args.count === undefined ? {} : { count: args.count }),
        ...(forUs === undefined ? {} : { forUs }),
        ...(args.keep === undefined ? {} : { keep: args.keep }),
        ...(maxAgeUs === undefined ? {} : { maxAgeUs }),
        ...(flags === undefined ? {} : { flags }),
        details: args.details,
        strict: args.strict,
        label: args.label ?? null,
        ...(args.push === undefined ? {} : { push: { target: args.push, everyUs: pushEveryUs } }),
        onEvent,
      });
      const stop = (why: StoppedBy, message: string): void => {
        say(`${message}: stopping after the capture in progress`);
        stoppedBy ??= why;
        void recorder.stop();
      };
      const onSignal = (signal: NodeJS.Signals): void => stop(signal === 'SIGINT' || signal === 'SIGHUP' || signal === 'SIGBREAK' ? signal : 'SIGTERM', signal);
      // Started through npm, Ctrl-C is pssql's alone; and whatever started it, its end ends the recording.
      const giveBack = await takeTerminalForeground();
      const unwatch = watchParent(() => stop('parent-exited', `the process that started pssql (pid ${STARTED_BY}) exited`));
      for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
      try {
        return await recorder.done;
      } finally {
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
        unwatch();
        status.clear();
        giveBack?.();
      }
    });
    // Nothing was ever captured because the processes named are not there (or not ours): an error,
    // whose message was already printed when the target was dropped.
    if (summary.captures === 0 && summary.stopReason === 'no-targets' && firstDropError !== null) {
      process.exitCode = exitCodeOf(firstDropError);
      return;
    }
    if (args.all && deniedTargets.size > 0 && !args.quiet) {
      const parts = new Map<string, number>();
      for (const denied of deniedTargets.values()) for (const part of denied) parts.set(part, (parts.get(part) ?? 0) + 1);
      // The parts as the captures name them (in one order), each with the processes it was denied in.
      const listed = [...parts].map(([part, n]) => `${part} ${n}`).join(', ');
      process.stderr.write(
        `pssql: ${deniedTargets.size} of ${summary.targets} processes recorded without what needs more privilege (${listed}): run as root or with CAP_SYS_PTRACE to record them whole\n`,
      );
    }
    // The size of the file once the store is closed and its write-ahead log folded into it (the
    // status line shows the log beside the file while recording).
    summary.databaseBytes = fileSizes(args.db).file;
    printRecord(args as GlobalOptions, summaryRecord(summary, args.format === 'json' || args.format === 'ndjson', stoppedBy));
  },
});
