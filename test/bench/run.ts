/**
 * The pssql benchmark (issue 6): pssql against the floor (floor.c reading the same /proc files)
 * and the tools a user would pick instead (psutil, lsof), on targets of known size.
 *
 *   npm run build && node dist/test/bench/run.js [--quick] [--json] [--rounds N] [--targets small,large,...]
 *
 * Targets: small, large, thread-heavy, map-heavy, machine (every process, the small target among
 * them), start-up (the CLI's start-up beside a bare node, on a 200-fd process) and long (10,000
 * captures of a process that drifts, read back, and again with --keep). A recorder's peak memory
 * over 50 and 200 captures is measured on the large target. --quick: 3 rounds, small, machine,
 * start-up and long (1,000 captures), the memory on the small target: every goal, at smaller
 * sizes. --json: the samples and their summaries. The run ends with one table of every goal.
 *
 * Each round runs every tool once on the target, as a fresh process; the first round warms the
 * caches and is dropped; the tables show medians. Never run by `npm test`.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchPaths, buildPrograms } from './build.js';
import { canMeasureRss } from './command.js';
import { machineFacts } from './machine.js';
import { type FleetResult, fleetSection, measureFleet } from './fleet.js';
import { measureReadBack, measureSqliteAlone, pssqlTools } from './pssql.js';
import { type BenchResult, goalRows, goalsSection, type TargetResult, type ToolResult, toJson, toText } from './report.js';
import { DRIFT_MS, measureLongRecording, measureRecorderMemory } from './long.js';
import { measureStartup } from './startup.js';
import { killAllTargets, type RunningTarget, startTarget, startupTargetSpec, targetDir, type TargetSpec, targetSpecs } from './targets.js';
import { floorAndPeers, type Tool } from './tools.js';

const READ_BACK_CAPTURES = 100;
/** Start-up samples per round: a command takes a few hundred ms, and their spread is wide. */
const STARTUP_SAMPLES_PER_ROUND = 5;

function findRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'fixtures', 'target.c'))) return dir;
  }
  throw new Error('cannot find the pssql repository above this script');
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Runs every tool of `scope` once per round on `pid` (null: the machine); round 0 is the warm-up. */
async function measureTarget(tools: Tool[], skipped: Map<string, string>, pid: number | null, rounds: number, name: string): Promise<ToolResult[]> {
  const results = tools.map((t): ToolResult => ({ id: t.id, label: t.label, samples: [], ...(skipped.has(t.id) ? { skipped: skipped.get(t.id)! } : {}) }));
  for (let round = 0; round <= rounds; round++) {
    log(`  ${name}: ${round === 0 ? 'warm-up round' : `round ${round}/${rounds}`}`);
    for (const [i, tool] of tools.entries()) {
      const result = results[i]!;
      if (result.skipped) continue;
      try {
        const sample = await tool.measure(pid);
        if (round > 0) result.samples.push(sample);
      } catch (err) {
        // A peer that fails is reported and left out; the benchmark goes on.
        result.skipped = `failed: ${err instanceof Error ? err.message : String(err)}`;
        log(`  ${tool.label}: ${result.skipped}`);
      }
    }
  }
  return results;
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      targets: { type: 'string' },
    },
  });
  const rounds = values.rounds ? Number(values.rounds) : values.quick ? 3 : 7;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${values.rounds}`);

  const paths = benchPaths(findRoot());
  buildPrograms(paths);
  const machine = machineFacts();
  const specs = targetSpecs(machine.fdHardLimit);
  const known = [...specs.map((s) => s.name), 'machine', 'start-up', 'long'];
  const names = values.targets?.split(',') ?? (values.quick ? ['small', 'machine', 'start-up', 'long'] : known);
  for (const n of names) if (!known.includes(n)) throw new RangeError(`--targets: unknown target ${n} (known: ${known.join(', ')})`);

  let current = '';
  const dbDir = join(paths.cache, 'db');
  const tools = [...floorAndPeers(paths), ...pssqlTools(paths, (id) => join(dbDir, `${current}-${id}.db`))];
  const skipped = new Map<string, string>();
  const hints: string[] = [];
  for (const tool of tools) {
    const why = tool.probe();
    if (why) skipped.set(tool.id, why);
    if (why && !tool.id.startsWith('pssql') && !hints.includes(why)) hints.push(why);
  }
  if (!canMeasureRss()) hints.push('/usr/bin/time is not installed, so lsof and the CLI have no peak memory: apt-get install -y time');
  for (const h of hints) log(`note: ${h}`);

  const targets: TargetResult[] = [];
  let readBack: BenchResult['readBack'] = {
    target: 'large',
    captures: READ_BACK_CAPTURES,
    available: false,
    reason: values.quick ? 'skipped with --quick' : 'skipped: the large target was not run',
  };
  let fleet: { available: true; fleet: FleetResult } | { available: false; reason: string } | null = null;
  let memory: BenchResult['memory'] = null;
  let long: BenchResult['long'] = null;
  let sqliteAlone: BenchResult['sqliteAlone'] = null;
  const withTarget = async (spec: TargetSpec, f: (t: RunningTarget) => Promise<void>): Promise<void> => {
    log(`${spec.name}: starting the target`);
    const target = await startTarget(paths.target, spec, targetDir(paths.cache, spec), machine.maxMapCount);
    try {
      await f(target);
    } finally {
      await target.stop();
    }
  };

  rmSync(dbDir, { recursive: true, force: true });
  mkdirSync(dbDir, { recursive: true });
  for (const spec of specs.filter((s) => names.includes(s.name))) {
    current = spec.name;
    await withTarget(spec, async (target) => {
      const results = await measureTarget(tools.filter((t) => t.scope === 'process'), skipped, target.pid, rounds, spec.name);
      const note = [`pid ${target.pid}: target ${spec.args.join(' ')}`, spec.about].filter(Boolean).join('; ');
      targets.push({ name: spec.name, scope: 'process', counts: { ...target.counts, processes: 1 }, note, tools: results });
      if (spec.name === 'large') {
        log(`large: reading it back (${READ_BACK_CAPTURES} captures)`);
        const r = await measureReadBack(target.pid, { paths, dbFile: join(dbDir, 'read-back.db'), captures: READ_BACK_CAPTURES, repeat: 5 });
        readBack = { target: 'large', captures: READ_BACK_CAPTURES, ...r };
      }
      // The central store: the large target in a full run, the small one in a quick one.
      if (spec.name === (values.quick ? 'small' : 'large')) {
        fleet = await measureFleet(target.pid, { hosts: values.quick ? 2 : 10, captures: values.quick ? 10 : READ_BACK_CAPTURES, rounds: values.quick ? 1 : 3, log });
        // better-sqlite3 alone on the rows of the last first capture, beside pssql's write path.
        log(`${spec.name}: better-sqlite3 alone on the rows of a first capture`);
        sqliteAlone = { target: spec.name, ...measureSqliteAlone(paths, join(dbDir, `${spec.name}-pssql.db`)) };
        // A recorder's peak memory, flat from the 50th capture to the 200th (issue 11).
        memory = measureRecorderMemory(target.pid, { paths, dir: dbDir, target: spec.name, counts: [50, 200], log });
      }
    });
  }
  // Every process on the machine, with the small target among them so there is one known process.
  current = 'machine';
  if (names.includes('machine')) await withTarget(specs[0]!, async () => {
    const results = await measureTarget(tools.filter((t) => t.scope === 'machine'), skipped, null, rounds, 'machine');
    const seen = results.find((r) => r.id === 'floor-all')?.samples.at(-1)?.counts ?? {};
    targets.push({
      name: 'machine',
      scope: 'machine',
      counts: { processes: seen.processes ?? 0, fds: seen.fds ?? 0, threads: seen.threads ?? 0, regions: seen.regions ?? 0 },
      note: 'every process on the machine, the small target among them',
      tools: results,
    });
  });
  let startup: BenchResult['startup'] = { skipped: 'skipped: the start-up target was not run' };
  if (names.includes('start-up')) await withTarget(startupTargetSpec(), async (target) => {
    const samples = rounds * STARTUP_SAMPLES_PER_ROUND;
    log(`start-up: ${samples} rounds of node -e 0, pssql --version and pssql capture`);
    startup = measureStartup(paths, { pid: target.pid, fds: target.counts.fds }, samples, dbDir);
  });
  if (names.includes('long')) {
    const spec: TargetSpec = { name: 'long', args: ['--files', '20', '--threads', '4', '--drift', String(DRIFT_MS)], expect: { fds: 23, threads: 5, regions: 10 } };
    await withTarget(spec, async (target) => {
      const captures = values.quick ? 1000 : 10_000;
      long = measureLongRecording(target.pid, { paths, dir: dbDir, captures, keep: values.quick ? 100 : 500, repeat: values.quick ? 3 : 5, log });
    });
  }
  rmSync(join(paths.cache, 'targets'), { recursive: true, force: true });

  const result: BenchResult = {
    machine,
    quick: values.quick!,
    rounds,
    targets,
    readBack,
    startup,
    memory,
    long,
    sqliteAlone,
    hints,
    durationS: Number(process.hrtime.bigint() - started) / 1e9,
  };
  const text = `${toText(result)}\n\n${fleetSection(fleet)}\n\n${goalsSection(result)}`;
  process.stdout.write(`${values.json ? JSON.stringify({ ...JSON.parse(toJson(result)), fleet, goals: goalRows(result) }, null, 2) : text}\n`);
}

// Targets also exit by themselves when this process dies (their stdin closes); this is for speed.
process.on('exit', killAllTargets);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAllTargets();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

main().catch((err: unknown) => {
  log(`bench: ${err instanceof Error ? err.message : String(err)}`);
  killAllTargets();
  process.exitCode = 1;
});
