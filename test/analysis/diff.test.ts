import test from 'ava';
import { checkThresholds, parseThreshold } from '../../src/analysis/diff-threshold.js';
import { diffSnapshots } from '../../src/analysis/diff.js';
import { captureSnapshot } from '../../src/capture/index.js';
import { PssError } from '../../src/pss/index.js';
import { openStore, openStoredSnapshot, writeCapture } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';
import { fdShell } from './diff-shell.js';

test('fds matched by value: one closed, one opened, one reopened on another file, one only written to', async (t) => {
  const shell = await fdShell();
  try {
    const before = captureSnapshot({ pid: shell.pid });
    await shell.change();
    const after = captureSnapshot({ pid: shell.pid });
    const diff = diffSnapshots(before, after);
    t.true(diff.sameProcess);
    t.deepEqual(
      diff.handles.added.map((h) => [h.handle_value, h.object_name]),
      [[9, `${shell.dir}/a`]],
    );
    t.deepEqual(
      diff.handles.removed.map((h) => [h.handle_value, h.object_name]),
      [[6, `${shell.dir}/gone`]],
    );
    t.is(diff.handles.changed.length, 1, 'the reopened fd is one changed entry, not a removal and an addition');
    const [reopened] = diff.handles.changed;
    t.is(reopened?.key, 8);
    t.like(
      reopened?.changes.find((c) => c.field === 'object_name'),
      { before: `${shell.dir}/a`, after: `${shell.dir}/b` },
    );
    t.true(reopened?.changes.some((c) => c.field === 'inode'));
    t.is(reopened?.before.object_name, `${shell.dir}/a`);
    t.is(reopened?.after.object_name, `${shell.dir}/b`);
    t.false(
      diff.handles.changed.some((c) => c.key === 7),
      'a position that moved is volatile: not a change by default',
    );
    t.like(diff.handleTypes.find((h) => h.type === 'File'), { added: 1, removed: 1, changed: 1 });
    t.deepEqual(diff.counters, [], 'performance counters are volatile');

    const all = diffSnapshots(before, after, { includeVolatile: true });
    const written = all.handles.changed.find((c) => c.key === 7);
    t.deepEqual(written?.changes, [{ field: 'position_bytes', before: 0, after: 6 }]);
    t.true(all.counters.length > 0, 'with volatile fields, what the captures cost differs');
  } finally {
    await shell.stop();
  }
});

test('stored and live snapshots diff alike, and across two recordings', async (t) => {
  const shell = await fdShell();
  const dir = tempDir();
  const a = openStore(`${dir}/a.db`);
  const b = openStore(`${dir}/b.db`);
  try {
    const before = captureSnapshot({ pid: shell.pid });
    const idA = writeCapture(a, before).captureId;
    await shell.change();
    const after = captureSnapshot({ pid: shell.pid });
    const idB = writeCapture(b, after).captureId;
    const live = diffSnapshots(before, after);
    const stored = diffSnapshots(openStoredSnapshot(a, idA), openStoredSnapshot(b, idB));
    t.deepEqual(stored.handles, live.handles);
    t.deepEqual(stored.threads, live.threads);
    t.deepEqual(stored.regions, live.regions);
    t.deepEqual(stored.process, live.process);
    t.deepEqual(stored.memory, live.memory);
  } finally {
    a.close();
    b.close();
    await shell.stop();
  }
});

test('two different processes: the summary counts handles per type and the memory deltas', async (t) => {
  const small = await startTarget(['--files', '2', '--pipes', '1']);
  const big = await startTarget(['--files', '5', '--pipes', '3', '--tcp', '2', '--threads', '3']);
  try {
    const diff = diffSnapshots(captureSnapshot({ pid: small.pid }), captureSnapshot({ pid: big.pid }));
    t.false(diff.sameProcess);
    t.is(diff.a.pid, small.pid);
    t.is(diff.b.pid, big.pid);
    const types = Object.fromEntries(diff.handleTypes.map((h) => [h.type, h.after - h.before]));
    t.like(types, { File: 3, Pipe: 4, Socket: 2 });
    t.is(diff.threads.after! - diff.threads.before!, 3);
    t.is(diff.handles.after! - diff.handles.before!, 9);
    // Different processes share thread ids with none: every thread is removed or added.
    t.is(diff.threads.added.length, 4);
    t.is(diff.threads.removed.length, 1);
    const memory = Object.fromEntries(diff.memory.map((m) => [m.field, m]));
    t.is(memory.private_usage_bytes?.delta, (memory.private_usage_bytes?.after ?? 0) - (memory.private_usage_bytes?.before ?? 0));
    t.true((memory.committed_bytes?.before ?? 0) > 0);
    t.true(diff.process.some((c) => c.field === 'process_id'));

    const results = checkThresholds(
      diff,
      ['handles>+8', 'handles>+9', 'handles.socket>=2', 'handles.Pipe<+4', 'threads>+200%', 'regions>1000000', 'added>0'].map(parseThreshold),
    );
    t.deepEqual(
      results.map((r) => [r.threshold.text, r.value, r.exceeded]),
      [
        ['handles>+8', 9, true],
        ['handles>+9', 9, false],
        ['handles.socket>=2', diff.handleTypes.find((h) => h.type === 'Socket')?.after, true],
        ['handles.Pipe<+4', 4, false],
        ['threads>+200%', 300, true],
        ['regions>1000000', diff.regions.after, false],
        ['added>0', diff.threads.added.length + diff.handles.added.length + diff.regions.added.length, true],
      ],
    );
  } finally {
    await small.stop();
    await big.stop();
  }
});

test('thresholds: the grammar, and one-line errors for what it does not take', (t) => {
  t.like(parseThreshold('handles>+100'), { metric: 'handles', op: '>', mode: 'change', limit: 100, measure: { kind: 'count', of: 'handles' } });
  t.like(parseThreshold('private>+50MB'), { op: '>', mode: 'change', limit: 50e6, measure: { kind: 'memory', field: 'private_usage_bytes' } });
  t.like(parseThreshold('working-set <= 2GiB'), { op: '<=', mode: 'value', limit: 2 * 1024 ** 3 });
  t.like(parseThreshold('private<-10mb'), { op: '<', mode: 'change', limit: -10e6 });
  t.like(parseThreshold('threads>+10%'), { mode: 'percent', limit: 10 });
  t.like(parseThreshold('handles.ALPC Port>=5'), { measure: { kind: 'handle-type', type: 'ALPC Port' }, op: '>=', mode: 'value', limit: 5 });
  t.like(parseThreshold('changed>0'), { measure: { kind: 'changes', of: 'changed' } });
  const bad: [string, RegExp][] = [
    ['handles>>1', /not understood/],
    ['handles', /not understood/],
    ['fds>+1', /unknown metric 'fds'/],
    ['handles>+1MB', /'handles' counts entries: no unit/],
    ['private>+5XB', /unknown unit 'XB'/],
    ['private>10%', /a percentage is a change/],
  ];
  for (const [text, why] of bad) {
    const error = t.throws(() => parseThreshold(text), { instanceOf: PssError });
    t.is(error?.code, 'ERROR_INVALID_PARAMETER');
    t.regex(error?.message ?? '', why, text);
    t.regex(error?.message ?? '', /^invalid --fail-if '.*': .*; write METRIC OP VALUE, e\.g\. /);
    t.false(error?.message.includes('\n'));
  }
});
