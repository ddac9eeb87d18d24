/** The Process Snapshotting model: enums with their Windows values, records, Snapshot, PssError. */
export * from './capture-flags.js';
export * from './duplicate-flags.js';
export * from './handle-flags.js';
export * from './information-class.js';
export * from './memory.js';
export * from './memory-snapshot.js';
export * from './object-type.js';
export * from './process-flags.js';
export * from './pss-error.js';
export * from './query-records.js';
export * from './snapshot.js';
export * from './thread-flags.js';
export * from './walk-entries.js';
export * from './win32-error.js';
export * from './snapshot-json.js';
export * from './byte-string.js';
export * from './units.js';
