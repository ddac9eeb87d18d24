import { defineCommand, parsePid, printRows, scopeOf, scopeOptions, withStore } from '../context.js';

export const listCommand = defineCommand({
  command: 'list',
  describe: 'list the captures in the recording, with their counts',
  builder: (yargs) =>
    scopeOptions(yargs)
      .option('hosts', { type: 'boolean', default: false, describe: 'list the hosts and recordings instead: captures, processes, first and last' })
      .option('pid', { type: 'string', describe: 'only captures of this pid', requiresArg: true })
      .option('name', { type: 'string', describe: 'only processes whose name or image path contains this', requiresArg: true })
      .option('limit', { type: 'number', describe: 'only the newest N captures', requiresArg: true })
      .example('$0 list --name nginx --limit 10', 'the last 10 captures of nginx')
      .example('$0 list --hosts --db postgres://pssql@db/pssql', 'the hosts pushed into a central store'),
  handler: async (args) => {
    if (args.limit !== undefined && (!Number.isSafeInteger(args.limit) || args.limit <= 0)) {
      throw new RangeError(`--limit must be a positive integer (got ${String(args.limit)})`);
    }
    if (args.hosts) {
      const rows = await withStore(args, { readonly: true }, async (store) => (await import('../../analysis/captures.js')).listHosts(store, scopeOf(args)));
      printRows(args, { columns: ['host', 'recording_id', 'captures', 'processes', 'first_started_at_us', 'last_started_at_us', 'pushed_at_us'], rows });
      return;
    }
    const filter = {
      ...scopeOf(args),
      ...(args.pid === undefined ? {} : { pid: parsePid(args.pid) }),
      ...(args.name === undefined ? {} : { name: args.name }),
      ...(args.limit === undefined ? {} : { limit: args.limit }),
    };
    const rows = await withStore(args, { readonly: true }, async (store) => (await import('../../analysis/captures.js')).listCaptures(store, filter));
    printRows(args, {
      columns: ['capture_id', 'started_at_us', 'pid', 'name', 'threads', 'handles', 'regions', 'working_set_size_bytes', 'skipped', 'denied', 'duration_us', 'label'],
      rows,
    });
  },
});
