import test from 'ava';
import { renderTrendHtml, renderTrendSvg } from '../../src/analysis/trend-chart.js';
import { sparkline } from '../../src/analysis/trend-sparkline.js';
import { processTrend } from '../../src/analysis/trend.js';
import { PssError } from '../../src/pss/index.js';
import { startRecorder } from '../../src/recorder/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { pssql, tempDir } from '../helpers/cli.js';
import { startTarget } from '../helpers/target.js';
import { startNamedTarget, uniqueName } from '../recorder/named-target.js';
import { recordCaptures } from './record-target.js';
import { descendants, parseXml, type XmlElement } from './trend-xml.js';

const seriesKeys = (root: XmlElement) => [...descendants(root)].filter((e) => e.attributes.class === 'series').map((e) => e.attributes['data-key']);

/** The handles of each type per capture, as the views count them. */
function handleCounts(store: Store): Map<string, number[]> {
  const rows = store.db
    .prepare('SELECT capture_id, type_name, count(*) AS n FROM handles GROUP BY capture_id, type_name ORDER BY capture_id')
    .all() as { capture_id: number; type_name: string; n: number }[];
  const ids = [...new Set(rows.map((r) => r.capture_id))];
  const counts = new Map<string, number[]>();
  for (const r of rows) {
    if (!counts.has(r.type_name)) counts.set(r.type_name, ids.map(() => 0));
    (counts.get(r.type_name) as number[])[ids.indexOf(r.capture_id)] = r.n;
  }
  return counts;
}

test('a trend has a series per handle type with the counts of every capture, and a chart with one line each', async (t) => {
  const target = await startTarget(['--files', '2', '--pipes', '2', '--eventfds', '1', '--open-every', '25']);
  const store = openStore(`${tempDir()}/trend.db`);
  try {
    await startRecorder({ store, pids: [target.pid], everyUs: 40_000, count: 6 }).done;
    const trend = await processTrend(store, { pid: target.pid });
    t.is(trend.points.length, 6);
    t.deepEqual(trend.pids, [target.pid]);
    t.is(trend.name, 'target');
    const counts = handleCounts(store);
    const types = trend.series.filter((s) => s.key.startsWith('handles.'));
    t.deepEqual(types.map((s) => s.label).sort(), [...counts.keys()].sort());
    for (const s of types) t.deepEqual(s.values, counts.get(s.label), s.key);
    const files = types.find((s) => s.label === 'File')?.values as number[];
    t.true((files.at(-1) as number) > (files[0] as number), 'the leak grows');
    for (const key of ['handles', 'threads', 'regions', 'working_set_size_bytes', 'private_usage_bytes', 'virtual_size_bytes']) {
      t.is(trend.series.find((s) => s.key === key)?.values.length, 6, key);
    }

    const svg = parseXml(renderTrendSvg(trend));
    t.is(svg.name, 'svg');
    t.is(svg.attributes.xmlns, 'http://www.w3.org/2000/svg');
    t.deepEqual(seriesKeys(svg), trend.series.map((s) => s.key), 'one line per series, handle types among them');
    const panels = [...descendants(svg)].filter((e) => e.attributes.class === 'panel').map((e) => e.attributes['data-panel']);
    t.deepEqual(panels, ['handles', 'threads', 'regions', 'memory', 'virtual']);
    const texts = [...descendants(svg)].filter((e) => e.name === 'text').map((e) => e.text);
    t.true(texts.includes('Handles by type'), 'titled panels');
    t.true(texts.some((x) => /^File \d+ $/.test(x)), 'a legend with the last value');
    t.true(texts.includes('0'), 'a time axis from the first capture');
    const filesLine = [...descendants(svg)].find((e) => e.attributes['data-key'] === 'handles.File');
    t.is(filesLine?.children.filter((c) => c.name === 'circle').length, 6, 'a point per capture');

    const html = parseXml(renderTrendHtml(trend));
    t.is(html.name, 'html');
    const body = html.children.find((c) => c.name === 'body') as XmlElement;
    t.deepEqual(
      body.children.map((c) => c.name),
      ['h1', 'svg', 'table'],
    );
    t.deepEqual(seriesKeys(body), trend.series.map((s) => s.key));
  } finally {
    store.close();
    await target.stop();
  }
});

