import test from 'ava';
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
