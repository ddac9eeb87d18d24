/**
 * Output in a real terminal (tmux): tables fit its width, cutting only the widest text column,
 * never on --wide or when the output is not a terminal; help wraps at word boundaries at any
 * width; `pssql` alone prints the command list.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import test from 'ava';
import { pssql, tempDir } from '../helpers/cli.js';
import { haveTmux, Terminal } from '../helpers/terminal.js';

const dir = tempDir();
const db = `${dir}/t.db`;
const longName = `${dir}/${'a-long-directory-name/'.repeat(6)}the-file-at-the-end.log`;
let holder: ReturnType<typeof spawn> | undefined;

test.before(() => {
  fs.mkdirSync(longName.slice(0, longName.lastIndexOf('/')), { recursive: true });
  fs.writeFileSync(longName, '');
  holder = spawn('sleep', ['300'], { stdio: ['ignore', 'ignore', 'ignore', fs.openSync(longName, 'r')] });
  const label = `a label that is much longer than any terminal is wide, ${'and longer still, '.repeat(8)}the end`;
  const result = pssql(['capture', String(holder.pid), '--db', db, '--label', label]);
  if (result.code !== 0) throw new Error(result.stderr);
});
test.after.always(() => {
  holder?.kill();
});

const longest = (text: string): number => Math.max(...text.split('\n').map((l) => l.length));

test('on an 80-column terminal a table fits: the widest text column is cut with …, numbers are not', (t) => {
  if (!haveTmux(t)) return;
  const term = Terminal.start({ width: 80, cwd: dir });
  try {
    const { output, code } = term.run(`pssql show latest handles --db ${db}`);
    t.is(code, 0, output);
    t.true(longest(output) <= 80, `no line is wider than the terminal:\n${output}`);
    const line = output.split('\n').find((l) => /^\s+3\s/.test(l));
    t.truthy(line, 'fd 3 is shown');
    t.regex(line ?? '', /…/, 'its long name is cut with an ellipsis');
    t.true(longName.startsWith((line ?? '').replace(/^.*?(\/\S*)….*$/, '$1')), 'what is shown is the start of the name');
    t.regex(output, /^handle_value\s+type_name\s+object_name/m, 'the header is whole');

    const record = term.run(`pssql show latest --db ${db}`);
    t.true(longest(record.output) <= 80, `a record fits too:\n${record.output}`);
    t.regex(record.output, /^label\s+a label that is much longer.*…$/m);
  } finally {
    term.kill();
  }
});

test('--wide, and output that is not a terminal, are never cut', (t) => {
  if (!haveTmux(t)) return;
  const term = Terminal.start({ width: 80, cwd: dir });
  try {
    for (const command of [`pssql show latest handles --wide --db ${db}`, `pssql show latest handles --db ${db} | cat`]) {
      const { output, code } = term.run(command);
      t.is(code, 0, output);
      t.true(output.includes(longName), `${command}: the whole name`);
      t.false(output.includes('…'), `${command}: nothing cut`);
    }
    const piped = pssql(['show', 'latest', '--db', db]);
    t.regex(piped.stdout, /and longer still, the end$/m, 'a record sent to a pipe is whole');
  } finally {
    term.kill();
  }
});

/** The words of a text, sorted: what wrapping may move but never change. */
const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '').sort();

test('help wraps at word boundaries at any width', (t) => {
  if (!haveTmux(t)) return;
  const commands = ['', 'capture', 'record', 'diff', 'report', 'query', 'trend', 'list'];
  // From 50 columns up: below that yargs cuts its option column narrower than --include-volatile.
  for (const width of [50, 64, 80, 120]) {
    const term = Terminal.start({ width, cwd: dir });
    try {
      for (const command of commands) {
        const args = command === '' ? '--help' : `${command} --help`;
        const { output, code } = term.run(`pssql ${args}`);
        t.is(code, 0, `${args} at ${width}`);
        t.true(longest(output) <= width, `pssql ${args} fits ${width} columns:\n${output}`);
        // The same words as the help printed to a pipe (at 100 columns): none was split.
        t.deepEqual(words(output), words(pssql(args.split(' ')).stdout), `pssql ${args} at ${width}: no word split`);
      }
    } finally {
      term.kill();
    }
  }
});

test('pssql without a command prints the command list and exits 2', (t) => {
  if (!haveTmux(t)) return;
  const term = Terminal.start({ width: 100, cwd: dir });
  try {
    const { output, code } = term.run('pssql');
    t.is(code, 2);
    t.regex(output, /^Commands:$/m);
    for (const command of ['capture', 'list', 'show', 'report', 'query', 'schema', 'export', 'import', 'record', 'diff', 'trend']) {
      t.regex(output, new RegExp(`^  pssql ${command}\\b`, 'm'), `${command} is listed`);
    }
    t.regex(output, /pssql: name a command \(see the list above\)/);
  } finally {
    term.kill();
  }
});

test("report NAME --help shows that report's parameters, description and examples; report --list reads on 80 columns", (t) => {
  if (!haveTmux(t)) return;
  const term = Terminal.start({ width: 80, cwd: dir });
  try {
    const help = term.run('pssql report leak-suspects --help');
    t.is(help.code, 0);
    t.true(longest(help.output) <= 80, help.output);
    t.regex(help.output, /^pssql report leak-suspects \[parameters\]$/m);
    t.regex(help.output, /^Suspected handle \(fd\) leaks/m, 'its description');
    t.regex(help.output, /^ {2}--min-captures INTEGER +\(default 3\) only types counted/m, 'its own parameters');
    t.regex(help.output, /^ {2}--since TIME +\(optional\)/m, 'and those of the report it uses');
    t.regex(help.output, /^Examples:\n {2}pssql report leak-suspects\n/m, 'its examples');
    const list = term.run('pssql report --list');
    t.is(list.code, 0);
    t.true(longest(list.output) <= 80, list.output);
    for (const name of ['capture-cost', 'handles-by-type', 'leak-suspects', 'sockets', 'threads-by-cpu']) t.regex(list.output, new RegExp(`^${name} +\\S`, 'm'));
    t.regex(list.output, /^ {22}--capture=latest --state --pid --name$/m, "a report's parameters under its description");
    t.false(list.output.includes('…'), 'the list wraps, it does not cut');
  } finally {
    term.kill();
  }
});
