import test from 'ava';
import { openStore } from '../../src/store/index.js';
import { type RecorderEvent, type RecorderOptions, startRecorder } from '../../src/recorder/index.js';
import { tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';
import { assertWholeCaptures } from '../helpers/consistency.js';
import { startNamedTarget, uniqueName } from './named-target.js';

/** Resolves on the first event that `match` accepts; `onEvent` of the recording feeds it. */
function eventWaiter() {
  const waiting: { match: (e: RecorderEvent) => boolean; resolve: (e: RecorderEvent) => void }[] = [];
  const seen: RecorderEvent[] = [];
  return {
    seen,
    onEvent(event: RecorderEvent): void {
      seen.push(event);
      for (const w of [...waiting]) {
        if (w.match(event)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(event);
        }
      }
    },
    /** The first event, already seen or to come, that `match` accepts. */
    next(match: (e: RecorderEvent) => boolean): Promise<RecorderEvent> {
      const past = seen.find(match);
      return past === undefined ? new Promise((resolve) => waiting.push({ match, resolve })) : Promise.resolve(past);
    },
  };
}

test('count and keep: N rounds, the newest K captures kept whole, the rest pruned in the same transactions', async (t) => {
  const target = await startTarget(['--files', '2', '--open-every', '30']);
  const file = `${tempDir()}/keep.db`;
  const store = openStore(file);
  try {
    const summary = await startRecorder({ store, pids: [target.pid], everyUs: 20_000, count: 6, keep: 3 }).done;
    t.like(summary, { rounds: 6, captures: 6, failures: 0, targets: 1, capturesPruned: 3, stopReason: 'count', dropped: [] });
    t.true(summary.rowsWritten > 0 && summary.databaseBytes > 0);
  } finally {
    store.close();
    await target.stop();
  }
  t.deepEqual(assertWholeCaptures(t, file).ids, [4, 5, 6]);
});

test('a stop during a capture finishes that capture, writes it, and starts no other', async (t) => {
  const target = await startTarget(['--files', '3', '--threads', '2']);
  const file = `${tempDir()}/stop.db`;
  const store = openStore(file);
  try {
    let recording: ReturnType<typeof startRecorder> | undefined;
    const onEvent = (e: RecorderEvent): void => {
      // The stop request arrives while round 2's capture is under way.
      if (e.type === 'capture-start' && e.round === 2) void recording?.stop();
    };
    recording = startRecorder({ store, pids: [target.pid], everyUs: 20_000, onEvent });
    const summary = await recording.done;
    t.like(summary, { rounds: 2, captures: 2, stopReason: 'stopped' });
  } finally {
    store.close();
    await target.stop();
  }
  t.deepEqual(assertWholeCaptures(t, file).ids, [1, 2]);
});

test('processes named are picked up when they start and dropped when they exit', async (t) => {
  const name = uniqueName('pssrec');
  const store = openStore(`${tempDir()}/names.db`);
  const events = eventWaiter();
  const recording = startRecorder({ store, names: [name], everyUs: 20_000, onEvent: events.onEvent });
  try {
    // Rounds run with nothing to record until a process of that name exists.
    await events.next((e) => e.type === 'round' && e.round >= 2);
    t.is(recording.summary().captures, 0);

    const first = await startNamedTarget(name, ['--files', '1']);
    const added = await events.next((e) => e.type === 'target-added' && e.target.pid === first.pid);
    t.like(added, { target: { pid: first.pid, name, selectedBy: 'name' } });
    await events.next((e) => e.type === 'capture' && e.target.pid === first.pid);
    await first.stop();
    const dropped = await events.next((e) => e.type === 'target-dropped');
    t.like(dropped, { target: { pid: first.pid, reason: 'exited', name } });

    const second = await startNamedTarget(name);
    await events.next((e) => e.type === 'capture' && e.target.pid === second.pid);
    const summary = await recording.stop();
    await second.stop();
    t.is(summary.targets, 2);
    t.deepEqual(
      summary.dropped.map((d) => [d.pid, d.reason]),
      [[first.pid, 'exited']],
    );
    t.is(summary.stopReason, 'stopped');
    const pids = store.db.prepare('SELECT DISTINCT pid FROM captures ORDER BY capture_id').pluck().all();
    t.deepEqual(pids, [first.pid, second.pid], 'only the processes of that name were recorded');
  } finally {
    await recording.stop();
    store.close();
  }
});

test('a pid that is not there is dropped at once, and with no target left the recording ends', async (t) => {
  const target = await startTarget([]);
  const gone = target.pid;
  await target.stop();
  const store = openStore(`${tempDir()}/gone.db`);
  try {
    const summary = await startRecorder({ store, pids: [gone], everyUs: 20_000, count: 5 }).done;
    t.like(summary, { rounds: 1, captures: 0, failures: 1, stopReason: 'no-targets' });
    t.like(summary.dropped[0], { pid: gone, reason: 'exited', captured: 0, message: `cannot capture pid ${gone}: no such process` });
  } finally {
    store.close();
  }
});

test('a round that overruns its interval is reported and the ticks it ran over are skipped, not stacked', async (t) => {
  const target = await startTarget([]);
  const store = openStore(`${tempDir()}/overrun.db`);
  try {
    const events = eventWaiter();
    const onEvent = (e: RecorderEvent): void => {
      events.onEvent(e);
      // Make every round slower than its 20 ms interval, whatever the machine.
      if (e.type === 'capture') {
        const until = performance.now() + 45;
        while (performance.now() < until) {}
      }
    };
    const summary = await startRecorder({ store, pids: [target.pid], everyUs: 20_000, count: 3, onEvent }).done;
    t.like(summary, { rounds: 3, captures: 3 });
    const overruns = events.seen.filter((e) => e.type === 'overrun');
    t.is(overruns.length, 2, 'the last round has no next tick to overrun');
    t.is(summary.overruns, 2);
    for (const o of overruns) t.true(o.type === 'overrun' && o.ticksSkipped >= 2 && o.everyUs === 20_000);
    t.is(summary.ticksSkipped, overruns.reduce((n, o) => n + (o.type === 'overrun' ? o.ticksSkipped : 0), 0));
  } finally {
    store.close();
    await target.stop();
  }
});

test('an aborted signal stops the recording like stop()', async (t) => {
  const target = await startTarget([]);
  const store = openStore(`${tempDir()}/abort.db`);
  try {
    const controller = new AbortController();
    const onEvent = (e: RecorderEvent): void => {
      if (e.type === 'capture') controller.abort();
    };
    const summary = await startRecorder({ store, pids: [target.pid], everyUs: 20_000, signal: controller.signal, onEvent }).done;
    t.like(summary, { captures: 1, stopReason: 'stopped' });
  } finally {
    store.close();
    await target.stop();
  }
});

test('options are checked at the boundary, naming the option', (t) => {
  const store = openStore(`${tempDir()}/options.db`);
  try {
    const base: RecorderOptions = { store, pids: [1], everyUs: 1_000_000 };
    t.throws(() => startRecorder({ ...base, pids: [] }), { instanceOf: TypeError, message: /pids, names or all/ });
    t.throws(() => startRecorder({ ...base, everyUs: 5_000 }), { instanceOf: RangeError, message: /everyUs must be at least/ });
    t.throws(() => startRecorder({ ...base, count: 0 }), { instanceOf: RangeError, message: /count must be a positive integer/ });
    t.throws(() => startRecorder({ ...base, forUs: -1 }), { instanceOf: RangeError, message: /forUs/ });
    t.throws(() => startRecorder({ ...base, keep: 1.5 }), { instanceOf: RangeError, message: /keep/ });
    t.throws(() => startRecorder({ ...base, pids: [0] }), { instanceOf: RangeError, message: /pids\[\]/ });
    t.throws(() => startRecorder({ ...base, names: [''] }), { instanceOf: TypeError, message: /names\[\]/ });
  } finally {
    store.close();
  }
});

test('for: no round starts once the duration has passed', async (t) => {
  const target = await startTarget([]);
  const store = openStore(`${tempDir()}/for.db`);
  try {
    // Ticks at 0, 20, 40 and 60 ms fall within 70 ms; a slow machine may skip some, never add one.
    const summary = await startRecorder({ store, pids: [target.pid], everyUs: 20_000, forUs: 70_000 }).done;
    t.is(summary.stopReason, 'duration');
    t.true(summary.rounds >= 1 && summary.rounds <= 4, `${summary.rounds} rounds`);
    t.is(summary.captures, summary.rounds);
  } finally {
    store.close();
    await target.stop();
  }
});
