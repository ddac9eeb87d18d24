import * as fs from 'node:fs';
import * as path from 'node:path';
import { PssError } from '../../pss/pss-error.js';
import { humanDuration } from '../../pss/units.js';
import type { PushEvent, PushSummary } from '../../push/push-recording.js';
import { defineCommand, type GlobalOptions, printRecord, warn } from '../context.js';

/** A location as messages show it: a URL without its password. */
const redact = (location: string): string => location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1@');
const isUrl = (location: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(location);

/** Whether two locations are one file (a push into itself would read what it writes). */
function sameFile(a: string, b: string): boolean {
  if (isUrl(a) || isUrl(b)) return false;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** The summary as one record, for a table or a script. */
export function pushRecord(summary: PushSummary, stopped: boolean): Record<string, unknown> {
  const seconds = summary.durationUs / 1e6;
  return {
    target: summary.target,
    recordings: summary.recordings,
    instances: summary.instances,
    captures: summary.captures,
    rows: summary.rows,
    versions: summary.versions,
    versions_closed: summary.versionsClosed,
    batches: summary.batches,
    skipped: summary.skipped,
    up_to_date: summary.upToDate,
    rows_per_second: seconds > 0 ? Math.round(summary.rows / seconds) : 0,
    duration_us: summary.durationUs,
    stopped_by: stopped ? 'signal' : 'done',
  };
}

export const pushCommand = defineCommand({
  command: 'push <target>',
  describe: 'copy what a target store lacks of the recording: into PostgreSQL (postgres://...) or another recording file',
  builder: (yargs) =>
    yargs
      .positional('target', {
        type: 'string',
        demandOption: true,
        describe: 'postgres://user[:password]@host[:port]/database (password also from PGPASSWORD or ~/.pgpass), or a recording file',
      })
      .option('batch-captures', { type: 'number', default: 200, requiresArg: true, describe: 'captures per transaction at most' })
      .example('$0 push postgres://pssql@db.example/pssql', 'send this host\'s new captures to the central store')
      .example('$0 push fleet.db --db web1.db', 'merge a recording into another file, without a server')
      .epilog(
        [
          'Incremental: per process instance, only the captures (and entry versions) the target does not hold yet; a push of an',
          'unchanged recording writes nothing. Each batch is one transaction on the target: a push that is killed or cut off',
          'leaves whole captures only, and the next push completes it. The recording (--db) is read, never changed.',
          'On a terminal a status line shows progress; the summary says what was written (--format json for scripts).',
        ].join('\n'),
      ),
  handler: async (args) => {
    const target = args.target;
    if (sameFile(target, args.db)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `cannot push ${args.db} into itself: name another store`, { option: 'target' });
    }
    if (!Number.isSafeInteger(args.batchCaptures) || args.batchCaptures < 1) {
      throw new RangeError(`--batch-captures must be a positive integer (got ${String(args.batchCaptures)})`);
    }
    const [{ checkRecordingFile }, { openStore }, { openPushTarget }, { pushStore }] = await Promise.all([
      import('../../store/open-read-store.js'),
      import('../../store/open-store.js'),
      import('../../push/open-push-target.js'),
      import('../../push/push-recording.js'),
    ]);
    checkRecordingFile(args.db, 'push --db');
    const source = openStore(args.db, { readonly: true });
    const drawing = !args.quiet && process.stderr.isTTY === true;
    const started = performance.now();
    const onEvent = (event: PushEvent): void => {
      if (event.type === 'retry') {
        warn(args, `${event.error.message}; trying again in ${humanDuration(event.waitMs * 1000)} (attempt ${event.attempt + 1})`);
        return;
      }
      if (!drawing || event.type !== 'batch') return;
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(event.rowsDone / seconds) : 0;
      process.stderr.write(`\r\x1b[2Kpushing to ${redact(target)}: ${event.capturesDone}/${event.capturesTotal} captures, ${event.rowsDone} rows, ${rate} rows/s`);
    };
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const into = await openPushTarget(target);
      try {
        const summary = await pushStore(source, into, { onEvent, signal: abort.signal, batchCaptures: args.batchCaptures });
        if (drawing) process.stderr.write('\r\x1b[2K');
        printRecord(args as GlobalOptions, pushRecord(summary, abort.signal.aborted));
      } finally {
        await into.close();
      }
    } finally {
      if (drawing) process.stderr.write('\r\x1b[2K');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      source.close();
    }
  },
});
