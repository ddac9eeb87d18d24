/** Recording on a schedule: the loop, its targets and durations. */
export { parseDuration } from './parse-duration.js';
export {
  databaseBytes,
  MIN_EVERY_US,
  type DroppedTarget,
  type DropReason,
  record,
  type RecordEvent,
  type RecordingHandle,
  type RecordLoopOptions,
  type RecordSummary,
  type RecordTarget,
  type StopReason,
} from './record-loop.js';
export { nextTick } from './tick-schedule.js';
export { type GrowthMeasurement, type GrowthOptions, measureGrowthPerCapture } from './measure-growth.js';
