/**
 * `pssql completion` in bash, with pssql on PATH as `npm link` puts it: commands and options
 * from yargs, and report names and each report's parameters from pssql.
 */
import * as fs from 'node:fs';
import test from 'ava';
import { tempDir } from '../helpers/cli.js';
import { haveTmux, Terminal } from '../helpers/terminal.js';

test('Tab completes commands, report names, a report\'s parameters, and your own reports', (t) => {
  if (!haveTmux(t)) return;
  const mine = tempDir();
  fs.writeFileSync(`${mine}/my-own-report.sql`, '-- name: my-own-report\n-- description: Mine.\n-- param: under_dir text  a directory\nSELECT :under_dir AS d\n');
  const term = Terminal.start({ width: 120, env: { PSSQL_QUERIES: mine } });
  try {
    t.is(term.run('source <(pssql completion)').code, 0);
    // The line as completed: what was typed, the completion, and the space after it (the
    // screen keeps blanks where a longer line was before).
    const complete = (typed: string, expected: string): void => {
      term.press('C-u');
      term.type(typed);
      term.press('Tab');
      const line = new RegExp(`^\\$ ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +$`, 'm');
      t.regex(term.waitFor(line, 30_000), line, `${typed} + Tab`);
    };
    complete('pssql rec', 'pssql record');
    complete('pssql report leak-s', 'pssql report leak-suspects');
    complete('pssql report leak-suspects --min-c', 'pssql report leak-suspects --min-captures');
    complete('pssql report sockets --na', 'pssql report sockets --name');
    complete('pssql report my-own', 'pssql report my-own-report');
    complete('pssql report my-own-report --und', 'pssql report my-own-report --under-dir');
    complete('pssql show latest --li', 'pssql show latest --limit');
    term.press('C-u');
  } finally {
    term.kill();
  }
});
