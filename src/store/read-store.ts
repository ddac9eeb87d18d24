/** The SQL dialect of a store: a SQLite file, or a PostgreSQL database. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * What reading a store needs, whatever its dialect: the SQLite `Store` (a recording file) and the
 * PostgreSQL store (a central database of many recordings) both are one. Reading goes through
 * Kysely (`kyselyOf(store)`) and the read-only query of the analysis layer, which speak to each
 * dialect; the value rules are the same on both (u64 columns as bigint, other integers as
 * numbers when exact, booleans as 0 or 1).
 */
export interface ReadStore {
  readonly dialect: Dialect;
  /** Where it is, for messages: the file, or the URL without its password. */
  readonly path: string;
  readonly readonly: boolean;
  /** An object that lives as long as the store, made once per `owner`. */
  cached<T>(owner: object, make: () => T): T;
  /** Runs `body` in one read transaction, where the store has them (see Store.readConsistently). */
  readConsistently?<T>(body: () => Promise<T> | T): Promise<T>;
  /** Closes the store; a PostgreSQL store settles once its connections are closed. */
  close(): void | Promise<void>;
}

/**
 * Runs `body` so that all it reads sees one state of the store: in one read transaction on a
 * recording file; as it comes on PostgreSQL, whose reads are each their own statement.
 */
export async function readConsistently<T>(store: ReadStore, body: () => Promise<T> | T): Promise<T> {
  return store.readConsistently === undefined ? body() : store.readConsistently(body);
}
