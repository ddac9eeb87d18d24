import { defineCommand, printRecord, status } from '../context.js';

export const salvageCommand = defineCommand({
  command: 'salvage <damaged> <new>',
  describe: 'copy every capture of a damaged recording that still reads back whole into a new recording',
  builder: (yargs) =>
    yargs
      .positional('damaged', { type: 'string', describe: 'the damaged recording (only read)', demandOption: true })
      .positional('new', { type: 'string', describe: 'the recording to make (must not exist)', demandOption: true })
      .example('$0 salvage pssql.db saved.db', 'keep what pssql.db still holds whole'),
  handler: async (args) => {
    const { salvageRecording } = await import('../../store/salvage-recording.js');
    const result = salvageRecording(args.damaged, args.new, (done, of) => {
      if (done % 50 === 0) status(args, `salvaging: ${done} of ${of} captures`);
    });
    for (const lost of result.lost.slice(0, 10)) process.stderr.write(`pssql: capture ${lost.captureId} of ${args.damaged} is lost: ${lost.reason}\n`);
    printRecord(args, {
      captures: result.captures,
      salvaged: result.salvaged,
      lost: result.lost.length,
      recording: args.new,
    });
  },
});
