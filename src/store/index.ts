/** The SQLite store: open a recording, write captures into it, read them back. */
export { latestSchemaVersion, loadMigrations, migrate } from './migrate.js';
export { kyselyOf } from './kysely.js';
export { openStore, Store, type StoreOptions } from './open-store.js';
export { checkRetention, pruneCaptures, type Retention } from './prune.js';
export { CaptureWriter, type WriteCaptureOptions, writeCapture, type WrittenCapture } from './capture-writer.js';
export { type Database, RELATIONS, TABLES, U64_COLUMNS, VIEWS } from './schema.js';
export { openStoredSnapshot } from './stored-snapshot.js';
export { StringTable } from './string-table.js';
