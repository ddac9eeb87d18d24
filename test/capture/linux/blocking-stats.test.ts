/**
 * The stats of network and FUSE files go through a process of their own with a deadline
 * (blocking-stats.ts). The deadline is the file system's: the time that process takes to start
 * (seconds, on a loaded machine) is not counted against it.
 */
import fs from 'node:fs';
import test from 'ava';
import { BlockingStats } from '../../../src/capture/linux/blocking-stats.js';
import { VANISHED } from '../../../src/capture/linux/proc-files.js';
import { tempDir } from '../../helpers/cli.js';

/**
 * Runs `f` with a file to stat and a BlockingStats whose stat process (a Node process, which
 * inherits NODE_OPTIONS) first runs `startScript`; NODE_OPTIONS is restored after.
 */
function withStatProcessStart(startScript: string, f: (stats: BlockingStats, file: string) => void): void {
  const dir = tempDir();
  const file = `${dir}/file.txt`;
  fs.writeFileSync(file, 'x');
  const script = `${dir}/start.cjs`;
  fs.writeFileSync(script, startScript);
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `--require ${JSON.stringify(script)}`;
  const stats = new BlockingStats();
  try {
    f(stats, file);
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
    stats.close();
  }
}

test.serial('a stat process that is slow to start does not use up the budget of the file system', (t) => {
  // 2.5 s to start: more than the budget (1 s) and the 1 s allowance for a start that the budget once had.
  withStatProcessStart('const until = Date.now() + 2500; while (Date.now() < until);\n', (stats, file) => {
    const started = performance.now();
    const text = stats.stat(file, 'test-mount', stats.budget(), process.pid);
    t.true(performance.now() - started >= 2400, 'it waited for the start');
    t.is(typeof text, 'string', 'the stat answered: a slow start is not a file system that hangs');
    t.not(text, '', 'and the mount is not left alone');
    // Once started, it answers well within the budget.
    t.is(typeof stats.stat(file, 'test-mount', stats.budget(), process.pid), 'string');
  });
});

test.serial('a stat process that cannot start fails its stats at once, not after the 20 s allowed for a start', (t) => {
  let statted = '';
  withStatProcessStart("throw new Error('this stat process cannot start');\n", (stats, file) => {
    statted = file;
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      t.is(stats.stat(file, 'test-mount', stats.budget(), process.pid), VANISHED, 'its stat is unknown, as a file that went away');
      t.true(performance.now() - started < 10_000, `answered in ${Math.round(performance.now() - started)} ms`);
    }
  });
  // Without the broken start, stats answer again.
  const again = new BlockingStats();
  try {
    t.is(typeof again.stat(statted, 'test-mount', again.budget(), process.pid), 'string');
  } finally {
    again.close();
  }
});
