import type { ThresholdResult } from '../../analysis/diff-threshold.js';
import type { DiffKind, FieldChange, KindDiff, SnapshotDiff } from '../../analysis/diff.js';
import { humanBytes } from '../../pss/units.js';
import { ENTRY_KINDS } from '../../store/entry-kinds.js';
import { PssError } from '../../pss/pss-error.js';
import type { ReadStore } from '../../store/read-store.js';
import { COUNTS_AMONG, processScopeOptions, recordingScopeOf, scopeOf, TIME_HELP, timeOptions } from '../capture-scope.js';
import { defineCommand, type GlobalOptions, printRows, warn } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { wrapHelp } from '../help-text.js';
import { renderRows } from '../output.js';
import { displayText, jsonValue, tableCell } from '../format-value.js';

/** `[FILE:]CAPTURE`: a capture reference, in --db or in another recording. */
interface CaptureLocation {
  db: string;
  ref: string;
}

const DIFF_KINDS: readonly DiffKind[] = ENTRY_KINDS.map((k) => k.kind);

/** A store's location as messages show it: a URL without its password. */
const redact = (db: string): string => db.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1@');

/** Splits `FILE:REF` (or `URL:REF`) at its last colon when what follows is a capture reference; else the ref is in --db. */
function parseCaptureLocation(text: string, defaultDb: string, captureRef: RegExp): CaptureLocation {
  const colon = text.lastIndexOf(':');
  if (colon > 0 && captureRef.test(text.slice(colon + 1))) return { db: text.slice(0, colon), ref: text.slice(colon + 1) };
  return { db: defaultDb, ref: text };
}

/** The columns shown for added and removed entries in a table; JSON has every field. */
const SHOWN: Record<DiffKind, readonly string[]> = {
  threads: ['thread_id', 'name', 'state', 'base_priority', 'create_time_us'],
  handles: ['handle_value', 'type_name', 'object_name', 'local_address', 'remote_address', 'socket_state'],
  regions: ['base_address', 'region_size_bytes', 'permissions', 'mapped_file_name'],
};

function signed(value: number | null, bytes: boolean): string {
  if (value === null) return '';
  const text = bytes ? humanBytes(Math.abs(value)) : String(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : bytes ? '0 B' : '0';
}

function describeThreshold(r: ThresholdResult): string {
  const bytes = r.threshold.measure.kind === 'memory';
  const value =
    r.value === null
      ? 'not captured on both sides'
      : r.threshold.mode === 'percent'
        ? `${r.value > 0 ? '+' : ''}${Number.isFinite(r.value) ? r.value.toFixed(1) : r.value}%`
        : r.threshold.mode === 'change'
          ? signed(r.value, bytes)
          : bytes
            ? humanBytes(r.value)
            : String(r.value);
  return `--fail-if ${r.threshold.text}: ${value}, ${r.exceeded ? 'EXCEEDED' : 'ok'}`;
}

/** JSON of a field change, values in the form of their column. */
const changeJson = (c: FieldChange) => ({ field: c.field, before: jsonValue(c.field, c.before), after: jsonValue(c.field, c.after) });
const entryJson = (entry: Record<string, unknown>) => Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, jsonValue(k, v)]));

function kindJson(diff: KindDiff) {
  return {
    key: diff.key,
    added: diff.added.map(entryJson),
    removed: diff.removed.map(entryJson),
    changed: diff.changed.map((c) => ({
      key: jsonValue(diff.key, c.key),
      changes: c.changes.map(changeJson),
      before: entryJson(c.before),
      after: entryJson(c.after),
    })),
  };
}

interface Side {
  db: string;
  captureId: number;
}

/** The documented JSON document of `pssql diff --format json`. */
function diffJson(diff: SnapshotDiff, a: Side, b: Side, results: readonly ThresholdResult[]) {
  const side = (s: Side, d: SnapshotDiff['a']) => ({
    db: s.db,
    capture_id: s.captureId,
    pid: d.pid,
    name: d.name,
    host: d.host,
    create_time_us: d.createTimeUs,
    started_at_us: d.startedAtUs,
  });
  return {
    a: side(a, diff.a),
    b: side(b, diff.b),
    same_process: diff.sameProcess,
    include_volatile: diff.includeVolatile,
    summary: {
      kinds: DIFF_KINDS.map((kind) => ({
        kind,
        before: diff[kind].before,
        after: diff[kind].after,
        added: diff[kind].added.length,
        removed: diff[kind].removed.length,
        changed: diff[kind].changed.length,
      })),
      handle_types: diff.handleTypes.map((t) => ({ type: t.type, before: t.before, after: t.after, delta: t.after - t.before, added: t.added, removed: t.removed, changed: t.changed })),
      memory: diff.memory,
    },
    process: diff.process.map(changeJson),
    counters: diff.counters.map(changeJson),
    threads: kindJson(diff.threads),
    handles: kindJson(diff.handles),
    regions: kindJson(diff.regions),
    fail_if: results.map((r) => ({
      threshold: r.threshold.text,
      metric: r.threshold.metric,
      op: r.threshold.op,
      mode: r.threshold.mode,
      limit: r.threshold.limit,
      before: r.before,
      after: r.after,
      value: Number.isFinite(r.value) || r.value === null ? r.value : String(r.value),
      exceeded: r.exceeded,
    })),
    exceeded: results.some((r) => r.exceeded),
  };
}

