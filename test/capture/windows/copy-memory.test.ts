/**
 * Copying marker-owned memory must not grow the process: a recording of a process with 10k
 * handles every 5 s copies millions of strings a day. Each copy here has a length of its own, as
 * strings do, which is what made koffi create (and keep) one array type per copy.
 */
import test from 'ava';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { copyBytes } from '../../../src/capture/windows/decode-records.js';
import { loadKoffi } from '../../../src/capture/windows/load-koffi.js';
import { nativeMemory } from './struct-builder.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function residentMiB(): number {
  gc();
  return process.memoryUsage().rss / 2 ** 20;
}

test('a million copies of marker-owned memory leave the memory of the process flat', (t) => {
  const source = new Uint8Array(4096).map((_, i) => i & 0xff);
  const block = nativeMemory(source);
  t.teardown(block.free);
  const pointer = loadKoffi().decode(new BigUint64Array([block.address]), 'void *');
  const copy = (i: number): Uint8Array => copyBytes(pointer, 1 + (i % 4000)) as Uint8Array;

  // Warm up: the code paths compiled, the heap at its working size.
  for (let i = 0; i < 100_000; i++) copy(i);
  const before = residentMiB();
  let checked = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const bytes = copy(i);
    if (i % 99_991 === 0) {
      t.deepEqual(bytes, source.subarray(0, bytes.length), `copy ${i} holds the bytes`);
      checked++;
    }
  }
  const grownMiB = residentMiB() - before;
  t.log(`resident memory grew by ${grownMiB.toFixed(1)} MiB over 1,000,000 copies`);
  t.true(checked > 5);
  // A koffi type per copy costs about 190 bytes: 180 MiB for a million.
  t.true(grownMiB < 40, `grew by ${grownMiB.toFixed(1)} MiB`);
});
