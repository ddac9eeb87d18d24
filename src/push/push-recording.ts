import type BetterSqlite3 from 'better-sqlite3';
import { isPssError } from '../pss/pss-error.js';
import { ENTRY_KINDS, type EntryKindInfo } from '../store/entry-kinds.js';
import type { Store } from '../store/open-store.js';
import { partTablesOf } from '../store/row-codec.js';
import { TABLES, type TableName } from '../store/schema.js';
import { closuresOf, idColumnOf, insertStaged, mapOf, stageOf } from './push-sql.js';
import type { PushTarget, TargetInstance, TargetTransaction } from './push-target.js';

/*
 * Pushing copies what a target store lacks of the recordings of a source (a recording file):
 * per process instance, the captures after the last one the target holds, and the entry versions
 * they need. A target instance holds captures up to its last_seq P; the next batch (P, P']
 * writes the versions that start in it, closes the target's current versions that ended since
 * P, and writes the captures with what belongs to them. Each batch is one transaction on the
 * target, so that a push cut at any moment leaves whole captures, and the next push starts from
 * P again: nothing twice, nothing lost.
 *
 * Versions are matched by what identifies them in an instance: (first_seq, key). When that is
 * not enough (the source pruned the last pushed capture, so versions that ended since may be
 * gone; the target holds two versions of one key), the batch starts afresh instead ("split"):
 * every current version of the target instance ends at P, and the source's versions alive after
 * P are written again from P + 1. Either way the views give the same rows for every capture.
 */

/** Options of {@link pushStore}. */
export interface PushOptions {
  /** Captures per batch at most (default 200). */
  batchCaptures?: number;
  /** Version rows per batch at most, unless one capture has more (default 50 000). */
  batchRows?: number;
  /** Told of every step: for progress lines. */
  onEvent?: (event: PushEvent) => void;
  /** Tries of a batch whose connection was lost or that met a deadlock, before the push fails (default 4). */
  attempts?: number;
  /** Stops the push between batches. */
  signal?: AbortSignal;
}

/** Progress of a push. */
export type PushEvent =
  | { type: 'plan'; recordings: number; instances: number; captures: number }
  | { type: 'batch'; captures: number; rows: number; capturesDone: number; rowsDone: number; capturesTotal: number }
  | { type: 'retry'; attempt: number; error: Error; waitMs: number };

/** How far the target holds an instance of the source: its captures up to `seq`. */
export interface PushedInstance {
  /** The instance in the source store. */
  instanceId: number;
  seq: number;
}

/** What a push did. */
export interface PushSummary {
  /** The target, without its password. */
  target: string;
  /** Recordings of the source looked at. */
  recordings: number;
  /** Process instances something was pushed of. */
  instances: number;
  captures: number;
  /** Rows written into the target: inserted and updated (versions closed). */
  rows: number;
  versions: number;
  versionsClosed: number;
  batches: number;
  /** Instances another push was writing at the same time: left to it. */
  skipped: number;
  /** True when the target held everything already: nothing was written. */
  upToDate: boolean;
  durationUs: number;
  /** Per source instance, how far the target holds it now (for retention that keeps what is not pushed). */
  pushed: PushedInstance[];
}

type Row = Record<string, unknown>;

/** Rows written by a push after which the target's statistics are refreshed. */
const ANALYZE_AFTER_ROWS = 10_000;

/** The target moved under the push (another push of the same recording): this instance is left. */
class Conflict extends Error {}
/** A batch's closures did not match the target's current versions one for one: redo it as a split. */
class ClosureMismatch extends Error {}

interface SourceInstance {
  instanceId: number;
  origin: number;
  host: string;
  pid: number;
  createTimeUs: number | null;
  lastSeq: number;
}

interface Batch {
  from: number;
  to: number;
  captures: number;
}

