/**
 * The stats of network and FUSE files go through a process of their own with a deadline
 * (blocking-stats.ts). The deadline is the file system's: the time that process takes to start
 * (seconds, on a loaded machine) is not counted against it.
 */
import fs from 'node:fs';
import test from 'ava';
import { BlockingStats } from '../../../src/capture/linux/blocking-stats.js';
import { tempDir } from '../../helpers/cli.js';

test.serial('a stat process that is slow to start does not use up the budget of the file system', (t) => {
  const dir = tempDir();
  const file = `${dir}/file.txt`;
  fs.writeFileSync(file, 'x');
  // The stat process is a Node process that inherits NODE_OPTIONS: this one takes 1.5 s to start.
  const slow = `${dir}/slow-start.cjs`;
  fs.writeFileSync(slow, 'const until = Date.now() + 1500; while (Date.now() < until);\n');
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `--require ${slow}`;
  const stats = new BlockingStats(300);
  try {
    const started = performance.now();
    const text = stats.stat(file, 'test-mount', stats.budget(), process.pid);
    t.true(performance.now() - started >= 1400, 'it waited for the start');
    t.is(typeof text, 'string', 'the stat answered: a slow start is not a file system that hangs');
    t.not(text, '', 'and the mount is not left alone');
    // Once started, it answers well within the budget.
    t.is(typeof stats.stat(file, 'test-mount', stats.budget(), process.pid), 'string');
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
    stats.close();
  }
});
