import { type LongRecording, type RecorderMemory, REPORT_GOAL_MS } from './long.js';
import type { MachineFacts } from './machine.js';
import type { ReadBack } from './pssql.js';
import { type StartupResult, summarizeStartup } from './startup.js';
import { type Spread, spread } from './stats.js';
import type { TargetCounts } from './targets.js';
import type { Kind, Sample, Tool } from './tools.js';

export interface ToolResult {
  id: string;
  label: string;
  /** Why it was not measured (not installed, not yet available, failed). */
  skipped?: string;
  samples: Sample[];
}

export interface TargetResult {
  name: string;
  scope: Tool['scope'];
  /** What the measurements are divided by: the target's counts, or what the floor saw on the machine. */
  counts: TargetCounts & { processes: number };
  note: string;
  tools: ToolResult[];
}

export interface BenchResult {
  machine: MachineFacts;
  quick: boolean;
  rounds: number;
  targets: TargetResult[];
  readBack: { target: string; captures: number } & ({ available: true; readBack: ReadBack } | { available: false; reason: string });
  startup: StartupResult | { skipped: string };
  /** A recorder's peak memory over 50 and 200 captures (null: its target was not run). */
  memory: RecorderMemory | null;
  /** The long recording (null: not run). */
  long: LongRecording | null;
  /** better-sqlite3 alone on the rows of a first capture of `target` (null: not run). */
  sqliteAlone: { target: string; rows: number; ns: number; rowsPerS: number } | null;
  hints: string[];
  durationS: number;
}

/** Medians and ranges of one tool's samples. */
export interface ToolSummary {
  totalMs: Spread | null;
  kindMs: Partial<Record<Kind, Spread>>;
  maxRssMiB: Spread | null;
  rows: Spread | null;
  dbBytes: Spread | null;
}

export function summarize(samples: readonly Sample[]): ToolSummary {
  const pick = (f: (s: Sample) => number | null | undefined): number[] =>
    samples.map(f).filter((v): v is number => typeof v === 'number');
  const kindMs: Partial<Record<Kind, Spread>> = {};
  for (const k of ['process', 'threads', 'fds', 'net', 'regions'] as const) {
    const s = spread(pick((x) => (x.kindNs[k] === undefined ? undefined : x.kindNs[k]! / 1e6)));
    if (s) kindMs[k] = s;
  }
  return {
    totalMs: spread(pick((s) => s.totalNs / 1e6)),
    kindMs,
    maxRssMiB: spread(pick((s) => (s.maxRssKb === null ? null : s.maxRssKb / 1024))),
    rows: spread(pick((s) => s.rows)),
    dbBytes: spread(pick((s) => s.dbBytes)),
  };
}

/** The results as JSON, with the summaries beside the raw samples. */
export function toJson(result: BenchResult): string {
  const targets = result.targets.map((t) => ({
    ...t,
    tools: t.tools.map((tool) => ({ ...tool, summary: summarize(tool.samples) })),
  }));
  const startup =
    'skipped' in result.startup
      ? result.startup
      : { ...result.startup, summary: summarizeStartup(result.startup).map(({ command, ms, ratio }) => ({ id: command.id, ms, ratio, goal: command.goal ?? null })) };
  return JSON.stringify({ ...result, targets, startup }, null, 2);
}

const DASH = '—';

/** A number with 3 significant digits (more before the decimal point), or a dash. */
function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

const median = (s: Spread | null | undefined): number | null => s?.median ?? null;
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);

/** The goals of issue 6, checked on the large target and on the whole machine. */
const GOALS: Record<string, Record<string, number>> = {
  large: { floor: 1.25, psutil: 1 / 3, lsof: 1 },
  machine: { 'floor-all': Infinity, 'psutil-all': 1 / 3 },
};

