import { defineCommand, parsePid, printRows, withStore } from '../context.js';

export const listCommand = defineCommand({
  command: 'list',
  describe: 'list the captures in the recording, with their counts',
  builder: (yargs) =>
    yargs
      .option('pid', { type: 'string', describe: 'only captures of this pid', requiresArg: true })
      .option('name', { type: 'string', describe: 'only processes whose name or image path contains this', requiresArg: true })
      .option('limit', { type: 'number', describe: 'only the newest N captures', requiresArg: true })
      .example('$0 list --name nginx --limit 10', 'the last 10 captures of nginx'),
  handler: async (args) => {
    if (args.limit !== undefined && (!Number.isSafeInteger(args.limit) || args.limit <= 0)) {
      throw new RangeError(`--limit must be a positive integer (got ${String(args.limit)})`);
    }
    const filter = {
      ...(args.pid === undefined ? {} : { pid: parsePid(args.pid) }),
      ...(args.name === undefined ? {} : { name: args.name }),
      ...(args.limit === undefined ? {} : { limit: args.limit }),
    };
    const [{ listCaptures }, { exactTexts }] = await Promise.all([import('../../analysis/captures.js'), import('../../analysis/exact-text.js')]);
    await withStore(args, { readonly: true }, async (store) => {
      const rows = await listCaptures(store, filter);
      printRows(args, {
        columns: ['capture_id', 'started_at_us', 'pid', 'name', 'threads', 'handles', 'regions', 'working_set_size_bytes', 'skipped', 'denied', 'duration_us', 'label'],
        rows,
        exact: exactTexts(store, rows),
      });
    });
  },
});
