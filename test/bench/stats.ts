/** Median and range of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The median (mean of the middle two for an even count), min and max of `values`; null if empty. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}
