import * as fs from 'node:fs';
import test from 'ava';
import { PssError } from '../../src/pss/index.js';
import { measureGrowthPerCapture } from '../../src/recorder/index.js';
import { tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

test('an unchanged process costs a capture row and its counters per capture, not a copy of its entries', async (t) => {
  const target = await startTarget(['--files', '50', '--pipes', '5', '--threads', '4', '--regions', '200']);
  try {
    const file = `${tempDir()}/growth.db`;
    const m = measureGrowthPerCapture({ pid: target.pid, file, captures: 30 });
    t.true(m.entries > 250, `${m.entries} entries`);
    t.is(m.versionsPerCapture, 0, 'no entry is written again');
    t.is(m.perCapture.length, 30);
    t.true(m.firstCaptureBytes > 50_000, 'the first capture holds every entry');
    // A capture row, its process information and six phase counters: a few hundred bytes.
    t.true(m.usedBytesPerCapture !== null && m.usedBytesPerCapture > 0 && m.usedBytesPerCapture < 1024, `${m.usedBytesPerCapture} bytes`);
    t.true(m.bytesPerCapture < m.firstCaptureBytes / 20);
    t.is(m.bytesPerCapture, m.perCapture.reduce((a, b) => a + b, 0) / 30);
    t.true(m.perCapture.every((b) => b % m.pageSize === 0), 'the file grows by whole pages');
    t.throws(() => measureGrowthPerCapture({ pid: target.pid, file }), { instanceOf: PssError, message: /exists: growth is measured in a new database/ });
    t.true(fs.existsSync(file));
  } finally {
    await target.stop();
  }
});
