import test from 'ava';
import { parseTime } from '../../src/analysis/parse-time.js';

const nowUs = Date.UTC(2026, 11, 1, 12, 0, 0) * 1000 + 123;

test('a time ago counts back from now', (t) => {
  t.is(parseTime('10m', { nowUs }), nowUs - 600_000_000);
  t.is(parseTime('2h', { nowUs }), nowUs - 7_200_000_000);
  t.is(parseTime('7d', { nowUs }), nowUs - 7 * 86_400_000_000);
  t.is(parseTime('1h30m ago', { nowUs }), nowUs - 5_400_000_000);
  t.is(parseTime('now', { nowUs }), nowUs);
});

test('dates and times are local unless a zone is given', (t) => {
  t.is(parseTime('2026-12-01 08:31', { nowUs }), new Date(2026, 11, 1, 8, 31).getTime() * 1000);
  t.is(parseTime('2026-12-01', { nowUs }), new Date(2026, 11, 1).getTime() * 1000);
  t.is(parseTime('2026-12-01T08:31:05.25', { nowUs }), new Date(2026, 11, 1, 8, 31, 5, 250).getTime() * 1000);
  t.is(parseTime('2026-12-01T08:31:05.000001Z', { nowUs }), Date.UTC(2026, 11, 1, 8, 31, 5) * 1000 + 1);
  t.is(parseTime('2026-12-01 08:31 UTC', { nowUs }), Date.UTC(2026, 11, 1, 8, 31) * 1000);
  t.is(parseTime('2026-12-01T08:31:00+01:00', { nowUs }), Date.UTC(2026, 11, 1, 7, 31) * 1000);
  t.is(parseTime('2026-12-01T08:31:00-0530', { nowUs }), Date.UTC(2026, 11, 1, 14, 1) * 1000);
  const today = new Date(nowUs / 1000);
  t.is(parseTime('08:31', { nowUs }), new Date(today.getFullYear(), today.getMonth(), today.getDate(), 8, 31).getTime() * 1000, 'a time of today');
});

test('µs since the epoch stay accepted', (t) => {
  t.is(parseTime('1796124525804772', { nowUs }), 1796124525804772);
});

test('anything else is one error naming the option and the forms', (t) => {
  for (const bad of ['', 'yesterday', '5', '10 minutes', '2026-02-30', '2026-13-01', '2026-12-01 25:00', '2026-12-01T08:31+15:00', '10m5m', '-10m']) {
    const error = t.throws(() => parseTime(bad, { nowUs, option: '--since' }));
    t.regex(error?.message ?? '', /^invalid --since '.*': .*; give a time ago \(10m, 2h, 7d\), a date and time/, `'${bad}'`);
  }
  t.regex(t.throws(() => parseTime('5', { option: '--since' }))?.message ?? '', /a bare number is µs since the epoch/);
  t.regex(t.throws(() => parseTime('2026-02-30'))?.message ?? '', /2026-02-30 is no date/);
});

test('local time is the zone of TZ', (t) => {
  const before = process.env.TZ;
  process.env.TZ = 'America/New_York';
  try {
    t.is(parseTime('2026-12-01 08:31', { nowUs }), Date.UTC(2026, 11, 1, 13, 31) * 1000, 'EST is UTC-5 in December');
    t.is(parseTime('2026-07-01 08:31', { nowUs }), Date.UTC(2026, 6, 1, 12, 31) * 1000, 'EDT is UTC-4 in July');
    t.is(parseTime('2026-12-01 08:31Z', { nowUs }), Date.UTC(2026, 11, 1, 8, 31) * 1000, 'a zone overrides TZ');
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});
