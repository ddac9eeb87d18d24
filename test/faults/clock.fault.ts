/**
 * The wall clock jumps: stepped ahead (or the machine back from a suspend, which the monotonic
 * clock does not count) and stepped back, under a recorder with --max-age. faketime moves the
 * recorder's wall clock while it runs (its monotonic clock is left alone, as a suspend leaves it).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import test from 'ava';
import { PSSQL_BIN, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'].find((f) => fs.existsSync(f));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a wall clock stepped 2 h ahead (a suspend) and back: the newest captures stay, stamps follow the wall clock, the jumps are said', async (t) => {
  if (LIBFAKETIME === undefined) {
    if (process.env.CI === 'true') t.fail('CI must run the clock test: install the faketime package');
    else t.pass('skipped: libfaketime is not installed (Debian package faketime)');
    return;
  }
  const dir = tempDir();
  const db = path.join(dir, 'clock.db');
  const a = await startTarget(['--files', '2']);
  const b = await startTarget(['--files', '2']);
  try {
    // Another recorder's process, recorded first with the real clock.
    const other = spawnSync(process.execPath, [PSSQL_BIN, 'record', String(b.pid), '--every', '50ms', '--count', '3', '--db', db], { encoding: 'utf8' });
    t.is(other.status, 0, other.stderr);
    const clock = path.join(dir, 'faketime');
    fs.writeFileSync(clock, '+0');
    const recorder = spawn(process.execPath, [PSSQL_BIN, 'record', String(a.pid), '--every', '200ms', '--count', '24', '--max-age', '30m', '--db', db, '--format', 'json'], {
      env: { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: clock, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    recorder.stdout?.on('data', (c: Buffer) => (stdout += c));
    recorder.stderr?.on('data', (c: Buffer) => (stderr += c));
    const closed = new Promise<number | null>((resolve) => recorder.once('close', resolve));
    await sleep(1500);
    // Two hours ahead, as a machine suspended that long finds the wall clock when it wakes.
    recorder.kill('SIGSTOP');
    fs.writeFileSync(clock, '+2h');
    await sleep(300);
    recorder.kill('SIGCONT');
    const aheadAt = Date.now();
    await sleep(1500);
    // And back an hour (an NTP step).
    fs.writeFileSync(clock, '+1h');
    const code = await closed;
    t.is(code, 0, stderr);
    const [summary] = JSON.parse(stdout) as Record<string, unknown>[];
    t.like(summary, { captures: 24, stopped_by: 'count' });
    t.true((summary?.clock_jumps as number) >= 2, `both jumps noticed: ${stdout}`);
    t.regex(stderr, /the wall clock moved 2h00m ahead before round \d+ \(a clock step, or the machine was suspended\)/);
    t.regex(stderr, /the wall clock moved 1h00m back before round \d+/);
    const store = new BetterSqlite3(db, { readonly: true });
    try {
      const rows = store.prepare('SELECT pid, started_at_us FROM captures ORDER BY capture_id').all() as { pid: number; started_at_us: number }[];
      const mine = rows.filter((r) => r.pid === a.pid);
      // The captures stamped two hours ahead are the newest by the clock that prunes: none went.
      const ahead = mine.filter((r) => r.started_at_us > (aheadAt + 90 * 60_000) * 1000);
      t.true(ahead.length >= 3, `captures stamped with the wall clock, two hours ahead: ${ahead.length}`);
      t.is(mine.length, 24, 'the jump aged none of what the recorder recorded: all 24 stay');
      t.true(rows.some((r) => r.pid === b.pid), "the other recorder's captures are not aged by the jump either");
      const last = mine.at(-1)?.started_at_us ?? 0;
      t.true(Math.abs(last / 1000 - (Date.now() + 3600_000)) < 600_000, 'the last stamp is an hour ahead of real time, as the clock said');
    } finally {
      store.close();
    }
  } finally {
    await a.stop();
    await b.stop();
  }
});
