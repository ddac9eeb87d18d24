import { readFileSync } from 'node:fs';

/**
 * The version of pssql, from its package.json.
 *
 * @example
 * console.log(`pssql ${PSSQL_VERSION}`)
 */
export const PSSQL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