/** One row per change, for CSV and NDJSON: added and removed entries, and each changed field. */
function diffRows(diff: SnapshotDiff) {
  const rows: Record<string, unknown>[] = [];
  const nameOf = (e: Record<string, unknown>) => e.object_name ?? e.mapped_file_name ?? e.name ?? null;
  for (const kind of DIFF_KINDS) {
    const d = diff[kind];
    const keyOf = (e: Record<string, unknown>) => jsonValue(d.key, e[d.key]);
    for (const e of d.added) rows.push({ kind, change: 'added', key: keyOf(e), name: nameOf(e), field: null, before: null, after: null });
    for (const e of d.removed) rows.push({ kind, change: 'removed', key: keyOf(e), name: nameOf(e), field: null, before: null, after: null });
    for (const c of d.changed) {
      for (const f of c.changes) {
        rows.push({ kind, change: 'changed', key: jsonValue(d.key, c.key), name: nameOf(c.after), ...changeJson(f) });
      }
    }
  }
  for (const [kind, changes] of [['process', diff.process], ['counters', diff.counters]] as const) {
    for (const f of changes) rows.push({ kind, change: 'changed', key: null, name: null, ...changeJson(f) });
  }
  return { columns: ['kind', 'change', 'key', 'name', 'field', 'before', 'after'], rows };
}

/** A table of the summary; signed deltas are text, so they are padded here to line up on the right as numbers do. */
function table(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const width = Math.max('delta'.length, ...rows.map((r) => String(r.delta ?? '').length));
  const aligned = rows.map((r) => ('delta' in r ? { ...r, delta: String(r.delta ?? '').padStart(width) } : r));
  return renderRows({ columns, rows: aligned }, { format: 'table' });
}

