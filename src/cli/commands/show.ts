import { captureFlagNames } from '../../pss/capture-flags.js';
import { ENTRY_KINDS, type EntryKind } from '../../store/entry-kinds.js';
import type { ReadStore } from '../../store/read-store.js';
import { COUNTS_AMONG, scopeOf, scopeOptions } from '../capture-scope.js';
import { defineCommand, printRecord, printRows, withStore } from '../context.js';
import { wrapHelp } from '../help-text.js';
import type { RowSet } from '../output.js';
import { WINDOWS_ONLY_PHASES, withoutOtherPlatforms } from '../platform-columns.js';
import { positiveCount } from '../row-options.js';

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

/**
 * How `--all` shows the raw values of a view in a table: enums by name, as the usual columns do.
 * (JSON and CSV have the raw values; the interned-string ids are left out of tables, as their
 * text is the column beside.)
 */
const DECODED: Readonly<Record<string, string>> = {
  protect: 'protection_short(protect)',
  allocation_protect: 'protection_short(allocation_protect)',
  type: 'mem_type_name(type)',
  object_type: 'object_type_name(object_type)',
};

/** A column decoded for `--all` in a table, as an expression; undefined when it is shown as it is. */
function decoded(view: string, column: string): string | undefined {
  if (column === 'state') return view === 'threads' ? 'thread_state_name(state)' : view === 'regions' ? 'mem_state_name(state)' : undefined;
  return DECODED[column];
}

async function rowsOf(
  store: ReadStore,
  kind: keyof typeof SELECT,
  captureId: number,
  options: { all: boolean; humanised: boolean; type: string | undefined; limit: number | undefined },
) {
  const [{ readRows }, { RELATIONS }] = await Promise.all([import('../../store/read-rows.js'), import('../../store/schema.js')]);
  const { from, columns, orderBy } = SELECT[kind];
  let names: string[];
  let list: string;
  if (options.all) {
    const every = Object.keys(RELATIONS[from]?.columns ?? {});
    names = options.humanised ? every.filter((c) => !/(^|_)name_id$/.test(c)) : every;
    list = options.humanised ? names.map((c) => (decoded(from, c) === undefined ? c : `${decoded(from, c)} AS ${c}`)).join(', ') : '*';
  } else {
    names = columns.map((c) => (typeof c === 'string' ? c : c[0]));
    list = columns.map((c) => (typeof c === 'string' ? c : `${c[1]} AS ${c[0]}`)).join(', ');
  }
  // lower() on both sides: ASCII case ignored, as SQLite's NOCASE does, in both dialects.
  const filter = options.type === undefined ? '' : ' AND lower(type_name) = lower(?)';
  const params = options.type === undefined ? [captureId] : [captureId, options.type];
  const limit = options.limit === undefined ? '' : ` LIMIT ${options.limit}`;
  const rows = await readRows(store, `SELECT ${list} FROM ${from} WHERE capture_id = ?${filter} ORDER BY ${orderBy}${limit}`, params);
  return { columns: names, rows };
}

export const showCommand = defineCommand({
  command: 'show <capture> [kind]',
  describe: 'show one capture: summary, process, threads, handles, regions or counters',
  builder: (yargs) =>
    scopeOptions(yargs, COUNTS_AMONG)
      .positional('capture', { type: 'string', describe: "capture id, 'latest', 'first' or 'latest-N', or PID@latest, NAME@first...", demandOption: true })
      .positional('kind', { choices: KINDS, default: 'summary' as ShowKind, describe: 'what to show' })
      .option('all', { type: 'boolean', default: false, describe: 'every column, not only the usual ones (in a table, enums by name)' })
      .option('type', { type: 'string', describe: 'handles of this type only (File, Socket, Pipe...)', requiresArg: true })
      .option('limit', { type: 'number', describe: 'at most this many rows', requiresArg: true })
      .example('$0 show latest handles --type Socket', 'sockets of the newest capture, with endpoints')
      .example('$0 show nginx@latest', 'the newest capture of nginx (or: show latest --name nginx)')
      .example('$0 show 12710@first threads', 'the threads of the first capture of pid 12710')
      .example('$0 show 3 regions --format json', 'every region of capture 3, for a script')
      .example('$0 show latest regions --limit 5', 'the first five regions')
      .epilog(
        wrapHelp(
          'In a table, columns that hold nothing on the platform of the capture (the PEB or pool quotas of a Linux capture) are left out, and so is an exit status that says only that the process was running (259, STILL_ACTIVE); JSON and CSV have every column.',
        ),
      ),
  handler: async (args) => {
    const [{ getCapture }, { resolveCaptureRef }, { exactTexts }] = await Promise.all([
      import('../../analysis/captures.js'),
      import('../../analysis/capture-ref.js'),
      import('../../analysis/exact-text.js'),
    ]);
    const scope = await scopeOf(args);
    const limit = positiveCount(args.limit, '--limit');
    const table = args.format === 'table';
    // The capture resolved is the one read, whatever a recorder prunes meanwhile.
    await withStore(args, { readonly: true, consistent: true }, async (store) => {
      const captureId = await resolveCaptureRef(store, args.capture, scope);
      const kind = args.kind ?? 'summary';
      const c = await getCapture(store, captureId);
      if (kind === 'summary' || kind === 'process') {
        const { readRows } = await import('../../store/read-rows.js');
        const [process = {}] = await readRows(store, 'SELECT * FROM processes WHERE capture_id = ?', [captureId]);
        if (kind === 'process') {
          const set = table ? await withoutOtherPlatforms({ columns: Object.keys(process), rows: [process] }, [c.platform], 'processes') : { columns: Object.keys(process) };
          const shown = Object.fromEntries(set.columns.map((k) => [k, process[k]]));
          printRecord(args, shown, await exactTexts(store, [shown]));
          return;
        }
        const summary = {
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
          // Whether the per-region resident, private and swap sizes were read (capture --details).
          details: table ? (c.details === 1 ? 'yes: per-region resident, private and swap sizes' : 'no (capture --details reads them)') : c.details === 1,
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
        };
        printRecord(args, summary, await exactTexts(store, [summary]));
        return;
      }
      let set: RowSet = await rowsOf(store, kind, captureId, { all: args.all, humanised: table, type: args.type, limit });
      if (table) {
        // A phase that only Windows has is timed as 0 on Linux: not a cost worth a line.
        if (kind === 'counters' && c.platform !== 'win32') {
          set = { ...set, rows: (set.rows as Record<string, unknown>[]).filter((r) => !WINDOWS_ONLY_PHASES.has(String(r.phase))) };
        }
        set = await withoutOtherPlatforms(set, [c.platform], SELECT[kind].from);
      }
      printRows(args, { ...set, exact: await exactTexts(store, set.rows) });
    });
  },
});
