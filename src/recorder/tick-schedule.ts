/**
 * Where the next round of a recording goes on its grid of ticks (start + k x every), measured
 * start to start: a round that ends before the next tick waits for it; one that overruns it
 * starts at the first tick still ahead, and the ticks it ran over are skipped, never made up in
 * a burst. Pure arithmetic, so the rule is tested without a clock.
 *
 * @example
 * nextTick({ startMs: 0, everyMs: 1000, lastTick: 0, nowMs: 2500 }) // { tick: 3, atMs: 3000, skipped: 2 }
 */
export function nextTick(options: { startMs: number; everyMs: number; lastTick: number; nowMs: number }): {
  tick: number;
  atMs: number;
  skipped: number;
} {
  const { startMs, everyMs, lastTick, nowMs } = options;
  const tick = Math.max(lastTick + 1, Math.ceil((nowMs - startMs) / everyMs));
  return { tick, atMs: startMs + tick * everyMs, skipped: tick - lastTick - 1 };
}
