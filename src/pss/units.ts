/** Human-readable forms of the model's units (bytes, µs), shared by the CLI and SQL functions. */

/** `1.5 MiB` from a byte count. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  return unit === 0 ? `${bytes} B` : `${sign}${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** `12.3 ms`, `2.50 s`, `1h05m` from a duration in µs. */
export function humanDuration(us: number): string {
  const abs = Math.abs(us);
  if (abs < 1000) return `${us} µs`;
  if (abs < 1_000_000) return `${(us / 1000).toFixed(abs < 10_000 ? 2 : 1)} ms`;
  if (abs < 60_000_000) return `${(us / 1_000_000).toFixed(abs < 10_000_000 ? 2 : 1)} s`;
  const s = Math.round(us / 1_000_000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
