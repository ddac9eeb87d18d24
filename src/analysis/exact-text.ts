import { decodeBytes } from '../pss/byte-string.js';
import { kyselyOf } from '../store/kysely.js';
import type { Store } from '../store/open-store.js';
import type { ReadStore } from '../store/read-store.js';

/**
 * Names that are not valid UTF-8 read from SQL in their escaped form (`\xNN` for such a byte,
 * `\\` for a backslash; the `strings` table keeps their exact bytes beside it). For output to a
 * person, the exact text is wanted back, so that one escaping scheme shows every name alike.
 *
 * Returns the function that turns such a text back into the exact one, or undefined when no
 * text in `rows` can be one (the common case costs a scan of the rows, no query).
 *
 * @example
 * const exact = await exactTexts(store, rows)
 * exact?.('we\\xff.txt')  // 'we\udcff.txt'
 */
export async function exactTexts(store: ReadStore, rows: readonly object[]): Promise<((text: string) => string) | undefined> {
  if (!mayHoldEscapes(rows)) return undefined;
  if (store.dialect === 'sqlite') return exactTextsOf(store as Store, rows);
  const raw = await kyselyOf(store).selectFrom('strings').select(['value', 'raw']).where('raw', 'is not', null).execute();
  return lookup(raw as { value: string; raw: Uint8Array }[]);
}

/** {@link exactTexts} of a recording file, at once. */
export function exactTextsOf(store: Store, rows: readonly object[]): ((text: string) => string) | undefined {
  if (!mayHoldEscapes(rows)) return undefined;
  return lookup(store.reader<{ value: string; raw: Uint8Array }>('SELECT value, raw FROM strings WHERE raw IS NOT NULL').all());
}

const mayHoldEscapes = (rows: readonly object[]): boolean => rows.some((row) => Object.values(row).some((v) => typeof v === 'string' && v.includes('\\x')));

function lookup(raw: Iterable<{ value: string; raw: Uint8Array }>): (text: string) => string {
  const byForm = new Map<string, string>();
  for (const row of raw) if (!byForm.has(row.value)) byForm.set(row.value, decodeBytes(row.raw));
  return (text) => byForm.get(text) ?? text;
}
