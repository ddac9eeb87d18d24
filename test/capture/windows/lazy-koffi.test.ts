/**
 * Importing the Windows backend must not load koffi: the platform selector imports it on Linux
 * too. Checked in a fresh node process, since this worker may have loaded koffi for other tests.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';

const backend = new URL('../../../src/capture/windows/index.js', import.meta.url).href;

const probe = `
const backend = await import(${JSON.stringify(backend)});
const { createRequire } = await import('node:module');
const { readFileSync, existsSync } = await import('node:fs');
const require = createRequire(${JSON.stringify(backend)});
// The CommonJS cache (koffi is CommonJS) and, on Linux, the native module mapped into memory.
const koffiLoaded = () => ({
  cached: Object.keys(require.cache).some((file) => /[\\\\/]koffi[\\\\/]/.test(file)),
  mapped: existsSync('/proc/self/maps') ? readFileSync('/proc/self/maps', 'utf8').includes('koffi.node') : null,
});
const afterImport = { ...koffiLoaded(), exports: Object.keys(backend).sort() };
backend.pssTypes();
console.log(JSON.stringify({ afterImport, afterFirstUse: koffiLoaded() }));
`;

test('importing src/capture/windows loads no koffi; its first use does', (t) => {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
  const { afterImport, afterFirstUse } = JSON.parse(output) as {
    afterImport: { cached: boolean; mapped: boolean | null; exports: string[] };
    afterFirstUse: { cached: boolean; mapped: boolean | null };
  };
  t.true(afterImport.exports.includes('captureWindowsSnapshot'), 'the module was imported');
  t.false(afterImport.cached, 'koffi is not in the module cache after the import');
  if (afterImport.mapped !== null) t.false(afterImport.mapped, 'koffi.node is not mapped after the import');
  // The probe can see koffi: after the first use it is there.
  t.true(afterFirstUse.cached, 'koffi is loaded by the first use');
  if (afterFirstUse.mapped !== null) t.true(afterFirstUse.mapped, 'koffi.node is mapped after the first use');
});
