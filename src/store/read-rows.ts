import { type RawBuilder, sql } from 'kysely';
import { kyselyOf } from './kysely.js';
import type { ReadStore } from './read-store.js';

/**
 * Runs one of pssql's own reading statements, written with `?` placeholders (never in its
 * literals), on a store of either dialect: Kysely puts each dialect's placeholders in, and the
 * rows follow pssql's value rules.
 *
 * @example
 * const rows = await readRows(store, 'SELECT * FROM processes WHERE capture_id = ?', [3])
 */
export async function readRows<Row = Record<string, unknown>>(store: ReadStore, text: string, params: readonly unknown[] = []): Promise<Row[]> {
  const pieces = text.split('?');
  if (pieces.length !== params.length + 1) throw new RangeError(`the SQL has ${pieces.length - 1} placeholders but ${params.length} values were given`);
  let query: RawBuilder<Row> = sql.raw<Row>(pieces[0] as string);
  params.forEach((value, i) => {
    query = sql<Row>`${query}${value}${sql.raw(pieces[i + 1] as string)}`;
  });
  return (await query.execute(kyselyOf(store))).rows;
}
