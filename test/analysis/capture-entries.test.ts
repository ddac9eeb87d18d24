import test from 'ava';
import { captureEntries } from '../../src/analysis/captures.js';
import { captureLinuxSnapshot } from '../../src/capture/linux/index.js';
import { openStore, writeCapture } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';

test('entries of a capture come in key order; addresses in unsigned order, above 2^63 included', async (t) => {
  const store = openStore(`${tempDir()}/entries.db`);
  try {
    const id = writeCapture(store, captureLinuxSnapshot({ pid: process.pid })).captureId;
    const regions = await captureEntries(store, id, 'regions');
    t.true(regions.length > 10);
    for (let i = 1; i < regions.length; i++) {
      t.true((regions[i - 1]?.base_address ?? 0n) < (regions[i]?.base_address ?? 0n), `region ${i} after region ${i - 1}`);
    }
    const handles = await captureEntries(store, id, 'handles');
    t.deepEqual(
      handles.map((h) => h.handle_value),
      [...handles.map((h) => h.handle_value)].sort((a, b) => a - b),
    );
  } finally {
    store.close();
  }
});