test('a name that restarted is one trend across its pids, marked where the new one begins; two at once are ambiguous', async (t) => {
  const name = uniqueName('psstrend');
  const store = openStore(`${tempDir()}/restart.db`);
  try {
    const first = await startNamedTarget(name);
    await startRecorder({ store, pids: [first.pid], everyUs: 20_000, count: 2 }).done;
    await first.stop();
    const second = await startNamedTarget(name, ['--files', '3']);
    await startRecorder({ store, pids: [second.pid], everyUs: 20_000, count: 2 }).done;

    const trend = await processTrend(store, { name });
    t.deepEqual(trend.pids, [first.pid, second.pid]);
    t.is(trend.points.length, 4);
    const svg = parseXml(renderTrendSvg(trend));
    const notes = [...descendants(svg)].filter((e) => e.attributes.class === 'note').map((e) => e.text);
    t.true(notes.includes(`pid ${second.pid}`));

    // A third process of that name recorded while the second runs: which one is meant?
    const third = await startNamedTarget(name);
    await startRecorder({ store, pids: [second.pid, third.pid], everyUs: 20_000, count: 2 }).done;
    await second.stop();
    await third.stop();
    const error = await t.throwsAsync(processTrend(store, { name }), { instanceOf: PssError });
    t.is(error?.code, 'ERROR_INVALID_PARAMETER');
    t.regex(error?.message ?? '', new RegExp(`names 3 processes recorded at the same time .*${third.pid} \\(${name}\\): 2 captures.*: give one pid`));
    t.is((await processTrend(store, { pid: third.pid })).points.length, 2);
    await t.throwsAsync(processTrend(store, { pid: 1 }), { instanceOf: PssError, message: /^no captures of pid 1 in / });
  } finally {
    store.close();
  }
});

test('sparklines: lowest ▁, highest █, gaps, flat lines, and buckets that keep spikes', (t) => {
  t.is(sparkline([1, 2, 3, 5, 8]), '▁▂▃▅█');
  t.is(sparkline([4, 4, 4]), '▁▁▁');
  t.is(sparkline([1, null, 3]), '▁ █');
  t.is(sparkline([null, null]), '  ');
  t.is(sparkline([]), '');
  t.is(sparkline([0, 0, 0, 9, 0, 0, 0, 0], 4), '▁█▁▁', 'a spike inside a bucket is not averaged away');
  t.is(sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5).length, 5);
  t.throws(() => sparkline([1], 0), { instanceOf: RangeError });
});

/** Records a target 3 times and, once it has ended, another one twice: the first and the second, both ended. */
async function recordOneAfterTheOther(store: Store): Promise<[{ pid: number }, { pid: number }]> {
  const first = await startTarget(['--files', '5']);
  await startRecorder({ store, pids: [first.pid], everyUs: 20_000, count: 3 }).done;
  await first.stop();
  const second = await startTarget(['--files', '1']);
  await startRecorder({ store, pids: [second.pid], everyUs: 20_000, count: 2 }).done;
  await second.stop();
  return [{ pid: first.pid }, { pid: second.pid }];
}

test('a pid means its latest process: an earlier process under the same pid is left out, and counted', async (t) => {
  const store = openStore(`${tempDir()}/reused.db`);
  try {
    const [earlier, later] = await recordOneAfterTheOther(store);
    // The kernel reuses a pid once its process has ended: as if the later process had the earlier's.
    for (const table of ['captures', 'process_instances']) store.db.prepare(`UPDATE ${table} SET pid = ? WHERE pid = ?`).run(earlier.pid, later.pid);
    const trend = await processTrend(store, { pid: earlier.pid });
    t.is(trend.points.length, 2, 'the captures of the latest process only');
    t.is(trend.otherProcesses, 1);
    t.deepEqual(new Set(trend.points.map((p) => p.instance_id)).size, 1);
    t.is((await processTrend(store, { name: 'target' })).otherProcesses, 0, 'a name is followed across restarts, as before');
    // A clock stepped back: the earlier process's captures seem to overlap the later one's. In one
    // recording a pid still means its latest process; a name is ambiguous then.
    const laterStart = store.db.prepare('SELECT min(started_at_us) FROM captures WHERE seq = 1 AND capture_id > (SELECT min(capture_id) FROM captures)').pluck().get() as number;
    store.db.prepare('UPDATE captures SET started_at_us = started_at_us - (SELECT min(started_at_us) FROM captures) + ? + 1 WHERE instance_id = (SELECT min(instance_id) FROM captures)').run(laterStart);
    const stepped = await processTrend(store, { pid: earlier.pid });
    t.is(new Set(stepped.points.map((p) => p.instance_id)).size, 1, 'one process: the one with the newest capture');
    t.is(stepped.otherProcesses, 1);
    await t.throwsAsync(processTrend(store, { name: 'target' }), { message: /names 2 processes recorded at the same time/ });
  } finally {
    store.close();
  }
});