/** Reads the source: prepared once, integers exact (bigint where they must be). */
class Source {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  constructor(readonly store: Store) {}

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.store.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all<T = Row>(sql: string, ...params: unknown[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  get<T = Row>(sql: string, ...params: unknown[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  /** The rows of a query as arrays, exact (safe integers), streamed. */
  *raw(sql: string, ...params: unknown[]): Generator<unknown[]> {
    const statement = this.statement(sql);
    statement.safeIntegers(true);
    statement.raw(true);
    try {
      for (const row of statement.iterate(...params)) yield row as unknown[];
    } finally {
      statement.raw(false);
      statement.safeIntegers(false);
    }
  }

  /** Runs `body` in one read transaction: every read of a batch sees the same recording. */
  reading<T>(body: () => Promise<T>): Promise<T> {
    this.store.db.exec('BEGIN');
    return body().finally(() => {
      // It only read: ending it cannot lose anything, and must not hide the error of the batch.
      try {
        if (this.store.db.inTransaction) this.store.db.exec('COMMIT');
      } catch {
        if (this.store.db.inTransaction) this.store.db.exec('ROLLBACK');
      }
    });
  }
}

const columnsOf = (table: TableName): string[] => Object.keys(TABLES[table].columns);
const stringColumnsOf = (table: TableName): string[] =>
  Object.entries(TABLES[table].columns)
    .filter(([, c]) => c.foreignKey?.table === 'strings')
    .map(([name]) => name);

/** Which versions of a kind a batch writes, as a condition on `v`, and their seqs as written. */
function versionSelection(kind: EntryKindInfo, split: boolean, from: number, to: number) {
  const where = split
    ? `v.instance_id = ? AND v.first_seq <= ${to} AND (v.last_seq IS NULL OR v.last_seq > ${from})`
    : `v.instance_id = ? AND v.first_seq > ${from} AND v.first_seq <= ${to}`;
  const columns = columnsOf(kind.table).map((c) => {
    if (c === 'first_seq') return split ? `max(v.first_seq, ${from + 1}) AS first_seq` : 'v.first_seq';
    // Ended within the batch: as the source says; later or never: current, as of the batch's last capture.
    if (c === 'last_seq') return `CASE WHEN v.last_seq < ${to} THEN v.last_seq END AS last_seq`;
    return `v.${c}`;
  });
  return { where, columns };
}

/** The captures of a batch, as a condition on `c`. */
const captureSelection = (from: number, to: number) => `c.instance_id = ? AND c.seq > ${from} AND c.seq <= ${to}`;

/** The tables of a capture's own rows, beyond the capture row. */
const CAPTURE_PARTS: readonly TableName[] = ['process_info', 'performance_counters', 'thread_names', 'auxiliary_pages'];

/** A text as an SQL literal (standard quoting, which both dialects read alike). */
const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a failure is worth trying the batch again: a lost connection, a deadlock, a busy target. */
function isTransient(error: unknown): boolean {
  return isPssError(error) && ['ERROR_CONNECTION_ABORTED', 'ERROR_CONNECTION_REFUSED', 'ERROR_BUSY', 'ERROR_SEM_TIMEOUT'].includes(error.code);
}

/**
 * Pushes every recording of a source store (a recording file, opened read-only: a push changes
 * nothing in it) into a target, incrementally: what the target already holds is not written
 * again, and a push of an unchanged source writes nothing. Each batch of captures is one
 * transaction on the target.
 *
 * @example
 * const summary = await pushStore(openStore('pssql.db', { readonly: true }), await openPushTarget('postgres://pssql@db/pssql'))
 */
export async function pushStore(store: Store, target: PushTarget, options: PushOptions = {}): Promise<PushSummary> {
  const started = performance.now();
  const batchCaptures = options.batchCaptures ?? 200;
  const batchRows = options.batchRows ?? 50_000;
  const attempts = options.attempts ?? 4;
  const source = new Source(store);
  const summary: PushSummary = {
    target: target.location,
    recordings: 0,
    instances: 0,
    captures: 0,
    rows: 0,
    versions: 0,
    versionsClosed: 0,
    batches: 0,
    skipped: 0,
    upToDate: true,
    durationUs: 0,
    pushed: [],
  };

  const recordings = source.all<{ recording_key: number; recording_id: string; created_at_us: number }>(
    'SELECT recording_key, recording_id, created_at_us FROM recordings ORDER BY recording_key',
  );
  // Plan: per recording, its instances with something the target lacks.
  const plans: { recording: (typeof recordings)[number]; key: number; work: { instance: SourceInstance; target: TargetInstance | null }[] }[] = [];
  let capturesTotal = 0;
  for (const recording of recordings) {
    summary.recordings++;
    const instances = source.all<SourceInstance>(
      `SELECT instance_id AS instanceId, coalesce(origin_instance_id, instance_id) AS origin, host, pid, create_time_us AS createTimeUs, last_seq AS lastSeq
       FROM process_instances WHERE recording_key = ? ORDER BY instance_id`,
      recording.recording_key,
    );
    if (instances.length === 0) continue;
    const { key } = await target.recording(recording.recording_id, recording.created_at_us);
    const known = await target.instances(key);
    const work: (typeof plans)[number]['work'] = [];
    for (const instance of instances) {
      const match = known
        .filter((t) => t.origin === instance.origin && t.host === instance.host && t.pid === instance.pid && t.createTimeUs === instance.createTimeUs)
        .sort((a, b) => b.instanceId - a.instanceId)[0];
      const held = match?.lastSeq ?? 0;
      if (instance.lastSeq > held || match === undefined) {
        const pending = source.get<{ n: number }>('SELECT count(*) AS n FROM captures WHERE instance_id = ? AND seq > ?', instance.instanceId, held)?.n ?? 0;
        if (pending > 0) {
          work.push({ instance, target: match ?? null });
          capturesTotal += pending;
          continue;
        }
      }
      summary.pushed.push({ instanceId: instance.instanceId, seq: held });
    }
    plans.push({ recording, key, work });
  }
  options.onEvent?.({ type: 'plan', recordings: summary.recordings, instances: plans.reduce((n, p) => n + p.work.length, 0), captures: capturesTotal });

  for (const plan of plans) {
    if (plan.work.length === 0) continue;
    const release = await target.lockRecording(plan.recording.recording_id);
    try {
      // Looked at again under the lock: another push may have written since the plan.
      const known = await target.instances(plan.key);
      for (const { instance } of plan.work) {
        if (options.signal?.aborted) break;
        // The newest of the target's instances that look like this one; a batch that finds more than these made none of them.
        const matches = known
          .filter((t) => t.origin === instance.origin && t.host === instance.host && t.pid === instance.pid && t.createTimeUs === instance.createTimeUs)
          .sort((a, b) => b.instanceId - a.instanceId);
        const before = summary.captures;
        const pushed = await pushInstance(source, target, plan.key, instance, matches[0] ?? null, matches.length, {
          batchCaptures,
          batchRows,
          attempts,
          summary,
          options,
          capturesTotal,
        });
        if (summary.captures > before) summary.instances++;
        summary.pushed.push({ instanceId: instance.instanceId, seq: pushed });
      }
    } finally {
      await release();
    }
  }
  // A push that wrote much changes what the target's planner should know of its tables.
  if (summary.rows >= ANALYZE_AFTER_ROWS) await target.analyze();
  summary.upToDate = summary.captures === 0;
  summary.durationUs = Math.round((performance.now() - started) * 1000);
  return summary;
}

interface InstanceContext {
  batchCaptures: number;
  batchRows: number;
  attempts: number;
  summary: PushSummary;
  options: PushOptions;
  capturesTotal: number;
}

/** Pushes one instance's captures after what the target holds; returns the seq the target holds now. */
async function pushInstance(
  source: Source,
  target: PushTarget,
  recordingKey: number,
  instance: SourceInstance,
  match: TargetInstance | null,
  matched: number,
  context: InstanceContext,
): Promise<number> {
  let targetId = match?.instanceId ?? null;
  let held = match?.lastSeq ?? 0;
  if (match !== null) {
    // The same instance, or a series the source started again under the same pid and id (its
    // captures were all pruned): tell them apart by a capture both should hold.
    const probe = source.get<{ seq: number; started_at_us: number }>(
      'SELECT seq, started_at_us FROM captures WHERE instance_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
      instance.instanceId,
      held,
    );
    if (probe !== undefined) {
      const there = await target.captureStartedAt(match.instanceId, probe.seq);
      if (there !== null && there !== probe.started_at_us) {
        targetId = null;
        held = 0;
      }
    }
  }
  // A fresh start when the source pruned every capture up to the last one the target holds (the
  // versions that ended since may be gone with them), or the target pruned that capture (and the
  // versions with it).
  let split = false;
  if (targetId !== null) {
    const sourceHolds = source.get<{ n: number }>('SELECT count(*) AS n FROM captures WHERE instance_id = ? AND seq <= ?', instance.instanceId, held)?.n !== 0;
    split = !sourceHolds || (await target.captureStartedAt(targetId, held)) === null;
  }

  for (;;) {
    if (context.options.signal?.aborted) return held;
    const batch = nextBatch(source, instance.instanceId, held, split, context);
    if (batch === null) return held;
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        const written = await source.reading(() => target.transaction((tx) => writeBatch(source, tx, recordingKey, instance, targetId, batch, split, matched)));
        targetId = written.instanceId;
        held = batch.to;
        split = false;
        const { summary } = context;
        summary.batches++;
        summary.captures += written.captures;
        summary.rows += written.rows;
        summary.versions += written.versions;
        summary.versionsClosed += written.closed;
        context.options.onEvent?.({
          type: 'batch',
          captures: written.captures,
          rows: written.rows,
          capturesDone: summary.captures,
          rowsDone: summary.rows,
          capturesTotal: context.capturesTotal,
        });
        break;
      } catch (error) {
        if (error instanceof ClosureMismatch && !split) {
          split = true; // the same batch again, starting afresh
          continue;
        }
        if (error instanceof Conflict) {
          context.summary.skipped++;
          return held;
        }
        if (!isTransient(error) || attempt >= context.attempts) throw error;
        const waitMs = Math.min(8000, 500 * 2 ** (attempt - 1));
        context.options.onEvent?.({ type: 'retry', attempt, error: error as Error, waitMs });
        await sleep(waitMs);
      }
    }
  }
}

/** The next batch of an instance after `held`: whole captures, within the limits (one capture at least). */
function nextBatch(source: Source, instanceId: number, held: number, split: boolean, context: InstanceContext): Batch | null {
  const seqs = source.all<{ seq: number }>('SELECT seq FROM captures WHERE instance_id = ? AND seq > ? ORDER BY seq LIMIT ?', instanceId, held, context.batchCaptures);
  if (seqs.length === 0) return null;
  // A fresh start writes every version alive: one capture is enough for one batch.
  if (split) return { from: held, to: (seqs[0] as { seq: number }).seq, captures: 1 };
  const last = (seqs[seqs.length - 1] as { seq: number }).seq;
  const perSeq = new Map<number, number>();
  for (const kind of ENTRY_KINDS) {
    for (const row of source.all<{ seq: number; n: number }>(
      `SELECT first_seq AS seq, count(*) AS n FROM ${kind.table} WHERE instance_id = ? AND first_seq > ? AND first_seq <= ? GROUP BY first_seq`,
      instanceId,
      held,
      last,
    )) {
      perSeq.set(row.seq, (perSeq.get(row.seq) ?? 0) + row.n);
    }
  }
  let rows = 0;
  let to = held;
  let captures = 0;
  for (const { seq } of seqs) {
    // Versions first seen between captures still held by the source belong to the next capture.
    let added = 0;
    for (const [first, n] of perSeq) if (first > to && first <= seq) added += n;
    if (captures > 0 && rows + added > context.batchRows) break;
    rows += added;
    to = seq;
    captures++;
  }
  return { from: held, to, captures };
}

interface BatchWritten {
  instanceId: number;
  captures: number;
  rows: number;
  versions: number;
  closed: number;
}

/** One batch, in the target's transaction (and the source's read transaction). */
async function writeBatch(
  source: Source,
  tx: TargetTransaction,
  recordingKey: number,
  instance: SourceInstance,
  existing: number | null,
  batch: Batch,
  split: boolean,
  matched: number,
): Promise<BatchWritten> {
  const { from, to } = batch;
  const local = instance.instanceId;
  let rows = 0;
  // Still where the plan found it? Another push may have moved it, or made it, meanwhile.
  if (existing !== null) {
    const now = (await tx.run(`SELECT last_seq FROM process_instances WHERE instance_id = ${existing}`)).rows[0]?.last_seq;
    if (Number(now) !== from) throw new Conflict();
  } else {
    const made = await tx.run(
      `SELECT instance_id FROM process_instances WHERE recording_key = ${recordingKey} AND coalesce(origin_instance_id, instance_id) = ${instance.origin}
       AND host = ${quote(instance.host)} AND pid = ${instance.pid} AND create_time_us ${instance.createTimeUs === null ? 'IS NULL' : `= ${instance.createTimeUs}`}`,
    );
    if (made.rows.length > matched) throw new Conflict();
  }

  // The strings the batch's rows use.
  const selections = ENTRY_KINDS.map((kind) => ({ kind, ...versionSelection(kind, split, from, to) }));
  const stringSources: string[] = [];
  for (const { kind, where } of selections) {
    for (const c of stringColumnsOf(kind.table)) stringSources.push(`SELECT v.${c} AS id FROM ${kind.table} AS v WHERE ${where}`);
    for (const part of partTablesOf(kind.table)) {
      for (const c of stringColumnsOf(part.table)) {
        stringSources.push(`SELECT d.${c} AS id FROM ${part.table} AS d JOIN ${kind.table} AS v ON v.${kind.idColumn} = d.${kind.idColumn} WHERE ${where}`);
      }
    }
  }
  for (const table of CAPTURE_PARTS) {
    for (const c of stringColumnsOf(table)) stringSources.push(`SELECT p.${c} AS id FROM ${table} AS p JOIN captures AS c ON c.capture_id = p.capture_id WHERE ${captureSelection(from, to)}`);
  }
  stringSources.push('SELECT name_id AS id FROM process_instances WHERE instance_id = ?');
  const strings = await tx.load({
    stage: stageOf('strings'),
    columns: columnsOf('strings'),
    rows: source.raw(
      `SELECT ${columnsOf('strings').join(', ')} FROM strings WHERE string_id IN (${stringSources.join(' UNION ')})`,
      ...stringSources.map(() => local),
    ),
  });
  if (strings > 0) {
    for (const sql of tx.dialect.addStrings()) rows += (await tx.run(sql)).changes;
    for (const sql of tx.dialect.mapStrings()) await tx.run(sql);
  }

  // The instance: new, or moved on to the batch's last capture.
  let instanceId = existing;
  if (instanceId === null) {
    await tx.load({
      stage: stageOf('process_instances'),
      columns: columnsOf('process_instances'),
      rows: source.raw(
        `SELECT ${columnsOf('process_instances')
          .map((c) => (c === 'last_seq' ? `${to} AS last_seq` : c === 'origin_instance_id' ? `${instance.origin} AS origin_instance_id` : c))
          .join(', ')} FROM process_instances WHERE instance_id = ?`,
        local,
      ),
    });
    await tx.run(`INSERT INTO ${mapOf('process_instances')} (local_id, id) ${tx.dialect.newIds('process_instances', 'instance_id', stageOf('process_instances'))}`);
    rows += (await tx.run(insertStaged('process_instances', { instanceId: null, recordingKey }))).changes;
    instanceId = Number((await tx.run(`SELECT id FROM ${mapOf('process_instances')}`)).rows[0]?.id);
  } else {
    rows += (await tx.run(`UPDATE process_instances SET last_seq = ${to} WHERE instance_id = ${instanceId}`)).changes;
  }
  const constants = { instanceId, recordingKey };

  // Versions: ended at the last capture held when starting afresh; then the batch's own.
  let versions = 0;
  let closed = 0;
  for (const { kind, where, columns } of selections) {
    if (split && existing !== null) {
      closed += (await tx.run(`UPDATE ${kind.table} SET last_seq = ${from} WHERE instance_id = ${instanceId} AND recording_key = ${recordingKey} AND last_seq IS NULL`)).changes;
    }
    const staged = await tx.load({ stage: stageOf(kind.table), columns: columnsOf(kind.table), rows: source.raw(`SELECT ${columns.join(', ')} FROM ${kind.table} AS v WHERE ${where}`, local) });
    // Most batches of a process at work have few new versions, and most kinds of details none: nothing staged, nothing to run.
    if (staged > 0) {
      await tx.run(`INSERT INTO ${mapOf(kind.table)} (local_id, id) ${tx.dialect.newIds(kind.table, kind.idColumn, stageOf(kind.table))}`);
      versions += (await tx.run(insertStaged(kind.table, constants))).changes;
    }
    for (const part of staged === 0 ? [] : partTablesOf(kind.table)) {
      const details = await tx.load({
        stage: stageOf(part.table),
        columns: columnsOf(part.table),
        rows: source.raw(
          `SELECT ${columnsOf(part.table).map((c) => `d.${c}`).join(', ')} FROM ${part.table} AS d JOIN ${kind.table} AS v ON v.${kind.idColumn} = d.${kind.idColumn} WHERE ${where}`,
          local,
        ),
      });
      if (details > 0) rows += (await tx.run(insertStaged(part.table, constants))).changes;
    }
    if (!split) {
      // The target's current versions that ended within the batch, matched by (first_seq, key).
      const ended = await tx.load({
        stage: closuresOf(kind.table),
        columns: ['first_seq', 'key_value', 'last_seq'],
        rows: source.raw(
          `SELECT first_seq, ${kind.keyColumn}, last_seq FROM ${kind.table} WHERE instance_id = ? AND first_seq <= ${from} AND last_seq >= ${from} AND last_seq < ${to}`,
          local,
        ),
      });
      if (ended > 0) {
        const updated = (
          await tx.run(
            `UPDATE ${kind.table} AS v SET last_seq = s.last_seq FROM ${closuresOf(kind.table)} AS s
             WHERE v.instance_id = ${instanceId} AND v.recording_key = ${recordingKey} AND v.last_seq IS NULL AND v.first_seq = s.first_seq AND v.${kind.keyColumn} = s.key_value`,
          )
        ).changes;
        if (updated !== ended) throw new ClosureMismatch(`${kind.table}: ${ended} versions ended, ${updated} matched`);
        closed += updated;
      }
    }
  }
  rows += versions + closed;

  // The captures and what belongs to each.
  const captures = await tx.load({
    stage: stageOf('captures'),
    columns: columnsOf('captures'),
    rows: source.raw(`SELECT ${columnsOf('captures').map((c) => `c.${c}`).join(', ')} FROM captures AS c WHERE ${captureSelection(from, to)}`, local),
  });
  await tx.run(`INSERT INTO ${mapOf('captures')} (local_id, id) ${tx.dialect.newIds('captures', idColumnOf('captures') as string, stageOf('captures'))}`);
  rows += (await tx.run(insertStaged('captures', constants))).changes;
  for (const table of CAPTURE_PARTS) {
    const staged = await tx.load({
      stage: stageOf(table),
      columns: columnsOf(table),
      rows: source.raw(`SELECT ${columnsOf(table).map((c) => `p.${c}`).join(', ')} FROM ${table} AS p JOIN captures AS c ON c.capture_id = p.capture_id WHERE ${captureSelection(from, to)}`, local),
    });
    if (staged > 0) rows += (await tx.run(insertStaged(table, constants))).changes;
  }
  // A batch whose captures the source pruned since it was planned still moves the instance on:
  // its versions and closures keep the target's current versions right for the captures after it.
  await tx.run(`UPDATE recordings SET pushed_at_us = ${Math.round(Date.now() * 1000)} WHERE recording_key = ${recordingKey}`);
  return { instanceId, captures, rows, versions, closed };
}
