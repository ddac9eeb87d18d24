import BetterSqlite3 from 'better-sqlite3';
import { PssError } from '../pss/pss-error.js';
import type { Store } from '../store/open-store.js';
import type { PostgresReader } from '../store/postgres/postgres-store.js';
import type { ReadStore } from '../store/read-store.js';
import { bindValue, type Reader } from '../store/row-reader.js';
import type { ParameterType } from './report-parameter.js';
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

/** Checks that `values` holds exactly the parameters the SQL uses; an error names what is amiss. */
function checkValues(parameters: readonly string[], values: Readonly<Record<string, unknown>>, origin: string): void {
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
  checkValues(parameters, values, origin);
  const bound = Object.fromEntries(parameters.map((name) => [name, bindValue(values[name])]));
  const rows = parameters.length === 0 ? reader.all() : reader.all(bound);
  return { columns, rows };
}

/*
 * PostgreSQL: statements that write or change the session are refused on their words, before
 * they reach the server (PostgreSQL cannot say whether a statement writes without running it);
 * what passes runs in a read-only transaction that is rolled back, so that a writing function
 * (nextval, lo_unlink...) is refused by the server (SQLSTATE 25006) and a setting changed by
 * set_config() does not outlive the statement.
 */

/** First words of statements that read. */
const POSTGRES_READING = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'EXPLAIN', 'SHOW']);
/** Words of statements that write, anywhere in the SQL (a data-modifying WITH, SELECT ... FOR UPDATE). */
const POSTGRES_WRITING = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE', 'COPY', 'CREATE', 'DROP', 'ALTER', 'GRANT', 'REVOKE',
  'VACUUM', 'ANALYZE', 'REINDEX', 'CLUSTER', 'COMMENT', 'REFRESH', 'LOCK', 'CALL', 'DO', 'IMPORT', 'SECURITY',
]);

/** The PostgreSQL cast of a parameter: from its declared type, else from its value (as SQLite binds it). */
function castOf(type: ParameterType | undefined, value: unknown): string {
  switch (type) {
    case 'capture':
    case 'pid':
    case 'integer':
    case 'time':
    case 'boolean':
      return '::bigint';
    case 'real':
      return '::float8';
    case 'text':
      return '::text';
    case undefined:
      if (typeof value === 'bigint' || typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value))) return '::bigint';
      if (typeof value === 'number') return '::float8';
      return '';
  }
}

/** Options of {@link queryReadOnly}. */
export interface ReadOnlyOptions {
  /** Who runs the SQL, for messages: `query`, `report leak-suspects`. */
  origin?: string;
  /** The declared types of the parameters (a report's header): PostgreSQL needs them where the SQL does not say. */
  types?: Readonly<Record<string, ParameterType>>;
}

/**
 * Runs one read-only SQL statement with named parameters (`:name`) on a store of either dialect:
 * on SQLite as {@link runReadOnly}; on PostgreSQL the same checks, with the parameters bound as
 * `$n` (cast to their declared type, or to the type of their value) in a read-only transaction.
 * The rows follow pssql's value rules on both.
 *
 * @example
 * const { rows } = await queryReadOnly(store, 'SELECT count(*) AS n FROM handles WHERE capture_id = :capture', { capture: 3 })
 */
export async function queryReadOnly<Row = Record<string, unknown>>(
  store: ReadStore,
  sql: string,
  values: Readonly<Record<string, unknown>> = {},
  options: ReadOnlyOptions = {},
): Promise<QueryResult<Row>> {
  const origin = options.origin ?? 'query';
  if (store.dialect === 'sqlite') return runReadOnly<Row>(store as Store, sql, values, origin);
  if (typeof sql !== 'string') throw new TypeError('sql must be a string');
  const tokens = tokenizeSql(sql);
  if (tokens.length === 0) throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: no SQL statement given`, { function: origin });
  const { named, positional } = sqlParameters(tokens);
  if (positional) throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: use named parameters (:name), not ?`, { function: origin });
  const words = tokens.filter((t) => t.kind === 'word').map((t) => t.text.toUpperCase());
  const first = words[0] ?? '';
  const writing = words.find((w) => POSTGRES_WRITING.has(w) && !(w === 'ANALYZE' && first === 'EXPLAIN'));
  if (writing !== undefined) refuse(origin, `${writing} would write`);
  if (!POSTGRES_READING.has(first)) refuse(origin, `${first} returns no rows and changes the session`);
  const semicolons = tokens.filter((t) => t.kind === 'symbol' && t.text === ';');
  if (semicolons.length > 1 || (semicolons.length === 1 && tokens[tokens.length - 1] !== semicolons[0])) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: one statement at a time`, { function: origin });
  }
  checkValues(named, values, origin);
  // :name becomes $n, cast as the parameter is typed; the text between stays as written.
  let text = '';
  let at = 0;
  for (const token of tokens) {
    if (token.kind !== 'parameter') continue;
    const index = named.indexOf(token.text);
    text += `${sql.slice(at, token.start)}$${index + 1}${castOf(options.types?.[token.text], values[token.text])}`;
    at = token.end;
  }
  text += sql.slice(at);
  const params = named.map((name) => bindValue(values[name]));
  let result;
  try {
    result = await (store as PostgresReader).readOnlyQuery<Row>(text, params);
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown; message?: string } }).cause;
    const state = typeof cause?.code === 'string' ? cause.code : '';
    if (state === '25006') refuse(origin, `${first} would write`);
    // A mistake in the SQL (syntax, an unknown column, a wrong type) is said as the server says it.
    if (/^(42|22|0A|21)/.test(state)) throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: ${cause?.message ?? ''}`, { function: origin, cause: error });
    throw error;
  }
  const twice = result.columns.find((c, i) => result.columns.indexOf(c) !== i);
  if (twice !== undefined) {
    throw new PssError('ERROR_INVALID_PARAMETER', `${origin}: two result columns are named '${twice}': give one another name (AS ...)`, { function: origin });
  }
  return { columns: result.columns, rows: result.rows };
}
