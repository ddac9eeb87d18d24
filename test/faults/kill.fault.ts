/**
 * Crashes of the recorder: `pssql record` killed with SIGKILL at random moments, many times,
 * on one recording. Each time the database must pass integrity_check and hold only whole
 * captures, and the next `pssql record` must go on in it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import test from 'ava';
import { assertWholeCaptures } from '../helpers/consistency.js';
import { PSSQL_BIN, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

/** How many times the recorder is killed; the suite reports it. */
const KILLS = 30;

/** A small deterministic generator, so that a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test(`pssql record killed with SIGKILL ${KILLS} times: whole captures only, and recording goes on`, async (t) => {
  // Captures take tens of milliseconds and the recorder captures back to back, so that many
  // kills land inside a transaction.
  const target = await startTarget(['--files', '3000', '--threads', '30', '--regions', '3000', '--churn', '2']);
  const db = `${tempDir()}/killed.db`;
  const next = random(42);
  let previous = 0;
  let midCapture = 0;
  let grewAfterKill = 0;
  try {
    for (let i = 0; i < KILLS; i++) {
      const child = spawn(process.execPath, [PSSQL_BIN, 'record', String(target.pid), '--every', '10ms', '--db', db, '--verbose'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      let started: () => void = () => {};
      const capturing = new Promise<void>((resolve) => (started = resolve));
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        // Timed from its first written capture: a kill inside the first one (which reads the
        // whole process anew) would leave nothing to tell whether this run went on.
        if (/capture \d+ of pid/.test(log)) started();
      });
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      // A random moment of the recording, counted from its first written capture: on a loaded machine
      // Node's start-up alone can take seconds, and a kill before any capture tests little.
      // Every fifth kill comes at a random moment of the start-up instead.
      const sooner = i % 5 === 4 ? new Promise((resolve) => setTimeout(resolve, next() * 800)) : capturing;
      await Promise.race([sooner, exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (i % 5 !== 4) await new Promise((resolve) => setTimeout(resolve, next() * 1500));
      child.kill('SIGKILL');
      await exited;
      // The last line the recorder wrote: "capturing" means it died inside a capture.
      if (/capturing pid \d+[^\n]*\n$/.test(log)) midCapture++;
      // Killed before it even created the recording: nothing to check yet.
      if (!existsSync(db)) {
        t.is(previous, 0);
        continue;
      }
      const { ids } = assertWholeCaptures(t, db);
      t.true(ids.length >= previous, `kill ${i + 1}: no capture lost (${previous} before, ${ids.length} after)`);
      if (previous > 0 && ids.length > previous) grewAfterKill++;
      previous = ids.length;
    }
    // How many captures a run makes before its kill depends on the machine's load; that the
    // recording goes on does not: a recorder left to finish adds exactly what it was asked for.
    const last = spawnSync(process.execPath, [PSSQL_BIN, 'record', String(target.pid), '--every', '10ms', '--count', '3', '--db', db], {
      encoding: 'utf8',
    });
    t.is(last.status, 0, `a recorder after the last kill exits 0: ${last.stderr}`);
    const { ids } = assertWholeCaptures(t, db);
    t.is(ids.length, previous + 3, 'and adds its 3 captures to the ones the killed recorders left');
  } finally {
    await target.stop();
  }
  t.true(grewAfterKill > 0, `recorders started after a kill went on recording (${grewAfterKill} of ${KILLS} runs)`);
  t.true(midCapture > 0, 'some kills landed inside a capture');
  t.log(`${KILLS} kills survived (${midCapture} inside a capture); ${previous} whole captures recorded, ${grewAfterKill} runs after a kill added some`);
});
