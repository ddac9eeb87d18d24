import test from 'ava';
import { pssqlJson, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

/** The peak memory (maxRSS) that `pssql record PID --count N` states in its summary. */
function peakAfter(pid: number, count: number): number {
  const db = `${tempDir()}/memory-${count}.db`;
  const out = pssqlJson<Record<string, unknown> | Record<string, unknown>[]>(['record', String(pid), '--every', '10ms', '--count', String(count), '--db', db, '--quiet'], {
    timeoutMs: 300_000,
  });
  const summary = Array.isArray(out) ? out[0] : out;
  return summary?.peak_memory_bytes as number;
}

// What a recorder holds is what it needs to recognise unchanged entries: once the first captures
// are made, recording longer costs it no more memory. (Loose: the two runs differ by what the
// garbage collector happened to leave, a few megabytes. Before the recorder bounded its garbage,
// this target's recorder went from 152 to 175 MiB.)
test('the peak memory of record does not grow between 10 and 60 captures of a mid-size process', async (t) => {
  const target = await startTarget(['--files', '2000', '--pipes', '100', '--threads', '200', '--regions', '15000']);
  try {
    const at10 = peakAfter(target.pid, 10);
    const at60 = peakAfter(target.pid, 60);
    t.log(`peak ${Math.round(at10 / 2 ** 20)} MiB after 10, ${Math.round(at60 / 2 ** 20)} MiB after 60`);
    t.true(at10 > 20 * 2 ** 20, `${at10} bytes after 10 captures`);
    t.true(at60 < at10 * 1.05 + 6 * 2 ** 20, `peak ${Math.round(at10 / 2 ** 20)} MiB after 10 captures, ${Math.round(at60 / 2 ** 20)} MiB after 60`);
  } finally {
    await target.stop();
  }
});
