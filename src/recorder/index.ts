/** Recording on a schedule: the loop, its targets and durations. */
export { parseDuration } from './parse-duration.js';
export { databaseBytes } from '../store/database-bytes.js';
export {
  MIN_EVERY_US,
  type DroppedTarget,
  type DropReason,
  startRecorder,
  type RecorderEvent,
  type Recorder,
  type RecorderOptions,
  type RecorderSummary,
  type RecorderTarget,
  type StopReason,
} from './recorder.js';
export { nextTick } from './tick-schedule.js';
export { type GrowthMeasurement, type GrowthOptions, measureGrowthPerCapture } from './measure-growth.js';
