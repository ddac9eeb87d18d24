import { captureFlagNames } from '../../pss/capture-flags.js';
import { ENTRY_KINDS, type EntryKind } from '../../store/entry-kinds.js';
import type { ReadStore } from '../../store/read-store.js';
import { defineCommand, printRecord, printRows, scopeOf, scopeOptions, withStore } from '../context.js';

const KINDS = ['summary', 'process', ...ENTRY_KINDS.map((k) => k.kind), 'counters'] as const;
type ShowKind = 'summary' | 'process' | EntryKind | 'counters';

/** The columns `show` prints of each kind of entry, by name or as `[name, expression]`; `--all` prints every column of the view. */
const ENTRY_COLUMNS: Record<EntryKind, readonly (string | readonly [string, string])[]> = {
  threads: [
    'thread_id',
    'name',
    'state',
    'priority',
    'base_priority',
    'user_time_us',
    'kernel_time_us',
    'last_syscall_number',
    'voluntary_context_switches',
    'involuntary_context_switches',
    'create_time_us',
  ],
  handles: ['handle_value', 'type_name', 'object_name', ['access', 'access_mode(open_flags)'], 'position_bytes', 'protocol', 'local_address', 'remote_address', 'socket_state'],
  regions: [
    'base_address',
    'region_size_bytes',
    ['protection', 'protection_short(protect)'],
    ['state', 'mem_state_name(state)'],
    ['type', 'mem_type_name(type)'],
    'permissions',
    'mapped_file_name',
  ],
};

/** What `show` selects for each kind but the summary and the process. */
const SELECT: Record<Exclude<ShowKind, 'summary' | 'process'>, { from: string; columns: readonly (string | readonly [string, string])[]; orderBy: string }> = {
  ...(Object.fromEntries(ENTRY_KINDS.map((k) => [k.kind, { from: k.view, columns: ENTRY_COLUMNS[k.kind], orderBy: k.orderBy }])) as Record<
    EntryKind,
    { from: string; columns: readonly (string | readonly [string, string])[]; orderBy: string }
  >),
  counters: {
    from: 'performance_counters',
    columns: ['phase', 'wall_clock_us', 'cpu_time_us', 'cycle_count'],
    orderBy: "CASE phase WHEN 'total' THEN 0 ELSE 1 END, phase",
  },
};

async function rowsOf(store: ReadStore, kind: keyof typeof SELECT, captureId: number, all: boolean, type: string | undefined) {
  const [{ readRows }, { RELATIONS }] = await Promise.all([import('../../store/read-rows.js'), import('../../store/schema.js')]);
  const { from, columns, orderBy } = SELECT[kind];
  const names = all ? Object.keys(RELATIONS[from]?.columns ?? {}) : columns.map((c) => (typeof c === 'string' ? c : c[0]));
  const list = all ? '*' : columns.map((c) => (typeof c === 'string' ? c : `${c[1]} AS ${c[0]}`)).join(', ');
  // lower() on both sides: ASCII case ignored, as SQLite's NOCASE does, in both dialects.
  const filter = type === undefined ? '' : ' AND lower(type_name) = lower(?)';
  const params = type === undefined ? [captureId] : [captureId, type];
  const rows = await readRows(store, `SELECT ${list} FROM ${from} WHERE capture_id = ?${filter} ORDER BY ${orderBy}`, params);
  return { columns: names, rows };
}

export const showCommand = defineCommand({
  command: 'show <capture> [kind]',
  describe: 'show one capture: summary, process, threads, handles, regions or counters',
  builder: (yargs) =>
    scopeOptions(yargs)
      .positional('capture', { type: 'string', describe: "capture id, 'latest', 'first' or 'latest-N'", demandOption: true })
      .positional('kind', { choices: KINDS, default: 'summary' as ShowKind, describe: 'what to show' })
      .option('all', { type: 'boolean', default: false, describe: 'every column, not only the usual ones' })
      .option('type', { type: 'string', describe: 'handles of this type only (File, Socket, Pipe...)', requiresArg: true })
      .example('$0 show latest handles --type Socket', 'sockets of the newest capture, with endpoints')
      .example('$0 show 3 regions --format json', 'every region of capture 3, for a script'),
  handler: async (args) => {
    const { getCapture, resolveCapture } = await import('../../analysis/captures.js');
    await withStore(args, { readonly: true }, async (store) => {
      const scope = scopeOf(args);
      const captureId = await resolveCapture(store, args.capture, scope);
      const kind = args.kind ?? 'summary';
      if (kind === 'summary' || kind === 'process') {
        const { readRows } = await import('../../store/read-rows.js');
        const [process = {}] = await readRows(store, 'SELECT * FROM processes WHERE capture_id = ?', [captureId]);
        if (kind === 'process') {
          printRecord(args, process);
          return;
        }
        const c = await getCapture(store, captureId, scope);
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
      printRows(args, await rowsOf(store, kind, captureId, args.all, args.type));
    });
  },
});
