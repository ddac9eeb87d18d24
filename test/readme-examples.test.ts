/**
 * README's library examples run as written: each ```ts block that imports 'pssql' is compiled
 * and run against a recording of a live process, with the pid and name of the README's own run
 * replaced by those of the test's target.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import ts from 'typescript';
import { pssql, tempDir } from './helpers/cli.js';
import { PROJECT_ROOT, startTarget } from './helpers/target.js';

const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string).filter((code) => code.includes("from 'pssql'"));

test('README has library examples', (t) => {
  t.true(examples.length >= 3);
});

examples.forEach((code, i) => {
  test(`README library example ${i + 1} runs: ${code.split('\n')[0]}`, async (t) => {
    const target = await startTarget(['--files', '3']);
    try {
      const dir = tempDir();
      // The recording the examples read: two captures of the target.
      for (let n = 0; n < 2; n++) t.is(pssql(['capture', String(target.pid), '--db', path.join(dir, 'pssql.db')]).code, 0);
      const source = code
        .replaceAll("from 'pssql'", `from ${JSON.stringify(pathToFileURL(path.join(PROJECT_ROOT, 'dist/src/index.js')).href)}`)
        .replaceAll('1234', String(target.pid))
        .replaceAll("'python3'", "'target'");
      const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      fs.writeFileSync(path.join(dir, 'example.mjs'), js);
      const out = execFileSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      t.true(out.length > 0, 'it printed something');
    } finally {
      await target.stop();
    }
  });
});
