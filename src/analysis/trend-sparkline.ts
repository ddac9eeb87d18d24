const BARS = '▁▂▃▄▅▆▇█';

/**
 * A series as a sparkline of block characters, lowest value ▁, highest █, a gap (null) a space.
 * Longer series than `width` are cut into `width` buckets, each drawn at its highest value, so a
 * spike is never averaged away. A flat series is a flat ▁ line.
 *
 * @example
 * sparkline([1, 2, 3, 5, 8]) // '▁▂▃▅█'
 */
export function sparkline(values: readonly (number | null)[], width = Math.max(1, values.length)): string {
  if (!Number.isSafeInteger(width) || width < 1) throw new RangeError(`width must be a positive integer (got ${String(width)})`);
  const buckets: (number | null)[] = [];
  const n = Math.min(width, values.length);
  for (let b = 0; b < n; b++) {
    let top: number | null = null;
    for (let i = Math.floor((b * values.length) / n); i < Math.floor(((b + 1) * values.length) / n); i++) {
      const v = values[i];
      if (v !== null && v !== undefined && (top === null || v > top)) top = v;
    }
    buckets.push(top);
  }
  const present = buckets.filter((v): v is number => v !== null);
  if (present.length === 0) return ' '.repeat(buckets.length);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  return buckets
    .map((v) => (v === null ? ' ' : hi === lo ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))]))
    .join('');
}
