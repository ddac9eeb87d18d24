import { defineCommand, printRecord, withRecordingFile, withStore } from '../context.js';

export const backupCommand = defineCommand({
  command: 'backup <file>',
  describe: 'write a consistent copy of the recording, even while recorders write into it',
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', describe: 'the copy to make (must not exist)', demandOption: true })
      .example('$0 backup /backups/pssql-$(date +%F).db', 'a copy to keep')
      .epilog(
        [
          "SQLite's online backup: the copy holds every capture written before it started, whole, including what",
          'the write-ahead log (FILE-wal) holds. A plain copy of the .db file alone is enough only when no pssql',
          'has the recording open (the log is then checkpointed into the file and removed).',
        ].join('\n'),
      ),
  handler: async (args) => {
    const { backupRecording } = await import('../../store/backup-recording.js');
    const { bytes } = await withRecordingFile(args, { readonly: true }, (store) => backupRecording(store, args.file));
    printRecord(args, { backup: args.file, size_bytes: bytes });
  },
});