/** The report for people: who, a summary, then the details, each section only when it has something. */
function diffText(diff: SnapshotDiff, a: Side, b: Side, limit: number, results: readonly ThresholdResult[]): string {
  const out: string[] = [];
  const sideText = (label: string, s: Side, d: SnapshotDiff['a']) =>
    `${label}  capture ${s.captureId} in ${displayText(s.db)}: pid ${d.pid}${d.name === null ? '' : ` ${displayText(d.name)}`} on ${displayText(d.host)}, ${tableCell('started_at_us', d.startedAtUs)}`;
  // Comparing two processes is most often a mistake of `latest-1 latest` over a recording of several: said first.
  if (!diff.sameProcess) {
    const who = (d: SnapshotDiff['a']) => `pid ${d.pid}${d.name === null ? '' : ` ${displayText(d.name)}`} on ${displayText(d.host)}`;
    const hint = diff.a.pid === diff.b.pid && diff.a.host === diff.b.host ? 'the pid was reused or the process restarted' : 'to compare one process, name it: --pid, --name, or 1234@first 1234@latest';
    out.push(`two different processes: A is ${who(diff.a)}, B is ${who(diff.b)} (${hint})`);
  }
  out.push(sideText('A', a, diff.a), sideText('B', b, diff.b));
  // The first line said already that these are two processes.
  out.push(
    (diff.sameProcess ? 'same process instance; ' : '') +
      (diff.includeVolatile ? 'volatile fields compared' : 'volatile fields (CPU times, positions, pointers, resident sizes) not compared: --include-volatile'),
    '',
  );
  out.push(
    table(
      ['kind', 'before', 'after', 'delta', 'added', 'removed', 'changed'],
      DIFF_KINDS.map((kind) => {
        const d = diff[kind];
        const delta = d.before === null || d.after === null ? null : d.after - d.before;
        return { kind, before: d.before, after: d.after, delta: signed(delta, false), added: d.added.length, removed: d.removed.length, changed: d.changed.length };
      }),
    ),
  );
  if (diff.handleTypes.length > 0) {
    out.push(
      table(
        ['handle_type', 'before', 'after', 'delta', 'added', 'removed', 'changed'],
        diff.handleTypes.map((t) => ({ handle_type: t.type, ...t, delta: signed(t.after - t.before, false) })),
      ),
    );
  }
  const memory = diff.memory.filter((m) => m.before !== null || m.after !== null);
  if (memory.length > 0) {
    out.push(
      table(
        ['memory', 'before_bytes', 'after_bytes', 'delta'],
        memory.map((m) => ({ memory: m.field.replace(/_bytes$/, ''), before_bytes: m.before, after_bytes: m.after, delta: signed(m.delta, true) })),
      ),
    );
  }
  const changesText = (changes: readonly FieldChange[], indent: string): string[] => {
    const width = Math.max(...changes.map((c) => c.field.length));
    return changes.map((c) => `${indent}${c.field.padEnd(width)}  ${tableCell(c.field, c.before) || '(none)'} → ${tableCell(c.field, c.after) || '(none)'}`);
  };
  for (const [title, changes] of [['process information', diff.process], ['performance counters', diff.counters]] as const) {
    if (changes.length > 0) out.push(`${title}: ${changes.length} changed`, ...changesText(changes, '  '), '');
  }
  const more = (n: number) => (limit > 0 && n > limit ? [`  … and ${n - limit} more (--limit 0 shows all; --format json has all)`] : []);
  const cap = <T>(items: readonly T[]) => (limit > 0 ? items.slice(0, limit) : items);
  for (const kind of DIFF_KINDS) {
    const d = diff[kind];
    for (const change of ['added', 'removed'] as const) {
      const entries = d[change];
      if (entries.length === 0) continue;
      const columns = SHOWN[kind].filter((c) => c === d.key || entries.some((e) => e[c] !== null && e[c] !== undefined));
      out.push(`${kind} ${change} (${entries.length})`, table(columns, cap(entries)).trimEnd(), ...more(entries.length), '');
    }
    if (d.changed.length > 0) {
      out.push(`${kind} changed (${d.changed.length})`);
      for (const c of cap(d.changed)) out.push(`  ${d.key} ${tableCell(d.key, c.key)}`, ...changesText(c.changes, '    '));
      out.push(...more(d.changed.length), '');
    }
  }
  for (const r of results) out.push(describeThreshold(r));
  return `${out.join('\n').trimEnd()}\n`;
}