test('a pid or name recorded on two hosts (a store pushed into) asks for --host, and gives each host its own trend', async (t) => {
  const db = `${tempDir()}/hosts.db`;
  const store = openStore(db);
  let host = '';
  let pid = 0;
  try {
    const [there, here] = await recordOneAfterTheOther(store);
    // The same pid on another host, as two hosts' recordings pushed into one store can have it.
    pid = here.pid;
    host = store.db.prepare('SELECT host FROM captures WHERE pid = ?').pluck().get(pid) as string;
    for (const table of ['captures', 'process_instances']) store.db.prepare(`UPDATE ${table} SET pid = ?, host = 'other-host' WHERE pid = ?`).run(pid, there.pid);
    const hosts = [host, 'other-host'].sort().join(', ');
    for (const filter of [{ pid }, { name: 'target' }, { pid, limit: 1 }]) {
      const error = await t.throwsAsync(processTrend(store, filter), { instanceOf: PssError });
      t.is(error?.code, 'ERROR_INVALID_PARAMETER');
      t.regex(error?.message ?? '', new RegExp(`was recorded on 2 hosts \\(${hosts}\\): say which with --host$`));
    }
    t.is((await processTrend(store, { pid, host: 'other-host' })).points.length, 3);
    const mine = await processTrend(store, { pid, host });
    t.is(mine.points.length, 2);
    t.is(mine.otherProcesses, 0, 'the other host’s process is not an earlier one');
  } finally {
    store.close();
  }
  const cli = pssql(['trend', String(pid), '--db', db]);
  t.is(cli.code, 2, cli.stderr);
  t.is(cli.stderr, `pssql: pid ${pid} was recorded on 2 hosts (${[host, 'other-host'].sort().join(', ')}): say which with --host\n`);
  t.is(pssql(['trend', String(pid), '--host', 'other-host', '--db', db, '--format', 'json']).code, 0);
});

test('a process recorded twice at the same time (two recordings pushed into one store) asks for --recording', async (t) => {
  const dir = tempDir();
  const target = await startTarget(['--files', '3']);
  try {
    await Promise.all([recordCaptures(`${dir}/a.db`, target.pid, 4, 30), recordCaptures(`${dir}/b.db`, target.pid, 4, 30)]);
  } finally {
    await target.stop();
  }
  const store = `${dir}/fleet.db`;
  for (const file of ['a', 'b']) t.is(pssql(['push', store, '--db', `${dir}/${file}.db`]).code, 0);
  const ids = (JSON.parse(pssql(['list', '--hosts', '--db', store, '--format', 'json']).stdout) as { recording_id: string }[]).map((h) => h.recording_id).sort();
  t.is(ids.length, 2);
  for (const args of [[String(target.pid)], ['--name', 'target']]) {
    const cli = pssql(['trend', ...args, '--db', store]);
    t.is(cli.code, 2, cli.stderr);
    t.regex(cli.stderr, new RegExp(`^pssql: .* was recorded at the same time in 2 recordings \\(${ids.join(', ')}\\): say which with --recording\\n$`));
  }
  const one = pssql(['trend', String(target.pid), '--recording', ids[0] as string, '--db', store, '--format', 'json']);
  t.is(one.code, 0, one.stderr);
  t.is((JSON.parse(one.stdout) as unknown[]).length, 4, 'the four captures of that recording');
});
