import { PssError } from '../../pss/pss-error.js';
import { defineCommand, type GlobalOptions, printRecord } from '../context.js';

export const pruneCommand = defineCommand({
  command: 'prune',
  describe: 'delete old captures from a store (a central PostgreSQL store, or a recording file): by age, or keeping the newest N of each process',
  builder: (yargs) =>
    yargs
      .option('max-age', { type: 'string', requiresArg: true, describe: 'delete captures that started longer ago than this (90d, 12h, ...)' })
      .option('keep', { type: 'number', requiresArg: true, describe: 'keep only the newest N captures of each process instance' })
      .option('vacuum', { type: 'boolean', default: false, describe: 'a recording file: then shrink it by the space the deleted captures took (VACUUM)' })
      .example('$0 prune --db postgres://pssql@db/pssql --max-age 90d', 'central retention: three months')
      .example('$0 prune --keep 100 --vacuum', 'the newest 100 captures of each process, and a file that small')
      .epilog(
        [
          'Captures are deleted oldest first, with the entry versions only they used, in one transaction. In a',
          'PostgreSQL store a recording left without captures has its partitions dropped; the store keeps what it',
          'had pushed of each process, so a later push does not bring pruned captures back.',
          'A recording file keeps its size: new captures reuse the pages the deleted ones left free. --vacuum',
          'rewrites it without them (it needs the file to itself for that moment, and free disk space of about',
          'twice its size).',
        ].join('\n'),
      ),
  handler: async (args) => {
    if (args.maxAge === undefined && args.keep === undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'say what to delete: --max-age DURATION or --keep N', { option: 'max-age' });
    }
    const [{ parseDuration }, { pruneStore }] = await Promise.all([import('../../recorder/parse-duration.js'), import('../../store/prune-store.js')]);
    const retention = {
      ...(args.maxAge === undefined ? {} : { maxAgeUs: parseDuration(args.maxAge, '--max-age') }),
      ...(args.keep === undefined ? {} : { keep: args.keep }),
    };
    const pruned = await pruneStore(args.db, retention, undefined, { vacuum: args.vacuum === true });
    printRecord(args as GlobalOptions, {
      store: pruned.store,
      captures_deleted: pruned.captures,
      versions_deleted: pruned.versions,
      partitions_dropped: pruned.partitionsDropped,
      captures_left: pruned.capturesLeft,
      duration_us: pruned.durationUs,
      ...(pruned.fileBytes === undefined ? {} : { file_size_before_bytes: pruned.fileBytes.before, file_size_after_bytes: pruned.fileBytes.after }),
    });
  },
});