export const diffCommand = defineCommand({
  command: 'diff <a> <b>',
  describe: 'compare two captures: entries added, removed and changed, counts and memory',
  builder: (yargs) =>
    timeOptions(processScopeOptions(yargs, COUNTS_AMONG), COUNTS_AMONG)
      .positional('a', {
        type: 'string',
        describe: "the capture before: id, 'first', 'latest', 'latest-N', optionally after PID@ or NAME@; FILE:REF (URL:REF) in another store",
        demandOption: true,
      })
      .positional('b', { type: 'string', describe: 'the capture after, named the same way', demandOption: true })
      .option('include-volatile', { type: 'boolean', default: false, describe: 'also compare volatile fields (CPU times, fd positions, pointers, resident sizes)' })
      .option('fail-if', { type: 'string', array: true, describe: 'exit with code 7 when this threshold is exceeded (see below)', requiresArg: true })
      .option('limit', { type: 'number', default: 50, describe: 'at most this many rows in each table of entries (0: all); --format json has all', requiresArg: true })
      .option('host', { type: 'string', array: true, requiresArg: true, describe: "the captures' host: once for both, or twice (A's, then B's)" })
      .option('recording', { type: 'string', requiresArg: true, describe: 'the captures of this recording (its id, or the start of it)' })
      .example('$0 diff first latest --name nginx', 'what changed in nginx since its first capture')
      .example('$0 diff 1234@latest-1 1234@latest', "pid 1234's last two captures")
      .example('$0 diff first latest --pid 1234 --since 1h', 'the last hour of pid 1234')
      .example("$0 diff 1 5 --fail-if 'handles>+100' --fail-if 'private>+50MB'", 'gate a CI job on leaks')
      .example('$0 diff before.db:latest after.db:latest --format json', 'two recordings, for a script')
      .example('$0 diff latest latest --host web1 --host web2 --db postgres://pssql@db/pssql', 'the newest capture of two hosts in a central store')
      .epilog(
        wrapHelp(
          [
            TIME_HELP,
            '',
            'Entries are matched on stable keys: a thread by id, a handle by value, a region by base address; an fd closed and reopened on another file is one changed entry. Volatile fields are shown but not compared.',
            '',
            '--fail-if METRIC OP VALUE (repeatable); exceeded when the comparison holds:',
            '  METRIC  threads | handles | regions | handles.TYPE (handles.File, handles.Socket...) | private | working-set | virtual | pagefile | swap | committed (bytes) | added | removed | changed',
            '  OP      > | >= | < | <=',
            '  VALUE   N (the value in B) | +N or -N (the change from A to B) | +N% or -N% (the change relative to A); memory takes B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)',
            "  e.g.    'handles>+100'  'private>+50MB'  'handles.Socket>=1000'  'threads>+10%'  'changed>0'",
            '',
            'JSON (--format json): {a, b: {db, capture_id, pid, name, host, create_time_us, started_at_us}, same_process, include_volatile, ' +
              'summary: {kinds: [{kind, before, after, added, removed, changed}], handle_types: [{type, before, after, delta, added, removed, changed}], ' +
              'memory: [{field, before, after, delta}]}, process: [{field, before, after}], counters: [...], threads|handles|regions: ' +
              '{key, added: [entry], removed: [entry], changed: [{key, changes: [{field, before, after}], before: entry, after: entry}]}, ' +
              'fail_if: [{threshold, metric, op, mode, limit, before, after, value, exceeded}], exceeded}. Entries have the columns of the views (show --all).',
            'CSV and NDJSON: one row per added or removed entry and per changed field.',
          ].join('\n'),
        ),
      ),
  handler: async (args) => {
    const [{ checkThresholds, parseThreshold }, { diffSnapshots }, { CAPTURE_REFERENCE, resolveCaptureRef }, { openReadStore }, { loadStoredSnapshot }, { readConsistently }] = await Promise.all([
      import('../../analysis/diff-threshold.js'),
      import('../../analysis/diff.js'),
      import('../../analysis/capture-ref.js'),
      import('../../store/open-read-store.js'),
      import('../../store/stored-snapshot.js'),
      import('../../store/read-store.js'),
    ]);
    const thresholds = (args.failIf ?? []).map(parseThreshold);
    if (!Number.isSafeInteger(args.limit) || args.limit < 0) throw new RangeError(`--limit must be 0 or a positive integer (got ${String(args.limit)})`);
    const scope = await scopeOf({ ...args, host: undefined, recording: undefined });
    const hosts = args.host ?? [];
    if (hosts.length > 2) throw new PssError('ERROR_INVALID_PARAMETER', `--host is given ${hosts.length} times: once for both captures, or twice (A's, then B's)`, { option: 'host' });
    const scopeA = { ...scope, ...recordingScopeOf({ host: hosts[0], recording: args.recording }) };
    const scopeB = { ...scope, ...recordingScopeOf({ host: hosts[1] ?? hosts[0], recording: args.recording }) };
    const refA = parseCaptureLocation(args.a, args.db, CAPTURE_REFERENCE);
    const refB = parseCaptureLocation(args.b, args.db, CAPTURE_REFERENCE);
    const stores = new Map<string, Promise<ReadStore>>();
    const storeOf = (db: string): Promise<ReadStore> => {
      let store = stores.get(db);
      if (store === undefined) stores.set(db, (store = openReadStore(db)));
      return store;
    };
    try {
      // Each capture is resolved and read in one read transaction: a recorder's --keep cannot take it between.
      const read = async (ref: typeof refA, scope: typeof scopeA) => {
        const store = await storeOf(ref.db);
        return readConsistently(store, async () => {
          const side: Side = { db: redact(ref.db), captureId: await resolveCaptureRef(store, ref.ref, scope) };
          return { side, snapshot: await loadStoredSnapshot(store, side.captureId) };
        });
      };
      // Both in one recording: both in one transaction, so that latest-1 and latest are neighbours.
      const both = async () => ({ before: await read(refA, scopeA), after: await read(refB, scopeB) });
      const { before, after } = refA.db === refB.db ? await readConsistently(await storeOf(refA.db), both) : await both();
      const [a, b] = [before.side, after.side];
      const diff = diffSnapshots(before.snapshot, after.snapshot, {
        includeVolatile: args.includeVolatile,
      });
      const results = checkThresholds(diff, thresholds);
      if (args.format === 'json') process.stdout.write(`${JSON.stringify(diffJson(diff, a, b, results), null, 2)}\n`);
      else if (args.format === 'table') process.stdout.write(diffText(diff, a, b, args.limit, results));
      else printRows(args as GlobalOptions, diffRows(diff));
      const exceeded = results.filter((r) => r.exceeded);
      // Said on stderr too, so a CI log shows why the job failed whatever the output format.
      for (const r of exceeded) if (args.format !== 'table') warn(args, describeThreshold(r));
      if (exceeded.length > 0) process.exitCode = ExitCode.ThresholdExceeded;
    } finally {
      for (const store of stores.values()) await store.then((s) => s.close(), () => {});
    }
  },
});
