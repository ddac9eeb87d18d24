import * as fs from 'node:fs';
import test from 'ava';
import type { Selectable } from 'kysely';
import { type CaptureSummary, type Database, type HandleTypePoint, openRecording, type QueryResult } from '../../src/index.js';
import { type Equal, expectType } from './expect-type.js';
import { recordTarget, type RecordedTarget } from './record-target.js';

/*
 * A user's typed queries get the types the values really have: this file compiles only if they
 * do (tsc runs before ava), and the test checks the runtime values agree.
 */

let recorded: RecordedTarget;
test.before(async () => {
  recorded = await recordTarget(['--files', '1', '--pipes', '1', '--threads', '1', '--regions', '2'], 1);
});
test.after.always(async () => {
  await recorded?.target.stop();
});

test('Kysely queries over tables and views: u64 columns are bigint, integers number, nullable columns | null', async (t) => {
  const rec = openRecording(recorded.db);
  try {
    const captureId = (await rec.capture('latest')).capture_id;
    expectType<Equal<typeof captureId, number>>();

    const regions = await rec.db
      .selectFrom('regions')
      .select(['base_address', 'allocation_base', 'region_size_bytes', 'mapped_file_name', 'image_base', 'protect'])
      .where('capture_id', '=', captureId)
      .execute();
    type Region = (typeof regions)[number];
    expectType<Equal<Region['base_address'], bigint>>();
    expectType<Equal<Region['allocation_base'], bigint>>();
    expectType<Equal<Region['image_base'], bigint | null>>();
    expectType<Equal<Region['region_size_bytes'], number>>();
    expectType<Equal<Region['mapped_file_name'], string | null>>();
    expectType<Equal<Region['protect'], number>>();

    const handles = await rec.db
      .selectFrom('handles as h')
      .innerJoin('object_types as o', 'o.object_type', 'h.object_type')
      .select(['h.handle_value', 'h.object_name', 'h.type_name', 'h.position_bytes', 'o.name as object_type_name'])
      .where('h.capture_id', '=', captureId)
      .execute();
    type Handle = (typeof handles)[number];
    expectType<Equal<Handle['handle_value'], number>>();
    expectType<Equal<Handle['object_name'], string | null>>();
    expectType<Equal<Handle['position_bytes'], number | null>>();
    expectType<Equal<Handle['object_type_name'], string>>();

    const threads = await rec.db.selectFrom('threads').select(['thread_id', 'instruction_pointer', 'affinity_mask', 'state']).execute();
    type Thread = (typeof threads)[number];
    expectType<Equal<Thread['thread_id'], number>>();
    expectType<Equal<Thread['instruction_pointer'], bigint | null>>();
    expectType<Equal<Thread['affinity_mask'], bigint | null>>();
    expectType<Equal<Thread['state'], string | null>>();

    const capture = await rec.db.selectFrom('captures').selectAll().executeTakeFirstOrThrow();
    expectType<Equal<typeof capture.va_clone_handle, bigint | null>>();
    expectType<Equal<typeof capture.label, string | null>>();

    // @ts-expect-error a column the view does not have
    rec.db.selectFrom('handles').select('base_address');
    // @ts-expect-error an address is a bigint: it does not fit a number
    const asNumber: number = regions[0]!.base_address;
    void asNumber;

    // What comes back agrees with the types.
    t.true(regions.length > 0);
    for (const r of regions) {
      t.is(typeof r.base_address, 'bigint');
      t.is(typeof r.allocation_base, 'bigint');
      t.is(typeof r.region_size_bytes, 'number');
      t.true(r.mapped_file_name === null || typeof r.mapped_file_name === 'string');
    }
    t.true(regions.some((r) => r.base_address === BigInt(recorded.target.regionBase)), 'the exact address, no rounding');
    for (const h of handles) {
      t.is(typeof h.handle_value, 'number');
      t.is(h.object_type_name, 'unknown', 'a Linux fd has no Windows object type');
    }
    for (const th of threads) t.is(typeof th.instruction_pointer, 'bigint');
  } finally {
    rec.close();
  }
});

test('the helpers are typed by the view or series they return', async (t) => {
  const rec = openRecording(recorded.db);
  try {
    const regions = await rec.entries('latest', 'regions');
    expectType<Equal<(typeof regions)[number], Selectable<Database['regions']>>>();
    expectType<Equal<(typeof regions)[number]['base_address'], bigint>>();
    const latest = await rec.latestCapture({ pid: recorded.target.pid });
    expectType<Equal<typeof latest, CaptureSummary | undefined>>();
    const series = await rec.handleTypeSeries({ pid: recorded.target.pid });
    expectType<Equal<(typeof series)[number], HandleTypePoint>>();
    expectType<Equal<HandleTypePoint['handle_count'], number | null>>();
    const report = await rec.report<{ type_name: string; handles: number }>('handles-by-type');
    expectType<Equal<typeof report, QueryResult<{ type_name: string; handles: number }>>>();

    t.is(typeof regions[0]?.base_address, 'bigint');
    t.is(latest?.pid, recorded.target.pid);
    const pid = recorded.target.pid;
    const pipes = fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('pipe:')).length;
    t.true(pipes >= 2);
    t.is(series.find((p) => p.type_name === 'Pipe')?.handle_count, pipes);
    t.true(report.rows.some((r) => r.type_name === 'File' && r.handles >= 1));
  } finally {
    rec.close();
  }
});