function targetSection(t: TargetResult): string {
  const summaries = new Map(t.tools.map((tool) => [tool.id, summarize(tool.samples)]));
  const floorId = t.scope === 'machine' ? 'floor-all' : 'floor';
  const floorMs = median(summaries.get(floorId)?.totalMs);
  const c = t.counts;
  const perEntry = (s: ToolSummary, k: Kind, n: number): string => num(n ? (median(s.kindMs[k]) ?? NaN) * 1000 / n : null);
  const header = ['tool', 'median ms', 'min–max ms', 'µs/fd', 'µs/thread', 'µs/region', 'max RSS MiB', '× floor'];
  const rows = [header];
  for (const tool of t.tools) {
    if (tool.skipped) {
      rows.push([tool.label, tool.skipped]);
      continue;
    }
    const s = summaries.get(tool.id)!;
    const range = s.totalMs ? `${num(s.totalMs.min)}–${num(s.totalMs.max)}` : DASH;
    rows.push([
      tool.label,
      num(median(s.totalMs)),
      range,
      perEntry(s, 'fds', c.fds),
      perEntry(s, 'threads', c.threads),
      perEntry(s, 'regions', c.regions),
      num(median(s.maxRssMiB)),
      num(ratio(median(s.totalMs), floorMs)),
    ]);
  }
  // Skipped tools print their reason across the row; keep the table aligned on the others.
  const measured = rows.filter((r) => r.length === header.length);
  const skipped = rows.filter((r) => r.length !== header.length).map((r) => `  ${r[0]}: ${r[1]}`);
  const what =
    t.scope === 'machine'
      ? `${c.processes} processes, ${c.fds.toLocaleString('en-US')} fds, ${c.threads.toLocaleString('en-US')} threads, ${c.regions.toLocaleString('en-US')} regions (seen by the floor)`
      : `${c.fds.toLocaleString('en-US')} fds, ${c.threads.toLocaleString('en-US')} threads, ${c.regions.toLocaleString('en-US')} regions (counted in /proc)`;
  return [`${t.name}: ${what}`, t.note ? `  ${t.note}` : '', table(measured), ...skipped, pssqlSection(t, summaries)]
    .filter(Boolean)
    .join('\n');
}

/** The ratios that matter: pssql against the floor and each peer, rows/s, database bytes. */
function pssqlSection(t: TargetResult, summaries: Map<string, ToolSummary>): string {
  const pssqlIds = t.scope === 'machine' ? ['pssql-all', 'pssql-all-again'] : ['pssql', 'pssql-again', 'pssql-cli'];
  const peers = t.scope === 'machine' ? ['floor-all', 'psutil-all', 'lsof-all'] : ['floor', 'floor-smaps', 'psutil', 'lsof'];
  const label = (id: string): string => t.tools.find((x) => x.id === id)?.label ?? id;
  const goals = GOALS[t.name] ?? {};
  const header = ['pssql', ...pssqlIds.map(label), 'goal'];
  const rows = [header];
  const cells = (f: (s: ToolSummary) => number | null): string[] => pssqlIds.map((id) => num(f(summaries.get(id) ?? summarize([]))));
  for (const peer of peers) {
    const peerMs = median(summaries.get(peer)?.totalMs);
    const goal = goals[peer];
    rows.push([`/ ${label(peer)}`, ...cells((s) => ratio(median(s.totalMs), peerMs)), goal && Number.isFinite(goal) ? `≤ ${num(goal)}` : '']);
  }
  const entries = t.counts.fds + t.counts.threads + t.counts.regions + t.counts.processes;
  rows.push(['µs per entry', ...cells((s) => ratio(median(s.totalMs), entries / 1000)), '']);
  rows.push(['rows/s into SQLite', ...cells((s) => ratio(median(s.rows), (median(s.totalMs) ?? 0) / 1000)), '']);
  rows.push(['DB bytes per entry', ...cells((s) => ratio(median(s.dbBytes), entries)), '']);
  rows.push(['DB KiB per capture', ...cells((s) => ratio(median(s.dbBytes), 1024)), '']);
  rows.push(['max RSS MiB', ...cells((s) => median(s.maxRssMiB)), '']);
  return table(rows);
}

function readBackSection(r: BenchResult['readBack']): string {
  const title = `reading it back: saved reports on a recording of ${r.captures} captures of the ${r.target} target`;
  if (!r.available) return `${title}\n  ${r.reason}`;
  const b = r.readBack;
  const rss = Object.entries(b.maxRssKbAfterCaptures).map(([n, kb]) => `${n}: ${num(kb / 1024)}`).join(', ');
  const lines = [
    title,
    `  recorded in ${num(b.recordNs / 1e9)} s (${num(b.rows / (b.recordNs / 1e9))} rows/s), database ${num(b.dbBytes / 2 ** 20)} MiB` +
      ` (${num(b.dbBytes / b.captures / 1024)} KiB per capture); max RSS MiB after captures ${rss}`,
  ];
  const rows = [['report', 'median ms', 'min–max ms', 'rows']];
  const skipped: string[] = [];
  for (const [name, rep] of Object.entries(b.reports)) {
    const s = spread(rep.ns.map((ns) => ns / 1e6));
    if (rep.skipped) skipped.push(`  ${name}: ${rep.skipped}`);
    else rows.push([name, num(s?.median), s ? `${num(s.min)}–${num(s.max)}` : DASH, String(rep.rows)]);
  }
  return [...lines, ...(rows.length > 1 ? [table(rows)] : []), ...skipped].join('\n');
}

