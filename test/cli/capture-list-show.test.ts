import * as fs from 'node:fs';
import test from 'ava';
import { pssql, pssqlJson, tempDir } from '../helpers/cli.js';
import { mapsLineCount, procEntries, startTarget, type Target } from '../helpers/target.js';

let target: Target;
test.before(async () => {
  target = await startTarget(['--files', '2', '--pipes', '3', '--tcp', '1', '--eventfds', '1', '--threads', '2', '--regions', '6']);
});
test.after.always(async () => {
  await target?.stop();
});

test('capture records a live process with the counts /proc shows', (t) => {
  const db = `${tempDir()}/cli.db`;
  const [row] = pssqlJson(['capture', String(target.pid), '--db', db, '--label', 'first']);
  t.is(row?.capture_id, 1);
  t.is(row?.pid, target.pid);
  t.is(row?.name, 'target');
  t.is(row?.handles, procEntries(target.pid, 'fd').length);
  t.is(row?.threads, 3);
  t.is(row?.regions, mapsLineCount(target.pid));

  const [listed] = pssqlJson(['list', '--db', db]);
  t.like(listed, { capture_id: 1, pid: target.pid, name: 'target', handles: row?.handles, label: 'first' });

  const handles = pssqlJson(['show', 'latest', 'handles', '--db', db]);
  t.is(handles.length, row?.handles as number);
  t.is(handles.filter((h) => h.type_name === 'Pipe').length, 6, '3 pipes are 6 fds of type Pipe');
  const sockets = pssqlJson(['show', '1', 'handles', '--type', 'socket', '--db', db]);
  t.true(sockets.some((s) => s.protocol === 'tcp' && s.socket_state === 'LISTEN' && s.local_address === `127.0.0.1:${target.tcpPort}`));

  const threads = pssqlJson(['show', '1', 'threads', '--db', db]);
  t.deepEqual(threads.map((th) => th.name).sort(), ['fx-worker-0', 'fx-worker-1', 'target']);
  const regions = pssqlJson(['show', '1', 'regions', '--db', db]);
  t.is(regions.length, row?.regions as number);
  t.regex(String(regions[0]?.base_address), /^0x[0-9a-f]+$/, 'addresses are hex strings in JSON');
  const [process] = pssqlJson(['show', '1', 'process', '--db', db]);
  t.is(process?.process_id, target.pid);
  const counters = pssqlJson(['show', '1', 'counters', '--db', db]);
  t.deepEqual(counters.map((c) => c.phase).sort(), ['aux_pages', 'handles', 'threads', 'total', 'va_clone', 'va_space']);
});

test('the table format is readable: headers, hex addresses, human sizes', (t) => {
  const db = `${tempDir()}/table.db`;
  t.is(pssql(['capture', String(target.pid), '--db', db]).code, 0);
  const out = pssql(['show', 'latest', 'regions', '--db', db]).stdout;
  t.regex(out.split('\n')[0] ?? '', /^\s*base_address\s+region_size_bytes\s+protection/);
  t.regex(out, /0x[0-9a-f]{8,}\s+4\.0 KiB\s+rw-/);
  const empty = pssql(['show', 'latest', 'handles', '--type', 'NoSuchType', '--db', db]);
  t.is(empty.code, 0);
  t.regex(empty.stdout, /^handle_value\s+type_name/, 'headers even without rows');
  const csv = pssql(['list', '--db', db, '--format', 'csv']).stdout.split('\n');
  t.regex(csv[0] ?? '', /^capture_id,started_at_us,pid,name,/);
  const ndjson = pssql(['show', 'latest', 'threads', '--db', db, '--format', 'ndjson']).stdout.trim().split('\n');
  t.is(ndjson.length, 3);
  t.is(JSON.parse(ndjson[0] ?? '{}').thread_id, target.pid);
});

test('the default recording is pssql.db in the working directory, or $PSSQL_DB', (t) => {
  const dir = tempDir();
  t.is(pssql(['capture', String(target.pid)], { cwd: dir }).code, 0);
  t.true(fs.existsSync(`${dir}/pssql.db`));
  t.is(pssql(['capture', String(target.pid)], { cwd: dir, env: { PSSQL_DB: `${dir}/env.db` } }).code, 0);
  t.is(pssqlJson(['list'], { cwd: dir, env: { PSSQL_DB: `${dir}/env.db` } }).length, 1);
  t.is(pssqlJson(['list'], { cwd: dir }).length, 1);
});

test('export and import move a capture to another recording unchanged', (t) => {
  const dir = tempDir();
  pssql(['capture', String(target.pid), '--db', `${dir}/a.db`]);
  t.is(pssql(['export', 'latest', '--db', `${dir}/a.db`, '-o', `${dir}/snap.json`]).code, 0);
  const [imported] = pssqlJson(['import', `${dir}/snap.json`, '--db', `${dir}/b.db`]);
  t.is(imported?.pid, target.pid);
  const a = pssqlJson(['show', 'latest', 'handles', '--all', '--db', `${dir}/a.db`]);
  const b = pssqlJson(['show', 'latest', 'handles', '--all', '--db', `${dir}/b.db`]);
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ capture_id, handle_version_id, type_name_id, object_name_id, ...rest }) => rest);
  t.deepEqual(strip(b), strip(a));
});

