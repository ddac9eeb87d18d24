/**
 * Races with the target: a process that starts and ends threads, opens and closes fds, maps and
 * unmaps memory as fast as it can, captured hundreds of times; then processes that exit in the
 * middle of captures. Every stored capture must be whole and consistent; failures must be clear.
 */
import test from 'ava';
import { captureLinuxSnapshot } from '../../src/capture/linux/index.js';
import { isPssError, QueryClass } from '../../src/pss/index.js';
import { openStore, writeCapture } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';
import { assertWholeCaptures } from '../helpers/consistency.js';

/** How many captures of the churning target; the suite reports it. */
const CHURN_CAPTURES = 300;

test(`${CHURN_CAPTURES} captures of a churning process: all whole, vanished items counted`, async (t) => {
  const target = await startTarget(['--churn', '2', '--threads', '4', '--files', '40', '--regions', '64']);
  const path = `${tempDir()}/churn.db`;
  const store = openStore(path);
  let recorded = 0;
  const failures = new Map<string, number>();
  try {
    for (let i = 0; i < CHURN_CAPTURES; i++) {
      try {
        // Alternate default and detailed captures: smaps churns differently from maps.
        writeCapture(store, captureLinuxSnapshot({ pid: target.pid, details: i % 5 === 4 }), { retention: { keep: 100 } });
        recorded++;
      } catch (error) {
        // The only acceptable failure is a clear PssError; anything else escapes and fails the test.
        if (!isPssError(error)) throw error;
        failures.set(error.code, (failures.get(error.code) ?? 0) + 1);
      }
    }
  } finally {
    store.close();
    await target.stop();
  }
  const report = assertWholeCaptures(t, path);
  t.is(report.ids.length, Math.min(recorded, 100), 'retention kept the newest 100');
  t.true(recorded >= CHURN_CAPTURES * 0.95, `captures succeeded (${recorded}; failures: ${JSON.stringify([...failures])})`);
  t.log(`churn: ${recorded} captures recorded, ${report.skipped} vanished items counted in the last 100, failures ${JSON.stringify([...failures])}`);
});

test('processes that exit during their capture give a whole capture or a clear error, never half of one', async (t) => {
  const path = `${tempDir()}/exits.db`;
  const store = openStore(path);
  const outcomes = { whole: 0, clearErrors: 0, zombies: 0 };
  try {
    for (let i = 0; i < 20; i++) {
      // Big enough that a capture takes a while; captured again and again until it exits, so
      // that one capture is cut by the exit, at a moment that moves from target to target.
      const target = await startTarget(['--churn', '1', '--files', '2000', '--threads', '20', '--regions', '2000', '--exit-after', String(100 + i * 17)]);
      try {
        for (;;) {
          try {
            const snapshot = captureLinuxSnapshot({ pid: target.pid });
            writeCapture(store, snapshot);
            outcomes.whole++;
            // An exited process not yet reaped is a zombie: a whole (empty) capture, and the end.
            if (snapshot.query(QueryClass.ProcessInformation).state === 'Z') {
              outcomes.zombies++;
              break;
            }
          } catch (error) {
            t.true(isPssError(error, 'ERROR_NOT_FOUND'), `a PssError ERROR_NOT_FOUND, not ${String(error)}`);
            t.regex((error as Error).message, new RegExp(`pid ${target.pid}`));
            outcomes.clearErrors++;
            break;
          }
        }
      } finally {
        await target.stop();
      }
    }
  } finally {
    store.close();
  }
  const report = assertWholeCaptures(t, path);
  t.is(report.ids.length, outcomes.whole, 'every successful capture is stored, no failed one is');
  t.is(outcomes.clearErrors + outcomes.zombies, 20, 'each target ended with a clear error or as a zombie');
  t.true(outcomes.clearErrors > 0, 'some captures were cut by the exit');
  t.log(`exits: ${outcomes.whole} whole captures (${outcomes.zombies} of zombies), ${outcomes.clearErrors} clear errors when the process went away`);
});
