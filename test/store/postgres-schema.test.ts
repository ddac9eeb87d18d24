/**
 * The PostgreSQL schema, on a real server: its migrations make what the declaration says (the
 * same check as SQLite's, both ways), numbered and named as SQLite's; the lookup rows are
 * SQLite's; and the SQL functions give SQLite's answers.
 */
import anyTest from 'ava';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { loadMigrations, openStore, RELATIONS, TABLES } from '../../src/store/index.js';
import { loadPostgresMigrations } from '../../src/store/postgres/migrate.js';
import { openPostgresStore } from '../../src/store/postgres/open-store.js';
import { POSTGRES_SCHEMA } from '../../src/store/postgres/schema-dialect.js';
import { renderSchema } from '../../src/store/render-schema.js';
import { tempDir } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';

const { test, server } = usePostgres(anyTest);

/** What a schema is, object by object, in terms that do not depend on how it was built. */
async function schemaOf(url: string): Promise<Map<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[];
    const schema = new Map<string, unknown>();
    const relations = await q(`
      SELECT c.oid, c.relname, c.relkind, pg_get_partkeydef(c.oid) AS partition_key
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
      WHERE n.nspname = 'pssql' AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
      ORDER BY c.relname`);
    for (const r of relations) {
      const columns = await q(`
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default, co.collname
        FROM pg_attribute AS a
        LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation AS co ON co.oid = a.attcollation AND a.attcollation <> 100
        WHERE a.attrelid = ${r.oid} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`);
      const constraints = await q(`SELECT contype, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = ${r.oid} ORDER BY 1, 2`);
      const view = r.relkind === 'v' ? (await q(`SELECT pg_get_viewdef(${r.oid}) AS sql`))[0]?.sql : null;
      schema.set(`${r.relkind === 'v' ? 'view' : 'table'} ${r.relname}`, { kind: r.relkind, partitionKey: r.partition_key, columns, constraints, view });
    }
    for (const index of await q(`
      SELECT i.relname, replace(pg_get_indexdef(i.oid), 'pssql.', '') AS definition
      FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid JOIN pg_class AS t ON t.oid = x.indrelid
      JOIN pg_namespace AS n ON n.oid = t.relnamespace
      WHERE n.nspname = 'pssql' AND NOT t.relispartition AND NOT x.indisprimary AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = i.oid)`)) {
      schema.set(`index ${index.relname}`, index.definition);
    }
    for (const sequence of await q(`SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = 'pssql' AND c.relkind = 'S'`)) {
      schema.set(`sequence ${sequence.relname}`, true);
    }
    return schema;
  } finally {
    await client.end();
  }
}

test('PostgreSQL migrations have the numbers and names of the SQLite ones', (t) => {
  t.deepEqual(
    loadPostgresMigrations().map((m) => m.name),
    loadMigrations().map((m) => m.name),
  );
});

test('the PostgreSQL migrations make exactly what the declaration renders, both ways, object for object', async (t) => {
  const migratedUrl = await server().createDatabase('migrated');
  (await openPostgresStore(migratedUrl)).close();
  const renderedUrl = await server().createDatabase('rendered');
  const client = new pg.Client({ connectionString: renderedUrl });
  await client.connect();
  try {
    // What the declaration's indexes and views need: the SQL functions, which the first migration
    // defines before its first table (they are not part of the declaration of tables).
    const initial = loadPostgresMigrations()[0]?.sql ?? '';
    await client.query(`CREATE SCHEMA pssql; SET search_path = pssql;\n${initial.slice(0, initial.indexOf('\nCREATE TABLE '))}`);
    for (const statement of renderSchema(POSTGRES_SCHEMA)) await client.query(statement);
  } finally {
    await client.end();
  }
  const fromMigrations = await schemaOf(migratedUrl);
  const fromDeclaration = await schemaOf(renderedUrl);
  for (const [name, shape] of fromMigrations) {
    if (fromDeclaration.has(name)) t.deepEqual(fromDeclaration.get(name), shape, `${name} as declared`);
    else t.fail(`${name} is made by the migrations but not declared`);
  }
  for (const name of fromDeclaration.keys()) t.true(fromMigrations.has(name), `${name} is declared but no migration makes it`);
  const relations = [...fromMigrations.keys()].filter((k) => k.startsWith('table ') || k.startsWith('view ')).map((k) => k.split(' ')[1]);
  t.deepEqual(relations.sort(), Object.keys(RELATIONS).sort(), 'every declared relation is there');
});

