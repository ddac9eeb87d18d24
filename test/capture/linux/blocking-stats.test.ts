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

test.serial('a stat process that is slow to start does not use up the budget of the file system', (t) => {
  const dir = tempDir();
  const file = `${dir}/file.txt`;
  fs.writeFileSync(file, 'x');
  // The stat process is a Node process that inherits NODE_OPTIONS: this one takes 2.5 s to start,
  // more than the budget (1 s) and the 1 s allowance for a start that the budget once had.
  const slow = `${dir}/slow-start.cjs`;
  fs.writeFileSync(slow, 'const until = Date.now() + 2500; while (Date.now() < until);\n');
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `--require ${JSON.stringify(slow)}`;
  const stats = new BlockingStats();
  try {
    const started = performance.now();
    const text = stats.stat(file, 'test-mount', stats.budget(), process.pid);
    t.true(performance.now() - started >= 2400, 'it waited for the start');
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

test.serial('a stat process that cannot start fails its stats at once, not after the 20 s allowed for a start', (t) => {
  const dir = tempDir();
  const file = `${dir}/file.txt`;
  fs.writeFileSync(file, 'x');
  const broken = `${dir}/broken-start.cjs`;
  fs.writeFileSync(broken, "throw new Error('this stat process cannot start');\n");
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `--require ${JSON.stringify(broken)}`;
  const stats = new BlockingStats();
  try {
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      t.is(stats.stat(file, 'test-mount', stats.budget(), process.pid), VANISHED, 'its stat is unknown, as a file that went away');
      t.true(performance.now() - started < 10_000, `answered in ${Math.round(performance.now() - started)} ms`);
    }
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
    stats.close();
  }
  // Without the broken start, stats answer again.
  const again = new BlockingStats();
  try {
    t.is(typeof again.stat(file, 'test-mount', again.budget(), process.pid), 'string');
  } finally {
    again.close();
  }
});
