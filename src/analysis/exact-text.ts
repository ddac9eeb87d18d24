import { decodeBytes } from '../pss/byte-string.js';
import type { Store } from '../store/open-store.js';

/**
 * Names that are not valid UTF-8 read from SQL in their escaped form (`\xNN` for such a byte,
 * `\\` for a backslash; the `strings` table keeps their exact bytes beside it). For output to a
 * person, the exact text is wanted back, so that one escaping scheme shows every name alike.
 *
 * Returns the function that turns such a text back into the exact one, or undefined when no
 * text in `rows` can be one (the common case costs a scan of the rows, no query).
 *
 * @example
 * const exact = exactTexts(store, rows)
 * exact?.('we\\xff.txt')  // 'we\udcff.txt'
 */
export function exactTexts(store: Store, rows: readonly object[]): ((text: string) => string) | undefined {
  const candidate = rows.some((row) => Object.values(row).some((v) => typeof v === 'string' && v.includes('\\x')));
  if (!candidate) return undefined;
  const byForm = new Map<string, string>();
  for (const row of store.reader<{ value: string; raw: Uint8Array }>('SELECT value, raw FROM strings WHERE raw IS NOT NULL').all()) {
    if (!byForm.has(row.value)) byForm.set(row.value, decodeBytes(row.raw));
  }
  return (text) => byForm.get(text) ?? text;
}
