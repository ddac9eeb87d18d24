/**
 * A process chooses its own name, terminal control sequences included: every line pssql prints
 * for a person shows it escaped (`\x1b`), never as the control it is; JSON keeps it exact.
 */
import test from 'ava';
import { pssql, tempDir } from '../helpers/cli.js';
import { startNamedTarget } from '../recorder/named-target.js';

const ESCAPE = '\x1b';

test('a name with escape sequences is escaped in record --verbose, diff, trend, show and warnings; JSON has it exactly', async (t) => {
  const name = `\x1b[2J\x1b]0;x${process.pid % 1000}`.slice(0, 15);
  const target = await startNamedTarget(name);
  const db = `${tempDir()}/control.db`;
  try {
    const record = pssql(['record', String(target.pid), '--every', '100ms', '--count', '2', '--verbose', '--db', db]);
    t.is(record.code, 0, record.stderr);
    t.true(record.stderr.includes('\\x1b[2J'), record.stderr);
    for (const args of [['diff', 'first', 'latest'], ['trend', String(target.pid)], ['show', 'latest'], ['list'], ['show', 'latest', 'process']]) {
      const run = pssql([...args, '--db', db]);
      t.is(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      t.false(run.stdout.includes(ESCAPE) || run.stderr.includes(ESCAPE), `${args.join(' ')} prints no escape character`);
      t.true(run.stdout.includes('\\x1b'), `${args.join(' ')} shows it as \\x1b`);
    }
    const json = JSON.parse(pssql(['show', 'latest', 'process', '--format', 'json', '--db', db]).stdout) as { name: string }[];
    t.is(json[0]?.name, name, 'JSON holds the name exactly');
  } finally {
    await target.stop();
  }
});
