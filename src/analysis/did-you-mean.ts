/** Edit distance between two words (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known names closest to a mistyped one, best first: those within a few edits, or that
 * contain it (`leak` finds `leak-suspects`).
 *
 * @example
 * didYouMean('handles-by-typ', ['handles-by-type', 'sockets'])  // ['handles-by-type']
 */
export function didYouMean(given: string, known: readonly string[], most = 3): string[] {
  const word = given.toLowerCase();
  return known
    .map((name) => ({ name, d: distance(word, name.toLowerCase()), contains: name.toLowerCase().includes(word) }))
    .filter(({ name, d, contains }) => d <= Math.max(2, Math.floor(name.length / 3)) || (contains && word.length >= 3))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, most)
    .map(({ name }) => name);
}

/** ` (did you mean 'x' or 'y'?)`, or nothing. */
export function didYouMeanText(given: string, known: readonly string[]): string {
  const close = didYouMean(given, known);
  if (close.length === 0) return '';
  const quoted = close.map((n) => `'${n}'`);
  return ` (did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`}?)`;
}
