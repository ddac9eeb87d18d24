/** The SQLite store: open a recording, record snapshots, read them back. */
export { latestSchemaVersion, loadMigrations, migrate } from './migrate.js';
export { kyselyOf } from './kysely.js';
export { openStore, Store, type StoreOptions } from './open-store.js';
export { checkRetention, pruneCaptures, type Retention } from './prune.js';
export { Recorder, recordSnapshot, recorderOf, type RecordOptions, type RecordResult } from './recorder.js';
export { type Database, RELATIONS, TABLES, U64_COLUMNS, VIEWS } from './schema.js';
export { openStoredSnapshot } from './stored-snapshot.js';
export { StringTable } from './string-table.js';
