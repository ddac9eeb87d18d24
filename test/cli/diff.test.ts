import test from 'ava';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { fdShell } from '../analysis/diff-shell.js';

/** Two captures of a shell whose fds changed in between: in one recording, and split over two. */
let dir: string;
let shellDir: string;
test.before(async () => {
  dir = tempDir();
  const shell = await fdShell();
  shellDir = shell.dir;
  try {
    for (const db of ['both.db', 'before.db']) pssql(['capture', String(shell.pid), '--db', `${dir}/${db}`]);
    await shell.change();
    for (const db of ['both.db', 'after.db']) pssql(['capture', String(shell.pid), '--db', `${dir}/${db}`]);
  } finally {
    await shell.stop();
  }
});

// biome-ignore lint/suspicious/noExplicitAny: the test walks the JSON document as parsed
type Json = any;
const keys = (value: Json) => Object.keys(value).sort();

test('--format json: the documented shape, and a reopened fd as one changed entry', (t) => {
  const diff = pssqlJson<Json>(['diff', '1', '2', '--db', `${dir}/both.db`]);
  t.deepEqual(keys(diff), ['a', 'b', 'counters', 'exceeded', 'fail_if', 'handles', 'include_volatile', 'process', 'regions', 'same_process', 'summary', 'threads']);
  t.deepEqual(keys(diff.a), ['capture_id', 'create_time_us', 'db', 'host', 'name', 'pid', 'started_at_us']);
  t.like(diff, { a: { capture_id: 1, db: `${dir}/both.db`, name: 'bash' }, b: { capture_id: 2 }, same_process: true, include_volatile: false, exceeded: false, fail_if: [] });
  t.deepEqual(keys(diff.summary), ['handle_types', 'kinds', 'memory']);
  t.deepEqual(
    diff.summary.kinds.map((k: Json) => k.kind),
    ['threads', 'handles', 'regions'],
  );
  t.deepEqual(keys(diff.summary.kinds[1]), ['added', 'after', 'before', 'changed', 'kind', 'removed']);
  t.like(diff.summary.kinds[1], { kind: 'handles', added: 1, removed: 1, changed: 1 });
  t.deepEqual(keys(diff.summary.handle_types[0]), ['added', 'after', 'before', 'changed', 'delta', 'removed', 'type']);
  t.deepEqual(keys(diff.summary.memory[0]), ['after', 'before', 'delta', 'field']);
  for (const kind of ['threads', 'handles', 'regions']) t.deepEqual(keys(diff[kind]), ['added', 'changed', 'key', 'removed']);
  t.is(diff.regions.key, 'base_address');

  t.deepEqual(
    diff.handles.added.map((h: Json) => [h.handle_value, h.object_name]),
    [[9, `${shellDir}/a`]],
  );
  t.deepEqual(
    diff.handles.removed.map((h: Json) => h.handle_value),
    [6],
  );
  const [changed] = diff.handles.changed;
  t.deepEqual(keys(changed), ['after', 'before', 'changes', 'key']);
  t.is(changed.key, 8);
  t.deepEqual(
    changed.changes.find((c: Json) => c.field === 'object_name'),
    { field: 'object_name', before: `${shellDir}/a`, after: `${shellDir}/b` },
  );
  t.is(changed.before.type_name, 'File');
  t.is(changed.after.object_name, `${shellDir}/b`);
  t.is(diff.handles.changed.length, 1, 'fd 7, only written to, is not a change');

  const volatile = pssqlJson<Json>(['diff', '1', '2', '--include-volatile', '--db', `${dir}/both.db`]);
  t.true(volatile.include_volatile);
  t.deepEqual(
    volatile.handles.changed.find((c: Json) => c.key === 7)?.changes,
    [{ field: 'position_bytes', before: 0, after: 6 }],
  );
});

