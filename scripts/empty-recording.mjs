#!/usr/bin/env node
/**
 * Writes dist/empty-recording-<digest>.db, the empty recording the migrations make, which new
 * recordings are made from and recordings of the latest schema are checked against
 * (src/store/empty-recording.ts says why). Run after tsc (`npm run build` does).
 */
import { writeBuiltEmptyRecording } from '../dist/src/store/empty-recording.js';

writeBuiltEmptyRecording();
