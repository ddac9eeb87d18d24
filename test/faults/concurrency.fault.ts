/**
 * Concurrency: two recorders and several readers (report, query, diff, list) on one recording at
 * once. No "database is locked" may reach the user, no capture may be lost, and readers must see
 * only whole captures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import test from 'ava';
import { assertWholeCaptures } from '../helpers/consistency.js';
import { PSSQL_BIN, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [PSSQL_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Every capture's recorded counts equal the rows the views give it, in one read transaction. */
const WHOLE_CAPTURES_SQL = `SELECT count(*) AS broken FROM captures c
  WHERE coalesce(c.handle_count, 0) <> (SELECT count(*) FROM handles h WHERE h.capture_id = c.capture_id)
     OR coalesce(c.thread_count, 0) <> (SELECT count(*) FROM threads t WHERE t.capture_id = c.capture_id)
     OR coalesce(c.region_count, 0) <> (SELECT count(*) FROM regions r WHERE r.capture_id = c.capture_id)
     OR NOT EXISTS (SELECT 1 FROM process_info p WHERE p.capture_id = c.capture_id)`;

test('two recorders and four readers at once: nothing locked, nothing lost, nothing half-seen', async (t) => {
  const [a, b] = await Promise.all([
    startTarget(['--files', '800', '--threads', '10', '--regions', '800', '--churn', '1']),
    startTarget(['--files', '300', '--threads', '40', '--regions', '300', '--open-every', '20']),
  ]);
  const db = `${tempDir()}/shared.db`;
  try {
    const recorders = [
      run(['record', String(a.pid), String(b.pid), '--every', '50ms', '--for', '15s', '--db', db, '--format', 'json']),
      run(['record', String(b.pid), '--every', '30ms', '--for', '15s', '--keep', '150', '--db', db, '--format', 'json']),
    ];
    const readers = { report: 0, query: 0, diff: 0, list: 0 };
    const succeeded = { report: 0, query: 0, diff: 0, list: 0 };
    const failures: string[] = [];
    let recording = true;
    void Promise.all(recorders.map((r) => r.done)).then(() => {
      recording = false;
    });
    const reader = async (kind: keyof typeof readers, args: string[], check?: (out: string) => string | null): Promise<void> => {
      while (recording) {
        const result = await run([...args, '--db', db]).done;
        readers[kind]++;
        if (result.code === 0) succeeded[kind]++;
        // Until the first capture is in, a reader may find no recording or no capture: not a lock.
        if (result.code !== 0 && !/no recording at|no capture/.test(result.stderr)) failures.push(`${kind} exit ${result.code}: ${result.stderr}`);
        if (/locked|busy/i.test(result.stderr)) failures.push(`${kind}: ${result.stderr}`);
        const problem = result.code === 0 && check !== undefined ? check(result.stdout) : null;
        if (problem !== null) failures.push(`${kind}: ${problem}`);
      }
    };
    await Promise.all([
      reader('report', ['report', 'handles-by-type', '--capture', 'latest', '--format', 'json']),
      reader('query', ['query', WHOLE_CAPTURES_SQL, '--format', 'json'], (out) => {
        const [row] = JSON.parse(out) as { broken: number }[];
        return row?.broken === 0 ? null : `a reader saw ${row?.broken} half-written captures`;
      }),
      reader('diff', ['diff', 'first', 'latest', '--format', 'json']),
      reader('list', ['list', '--last', '5', '--format', 'json']),
    ]);
    const results = await Promise.all(recorders.map((r) => r.done));
    for (const [i, result] of results.entries()) {
      t.is(result.code, 0, `recorder ${i + 1}: ${result.stderr}`);
      t.false(/locked|busy/i.test(result.stderr), `recorder ${i + 1} never saw a lock`);
    }
    t.deepEqual(failures, [], 'every reader succeeded and saw whole captures');
    const summaries = results.map((r) => JSON.parse(r.stdout) as { captures: number; captures_pruned: number }[]);
    const recorded = summaries.reduce((sum, [s]) => sum + (s?.captures ?? 0), 0);
    const pruned = summaries.reduce((sum, [s]) => sum + (s?.captures_pruned ?? 0), 0);
    const { ids } = assertWholeCaptures(t, db);
    t.is(ids.length, recorded - pruned, 'every capture the recorders reported is there (but those their retention pruned)');
    // Each reader is a Node process: how many fit in 15 s depends on the machine's load, but
    // each kind must have read the recording while the recorders wrote it.
    t.true(Object.values(succeeded).every((n) => n >= 1), `every reader read during the recording (${JSON.stringify(succeeded)})`);
    t.log(`concurrency: ${recorded} captures by 2 recorders (${pruned} pruned), readers ${JSON.stringify(readers)}`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
