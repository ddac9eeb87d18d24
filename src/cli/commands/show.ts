import { captureFlagNames } from '../../pss/capture-flags.js';
import { ENTRY_KINDS, type EntryKind } from '../../store/entry-kinds.js';
import type { Store } from '../../store/open-store.js';
import { defineCommand, printRecord, printRows, withStore } from '../context.js';

const KINDS = ['summary', 'process', ...ENTRY_KINDS.map((k) => k.kind), 'counters'] as const;
type ShowKind = 'summary' | 'process' | EntryKind | 'counters';

/** The columns `show` prints of each kind of entry; `--all` prints every column of the view. */
const ENTRY_COLUMNS: Record<EntryKind, string> = {
  threads:
    'thread_id, name, state, priority, base_priority, user_time_us, kernel_time_us, last_syscall_number, voluntary_context_switches, involuntary_context_switches, create_time_us',
  handles: 'handle_value, type_name, object_name, access_mode(open_flags) AS access, position_bytes, protocol, local_address, remote_address, socket_state',
  regions:
    'base_address, region_size_bytes, protection_short(protect) AS protection, mem_state_name(state) AS state, mem_type_name(type) AS type, permissions, mapped_file_name',
};

/** What `show` selects for each kind but the summary and the process. */
const SELECT: Record<Exclude<ShowKind, 'summary' | 'process'>, { from: string; columns: string; orderBy: string }> = {
  ...(Object.fromEntries(ENTRY_KINDS.map((k) => [k.kind, { from: k.view, columns: ENTRY_COLUMNS[k.kind], orderBy: k.orderBy }])) as Record<
    EntryKind,
    { from: string; columns: string; orderBy: string }
  >),
  counters: {
    from: 'performance_counters',
    columns: 'phase, wall_clock_us, cpu_time_us, cycle_count',
    orderBy: "CASE phase WHEN 'total' THEN 0 ELSE 1 END, phase",
  },
};

function rowsOf(store: Store, kind: keyof typeof SELECT, captureId: number, all: boolean, type: string | undefined) {
  const { from, columns, orderBy } = SELECT[kind];
  const filter = type === undefined ? '' : ' AND type_name = ? COLLATE NOCASE';
  const reader = store.reader(`SELECT ${all ? '*' : columns} FROM ${from} WHERE capture_id = ?${filter} ORDER BY ${orderBy}`);
  const rows = type === undefined ? reader.all(captureId) : reader.all(captureId, type);
  return { columns: reader.statement.columns().map((c) => c.name), rows };
}

export const showCommand = defineCommand({
  command: 'show <capture> [kind]',
  describe: 'show one capture: summary, process, threads, handles, regions or counters',
  builder: (yargs) =>
    yargs
      .positional('capture', { type: 'string', describe: "capture id, 'latest', 'first' or 'latest-N'", demandOption: true })
      .positional('kind', { choices: KINDS, default: 'summary' as ShowKind, describe: 'what to show' })
      .option('all', { type: 'boolean', default: false, describe: 'every column, not only the usual ones' })
      .option('type', { type: 'string', describe: 'handles of this type only (File, Socket, Pipe...)', requiresArg: true })
      .example('$0 show latest handles --type Socket', 'sockets of the newest capture, with endpoints')
      .example('$0 show 3 regions --format json', 'every region of capture 3, for a script'),
  handler: async (args) => {
    const { getCapture, resolveCapture } = await import('../../analysis/captures.js');
    await withStore(args, { readonly: true }, async (store) => {
      const captureId = await resolveCapture(store, args.capture);
      const kind = args.kind ?? 'summary';
      if (kind === 'summary' || kind === 'process') {
        const process = store.reader('SELECT * FROM processes WHERE capture_id = ?').get(captureId) ?? {};
        if (kind === 'process') {
          printRecord(args, process);
          return;
        }
        const c = await getCapture(store, captureId);
        printRecord(args, {
          capture_id: c.capture_id,
          pid: c.pid,
          name: process.name,
          image_file_name: process.image_file_name,
          command_line: process.command_line,
          user: process.user_name ?? process.uid,
          host: c.host,
          platform: c.platform,
          started_at_us: c.started_at_us,
          duration_us: c.duration_us,
          flags: captureFlagNames(c.capture_flags).join(','),
          threads: c.thread_count,
          handles: c.handle_count,
          regions: c.region_count,
          skipped: c.skipped_count,
          denied: c.denied_count,
          denied_parts: c.denied_parts,
          working_set_size_bytes: process.working_set_size_bytes,
          private_usage_bytes: process.private_usage_bytes,
          virtual_size_bytes: process.virtual_size_bytes,
          container: process.container,
          label: c.label,
        });
        return;
      }
      printRows(args, rowsOf(store, kind, captureId, args.all, args.type));
    });
  },
});
