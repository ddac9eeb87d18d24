#!/usr/bin/env node
// The pssql command line; the code is compiled to dist/ by `npm install` (the prepare script).
let cli;
try {
  cli = await import('../dist/src/cli/main.js');
} catch (error) {
  // Even starting can fail (no dist/ yet, too many open files): one line, not a stack trace.
  const reason = error?.code === 'ERR_MODULE_NOT_FOUND' ? `${error.message} (run 'npm install' first, which builds dist/)` : error?.message;
  process.stderr.write(`pssql: cannot start: ${reason}\n`);
  process.exit(error?.code === 'EMFILE' || error?.code === 'ENFILE' ? 6 : 1);
}
await cli.run();
