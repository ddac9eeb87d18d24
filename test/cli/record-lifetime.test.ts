/**
 * A recorder stops cleanly however it was started: through npx in a real terminal, Ctrl-C gives
 * the summary and exit 0; a SIGTERM to npx, or any end of the process that started pssql, makes
 * it finish the capture in progress and exit, never run on as an orphan.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import test from 'ava';
import { PSSQL_BIN, tempDir } from '../helpers/cli.js';
import { assertWholeCaptures } from '../helpers/consistency.js';
import { PROJECT_ROOT, startTarget, type Target } from '../helpers/target.js';
import { haveTmux, Terminal } from '../helpers/terminal.js';

let target: Target;
test.before(async () => {
  target = await startTarget(['--files', '3']);
});
test.after.always(async () => {
  await target?.stop();
});

const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

/** Waits until a process is gone (or a zombie); false after `timeoutMs`. */
function gone(pid: number, timeoutMs = 30_000): boolean {
  const until = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    spawnSync('sleep', ['0.1']);
  }
  return true;
}

/** The pids of processes whose command line contains every one of `parts`. */
function pidsOf(...parts: string[]): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        return parts.every((p) => argv.includes(p));
      } catch {
        return false;
      }
    })
    .map(Number);
}

test.serial('through npx in a terminal, Ctrl-C stops the recorder: the summary, and exit 0', (t) => {
  if (!haveTmux(t)) return;
  const db = `${tempDir()}/npx.db`;
  const term = Terminal.start({ width: 120, cwd: PROJECT_ROOT });
  try {
    term.line(`npx pssql record ${target.pid} --every 200ms --verbose --db ${db}; echo "exit=$?"`);
    term.waitFor(/round 3: capture 3 of/, 120_000);
    term.press('C-c');
    const screen = term.waitFor(/^exit=\d+$/m);
    t.regex(screen, /^exit=0$/m, 'npx exits 0, as pssql did');
    t.regex(screen, /pssql: SIGINT: stopping after the capture in progress/);
    t.regex(screen, /^stopped_by +SIGINT$/m);
    t.regex(screen, /^captures +\d+$/m);
    t.deepEqual(pidsOf('pssql', 'record', db), [], 'nothing left running');
    assertWholeCaptures(t, db);
  } finally {
    term.kill();
  }
});

test.serial('a SIGTERM to npx ends the recorder too: it finishes its capture and exits, no orphan', (t) => {
  if (!haveTmux(t)) return;
  const db = `${tempDir()}/npx-term.db`;
  const term = Terminal.start({ width: 120, cwd: PROJECT_ROOT });
  try {
    term.line(`npx pssql record ${target.pid} --every 200ms --verbose --db ${db} 2>&1 | tee ${db}.log`);
    term.waitFor(/round 3: capture 3 of/, 120_000);
    const [npm] = pidsOf('npm exec pssql record', db);
    const [recorder] = pidsOf('bin/pssql record', db);
    t.truthy(npm, 'npm runs');
    t.truthy(recorder, 'and pssql under it');
    process.kill(npm as number, 'SIGTERM');
    t.true(gone(recorder as number), 'the recorder exits once npm is gone');
    const log = fs.readFileSync(`${db}.log`, 'utf8');
    t.regex(log, /pssql: the process that started pssql \(pid \d+\) exited: stopping after the capture in progress/);
    t.regex(log, /^stopped_by +parent-exited$/m);
    assertWholeCaptures(t, db);
  } finally {
    term.kill();
  }
});

test.serial('without npx too: when the process that started it exits, the recorder finishes and exits', (t) => {
  const dir = tempDir();
  const db = `${dir}/orphan.db`;
  // A shell that starts pssql in the background and exits at once: pssql is orphaned.
  const shell = spawnSync(
    'sh',
    [
      '-c',
      `"${process.execPath}" "${PSSQL_BIN}" record ${target.pid} --every 100ms --verbose --format json --db ${db} > ${dir}/out.json 2> ${dir}/err.txt & echo $!; ` +
        `until grep -q 'capture 2 of' ${dir}/err.txt 2>/dev/null; do sleep 0.1; done`,
    ],
    { encoding: 'utf8' },
  );
  const pid = Number(shell.stdout.trim());
  t.true(pid > 0, shell.stderr);
  t.true(gone(pid), 'the orphan exits by itself');
  const [summary] = JSON.parse(fs.readFileSync(`${dir}/out.json`, 'utf8')) as Record<string, unknown>[];
  t.like(summary, { stopped_by: 'parent-exited', failures: 0 });
  t.true((summary?.captures as number) >= 1);
  t.regex(fs.readFileSync(`${dir}/err.txt`, 'utf8'), /the process that started pssql \(pid \d+\) exited/);
  assertWholeCaptures(t, db);
});
