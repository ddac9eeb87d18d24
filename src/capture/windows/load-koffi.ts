import { createRequire } from 'node:module';

/** The koffi module, typed; `import type` keeps this file from loading it. */
export type Koffi = typeof import('koffi');

let koffi: Koffi | undefined;

/**
 * Loads koffi on first use. The Windows backend is imported on every platform (the platform
 * selector imports it statically), but only a Windows capture, or the layout tests and the Wine
 * harness, may load the native module: a Linux capture must not pay for it or depend on it.
 */
export function loadKoffi(): Koffi {
  koffi ??= createRequire(import.meta.url)('koffi') as Koffi;
  return koffi;
}
