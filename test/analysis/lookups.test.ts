import test from 'ava';
import { HandleFlags, MemState, MemType, ObjectType, openStore, type Store } from '../../src/index.js';
import { CAPTURE_FLAG_INFO } from '../../src/pss/capture-flags.js';
import { PAGE_PROTECTION_NAMES, PAGE_PROTECTION_SHORT } from '../../src/pss/memory.js';
import { THREAD_STATE_NAMES } from '../../src/store/sql-functions.js';
import { tempDir } from '../helpers/cli.js';

/*
 * The lookup tables of migration 0002 decode the same values as the SQL functions and the
 * model's enums: one meaning for each value, wherever it is read.
 */

let store: Store;
test.before(() => {
  store = openStore(`${tempDir()}/lookups.db`);
});
test.after.always(() => store?.close());

const rows = <T>(sql: string): T[] => store.reader<T>(sql).all();
const enumValues = (e: object): [string, number][] => Object.entries(e).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? '' : '-') + c.toLowerCase());

test('object_types: PSS_OBJECT_TYPE, as object_type_name() says', (t) => {
  const table = rows<{ object_type: number; name: string; windows_name: string; fn: string }>(
    'SELECT object_type, name, windows_name, object_type_name(object_type) AS fn FROM object_types ORDER BY object_type',
  );
  t.deepEqual(
    table.map((r) => [r.object_type, r.name, r.windows_name]),
    enumValues(ObjectType).map(([name, value]) => [value, name.toLowerCase(), `PSS_OBJECT_TYPE_${name.toUpperCase()}`]),
  );
  for (const r of table) t.is(r.fn, r.name);
});

test('memory_states and memory_types: MEM_*, as mem_state_name() and mem_type_name() say', (t) => {
  const states = rows<{ state: number; name: string; windows_name: string; fn: string }>(
    'SELECT state, name, windows_name, mem_state_name(state) AS fn FROM memory_states ORDER BY state',
  );
  t.deepEqual(
    states.map((r) => [r.state, r.windows_name]),
    enumValues(MemState).map(([name, value]) => [value, `MEM_${name.toUpperCase()}`]),
  );
  for (const r of states) t.is(r.fn, r.name);
  const types = rows<{ type: number; name: string; windows_name: string; fn: string }>(
    'SELECT type, name, windows_name, mem_type_name(type) AS fn FROM memory_types ORDER BY type',
  );
  t.deepEqual(
    types.map((r) => [r.type, r.windows_name]),
    enumValues(MemType).map(([name, value]) => [value, `MEM_${name.toUpperCase()}`]),
  );
  for (const r of types) t.is(r.fn, r.name);
});

test('page_protections: PAGE_*, as protection_name(), protection_short(), is_writable() and is_executable() say', (t) => {
  const table = rows<Record<string, number | string>>(
    `SELECT *, protection_name(protect) AS fn_name, protection_short(protect) AS fn_short,
            is_writable(protect) AS fn_writable, is_executable(protect) AS fn_executable
     FROM page_protections ORDER BY protect`,
  );
  t.deepEqual(
    table.map((r) => [r.protect, r.name, r.short_name]),
    Object.entries(PAGE_PROTECTION_NAMES).map(([value, name]) => [Number(value), name, PAGE_PROTECTION_SHORT[Number(value)]]),
  );
  for (const r of table) {
    t.is(r.fn_name, r.name);
    t.is(r.fn_short, r.short_name);
    t.is(r.fn_writable, r.writable);
    t.is(r.fn_executable, r.executable);
    t.is(r.readable, String(r.short_name).startsWith('r') ? 1 : 0);
    t.is(r.copy_on_write, String(r.short_name).includes('c') ? 1 : 0);
  }
});

test('thread_states: the Linux letters, as thread_state_name() says', (t) => {
  const table = rows<{ state: string; name: string; fn: string }>('SELECT state, name, thread_state_name(state) AS fn FROM thread_states');
  t.deepEqual(Object.fromEntries(table.map((r) => [r.state, r.name])), { ...THREAD_STATE_NAMES });
  for (const r of table) t.is(r.fn, r.name);
});

test('handle_flags and capture_flags: every bit with its Windows and pssql name', (t) => {
  t.deepEqual(
    rows<{ flag: number; name: string }>('SELECT flag, name FROM handle_flags ORDER BY flag').map((r) => [r.flag, r.name]),
    enumValues(HandleFlags)
      .filter(([, value]) => value !== 0)
      .map(([name, value]) => [value, kebab(name)]),
  );
  t.deepEqual(
    rows<Record<string, unknown>>('SELECT flag, name, windows_name, description FROM capture_flags ORDER BY flag'),
    CAPTURE_FLAG_INFO.map((f) => ({ flag: f.flag >>> 0, name: f.name, windows_name: f.win32Name, description: f.description })),
  );
});

test('regr_slope and regr_r2: least squares that stay exact with x in µs since the epoch', (t) => {
  const fit = store
    .reader<{ slope: number; r2: number; none: null; flat: number }>(
      `WITH d(x, y) AS (VALUES (1795471909000000, 2), (1795471910000000, 4), (1795471911000000, 6), (1795471912000000, NULL))
       SELECT regr_slope(y, x) * 1e6 AS slope, regr_r2(y, x) AS r2, regr_slope(y, 0) AS none, regr_r2(0, x) AS flat FROM d`,
    )
    .get();
  t.is(fit?.slope, 2, '2 per second');
  t.is(fit?.r2, 1);
  t.is(fit?.none, null, 'no slope when x does not vary');
  t.is(fit?.flat, 1, 'a constant is a perfect (flat) fit');
});
