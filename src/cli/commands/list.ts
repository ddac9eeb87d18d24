import { scopeOf, scopeOptions, TIME_HELP, timeOptions } from '../capture-scope.js';
import { defineCommand, printRows, withStore } from '../context.js';
import { wrapHelp } from '../help-text.js';
import { lastOption, limitOption, positiveCount } from '../row-options.js';

export const listCommand = defineCommand({
  command: 'list',
  describe: 'list the captures in the recording, with their counts',
  builder: (yargs) =>
    limitOption(lastOption(timeOptions(scopeOptions(yargs, 'only the captures'), 'only the captures')))
      .option('hosts', { type: 'boolean', default: false, describe: 'list the hosts and recordings instead: captures, processes, first and last' })
      .example('$0 list --name nginx --last 10', 'the last 10 captures of nginx')
      .example('$0 list --hosts --db postgres://pssql@db/pssql', 'the hosts pushed into a central store')
      .example("$0 list --since '2026-12-01 08:00' --until 1h", 'the captures from 8 this morning until an hour ago')
      .epilog(wrapHelp(TIME_HELP)),
  handler: async (args) => {
    const scope = await scopeOf(args);
    if (args.hosts) {
      const rows = await withStore(args, { readonly: true }, async (store) => (await import('../../analysis/captures.js')).listHosts(store, scope));
      printRows(args, { columns: ['host', 'recording_id', 'captures', 'processes', 'first_started_at_us', 'last_started_at_us', 'pushed_at_us'], rows });
      return;
    }
    const last = positiveCount(args.last, '--last');
    const limit = positiveCount(args.limit, '--limit');
    const [{ listCaptures }, { exactTexts }] = await Promise.all([import('../../analysis/captures.js'), import('../../analysis/exact-text.js')]);
    await withStore(args, { readonly: true }, async (store) => {
      const captures = await listCaptures(store, { ...scope, ...(last === undefined ? {} : { limit: last }) });
      const rows = limit === undefined ? captures : captures.slice(0, limit);
      printRows(args, {
        columns: ['capture_id', 'started_at_us', 'pid', 'name', 'threads', 'handles', 'regions', 'working_set_size_bytes', 'skipped', 'denied', 'duration_us', 'label'],
        rows,
        exact: await exactTexts(store, rows),
      });
    });
  },
});
