import type BetterSqlite3 from 'better-sqlite3';
import BetterSqlite from 'better-sqlite3';
import { PssError } from '../pss/pss-error.js';
import { openEmptyRecording } from './empty-recording.js';
import { latestSchemaVersion, loadMigrations } from './migrate.js';

/*
 * A recording is trusted only when its schema is the one pssql made: the tables, indexes and views
 * the migrations up to its version create, and no trigger. A view replaced by a hostile one (a
 * recursive query that never ends), a trigger that runs inside pssql's write transaction, a table
 * changed by hand: each is refused by name before anything reads or writes through it.
 */

/** The objects of a schema, by `type name`, with their SQL normalized. */
type SchemaObjects = Map<string, string | null>;

const normalize = (sql: string | null): string | null => (sql === null ? null : sql.replace(/\s+/g, ' ').trim());

function objectsOf(db: BetterSqlite3.Database, schema = 'main'): SchemaObjects {
  const rows = db.prepare(`SELECT type, name, sql FROM ${schema}.sqlite_master WHERE name NOT LIKE 'sqlite_%'`).all() as {
    type: string;
    name: string;
    sql: string | null;
  }[];
  return new Map(rows.map((r) => [`${r.type} ${r.name}`, normalize(r.sql)]));
}

const references = new Map<number, SchemaObjects>();

/** The schema the migrations up to `version` make: the empty recording's at the latest, else built in memory. */
function referenceSchema(version: number): SchemaObjects {
  let objects = references.get(version);
  if (objects === undefined) {
    const latest = version === latestSchemaVersion();
    const db = latest ? openEmptyRecording() : new BetterSqlite(':memory:');
    try {
      if (!latest) for (const migration of loadMigrations().slice(0, version)) db.exec(migration.sql);
      objects = objectsOf(db);
    } finally {
      db.close();
    }
    references.set(version, objects);
  }
  return objects;
}

/**
 * Checks that the recording's schema is the one pssql's migrations make at its version: every
 * object there, the same, and nothing else (no trigger above all). A mismatch is ERROR_BAD_FORMAT
 * (exit code 5) naming the object.
 */
export function verifySchema(db: BetterSqlite3.Database, version: number, path: string): void {
  const expected = referenceSchema(version);
  const found = objectsOf(db);
  // A trigger is the worst of what a crafted file can hold (it runs inside pssql's writes): named first.
  for (const object of found.keys()) {
    if (object.startsWith('trigger ')) {
      throw new PssError('ERROR_BAD_FORMAT', `${path} is not a recording pssql can trust: it holds a ${object}, which pssql never makes`, { path });
    }
  }
  for (const [object, sql] of found) {
    if (!expected.has(object)) {
      throw new PssError('ERROR_BAD_FORMAT', `${path} is not a recording pssql can trust: ${object} is not part of schema ${version}`, { path });
    }
    if (expected.get(object) !== sql) {
      throw new PssError('ERROR_BAD_FORMAT', `${path} is not a recording pssql can trust: ${object} differs from the one schema ${version} makes`, { path });
    }
  }
  for (const object of expected.keys()) {
    if (!found.has(object)) {
      throw new PssError('ERROR_BAD_FORMAT', `${path} is damaged or was changed: ${object} of schema ${version} is missing`, { path });
    }
  }
}
