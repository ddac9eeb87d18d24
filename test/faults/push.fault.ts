/**
 * Pushes that are cut off: `pssql push` killed with SIGKILL at random moments, many times, and a
 * server restarted in the middle of a push. The store must hold whole captures only after each
 * cut, lose none it had, and the next push must complete it with nothing twice: the same content
 * as the local recording, capture for capture.
 */
import * as fs from 'node:fs';
import anyTest, { type ExecutionContext } from 'ava';
import { pssqlJson, tempDir } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { startPssql } from '../helpers/pssql-process.js';
import { recordCaptures } from '../analysis/record-target.js';
import { startTarget, type Target } from '../helpers/target.js';

const { test, server } = usePostgres(anyTest);

const KILLS = 12;
// Enough that a push takes many seconds of batches: every kill finds one at work.
const CAPTURES = 240;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

let target: Target;
const dir = tempDir();
const file = `${dir}/big.db`;

test.before(async () => {
  // Many entries, and churn: every capture has new and ended versions, so every batch is many statements.
  target = await startTarget(['--files', '2000', '--threads', '30', '--regions', '2000', '--churn', '2', '--open-every', '20']);
  await recordCaptures(file, target.pid, CAPTURES, 5);
});

test.after.always(async () => {
  await target?.stop();
});

/** Per capture of the store: its counts against the rows the views give it, its process row and counters (SQL both dialects accept). */
const BROKEN = `SELECT * FROM (
  SELECT c.capture_id, c.seq,
    coalesce(c.thread_count, 0) AS thread_count, (SELECT count(*) FROM threads AS t WHERE t.capture_id = c.capture_id) AS threads,
    coalesce(c.handle_count, 0) AS handle_count, (SELECT count(*) FROM handles AS h WHERE h.capture_id = c.capture_id) AS handles,
    coalesce(c.region_count, 0) AS region_count, (SELECT count(*) FROM regions AS r WHERE r.capture_id = c.capture_id) AS regions,
    (SELECT count(*) FROM process_info AS p WHERE p.capture_id = c.capture_id) AS process_rows,
    (SELECT count(*) FROM performance_counters AS k WHERE k.capture_id = c.capture_id) AS counter_rows,
    CASE WHEN (c.capture_flags & 1073741824) <> 0 THEN 6 ELSE 0 END AS measured
  FROM captures AS c) AS x
WHERE thread_count <> threads OR handle_count <> handles OR region_count <> regions OR process_rows <> 1 OR counter_rows <> measured`;

const DUPLICATES = `SELECT capture_id, handle_value FROM handles GROUP BY capture_id, handle_value HAVING count(*) > 1
  UNION ALL SELECT capture_id, thread_id FROM threads GROUP BY capture_id, thread_id HAVING count(*) > 1
  UNION ALL SELECT capture_id, base_address FROM regions GROUP BY capture_id, base_address HAVING count(*) > 1`;

/** What each capture holds, without the ids each store gives it. */
const CONTENT = `SELECT c.seq, c.started_at_us, c.handle_count, c.thread_count, c.region_count,
  (SELECT sum(h.handle_value + coalesce(h.inode, 0) + length(coalesce(h.object_name, ''))) FROM handles AS h WHERE h.capture_id = c.capture_id) AS handles,
  (SELECT sum(length(coalesce(r.mapped_file_name, '')) + r.region_size_bytes % 65536) FROM regions AS r WHERE r.capture_id = c.capture_id) AS regions,
  (SELECT sum(t.thread_id + coalesce(t.priority, 0)) FROM threads AS t WHERE t.capture_id = c.capture_id) AS threads
FROM captures AS c ORDER BY c.seq`;

/** Asserts whole captures in the store, none twice; returns how many it holds. */
function assertWhole(t: ExecutionContext, url: string, when: string): number {
  t.deepEqual(pssqlJson(['query', BROKEN, '--db', url]), [], `${when}: every capture whole`);
  t.deepEqual(pssqlJson(['query', DUPLICATES, '--db', url]), [], `${when}: no entry twice`);
  return pssqlJson<unknown[]>(['query', 'SELECT capture_id FROM captures', '--db', url]).length;
}

