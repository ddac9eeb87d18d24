/**
 * pssql as a library: capture processes (the Windows Process Snapshotting model, on Linux from
 * /proc and on Windows from kernel32), record them into SQLite, and read them back.
 *
 * @example
 * import { captureSnapshot, openStore, recordSnapshot } from 'pssql'
 * const store = openStore('pssql.db')
 * recordSnapshot(store, captureSnapshot({ pid: 1234 }))
 * store.close()
 */
export * from './pss/index.js';
export { captureSnapshot, type CaptureOptions } from './capture/index.js';
export { captureLinuxSnapshot, type LinuxCaptureOptions } from './capture/linux/index.js';
export { captureWindowsSnapshot, type WindowsCaptureOptions } from './capture/windows/index.js';
export * from './store/index.js';
export * from './analysis/captures.js';
export * from './analysis/series.js';
export * from './record/index.js';
export {
  type ChangedEntry,
  DIFF_KINDS,
  type DiffKind,
  type DiffOptions,
  type DiffSide,
  diffSnapshots,
  type FieldChange,
  type HandleTypeDiff,
  type KindDiff,
  MEMORY_FIELDS,
  type MemoryDelta,
  type MemoryField,
  type SnapshotDiff,
} from './analysis/diff.js';
export { checkThresholds, parseThreshold, type Threshold, type ThresholdOp, type ThresholdResult } from './analysis/diff-threshold.js';
export { processTrend, type ProcessTrend, type TrendFilter, type TrendPanel, type TrendSeries } from './analysis/trend.js';
export { renderTrendHtml, renderTrendSvg, trendTitle } from './analysis/trend-chart.js';
export { sparkline } from './analysis/trend-sparkline.js';
export { PSSQL_VERSION } from './version.js';
