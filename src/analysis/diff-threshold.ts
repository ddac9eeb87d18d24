import { PssError } from '../pss/pss-error.js';
import { DIFF_KINDS, type DiffKind, type MemoryField, type SnapshotDiff } from './diff.js';

/*
 * The --fail-if grammar:
 *
 *   THRESHOLD := METRIC OP VALUE
 *   METRIC    := threads | handles | regions            entry counts
 *              | handles.TYPE                           handles of one type (File, Socket, Event...; any case)
 *              | private | working-set | virtual | pagefile | swap | committed      memory, bytes
 *              | added | removed | changed              entries, all kinds together
 *   OP        := > | >= | < | <=
 *   VALUE     := NUMBER [UNIT]        the value in capture B            handles>1000
 *              | +NUMBER [UNIT]       the change from A to B, growth    handles>+100
 *              | -NUMBER [UNIT]       the change from A to B, shrinking private<-10MB
 *              | +NUMBER% | -NUMBER%  the change relative to A          private>+20%
 *   UNIT      := B | KB | MB | GB | TB (powers of 1000) | KiB | MiB | GiB | TiB (powers of 1024); memory only
 *
 * A threshold is exceeded when the comparison holds. A metric that a capture lacks (handles not
 * captured) is not exceeded, and says so.
 */

/** Metrics of memory, by their short names. */
const MEMORY_METRICS: Readonly<Record<string, MemoryField>> = {
  private: 'private_usage_bytes',
  'working-set': 'working_set_size_bytes',
  rss: 'working_set_size_bytes',
  virtual: 'virtual_size_bytes',
  pagefile: 'pagefile_usage_bytes',
  swap: 'swap_bytes',
  committed: 'committed_bytes',
};

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

export type ThresholdOp = '>' | '>=' | '<' | '<=';

/** A parsed --fail-if threshold. */
export interface Threshold {
  /** As written. */
  text: string;
  metric: string;
  /** What the metric measures. */
  measure: { kind: 'count'; of: DiffKind } | { kind: 'handle-type'; type: string } | { kind: 'memory'; field: MemoryField } | { kind: 'changes'; of: 'added' | 'removed' | 'changed' };
  op: ThresholdOp;
  /** Compare the value in B, its change from A, or its change in percent of A. */
  mode: 'value' | 'change' | 'percent';
  limit: number;
}

/** A threshold checked against a diff. */
export interface ThresholdResult {
  threshold: Threshold;
  before: number | null;
  after: number | null;
  /** What was compared with the limit: the value in B, the change, or the change in percent; null if unknown. */
  value: number | null;
  exceeded: boolean;
}

const GRAMMAR = "write METRIC OP VALUE, e.g. 'handles>+100', 'private>+50MB', 'handles.File>=1000', 'threads>+10%'";

function usage(text: string, why: string): PssError {
  return new PssError('ERROR_INVALID_PARAMETER', `invalid --fail-if '${text}': ${why}; ${GRAMMAR}`, { option: 'fail-if' });
}

/**
 * Parses one `--fail-if` threshold (grammar above), or throws a PssError ERROR_INVALID_PARAMETER
 * that says what is wrong in one line.
 *
 * @example
 * parseThreshold('private>+50MB') // { metric: 'private', op: '>', mode: 'change', limit: 50_000_000, ... }
 */
export function parseThreshold(text: string): Threshold {
  const match = /^\s*([A-Za-z][\w.:\- ]*?)\s*(>=|<=|>|<)\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*([A-Za-z%]*)\s*$/.exec(String(text));
  if (match === null) throw usage(text, 'not understood');
  const [, metricText = '', op = '>', sign = '', number = '0', unitText = ''] = match;
  const metric = metricText.trim();
  const lower = metric.toLowerCase();

  let measure: Threshold['measure'];
  if ((DIFF_KINDS as readonly string[]).includes(lower)) measure = { kind: 'count', of: lower as DiffKind };
  else if (/^handles[.:]./i.test(metric)) measure = { kind: 'handle-type', type: metric.slice(8) };
  else if (MEMORY_METRICS[lower] !== undefined) measure = { kind: 'memory', field: MEMORY_METRICS[lower] as MemoryField };
  else if (lower === 'added' || lower === 'removed' || lower === 'changed') measure = { kind: 'changes', of: lower };
  else {
    throw usage(text, `unknown metric '${metric}' (threads, handles, regions, handles.TYPE, ${Object.keys(MEMORY_METRICS).join(', ')}, added, removed, changed)`);
  }

  let limit = Number(number);
  let mode: Threshold['mode'] = sign === '' ? 'value' : 'change';
  const unit = unitText.toLowerCase();
  if (unit === '%') {
    if (sign === '') throw usage(text, "a percentage is a change: write '+10%' or '-10%'");
    mode = 'percent';
  } else if (unit !== '') {
    const factor = UNITS[unit];
    if (factor === undefined) throw usage(text, `unknown unit '${unitText}' (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`);
    if (measure.kind !== 'memory') throw usage(text, `'${metric}' counts entries: no unit`);
    limit *= factor;
  }
  if (sign === '-') limit = -limit;
  return { text: String(text), metric, measure, op: op as ThresholdOp, mode, limit };
}

/** Before and after of a metric in a diff, null where a side lacks it. */
function valuesOf(diff: SnapshotDiff, measure: Threshold['measure']): [number | null, number | null] {
  switch (measure.kind) {
    case 'count':
      return [diff[measure.of].before, diff[measure.of].after];
    case 'handle-type': {
      if (diff.handles.before === null || diff.handles.after === null) return [null, null];
      const wanted = measure.type.toLowerCase();
      const row = diff.handleTypes.find((t) => t.type.toLowerCase() === wanted);
      return [row?.before ?? 0, row?.after ?? 0];
    }
    case 'memory': {
      const row = diff.memory.find((m) => m.field === measure.field);
      return [row?.before ?? null, row?.after ?? null];
    }
    case 'changes': {
      const total = DIFF_KINDS.reduce((sum, kind) => sum + diff[kind][measure.of].length, 0);
      return [0, total];
    }
  }
}

const holds = (value: number, op: ThresholdOp, limit: number): boolean =>
  op === '>' ? value > limit : op === '>=' ? value >= limit : op === '<' ? value < limit : value <= limit;

/**
 * Checks thresholds against a diff; any result with `exceeded` should fail the job.
 *
 * @example
 * const failed = checkThresholds(diff, ['handles>+100'].map(parseThreshold)).some((r) => r.exceeded)
 */
export function checkThresholds(diff: SnapshotDiff, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const [before, after] = valuesOf(diff, threshold.measure);
    let value: number | null = null;
    if (before !== null && after !== null) {
      if (threshold.mode === 'value') value = after;
      else if (threshold.mode === 'change') value = after - before;
      else value = before === 0 ? (after === 0 ? 0 : Math.sign(after) * Number.POSITIVE_INFINITY) : ((after - before) / Math.abs(before)) * 100;
    }
    return { threshold, before, after, value, exceeded: value !== null && holds(value, threshold.op, threshold.limit) };
  });
}