/** The CLI's start-up against a bare node of the same rounds, with the goals of issue 11. */
function startupSection(r: BenchResult['startup']): string {
  const title = 'start-up: node bin/pssql.js as users run it, beside node -e 0 timed in the same rounds (interleaved)';
  if ('skipped' in r) return `${title}\n  ${r.skipped}`;
  const entry =
    r.entry === 'bundle'
      ? 'bin/pssql.js runs the bundle (dist/bundle/)'
      : 'bin/pssql.js runs dist/src/: there is no bundle, or tsc compiled after it was made (npm run build makes it)';
  const rows = [['command', 'median ms', 'min–max ms', '× node -e 0', 'goal']];
  for (const { command, ms, ratio: times } of summarizeStartup(r)) {
    rows.push([command.label, num(ms?.median), ms ? `${num(ms.min)}–${num(ms.max)}` : DASH, num(times), command.goal === undefined ? '' : `≤ ${num(command.goal)}`]);
  }
  return [title, `  ${entry}; target pid ${r.pid}, ${r.fds} fds; medians of ${r.commands[0]?.ms.length ?? 0} runs each`, table(rows)].join('\n');
}

/** The human report: machine facts, one table per target, the pssql ratios, reading back, start-up. */
export function toText(result: BenchResult): string {
  const m = result.machine;
  const facts = [
    `pssql benchmark${result.quick ? ' (--quick)' : ''}: medians of ${result.rounds} rounds after one warm-up round, in ${num(result.durationS)} s`,
    `machine: Linux ${m.kernel}, ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.processes} processes; node ${m.node}, psutil ${m.psutil ?? 'missing'}, lsof ${m.lsof ?? 'missing'}`,
    `limits: fds ${m.fdSoftLimit}/${m.fdHardLimit} (soft/hard; targets raise the soft limit to the hard one), vm.max_map_count ${m.maxMapCount}, pid_max ${m.pidMax}, threads-max ${m.threadsMax}`,
    'floor: the /proc files pssql reads, read by floor.c and nothing else; floor (smaps) reads smaps for regions, as psutil.memory_maps() does',
    'lsof: lsof -n -P, output to /dev/null, timed as a command; it reads fd links, fdinfo and maps, but no thread files',
    'µs/fd, µs/thread, µs/region: the time of that kind (fds include /proc/PID/net) over the entries counted in /proc',
  ];
  return [
    facts.join('\n'),
    ...result.hints.map((h) => `note: ${h}`),
    ...result.targets.map(targetSection),
    readBackSection(result.readBack),
    startupSection(result.startup),
  ].join('\n\n');
}

/** One goal of issue 11 (and of issue 6 before it), as measured in this run. */
export interface GoalRow {
  what: string;
  /** The measured value, as shown. */
  measured: string;
  goal: string;
  /** null: not measured in this run (its target was not run, or a tool is missing). */
  met: boolean | null;
}

const MiB = 2 ** 20;

