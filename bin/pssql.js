#!/usr/bin/env node
// The pssql command line; the code is compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);

/**
 * Whether a failed start was the open-file limit. Node's loader reports it as EMFILE, or, when the
 * limit strikes while it reads a package.json, as "Cannot find package" of a package that is there.
 */
function outOfFds(error) {
  if (error?.code === 'EMFILE' || error?.code === 'ENFILE') return true;
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !existsSync(main)) return false;
  const missing = /'([^']*\/node_modules\/(?:@[^/']+\/)?[^/']+)/.exec(error.message ?? '')?.[1];
  return missing !== undefined && existsSync(`${missing}/package.json`);
}

let cli;
try {
  cli = await import(main.href);
} catch (error) {
  // Even starting can fail (no dist/ yet, too many open files): one line, not a stack trace.
  if (outOfFds(error)) {
    process.stderr.write('pssql: cannot start: EMFILE: too many open files while loading pssql (is the open-file limit too low? see ulimit -n)\n');
    process.exit(6);
  }
  const hint = error?.code === 'ERR_MODULE_NOT_FOUND' ? " (run 'npm install' first: it builds dist/)" : '';
  process.stderr.write(`pssql: cannot start: ${error?.message}${hint}\n`);
  process.exit(1);
}
await cli.run();
