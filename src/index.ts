/**
 * pssql as a library: capture processes (the Windows Process Snapshotting model, on Linux from
 * /proc and on Windows from kernel32), write the captures into a recording (a SQLite file), read
 * them back as snapshots or with typed SQL, record on a schedule, and push recordings into a
 * central store (PostgreSQL) that reads the same. This is the whole public API;
 * test/public-api.test.ts pins it.
 *
 * @example
 * import { captureSnapshot, openStore, writeCapture } from 'pssql'
 * const store = openStore('pssql.db')
 * writeCapture(store, captureSnapshot({ pid: 1234 }))
 * store.close()
 *
 * @example
 * import { openRecording } from 'pssql'
 * const rec = openRecording('pssql.db')   // read-only: typed Kysely, helpers, saved reports
 * const { rows } = await rec.report('leak-suspects', { pid: 1234 })
 * rec.close()
 */

// The model: enums with their Windows values, records, Snapshot and walk markers, PssError.
export {
  CaptureFlags,
  captureFlagNames,
  combineFlags,
  DEFAULT_CAPTURE_FLAGS,
  hasFlag,
  parseCaptureFlags,
} from './pss/capture-flags.js';
export { HandleFlags } from './pss/handle-flags.js';
export { QueryClass, WalkClass } from './pss/information-class.js';
export { MemState, MemType, PageProtection } from './pss/memory.js';
export { ObjectType } from './pss/object-type.js';
export { ProcessFlags, STILL_ACTIVE } from './pss/process-flags.js';
export { isPssError, PssError, type PssErrorContext } from './pss/pss-error.js';
export type * from './pss/query-records.js';
export { type CaptureInfo, ifCaptured, type Platform, type Snapshot, type WalkMarker } from './pss/snapshot.js';
export { type SnapshotJson, snapshotFromJson, snapshotToJson } from './pss/snapshot-json.js';
export { ThreadFlags } from './pss/thread-flags.js';
export type * from './pss/walk-entries.js';
export { Win32Error, type Win32ErrorName } from './pss/win32-error.js';

// Capturing.
export {
  type Backend,
  type CaptureOptions,
  type Capturer,
  type CapturerOptions,
  captureSnapshot,
  createCapturer,
  type ListedProcess,
  listProcesses,
  processMatchesName,
} from './capture/index.js';

// The recording: write captures, read them back.
export { type WriteCaptureOptions, writeCapture, type WrittenCapture } from './store/capture-writer.js';
export type { EntryKind } from './store/entry-kinds.js';
export { openStore, type Store, type StoreOptions } from './store/open-store.js';
export type { Retention } from './store/prune.js';
export type { Database } from './store/schema.js';
export { openStoredSnapshot } from './store/stored-snapshot.js';

// Analysis.
export type { CaptureFilter, CaptureSummary } from './analysis/captures.js';
export {
  type ChangedEntry,
  type DiffOptions,
  type DiffSide,
  diffSnapshots,
  type FieldChange,
  type HandleTypeDiff,
  type KindDiff,
  type MemoryDelta,
  type SnapshotDiff,
} from './analysis/diff.js';
export type { QueryResult } from './analysis/read-only-query.js';
export { type CaptureRef, openRecording, type Recording, type RecordingOptions } from './analysis/recording.js';
export type { ReportDefinition } from './analysis/report-definition.js';
export type { ReportParameter } from './analysis/report-parameter.js';
export type { HandleTypePoint, ProcessPoint, RegionTypePoint, SeriesPoint } from './analysis/series.js';

// Many hosts: push recordings into a central store (PostgreSQL, or another recording file).
export { openPushTarget } from './push/open-push-target.js';
export { type PushedInstance, type PushEvent, type PushOptions, type PushSummary, pushStore } from './push/push-recording.js';
export type { PushTarget } from './push/push-target.js';
export { pruneStore, type StorePruned } from './store/prune-store.js';
export type { ReadStore } from './store/read-store.js';

// Recording on a schedule.
export { parseDuration } from './recorder/parse-duration.js';
export {
  type DroppedTarget,
  type DropReason,
  type Recorder,
  type RecorderEvent,
  type RecorderOptions,
  type RecorderSummary,
  type RecorderTarget,
  type StopReason,
  startRecorder,
} from './recorder/recorder.js';

export { PSSQL_VERSION } from './version.js';