/** Every goal, measured value beside it, from the parts of this run. */
export function goalRows(result: BenchResult): GoalRow[] {
  const rows: GoalRow[] = [];
  const add = (what: string, value: number | null, goal: string, met: (v: number) => boolean, show: (v: number) => string): void => {
    rows.push({ what, measured: value === null ? DASH : show(value), goal, met: value === null ? null : met(value) });
  };
  const times = (v: number): string => `${num(v)}×`;

  // One process: the large target in a full run, the small one in a quick one.
  const one = result.targets.find((t) => t.name === 'large') ?? result.targets.find((t) => t.name === 'small');
  const ms = (t: TargetResult | undefined, id: string): number | null => {
    const tool = t?.tools.find((x) => x.id === id);
    return tool === undefined || tool.skipped ? null : median(summarize(tool.samples).totalMs);
  };
  const label = one ? `${one.name} target` : 'one process';
  const floor = ms(one, 'floor');
  add(`recorder at work (a capture 2 s after the last) / floor, ${label}`, ratio(ms(one, 'pssql-again'), floor), '≤ 1.25×', (v) => v <= 1.25, times);
  add(`first capture into a new recording / floor, ${label}`, ratio(ms(one, 'pssql'), floor), '≤ 2×', (v) => v <= 2, times);
  add(`psutil / recorder at work, ${label}`, ratio(ms(one, 'psutil'), ms(one, 'pssql-again')), '≥ 3×', (v) => v >= 3, times);
  add(`recorder at work / lsof -p, ${label}`, ratio(ms(one, 'pssql-again'), ms(one, 'lsof')), '< 1×', (v) => v < 1, times);
  const machine = result.targets.find((t) => t.name === 'machine');
  add('every process, recorder at work / psutil', ratio(ms(machine, 'pssql-all-again'), ms(machine, 'psutil-all')), '≤ 0.333×', (v) => v <= 1 / 3, times);

  const m = result.memory;
  const peak = (n: number): number | null => m?.runs.find((r) => r.captures === n)?.peakBytes ?? null;
  const mLabel = m ? `${m.target} target` : 'large target';
  add(`recorder's peak memory over 200 captures, ${mLabel}`, peak(200) === null ? null : peak(200)! / MiB, '≤ 150 MiB', (v) => v <= 150, (v) => `${num(v)} MiB`);
  add(
    `its growth from 50 to 200 captures, ${mLabel}`,
    peak(200) === null || peak(50) === null ? null : (peak(200)! / peak(50)! - 1) * 100,
    '≤ 5 % (flat)',
    (v) => v <= 5,
    (v) => `${num(v)} %`,
  );

  const s = 'skipped' in result.startup ? null : summarizeStartup(result.startup);
  const startupRatio = (id: string): number | null => s?.find((x) => x.command.id === id)?.ratio ?? null;
  add('pssql --version / node -e 0', startupRatio('version'), '≤ 1.5×', (v) => v <= 1.5, times);
  add('pssql --quiet --version (the CLI loaded: yargs) / node -e 0', startupRatio('version-cli'), '≤ 1.5×', (v) => v <= 1.5, times);
  add('pssql capture of a small process (whole command) / node -e 0', startupRatio('capture'), '≤ 2.5×', (v) => v <= 2.5, times);

  const l = result.long;
  const lLabel = l ? `${l.captures.toLocaleString('en-US')} captures` : 'a long recording';
  add(`record cost, last tenth / first tenth, ${lLabel}`, l ? ratio(median(l.lastMs), median(l.firstMs)) : null, '≤ 1.25× (flat)', (v) => v <= 1.25, times);
  for (const name of ['leak-suspects', 'handles-over-time', 'memory-over-time', 'trend']) {
    const report = l?.reports.find((r) => r.name === name);
    add(`${name} on ${lLabel} (the whole command)`, median(report?.ms), `< ${num(REPORT_GOAL_MS)} ms`, (v) => v < REPORT_GOAL_MS, (v) => `${num(v)} ms`);
  }
  add(
    `with --keep ${l?.retention.keep ?? 'N'}: the file's growth over the second half`,
    l ? (l.retention.endBytes / l.retention.halfBytes - 1) * 100 : null,
    '≤ 5 % (stops growing)',
    (v) => v <= 5,
    (v) => `${num(v)} %`,
  );
  return rows;
}

/** The one table of every goal, last in the report. */
export function goalsSection(result: BenchResult): string {
  const rows = goalRows(result);
  const met = rows.filter((r) => r.met === true).length;
  const measured = rows.filter((r) => r.met !== null).length;
  const table_ = [['goal', 'measured', 'target', ''], ...rows.map((r) => [r.what, r.measured, r.goal, r.met === null ? 'not measured' : r.met ? 'met' : 'NOT MET'])];
  const extra: string[] = [];
  const alone = result.sqliteAlone;
  const first = result.targets.find((t) => t.name === alone?.target)?.tools.find((x) => x.id === 'pssql');
  const writeRate = spread((first?.samples ?? []).flatMap((x) => (x.writeNs && x.rows ? [x.rows / (x.writeNs / 1e9)] : [])));
  if (alone && writeRate) {
    extra.push(
      `  first capture of the ${alone.target} target: pssql writes ${num(writeRate.median)} rows/s (its write path alone); better-sqlite3 alone, ` +
        `the same ${alone.rows.toLocaleString('en-US')} rows with one prepared INSERT per table in one transaction, ${num(alone.rowsPerS)} rows/s ` +
        `(${num(writeRate.median / alone.rowsPerS)}×)`,
    );
  }
  const l = result.long;
  if (l) {
    extra.push(
      `  long recording: ${num(l.dbBytes / l.captures / 1024)} KiB per capture (${num(l.dbBytes / MiB)} MiB for ${l.captures.toLocaleString('en-US')}), ` +
        `a capture ${num(median(l.firstMs))} ms at first and ${num(median(l.lastMs))} ms at the end, recorded in ${num(l.recordS)} s, peak memory ${num(l.peakMemoryBytes / MiB)} MiB;` +
        ` with --keep ${l.retention.keep}: ${num(l.retention.halfBytes / 1024)} KiB after half, ${num(l.retention.endBytes / 1024)} KiB at the end, ` +
        `${l.retention.pruned.toLocaleString('en-US')} captures pruned, ${num(median(l.retention.costMs))} ms a capture`,
    );
  }
  return [`goals (issue 11): ${met} of ${measured} measured met, in this run`, table(table_), ...extra].join('\n');
}