test('the lookup tables hold the rows of SQLite', async (t) => {
  const url = await server().createDatabase('lookups');
  const central = await openPostgresStore(url, { readonly: false });
  const local = openStore(`${tempDir()}/lookups.db`);
  try {
    for (const name of ['object_types', 'memory_states', 'memory_types', 'page_protections', 'thread_states', 'handle_flags', 'capture_flags'] as const) {
      const key = Object.keys(TABLES[name].columns)[0] as string;
      const sqliteRows = local.db.prepare(`SELECT * FROM ${name} ORDER BY ${key}`).all();
      const { rows } = await central.query(`SELECT * FROM ${name} ORDER BY ${key}`);
      t.true(sqliteRows.length > 0, `${name} has rows`);
      t.deepEqual(rows, sqliteRows, name);
    }
  } finally {
    local.close();
    await central.close();
  }
});

test('the SQL functions give SQLite\'s answers on PostgreSQL', async (t) => {
  const url = await server().createDatabase('functions');
  const central = await openPostgresStore(url);
  const sqlite = openStore(`${tempDir()}/functions.db`);
  try {
    const integers = [0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 128, 255, 256, 260, 516, 1028, 1023, 1024, 1025, 1536, 10239, 10240, 1048575, 1048576, 4096, 8192, 65536, 131072, 262144, 16777216, 2097152, 2097154, -1, -5, 0x7fffffffffff, 123456789012];
    const durations = [0, 999, 1000, 1005, 1015, 9999, 10000, 10049, 10050, 11032, 999949, 999999, 1000000, 1005000, 9995000, 9999999, 10000000, 59999999, 60000000, 61500000, 3599000000, 3600000000, 3661000000, 86400000000, -1500, -70000000];
    const sizes = [...integers, 1024 * 1.25, 1024 * 1.05, 1024 * 1.15, 10 * 1024 - 51, 1024 ** 3 * 9.95, 1024 ** 3 * 9.949999, 1024 ** 4 * 123.5, 1024 ** 5 * 3, 2 ** 53];
    const reals = [594.975, 594.985, 0.125, 1.005, 2.5, -2.5, 1 / 3, 2 / 3, 99.995, 0.6666666666666666, 1e-9, 12345.6789];
    const cases: [string, unknown[]][] = [
      ['hex_address(?)', [...integers, -(2 ** 53)]],
      ['human_bytes(?)', sizes],
      ['human_duration(?)', durations],
      ['time_iso(?)', [0, 1, 999, 1000, 1795472170113015, 1795472170113999, 1e15]],
      ['protection_name(?)', integers],
      ['protection_short(?)', integers],
      ['mem_state_name(?)', integers],
      ['mem_type_name(?)', integers],
      ['object_type_name(?)', integers.filter((i) => i < 100)],
      ['access_mode(?)', integers],
      ['is_writable(?)', integers],
      ['is_executable(?)', integers],
      ['thread_state_name(?)', ['R', 'S', 'D', 'T', 't', 'Z', 'X', 'I', 'P', 'W', 'K', 'Q', '']],
      ['round(?, 2)', reals],
      ['round(?, 3)', reals],
      ['round(?, 1)', reals],
    ];
    for (const [expression, inputs] of cases) {
      for (const input of inputs) {
        const bound = typeof input === 'number' && Number.isInteger(input) && !expression.startsWith('round') ? BigInt(input) : input;
        const expected = sqlite.reader(`SELECT ${expression} AS v`).get(bound)?.v;
        const cast = typeof input === 'string' ? '$1::text' : Number.isInteger(input) && !expression.startsWith('round') && !expression.startsWith('human') && !expression.startsWith('time') ? '$1::bigint' : '$1::float8';
        const { rows } = await central.query(`SELECT ${expression.replace('?', cast)} AS v`, [input]);
        t.deepEqual(rows[0]?.v, expected, `${expression} of ${String(input)}`);
      }
    }
    // Aggregates: least squares and group_concat.
    const values = 'VALUES (1, 1795472170113015), (3, 1795472171113015), (4, 1795472172113020), (9, 1795472173113015)';
    const sqliteFit = sqlite.db.prepare(`SELECT regr_slope(column1, column2) AS slope, regr_r2(column1, column2) AS r2 FROM (${values})`).get() as { slope: number; r2: number };
    const { rows } = await central.query<{ slope: number; r2: number }>(`SELECT regr_slope(y, x) AS slope, regr_r2(y, x) AS r2 FROM (${values}) AS v (y, x)`);
    t.true(Math.abs((rows[0]?.slope ?? 0) - sqliteFit.slope) < 1e-12 * Math.abs(sqliteFit.slope), `regr_slope within rounding`);
    t.true(Math.abs((rows[0]?.r2 ?? 0) - sqliteFit.r2) < 1e-12, 'regr_r2 within rounding');
    const concat = 'SELECT group_concat(x, \',\' ORDER BY x) AS a, group_concat(DISTINCT x ORDER BY x) AS b FROM (SELECT 3 AS x UNION ALL SELECT 1 UNION ALL SELECT 3 UNION ALL SELECT NULL) AS v';
    t.deepEqual((await central.query(concat)).rows, [sqlite.db.prepare(concat).get()]);
  } finally {
    sqlite.close();
    await central.close();
  }
});
