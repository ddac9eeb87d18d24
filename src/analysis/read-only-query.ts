import BetterSqlite3 from 'better-sqlite3';
import { PssError } from '../pss/pss-error.js';
import type { Store } from '../store/open-store.js';
import { bindValue, type Reader } from '../store/row-reader.js';
import { type SqlToken, sqlParameters, tokenizeSql } from './sql-tokens.js';

/** Rows with their columns, known even when no row matched. */
export interface QueryResult<Row = Record<string, unknown>> {
  columns: string[];
  rows: Row[];
}

/** A statement checked to only read, ready to run with its named parameters. */
export interface ReadOnlyStatement<Row = Record<string, unknown>> {
  reader: Reader<Row>;
  /** The named parameters it uses (`:capture` is `capture`), in order of first use. */
  parameters: string[];
  columns: string[];
}

/*
 * Pragmas that take an argument which names something to read rather than a new setting
 * (`PRAGMA table_info(captures)`). Any other pragma with an argument, or with `=`, changes the
 * connection (`PRAGMA query_only = OFF` even reports itself read-only to SQLite), so it is refused.
 */
const READING_PRAGMAS_WITH_ARGUMENT = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_info',
  'index_xinfo',
  'index_list',
  'foreign_key_list',
  'foreign_key_check',
  'integrity_check',
  'quick_check',
]);

/*
 * Pragmas that only report a setting or a fact when given no argument (`PRAGMA journal_mode`).
 * SQLite marks a pragma statement as one that may write whatever it does, so these are let
 * through by name; any other pragma must pass SQLite's own read-only check. Left out on purpose:
 * optimize, shrink_memory, wal_checkpoint, incremental_vacuum (they act), writable_schema.
 */
const READING_PRAGMAS = new Set([
  'application_id',
  'auto_vacuum',
  'automatic_index',
  'busy_timeout',
  'cache_size',
  'cache_spill',
  'cell_size_check',
  'collation_list',
  'compile_options',
  'data_version',
  'database_list',
  'encoding',
  'foreign_key_check',
  'foreign_keys',
  'freelist_count',
  'function_list',
  'integrity_check',
  'journal_mode',
  'journal_size_limit',
  'locking_mode',
  'max_page_count',
  'mmap_size',
  'module_list',
  'page_count',
  'page_size',
  'pragma_list',
  'query_only',
  'quick_check',
  'recursive_triggers',
  'schema_version',
  'secure_delete',
  'synchronous',
  'table_list',
  'temp_store',
  'trusted_schema',
  'user_version',
  'wal_autocheckpoint',
]);

function refuse(origin: string, why: string): never {
  throw new PssError('ERROR_NOT_SUPPORTED', `${origin}: ${why}; the recording is opened read-only and is left unchanged`, { function: origin });
}

/**
 * A PRAGMA statement's name, whether it has an argument, and why it would change something (null
 * when it only reads); a name of null: not a PRAGMA. Checked on the text, before SQLite sees it:
 * SQLite applies flag pragmas (query_only, writable_schema...) while it compiles them, so even
 * preparing `PRAGMA query_only = OFF`, or explaining it, would switch it off.
 */
function pragmaOf(tokens: readonly SqlToken[]): { name: string | null; argument: boolean; change: string | null } {
  let at = 0;
  const word = (i: number): string => (tokens[i]?.kind === 'word' ? (tokens[i]?.text ?? '').toUpperCase() : '');
  if (word(at) === 'EXPLAIN') at += word(at + 1) === 'QUERY' ? 3 : 1;
  if (word(at) !== 'PRAGMA') return { name: null, argument: false, change: null };
  at++;
  if (tokens[at + 1]?.text === '.') at += 2; // schema.pragma
  const name = (tokens[at]?.text ?? '').toLowerCase();
  const next = tokens[at + 1]?.text;
  const argument = next === '=' || next === '(';
  if (next === '=') return { name, argument, change: `PRAGMA ${name} = ... changes a setting` };
  if (next === '(' && !READING_PRAGMAS_WITH_ARGUMENT.has(name)) return { name, argument, change: `PRAGMA ${name}(...) changes a setting` };
  return { name, argument, change: null };
}

