import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import test from 'ava';
import { prepareReadOnly, runReadOnly } from '../../src/analysis/read-only-query.js';
import { isPssError, openStore, type Store } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';
import { recordCaptures } from './record-target.js';

/*
 * The one read-only path of `pssql query`, saved reports and the library: SQLite's own verdict
 * (stmt.readonly, stmt.reader) plus what it calls read-only but is not (ATTACH, setting a PRAGMA).
 */
const dir = tempDir();
const db = `${dir}/read-only.db`;
let store: Store;
const digest = (): string => createHash('sha256').update(fs.readFileSync(db)).digest('hex');

test.before(async () => {
  await recordCaptures(db, process.pid, 1);
  store = openStore(db, { readonly: true });
});
test.after.always(() => store?.close());

const refused: [sql: string, message: string][] = [
  ['DELETE FROM captures', 'DELETE would write'],
  ['DROP TABLE captures', 'DROP would write'],
  ["UPDATE captures SET label = 'x'", 'UPDATE would write'],
  ["INSERT INTO strings (value) VALUES ('x')", 'INSERT would write'],
  ['DELETE FROM captures RETURNING capture_id', 'DELETE would write'],
  ['WITH doomed AS (SELECT 1) DELETE FROM captures', 'WITH would write'],
  ['CREATE TEMP TABLE scratch (x)', 'CREATE would write'],
  ['CREATE TEMP VIEW v AS SELECT 1', 'CREATE would write'],
  ['PRAGMA writable_schema = ON', 'PRAGMA writable_schema = ... changes a setting'],
  ['PRAGMA query_only = OFF', 'PRAGMA query_only = ... changes a setting'],
  ['PRAGMA query_only(0)', 'PRAGMA query_only(...) changes a setting'],
  ['EXPLAIN PRAGMA query_only = OFF', 'PRAGMA query_only = ... changes a setting'],
  ['EXPLAIN QUERY PLAN PRAGMA writable_schema = 1', 'PRAGMA writable_schema = ... changes a setting'],
  ['PRAGMA user_version = 9', 'PRAGMA user_version = ... changes a setting'],
  ['PRAGMA locking_mode = EXCLUSIVE', 'PRAGMA locking_mode = ... changes a setting'],
  ['PRAGMA main.locking_mode(EXCLUSIVE)', 'PRAGMA locking_mode(...) changes a setting'],
  ['PRAGMA journal_mode = DELETE', 'PRAGMA journal_mode = ... changes a setting'],
  ['PRAGMA optimize', 'PRAGMA would write'],
  ['PRAGMA wal_checkpoint', 'PRAGMA would write'],
  [`ATTACH '${dir}/other.db' AS other`, 'ATTACH returns no rows and changes the connection or its files'],
  ['DETACH other', 'DETACH returns no rows and changes the connection or its files'],
  [`VACUUM INTO '${dir}/copy.db'`, 'VACUUM would write'],
  ['VACUUM', 'VACUUM would write'],
  ['BEGIN', 'BEGIN returns no rows and changes the connection or its files'],
  ['BEGIN IMMEDIATE', 'BEGIN would write'],
  ['ANALYZE', 'ANALYZE would write'],
  ['REINDEX', 'REINDEX would write'],
];

for (const [sql, message] of refused) {
  test.serial(`refused before it runs: ${sql.replace(dir, 'DIR')}`, (t) => {
    const before = digest();
    const error = t.throws(() => prepareReadOnly(store, sql));
    t.true(isPssError(error, 'ERROR_NOT_SUPPORTED'));
    t.is(error?.message, `query: ${message}; the recording is opened read-only and is left unchanged`);
    t.is(digest(), before);
    t.false(fs.existsSync(`${dir}/other.db`), 'ATTACH created no file');
    t.false(fs.existsSync(`${dir}/copy.db`), 'VACUUM INTO wrote no copy');
    t.is(runReadOnly<{ n: number }>(store, 'SELECT count(*) AS n FROM captures').rows[0]?.n, 1);
  });
}

test.serial('reading statements run, reading pragmas included; after all that, still query-only', (t) => {
  t.is(runReadOnly(store, 'PRAGMA table_info(captures)').rows.length > 10, true);
  t.is(runReadOnly(store, 'PRAGMA main.index_list(captures)').columns.includes('name'), true);
  t.deepEqual(runReadOnly(store, 'PRAGMA query_only').rows, [{ query_only: 1 }], 'the connection stays query-only, whatever was refused');
  t.deepEqual(runReadOnly(store, 'PRAGMA writable_schema').rows, [{ writable_schema: 0 }]);
  // Pragmas that report a setting, which SQLite itself does not call read-only.
  const before = digest();
  t.deepEqual(runReadOnly(store, 'PRAGMA journal_mode').rows, [{ journal_mode: 'wal' }]);
  t.deepEqual(runReadOnly(store, 'PRAGMA main.page_size').rows, [{ page_size: 4096 }]);
  t.is(runReadOnly(store, 'pragma user_version').rows.length, 1);
  t.is(runReadOnly(store, 'PRAGMA encoding').rows.length, 1);
  t.is(digest(), before, 'and they changed nothing');
  t.deepEqual(runReadOnly(store, 'VALUES (1, :two)', { two: 2 }), { columns: ['column1', 'column2'], rows: [{ column1: 1, column2: 2 }] });
  t.deepEqual(runReadOnly(store, 'WITH x(n) AS (SELECT :n) SELECT n FROM x', { n: true }).rows, [{ n: 1 }], 'booleans bind as 0/1');
  t.deepEqual(runReadOnly(store, 'SELECT :big AS big', { big: 2n ** 63n + 5n }).rows, [{ big: -(2n ** 63n) + 5n }], 'u64 beyond 2^63 binds as stored');
});

const mistakes: [sql: string, values: Record<string, unknown>, message: string][] = [
  ['SELECT * FROM captures WHERE capture_id = ?', {}, 'query: use named parameters (:name), not ?'],
  ['SELECT :a + :b AS s', { a: 1 }, "query: no value for parameter 'b'"],
  ['SELECT 1', { a: 1 }, "query: no parameter 'a' in the SQL (it uses no parameter)"],
  ['SELECT 1; SELECT 2', {}, 'query: one statement at a time'],
  ['SELECT * FROM no_such_table', {}, 'query: no such table: no_such_table'],
  ['  -- only a comment', {}, 'query: no SQL statement given'],
  ['SELECT c.capture_id, p.capture_id FROM captures AS c JOIN processes AS p USING (capture_id)', {}, "query: two result columns are named 'capture_id': give one another name (AS ...)"],
];

for (const [sql, values, message] of mistakes) {
  test(`a mistake is ERROR_INVALID_PARAMETER that says what is wrong: ${sql.trim()}`, (t) => {
    const error = t.throws(() => runReadOnly(store, sql, values));
    t.true(isPssError(error, 'ERROR_INVALID_PARAMETER'));
    t.is(error?.message, message);
  });
}
