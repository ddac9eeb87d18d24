import { PssError } from '../../pss/pss-error.js';

/**
 * Refuses a Node.js that is not x64 before anything is loaded. The binding declares the x64
 * layouts: on ARM64 the CONTEXT (and so CONTEXT_FULL's value) is another, and under 32-bit Node
 * every structure with a pointer has another size, so each query would fail with a length error.
 *
 * @example checkWindowsArchitecture('arm64')  // throws ERROR_NOT_SUPPORTED
 */
export function checkWindowsArchitecture(arch: string = process.arch): void {
  if (arch === 'x64') return;
  throw new PssError(
    'ERROR_NOT_SUPPORTED',
    `cannot capture with ${arch} Node.js: pssql's Windows backend supports only x64 Node.js (its CONTEXT and structure layouts are x64's)`,
    { option: 'arch' },
  );
}