/**
 * Prepares SQL that only reads: one statement that returns rows and that SQLite says does not
 * write. `DELETE`, `DROP`, `ATTACH` (which could open another file), `VACUUM INTO` (which writes
 * a new file even from a read-only connection), `BEGIN` and pragmas that change a setting are
 * refused before they run, with an error naming `origin`. Named parameters only.
 *
 * @example
 * const { reader } = prepareReadOnly(store, 'SELECT count(*) AS n FROM handles WHERE capture_id = :capture')
 * reader.get({ capture: 1 })
 */
export function prepareReadOnly<Row = Record<string, unknown>>(store: Store, sql: string, origin = 'query'): ReadOnlyStatement<Row> {
  if (typeof sql !== 'string') throw new TypeError('sql must be a string');
  const tokens = tokenizeSql(sql);
  if (tokens.length === 0) throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: no SQL statement given`, { function: origin });
  const { named, positional } = sqlParameters(tokens);
  if (positional) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: use named parameters (:name), not ?`, { function: origin });
  }
  const pragma = pragmaOf(tokens);
  if (pragma.change !== null) refuse(origin, pragma.change);
  const readingPragma = pragma.name !== null && !pragma.argument && READING_PRAGMAS.has(pragma.name);
  let statement: BetterSqlite3.Statement;
  try {
    statement = store.db.prepare(sql);
  } catch (error) {
    if (error instanceof BetterSqlite3.SqliteError && error.code === 'SQLITE_ERROR') {
      throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: ${error.message}`, { function: origin, cause: error });
    }
    if (error instanceof RangeError && /more than one statement/.test(error.message)) {
      throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: one statement at a time`, { function: origin, cause: error });
    }
    throw error;
  }
  const first = tokens[0]?.text.toUpperCase() ?? '';
  if (!statement.readonly && !readingPragma) refuse(origin, `${first} would write`);
  if (!statement.reader) refuse(origin, `${first} returns no rows and changes the connection or its files`);
  const reader = store.reader<Row>(sql);
  const columns = reader.statement.columns().map((c) => c.name);
  // Rows are objects by column name: a second column of one name would overwrite the first.
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: two result columns are named '${twice}': give one another name (AS ...)`, { function: origin });
  }
  return { reader, parameters: named, columns };
}

/**
 * Runs read-only SQL (see {@link prepareReadOnly}) with its named parameters bound, never
 * spliced: `values` must hold exactly the parameters the statement uses.
 *
 * @example
 * runReadOnly(store, 'SELECT * FROM handles WHERE capture_id = :capture AND type_name = :type', { capture: 3, type: 'File' })
 */
export function runReadOnly<Row = Record<string, unknown>>(
  store: Store,
  sql: string,
  values: Readonly<Record<string, unknown>> = {},
  origin = 'query',
): QueryResult<Row> {
  const { reader, parameters, columns } = prepareReadOnly<Row>(store, sql, origin);
  const missing = parameters.filter((name) => values[name] === undefined);
  if (missing.length > 0) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: no value for parameter ${missing.map((m) => `'${m}'`).join(', ')}`, {
      function: origin,
      option: missing[0] as string,
    });
  }
  const extra = Object.keys(values).filter((name) => !parameters.includes(name));
  if (extra.length > 0) {
    const uses = parameters.length === 0 ? 'uses no parameter' : `uses ${parameters.map((p) => `'${p}'`).join(', ')}`;
    throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: no parameter '${extra[0]}' in the SQL (it ${uses})`, {
      function: origin,
      option: extra[0] as string,
    });
  }
  const bound = Object.fromEntries(parameters.map((name) => [name, bindValue(values[name])]));
  const rows = parameters.length === 0 ? reader.all() : reader.all(bound);
  return { columns, rows };
}
