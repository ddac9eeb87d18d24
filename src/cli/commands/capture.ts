import { parseContextFlags } from '../../pss/context-flags.js';
import { CAPTURE_FLAG_INFO, CAPTURE_FLAG_PRESETS, captureFlagNames, DEFAULT_CAPTURE_FLAGS, parseCaptureFlags } from '../../pss/capture-flags.js';
import { QueryClass } from '../../pss/information-class.js';
import { isPssError, PssError } from '../../pss/pss-error.js';
import { defineCommand, parsePid, printRows, status, warn, withStore } from '../context.js';
import { exitCodeOf } from '../exit-codes.js';
import { wrapHelp } from '../help-text.js';

const FLAG_HELP = [
  'Capture flags (--flags), comma-separated; a leading - removes one:',
  ...CAPTURE_FLAG_INFO.filter((f) => !f.name.startsWith('reserved')).map((f) => `  ${f.name.padEnd(23)}  ${f.description}`),
  `Presets: ${Object.keys(CAPTURE_FLAG_PRESETS).join(', ')}. Default: ${captureFlagNames(DEFAULT_CAPTURE_FLAGS).join(', ')}.`,
  'Windows names (PSS_CAPTURE_HANDLES) and numbers (0x804) work too.',
  '',
  "Without root, what needs more privilege (another user's fds and memory map, its executable, namespaces,",
  'I/O counters) is left out and named in one line; --strict refuses such a capture instead.',
].join('\n');

export const captureCommand = defineCommand({
  command: 'capture [pid..]',
  describe: 'capture processes into the recording, one transaction each',
  builder: (yargs) =>
    yargs
      .positional('pid', { describe: 'process ids to capture', type: 'string', array: true })
      .option('name', {
        type: 'string',
        array: true,
        describe: 'capture the processes with this name (short name, executable or argv[0] file name), as record --name',
        requiresArg: true,
      })
      .option('flags', { type: 'string', describe: 'what to capture (see below)', requiresArg: true })
      .option('details', { type: 'boolean', default: false, describe: 'per-region resident/private/swap sizes (reads smaps: slower)' })
      .option('context-flags', {
        type: 'string',
        describe: 'Windows: CONTEXT flags of thread contexts, e.g. full,xstate (default full; full,xstate with thread-context-extended)',
        requiresArg: true,
      })
      .option('strict', { type: 'boolean', default: false, describe: 'all or nothing: fail when a part may not be read, instead of leaving it out' })
      .option('label', { type: 'string', describe: 'free text stored with the capture', requiresArg: true })
      .example('$0 capture $$', 'capture this shell')
      .example('$0 capture --name nginx', 'every process named nginx')
      .example('$0 capture 1234 --flags all-handles', 'only fds, with names, positions and socket endpoints')
      .example('$0 capture 1234 --flags -threads', 'the default without threads')
      .epilog(wrapHelp(FLAG_HELP)),
  handler: async (args) => {
    const given = (args.pid ?? []).map(parsePid);
    const names = args.name ?? [];
    if (given.length === 0 && names.length === 0) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'say what to capture: pids, or --name NAME', { option: 'pid' });
    }
    const flags = args.flags === undefined ? DEFAULT_CAPTURE_FLAGS : parseCaptureFlags(args.flags);
    const threadContextFlags = args.contextFlags === undefined ? undefined : parseContextFlags(args.contextFlags);
    const [{ createCapturer, processMatchesName }, { writeCapture }] = await Promise.all([import('../../capture/index.js'), import('../../store/capture-writer.js')]);
    const rows: Record<string, unknown>[] = [];
    let failure: unknown;
    const capturer = createCapturer();
    // The processes of each name, found before the recording is opened: a name that matches none is
    // an error like a pid that does not exist, and creates no recording.
    const pids = [...given];
    // Found by --name only: one that exits before its capture is gone, as record --name drops it, not a failure.
    const matched = new Set<number>();
    if (names.length > 0) {
      const listed = capturer.listProcesses().filter((p) => p.pid !== process.pid);
      for (const name of names) {
        const found = listed.filter((p) => processMatchesName(p, name)).map((p) => p.pid);
        if (found.length === 0) {
          const error = new PssError('ERROR_NOT_FOUND', `no process named '${name}' (a short name, or the file name of an executable or argv[0])`, { option: 'name' });
          if (given.length === 0 && names.length === 1) {
            capturer.close();
            throw error;
          }
          warn(args, error.message);
          failure ??= error;
        }
        for (const pid of found) {
          if (!pids.includes(pid)) pids.push(pid);
          if (!given.includes(pid)) matched.add(pid);
        }
      }
    }
    if (pids.length === 0) {
      capturer.close();
      throw failure;
    }
    try {
      await withStore(args, { removeIfUnused: true }, (store) => {
        for (const [i, pid] of pids.entries()) {
          if (pids.length > 1) status(args, `capturing pid ${pid} (${i + 1}/${pids.length})`);
          try {
            const snapshot = capturer.capture({
              pid,
              flags,
              details: args.details,
              strict: args.strict,
              ...(threadContextFlags === undefined ? {} : { threadContextFlags }),
            });
            try {
              const result = writeCapture(store, snapshot, { label: args.label ?? null });
              const info = snapshot.info;
              if (info.deniedParts.length > 0) {
                const why = capturer.explainDenied?.(pid);
                warn(args, `pid ${pid}: captured without ${info.deniedParts.join(', ')}${why === undefined ? '' : ` (${why})`}`);
              }
              rows.push({
                capture_id: result.captureId,
                pid,
                name: snapshot.query(QueryClass.ProcessInformation).name,
                threads: result.counts.threads,
                handles: result.counts.handles,
                regions: result.counts.regions,
                skipped: info.skippedCount,
                denied: info.deniedCount,
                duration_us: info.durationUs,
                rows_written: result.rowsWritten,
              });
            } finally {
              snapshot.free(); // on Windows, the PSS snapshot handle
            }
          } catch (error) {
            // Other pids are still captured; the first failure decides the exit code.
            if (pids.length === 1 && names.length === 0) throw error;
            if (matched.has(pid) && isPssError(error, 'ERROR_NOT_FOUND')) {
              status(args, `pid ${pid} exited before its capture`);
              continue;
            }
            warn(args, (error as Error).message);
            failure ??= error;
          }
        }
      });
    } finally {
      capturer.close();
    }
    printRows(args, {
      columns: ['capture_id', 'pid', 'name', 'threads', 'handles', 'regions', 'skipped', 'denied', 'duration_us', 'rows_written'],
      rows,
    });
    if (rows.length === 0 && failure === undefined) {
      // Every process found by name exited before its capture.
      failure = new PssError('ERROR_NOT_FOUND', `the processes named ${names.map((n) => `'${n}'`).join(', ')} exited before their capture`, { option: 'name' });
      warn(args, (failure as Error).message);
    }
    if (failure !== undefined) process.exitCode = exitCodeOf(failure);
  },
});
