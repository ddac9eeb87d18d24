import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { renderSchema } from '../../src/store/render-schema.js';
import { loadMigrations, openStore, RELATIONS, TABLES, VIEWS } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';

const SQL_TYPE = { id: 'INTEGER', integer: 'INTEGER', u64: 'INTEGER', real: 'REAL', text: 'TEXT', blob: 'BLOB' } as const;

test('the migrations create exactly the declared tables and views, column for column', (t) => {
  const store = openStore(`${tempDir()}/schema.db`);
  try {
    const objects = store.db
      .prepare("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string; type: string }[];
    t.deepEqual(
      objects.map((o) => `${o.type}:${o.name}`),
      Object.entries(RELATIONS)
        .map(([name, r]) => `${r.kind}:${name}`)
        .sort((a, b) => a.split(':')[1]!.localeCompare(b.split(':')[1]!)),
    );
    for (const [name, relation] of Object.entries(RELATIONS)) {
      const info = store.db.prepare(`PRAGMA table_info(${name})`).all() as { name: string; type: string; notnull: number; pk: number }[];
      t.deepEqual(
        info.map((c) => c.name),
        Object.keys(relation.columns),
        `${name}: columns in order`,
      );
      for (const column of info) {
        const declared = relation.columns[column.name]!;
        t.is(column.type, SQL_TYPE[declared.kind], `${name}.${column.name}: type`);
        if (relation.kind === 'table') {
          const required = column.notnull === 1 || column.pk === 1;
          t.is(!declared.nullable, required, `${name}.${column.name}: NOT NULL as declared`);
        }
      }
    }
  } finally {
    store.close();
  }
});

test('every table and view is declared with a description, and so is every column', (t) => {
  for (const [name, relation] of Object.entries({ ...TABLES, ...VIEWS })) {
    t.true(relation.description.length > 10, `${name} has a description`);
    for (const [column, c] of Object.entries(relation.columns)) t.true(c.description.length > 2, `${name}.${column} has a description`);
  }
});

test('migrations are numbered without gaps and recorded', (t) => {
  const migrations = loadMigrations();
  t.deepEqual(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
  );
  const store = openStore(`${tempDir()}/versions.db`);
  try {
    t.is(store.db.pragma('user_version', { simple: true }), migrations.length);
    t.is(store.db.pragma('application_id', { simple: true }), 0x70737371);
    t.deepEqual(
      (store.db.prepare('SELECT name FROM schema_migrations ORDER BY version').all() as { name: string }[]).map((r) => r.name),
      migrations.map((m) => m.name),
    );
  } finally {
    store.close();
  }
});

/** What a database's schema is, object by object, in terms that do not depend on how it was built. */
function schemaOf(db: BetterSqlite3.Database): Map<string, unknown> {
  const normal = (sql: string | null): string | null => (sql === null ? null : sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim());
  const objects = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
  const schema = new Map<string, unknown>();
  for (const o of objects) {
    if (o.type === 'table') {
      // A table altered by a migration keeps SQL text of its history: compare what it is instead.
      const [list] = db.prepare('SELECT strict, wr FROM pragma_table_list WHERE name = ?').all(o.name) as object[];
      schema.set(`table ${o.name}`, {
        list,
        columns: db.prepare('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_xinfo(?)').all(o.name),
        foreignKeys: db.prepare('SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY "from"').all(o.name),
      });
    } else {
      schema.set(`${o.type} ${o.name}`, { on: o.tbl_name, sql: normal(o.sql) });
    }
  }
  return schema;
}

test('the declaration renders the schema that the migrations make, both ways, object for object', (t) => {
  const migrated = openStore(`${tempDir()}/migrated.db`);
  const rendered = new BetterSqlite3(':memory:');
  try {
    for (const statement of renderSchema()) rendered.exec(statement);
    const fromMigrations = schemaOf(migrated.db);
    const fromDeclaration = schemaOf(rendered);
    for (const [name, shape] of fromMigrations) {
      if (fromDeclaration.has(name)) t.deepEqual(fromDeclaration.get(name), shape, `${name} as declared`);
      else t.fail(`${name} is made by the migrations but not declared`);
    }
    for (const name of fromDeclaration.keys()) t.true(fromMigrations.has(name), `${name} is declared but no migration makes it`);
  } finally {
    migrated.close();
    rendered.close();
  }
});

test('every column stored from the model names a field, and a string column ends in _id', (t) => {
  for (const [name, relation] of Object.entries(TABLES)) {
    for (const [column, c] of Object.entries(relation.columns)) {
      if (c.codec === 'string') t.true(column.endsWith('_id'), `${name}.${column} is a string id`);
      if (c.field !== null) t.regex(c.field, /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)?$/, `${name}.${column} comes from ${c.field}`);
      if (column.endsWith('_us')) t.is(c.unit, 'us');
      if (column.endsWith('_bytes')) t.is(c.unit, 'bytes');
    }
  }
});
