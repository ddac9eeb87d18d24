#!/usr/bin/env node
// The pssql command line; the code is compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
let cli;
try {
  cli = await import(main.href);
} catch (error) {
  // Even starting can fail (no dist/ yet, too many open files): one line, not a stack trace.
  const lowOnFds = error?.code === 'EMFILE' || error?.code === 'ENFILE' || (error?.code === 'ERR_MODULE_NOT_FOUND' && existsSync(main));
  const hint = lowOnFds ? ' (is the open-file limit too low? see ulimit -n)' : error?.code === 'ERR_MODULE_NOT_FOUND' ? " (run 'npm install' first: it builds dist/)" : '';
  process.stderr.write(`pssql: cannot start: ${error?.message}${hint}\n`);
  process.exit(lowOnFds ? 6 : 1);
}
await cli.run();
