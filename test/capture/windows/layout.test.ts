/**
 * The binding's koffi declarations against the reference x64 layout: size and alignment of every
 * structure, offset and size of every field, nested ones included (MEMORY_BASIC_INFORMATION in
 * an auxiliary page entry, each arm of the handle entry's union). Runs on Linux with the Linux
 * koffi: the declarations use explicit widths, so the layout is Windows' on every host.
 */
import test from 'ava';
import { createRequire } from 'node:module';
import { pssTypes, type PssTypes } from '../../../src/capture/windows/index.js';
import { QUERY_RECORD_SIZE, QueryClass, WALK_ENTRY_SIZE, WalkClass } from '../../../src/pss/index.js';
import { PSS_STRUCT_OF } from '../../../src/capture/windows/index.js';
import { PSS_STRUCTS, REFERENCE_LAYOUT } from './reference-layout.js';

const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
type CType = PssTypes[keyof PssTypes];

/** Offset and size of a dotted field path, through koffi's own view of the nested types. */
function koffiField(type: CType, path: string): { offset: number; size: number } {
  let offset = 0;
  let current: unknown = type;
  for (const name of path.split('.')) {
    const info = koffi.introspect(current as CType);
    const member = info.members?.[name];
    if (member === undefined) throw new Error(`no member ${name} in ${path}`);
    // offsetof takes structs only; in a union every arm starts at 0, as introspect says.
    offset += info.primitive === 'Union' ? member.offset : koffi.offsetof(current as CType, name);
    current = member.type;
  }
  return { offset, size: koffi.sizeof(current as CType) };
}

test('the fourteen structures of processsnapshot.h are all declared', (t) => {
  t.is(PSS_STRUCTS.length, 14);
  const types = pssTypes() as unknown as Record<string, CType>;
  for (const name of PSS_STRUCTS) t.truthy(types[name], `${name} is declared`);
});

for (const [name, layout] of Object.entries(REFERENCE_LAYOUT)) {
  test(`${name}: size, alignment and every field at the reference offset`, (t) => {
    const type = (pssTypes() as unknown as Record<string, CType>)[name];
    if (type === undefined) return t.fail(`${name} is not declared`);
    t.is(koffi.sizeof(type), layout.size, 'sizeof');
    if (layout.align !== undefined) t.is(koffi.alignof(type), layout.align, 'alignof');
    for (const [path, offset, size] of layout.fields) {
      t.deepEqual(koffiField(type, path), { offset, size }, path);
    }
  });
}

test('every declared member is in the reference table (none is left unchecked)', (t) => {
  const types = pssTypes() as unknown as Record<string, CType>;
  for (const name of PSS_STRUCTS) {
    const members = Object.keys(koffi.introspect(types[name]!).members ?? {});
    const checked = new Set(REFERENCE_LAYOUT[name]!.fields.map(([path]) => path.split('.')[0]));
    t.deepEqual(members.filter((member) => !checked.has(member)), [], name);
  }
});

test('the buffer of each query and walk class is the size of its structure', (t) => {
  const types = pssTypes() as unknown as Record<string, CType>;
  for (const [cls, struct] of Object.entries(PSS_STRUCT_OF.query)) {
    t.is(koffi.sizeof(types[struct]!), QUERY_RECORD_SIZE[Number(cls) as QueryClass], `${QueryClass[Number(cls)]}`);
  }
  for (const [cls, struct] of Object.entries(PSS_STRUCT_OF.walk)) {
    t.is(koffi.sizeof(types[struct]!), WALK_ENTRY_SIZE[Number(cls) as WalkClass], `${WalkClass[Number(cls)]}`);
  }
});
