import test from 'ava';
import { PssError } from '../../src/pss/index.js';
import { nextTick, parseDuration } from '../../src/recorder/index.js';

test('durations: number-unit pairs, largest unit first', (t) => {
  t.is(parseDuration('500ms'), 500_000);
  t.is(parseDuration('5s'), 5_000_000);
  t.is(parseDuration('1m30s'), 90_000_000);
  t.is(parseDuration('1h'), 3_600_000_000);
  t.is(parseDuration('7d'), 7 * 86_400_000_000);
  t.is(parseDuration('1.5h'), 5_400_000_000);
  t.is(parseDuration(' 2m5s '), 125_000_000, 'spaces around are fine');
  t.is(parseDuration('250us'), 250);
  t.is(parseDuration('1W'), 604_800_000_000, 'units in any case');
});

test('bad durations say what is wrong and name the option', (t) => {
  const cases: [string, RegExp][] = [
    ['5', /give a unit/],
    ['', /empty/],
    ['1x', /expected a number and a unit/],
    ['5s3', /unexpected '3'/],
    ['1s1m', /largest to smallest/],
    ['5s5s', /largest to smallest/],
    ['0s', /more than zero/],
    ['-5s', /expected a number and a unit/],
    ['s', /expected a number and a unit/],
  ];
  for (const [text, why] of cases) {
    const error = t.throws(() => parseDuration(text, '--every'), { instanceOf: PssError });
    t.is(error?.code, 'ERROR_INVALID_PARAMETER');
    t.is(error?.option, 'every');
    t.regex(error?.message ?? '', new RegExp(`^invalid --every '${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': `));
    t.regex(error?.message ?? '', why, text);
    t.regex(error?.message ?? '', /e\.g\. 500ms, 5s, 1m30s, 1h, 7d/);
  }
});

test('ticks: start to start, an overrun skips the ticks it ran over', (t) => {
  // A round that ends before the next tick waits for it.
  t.deepEqual(nextTick({ startMs: 0, everyMs: 1000, lastTick: 0, nowMs: 300 }), { tick: 1, atMs: 1000, skipped: 0 });
  // Ending exactly on the tick is not an overrun.
  t.deepEqual(nextTick({ startMs: 0, everyMs: 1000, lastTick: 0, nowMs: 1000 }), { tick: 1, atMs: 1000, skipped: 0 });
  // Ending past it: the next round goes to the first tick ahead, never in a burst to catch up.
  t.deepEqual(nextTick({ startMs: 0, everyMs: 1000, lastTick: 0, nowMs: 1001 }), { tick: 2, atMs: 2000, skipped: 1 });
  t.deepEqual(nextTick({ startMs: 500, everyMs: 1000, lastTick: 3, nowMs: 7200 }), { tick: 7, atMs: 7500, skipped: 3 });
});
