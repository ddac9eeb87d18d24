#!/usr/bin/env node
// The pssql command line. `npm install` (the prepare script) compiles the code to dist/src/ and
// bundles the CLI into dist/bundle/ (scripts/bundle-cli.mjs): a command loads a few files of the
// bundle instead of some 150 of dist/src/, which was most of its start-up time.
import { existsSync, readFileSync, statSync } from 'node:fs';

/** The bundle, or dist/src/ when there is none or tsc compiled dist/src/ after it was made (it would run old code). */
function entry() {
  const bundle = new URL('../dist/bundle/main.js', import.meta.url);
  const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
  const bundled = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs;
  if (bundled === undefined) return compiled;
  const compiledAt = statSync(new URL('../dist/.tsbuildinfo', import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return compiledAt > bundled ? compiled : bundle;
}

// `pssql --version` alone needs nothing of the CLI but package.json (yargs prints the same, from
// the same file, when other options come with it): it answers in a bare Node's time.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  await start();
}

async function start() {
  const main = entry();
  // Stack traces (--verbose) name the lines of src/*.ts, through the source maps of the build.
  if (process.argv.includes('--verbose')) process.setSourceMapsEnabled(true);

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
}
