/**
 * pssql as a library: capture processes (the Windows Process Snapshotting model, on Linux from
 * /proc and on Windows from kernel32), record them into SQLite, and read them back.
 *
 * @example
 * import { captureSnapshot, openStore, writeCapture } from 'pssql'
 * const store = openStore('pssql.db')
 * writeCapture(store, captureSnapshot({ pid: 1234 }).captureId)
 * store.close()
 *
 * @example
 * import { openRecording } from 'pssql'
 * const rec = openRecording('pssql.db')   // read-only: typed Kysely, helpers, saved reports
 * const { rows } = await rec.report('leak-suspects', { pid: 1234 })
 * rec.close()
 */
export * from './pss/index.js';
export { type Capturer, type CaptureOptions, type CapturerOptions, captureSnapshot, createCapturer, type ListedProcess, listProcesses, processMatchesName } from './capture/index.js';
export { captureLinuxSnapshot, type LinuxCaptureOptions } from './capture/linux/index.js';
export { captureWindowsSnapshot, type WindowsCaptureOptions } from './capture/windows/index.js';
export * from './store/index.js';
export * from './analysis/captures.js';
export * from './analysis/series.js';
export { openRecording, type CaptureRef, type Recording, type RecordingOptions } from './analysis/recording.js';
export { prepareReadOnly, runReadOnly, type QueryResult, type ReadOnlyStatement } from './analysis/read-only-query.js';
export { BUILT_IN_REPORTS_DIR, findReport, loadReports } from './analysis/report-catalog.js';
export { parseReport, RESERVED_PARAMETER_NAMES, type ReportDefinition } from './analysis/report-definition.js';
export { PARAMETER_TYPES, type ParameterType, type ReportParameter } from './analysis/report-parameter.js';
export { runReport } from './analysis/run-report.js';
export * from './recorder/index.js';
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