test('--fail-if: exit 7 when a threshold is exceeded, 0 when none is; the reason on stderr', (t) => {
  const db = `${dir}/both.db`;
  const ok = pssql(['diff', '1', '2', '--db', db, '--fail-if', 'handles>+0', '--fail-if', 'private>+50MB']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /--fail-if handles>\+0: 0, ok/);
  t.regex(ok.stdout, /--fail-if private>\+50MB: .*, ok/);

  const exceeded = pssql(['diff', '1', '2', '--db', db, '--fail-if', 'handles.File>=3', '--fail-if', 'changed>0', '--format', 'json']);
  t.is(exceeded.code, 7);
  const json = JSON.parse(exceeded.stdout);
  t.true(json.exceeded);
  t.deepEqual(
    json.fail_if.map((r: Json) => [r.threshold, r.metric, r.op, r.mode, r.limit, r.exceeded]),
    [
      ['handles.File>=3', 'handles.File', '>=', 'value', 3, true],
      ['changed>0', 'changed', '>', 'value', 0, true],
    ],
  );
  t.deepEqual(keys(json.fail_if[0]), ['after', 'before', 'exceeded', 'limit', 'metric', 'mode', 'op', 'threshold', 'value']);
  t.regex(exceeded.stderr, /^pssql: --fail-if handles\.File>=3: \d+, EXCEEDED$/m);

  const bad = pssql(['diff', '1', '2', '--db', db, '--fail-if', 'handles>>100']);
  t.is(bad.code, 2);
  t.is(bad.stdout, '');
  t.regex(bad.stderr, /^pssql: invalid --fail-if 'handles>>100': not understood; write METRIC OP VALUE/);
  t.is(bad.stderr.split('\n')[0]?.includes('e.g.'), true);
});

test('captures in two recordings: FILE:REF', (t) => {
  const diff = pssqlJson<Json>(['diff', `${dir}/before.db:latest`, `${dir}/after.db:1`]);
  t.like(diff, { a: { db: `${dir}/before.db`, capture_id: 1 }, b: { db: `${dir}/after.db`, capture_id: 1 }, same_process: true });
  t.like(diff.summary.kinds[1], { added: 1, removed: 1, changed: 1 });
  // One side in --db, the other in another file.
  const mixed = pssqlJson<Json>(['diff', '1', `${dir}/after.db:first`, '--db', `${dir}/before.db`]);
  t.deepEqual(mixed.summary, diff.summary);

  const missing = pssql(['diff', '1', '9', '--db', `${dir}/both.db`]);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /^pssql: no capture 9 in .*both\.db/);
  const nofile = pssql(['diff', `${dir}/nothing.db:1`, '1', '--db', `${dir}/both.db`]);
  t.is(nofile.code, 3);
});

test('the table: who, the summary, then the details', (t) => {
  const { code, stdout } = pssql(['diff', 'first', 'latest', '--db', `${dir}/both.db`]);
  t.is(code, 0);
  const at = (text: string) => stdout.indexOf(text);
  t.regex(stdout, /^A {2}capture 1 in .*both\.db: pid \d+ bash on /);
  t.regex(stdout, /\nB {2}capture 2 in /);
  t.regex(stdout, /same process instance; volatile fields .* not compared/);
  t.regex(stdout, /\nhandles +\d+ +\d+ +0 +1 +1 +1\n/, 'kind, before, after, delta, added, removed, changed');
  t.regex(stdout, /\nFile +\d+ +\d+ +0 +1 +1 +1\n/);
  t.regex(stdout, /\nmemory +before_bytes +after_bytes +delta\n/);
  t.regex(stdout, /handles added \(1\)\nhandle_value +type_name +object_name\n[- ]+\n +9 +File +.*\/a\n/);
  t.regex(stdout, /handles removed \(1\)\n/);
  t.regex(stdout, new RegExp(`handles changed \\(1\\)\\n {2}handle_value 8\\n(.*\\n)* +object_name +${shellDir}/a → ${shellDir}/b\\n`));
  t.true(at('kind') < at('handle_type') && at('handle_type') < at('memory') && at('memory') < at('handles added'), 'summary first');

  const csv = pssql(['diff', 'first', 'latest', '--db', `${dir}/both.db`, '--format', 'csv']).stdout.trim().split('\n');
  t.is(csv[0], 'kind,change,key,name,field,before,after');
  t.true(csv.includes(`handles,added,9,${shellDir}/a,,,`));
  t.true(csv.includes(`handles,removed,6,${shellDir}/gone,,,`));
  t.true(csv.includes(`handles,changed,8,${shellDir}/b,object_name,${shellDir}/a,${shellDir}/b`));
});