test('capturing several pids records each; one that fails does not stop the others', (t) => {
  const db = `${tempDir()}/several.db`;
  const result = pssql(['capture', String(target.pid), '4194000', String(process.pid), '--db', db, '--format', 'json']);
  t.is(result.code, 3, 'the failure decides the exit code');
  t.regex(result.stderr, /^pssql: cannot capture pid 4194000: no such process\n$/);
  t.deepEqual(
    (JSON.parse(result.stdout) as { pid: number }[]).map((r) => r.pid),
    [target.pid, process.pid],
  );
});

test('--flags -x alone is the default without x, and +x the default with it (written apart or with =)', (t) => {
  const db = `${tempDir()}/flags.db`;
  for (const args of [['--flags', '-threads'], ['--flags=-threads']]) {
    const [row] = pssqlJson(['capture', String(target.pid), ...args, '--db', db]);
    t.is(row?.threads, null, `${args.join(' ')}: no threads`);
    t.is(row?.handles, procEntries(target.pid, 'fd').length, `${args.join(' ')}: the default's handles`);
    t.is(row?.regions, mapsLineCount(target.pid), `${args.join(' ')}: and regions`);
  }
  const [summary] = pssqlJson(['show', 'latest', '--db', db]);
  t.false(String(summary?.flags).split(',').includes('threads'));
  t.true(String(summary?.flags).split(',').includes('thread-context') === false, 'a detail flag of threads goes with them');
});

test('capture --name captures the processes of that name, as record --name does; a name of none is exit 3 and no recording', (t) => {
  const db = `${tempDir()}/named.db`;
  const rows = pssqlJson(['capture', '--name', 'target', '--db', db]);
  t.true(rows.some((r) => r.pid === target.pid && r.name === 'target'));
  const none = pssql(['capture', '--name', 'no-such-process-name', '--db', `${db}.2`]);
  t.is(none.code, 3);
  t.regex(none.stderr, /^pssql: no process named 'no-such-process-name'/);
  t.false(fs.existsSync(`${db}.2`), 'nothing was created');
  const dead = pssql(['capture', '4194000', '--db', `${db}.3`]);
  t.is(dead.code, 3);
  t.false(fs.existsSync(`${db}.3`), 'a capture of a pid that does not exist leaves no empty recording behind');
  const nothing = pssql(['capture', '--db', db]);
  t.is(nothing.code, 2);
  t.regex(nothing.stderr, /say what to capture: pids, or --name NAME/);
});

test('Linux tables leave out what only Windows has; show says whether a capture has --details sizes; --all shows enums by name', (t) => {
  const db = `${tempDir()}/platform.db`;
  t.is(pssql(['capture', String(target.pid), '--db', db]).code, 0);
  t.is(pssql(['capture', String(target.pid), '--details', '--db', db]).code, 0);
  const summary = (ref: string) => pssql(['show', ref, '--db', db]).stdout;
  t.regex(summary('1'), /^details +no \(capture --details reads them\)$/m);
  t.regex(summary('2'), /^details +yes: per-region resident, private and swap sizes$/m);
  t.is(pssqlJson(['show', '2', '--db', db])[0]?.details, true, 'JSON: a boolean');

  const process = pssql(['show', 'latest', 'process', '--db', db]).stdout;
  for (const windows of ['exit_status', 'peb_base_address', 'quota_paged_pool_usage_bytes', 'peak_pagefile_usage_bytes', 'execute_flags']) {
    t.false(new RegExp(`^${windows} `, 'm').test(process), `no ${windows} in a Linux table`);
  }
  t.regex(process, /^working_set_size_bytes +\d/m);
  const json = pssqlJson(['show', 'latest', 'process', '--db', db])[0] ?? {};
  t.like(json, { exit_status: 259, peb_base_address: null }, 'JSON keeps every column');

  const counters = pssql(['show', 'latest', 'counters', '--db', db]).stdout;
  t.false(/^va_clone|^aux_pages/m.test(counters), 'no Windows-only capture phase');
  t.false(/cycle_count/.test(counters));
  t.is(pssqlJson(['show', 'latest', 'counters', '--db', db]).length, 6, 'JSON has every phase');

  const regions = pssql(['show', 'latest', 'regions', '--all', '--db', db]).stdout;
  const [header, , first] = regions.split('\n');
  t.regex(header ?? '', /\bstate +protect +type\b/);
  t.regex(first ?? '', /\b(commit|reserve) +[r-][w-][x-] +(image|mapped|private)\b/, 'enums by name');
  t.false(/mapped_file_name_id|check_sum/.test(header ?? ''), 'no string ids, no Windows-only column');
  t.regex(header ?? '', /resident_bytes/, 'the --details sizes of this capture');
  const raw = pssqlJson(['show', 'latest', 'regions', '--all', '--db', db])[0] ?? {};
  t.true(typeof raw.state === 'number' && 'mapped_file_name_id' in raw, 'JSON: raw values, every column');
  t.is(pssqlJson(['show', 'latest', 'regions', '--limit', '3', '--db', db]).length, 3, '--limit rows');
});