// Serial: the other test restarts the server they share.
test.serial(`push killed with SIGKILL ${KILLS} times, then pushed again: whole captures only, and the store equals the recording`, async (t) => {
  const url = await server().createDatabase('killed');
  const log = `${server().dir}/server.log`;
  const eofBefore = (fs.readFileSync(log, 'utf8').match(/unexpected EOF on client connection with an open transaction/g) ?? []).length;
  const next = random(7);
  const name = new URL(url.replace('postgresql://', 'http://')).pathname.slice(1);
  /** The captures the store holds, or -1 before it is made. */
  const heldBy = async (database: string): Promise<number> => {
    const rows = await server().sql<{ n: string }>('SELECT count(*) AS n FROM pssql.captures', [], database).catch(() => null);
    return rows === null ? -1 : Number(rows[0]?.n ?? 0);
  };
  let held = 0;
  let cut = 0;
  for (let i = 0; i < KILLS; i++) {
    const push = startPssql(['push', url, '--db', file, '--batch-captures', String(1 + (i % 3))]);
    let finished = false;
    void push.done.then(() => {
      finished = true;
    });
    // Every third kill comes at a random moment of the start-up or the first batch; the others
    // once the push has written a batch, at a random moment of the ones after it.
    if (i % 3 === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200 + next() * 1500));
    } else {
      for (let waited = 0; !finished && waited < 60_000 && (await heldBy(name)) <= held; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
      await new Promise((resolve) => setTimeout(resolve, next() * 300));
    }
    push.child.kill('SIGKILL');
    const result = await push.done;
    if (result.signal === 'SIGKILL') cut++;
    else t.log(`push ${i + 1} ended by itself: ${result.code} ${result.stderr.slice(0, 300)}`);
    // The store may not be made yet when the first kills land during start-up.
    if ((await heldBy(name)) < 0) continue;
    const now = assertWhole(t, url, `kill ${i + 1}`);
    t.true(now >= held, `kill ${i + 1}: no capture lost (${held} before, ${now} after)`);
    held = now;
  }
  const last = startPssql(['push', url, '--db', file]);
  const done = await last.done;
  t.is(done.code, 0, done.stderr);
  t.is(assertWhole(t, url, 'after the last push'), CAPTURES);
  t.deepEqual(pssqlJson(['query', CONTENT, '--db', url]), pssqlJson(['query', CONTENT, '--db', file]), 'the store holds what the recording holds, capture for capture');
  const eof = (fs.readFileSync(log, 'utf8').match(/unexpected EOF on client connection with an open transaction/g) ?? []).length - eofBefore;
  t.true(cut > KILLS / 2, `most pushes were killed before they finished (${cut} of ${KILLS})`);
  t.true(eof > 0, `some kills landed inside a batch's transaction (the server saw ${eof})`);
  t.log(`${cut} of ${KILLS} pushes killed (${eof} inside a transaction); ${held} captures held before the last push, ${CAPTURES} after`);
});

test.serial('the server restarted during a push: the push goes on after it or fails with exit code 8, and the next one completes the store', async (t) => {
  const url = await server().createDatabase('restarted');
  const push = startPssql(['push', url, '--db', file, '--batch-captures', '1']);
  // Once the push is writing batches, the server goes down (fast shutdown: every connection cut) and comes back.
  for (let i = 0; i < 200; i++) {
    const name = new URL(url.replace('postgresql://', 'http://')).pathname.slice(1);
    const batches = await server().sql<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pssql' AND query LIKE 'COPY%'", [name]);
    if (Number(batches[0]?.n ?? 0) > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await server().stop('fast');
  await new Promise((resolve) => setTimeout(resolve, 700));
  await server().start();
  const result = await push.done;
  t.true(result.code === 0 || result.code === 8, `exit code 0 or 8: ${result.code} ${result.stderr}`);
  if (result.code === 0) t.regex(result.stderr, /trying again/, 'it said it was trying again');
  else t.regex(result.stderr, /^pssql: .*(cannot connect|closed the connection|terminating connection|connection)/m);
  const again = startPssql(['push', url, '--db', file]);
  const second = await again.done;
  t.is(second.code, 0, second.stderr);
  t.is(assertWhole(t, url, 'after the restart'), CAPTURES);
  t.deepEqual(pssqlJson(['query', CONTENT, '--db', url]), pssqlJson(['query', CONTENT, '--db', file]));
});
