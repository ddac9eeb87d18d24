import { ObjectType } from '../pss/object-type.js';
import type { HandleEntry, HandleTypeSpecific, MemoryBasicInformation, SocketInfo, ThreadEntry, VaSpaceEntry } from '../pss/walk-entries.js';
import { TABLES } from './schema.js';
import type { Store } from './open-store.js';
import type { StringTable } from './string-table.js';

/*
 * How each walked entry becomes a row of its versions table, and back. One codec per kind, used
 * by the recorder (encode) and the stored snapshot (decode), so the two cannot disagree.
 */

type Row = Record<string, unknown>;

/** A detail row that goes with a handle version (one type-specific arm, or socket endpoints). */
export interface DetailRow {
  table: DetailTable;
  values: Row;
}

export type DetailTable =
  | 'handle_process_details'
  | 'handle_thread_details'
  | 'handle_mutant_details'
  | 'handle_event_details'
  | 'handle_section_details'
  | 'handle_semaphore_details'
  | 'handle_socket_details';

export interface EntryCodec<E> {
  /** The versions table and its key. */
  table: 'thread_versions' | 'handle_versions' | 'region_versions';
  idColumn: 'thread_version_id' | 'handle_version_id' | 'region_version_id';
  /** The value columns, in table order (everything but the id and the version columns). */
  columns: readonly string[];
  /** The column that identifies an entry within a capture (tid, fd, base address). */
  keyColumn: string;
  /** The key of an entry, without encoding it. */
  keyOf(entry: E): unknown;
  /** SQL ordering of the walk: by key, unsigned for addresses (stored as signed 64-bit). */
  orderBy: string;
  encode(entry: E, strings: StringTable, startedAtUs: number): { values: Row; details: DetailRow[] };
  decode(row: Row, details: ReadonlyMap<DetailTable, Row>, strings: StringTable, startedAtUs: number): E;
}

const VERSION_COLUMNS = new Set(['instance_id', 'first_seq', 'last_seq']);

function valueColumns(table: keyof typeof TABLES, idColumn: string): string[] {
  return Object.keys(TABLES[table].columns).filter((c) => c !== idColumn && !VERSION_COLUMNS.has(c));
}

export const DETAIL_TABLES: readonly DetailTable[] = [
  'handle_process_details',
  'handle_thread_details',
  'handle_mutant_details',
  'handle_event_details',
  'handle_section_details',
  'handle_semaphore_details',
  'handle_socket_details',
];

const DETAIL_COLUMNS = Object.fromEntries(
  DETAIL_TABLES.map((table) => [table, Object.keys(TABLES[table].columns).filter((c) => c !== 'handle_version_id')]),
) as unknown as Record<DetailTable, readonly string[]>;

/** Columns of a detail table, without its key (computed once: the recorder asks per entry). */
export function detailColumns(table: DetailTable): readonly string[] {
  return DETAIL_COLUMNS[table];
}

/**
 * The detail rows of the handle versions that `where` (on `handle_versions AS v`) selects, by
 * version id; each version's map is in {@link DETAIL_TABLES} order.
 */
export function handleDetailsOf(store: Store, where: string, params: readonly unknown[]): Map<number, Map<DetailTable, Row>> {
  const details = new Map<number, Map<DetailTable, Row>>();
  for (const table of DETAIL_TABLES) {
    for (const row of store.reader(`SELECT d.* FROM ${table} AS d JOIN handle_versions AS v USING (handle_version_id) WHERE ${where}`).all(...params)) {
      const id = row.handle_version_id as number;
      let byTable = details.get(id);
      if (byTable === undefined) details.set(id, (byTable = new Map()));
      byTable.set(table, row);
    }
  }
  return details;
}

/** A time as µs after the capture's start, and back. */
export const offset = (time: number | null, start: number): number | null => (time === null ? null : time - start);
export const absolute = (off: unknown, start: number): number | null => (off === null ? null : (off as number) + start);
const bool = (value: unknown): boolean => value === 1;
/** A column read as it is typed: a number or a bigint, or NULL. */
export const n = (value: unknown): number | null => value as number | null;
export const big = (value: unknown): bigint | null => value as bigint | null;

export const threadCodec: EntryCodec<ThreadEntry> = {
  table: 'thread_versions',
  idColumn: 'thread_version_id',
  columns: valueColumns('thread_versions', 'thread_version_id'),
  keyColumn: 'thread_id',
  keyOf: (t) => t.threadId,
  orderBy: 'v.thread_id',
  encode: (t, strings, start) => ({
    values: {
      thread_id: t.threadId,
      exit_status: t.exitStatus,
      teb_base_address: t.tebBaseAddress,
      process_id: t.processId,
      affinity_mask: t.affinityMask,
      priority: t.priority,
      base_priority: t.basePriority,
      last_syscall_first_argument: t.lastSyscallFirstArgument,
      last_syscall_number: t.lastSyscallNumber,
      create_time_us: t.createTimeUs,
      exit_time_us: t.exitTimeUs,
      kernel_time_us: t.kernelTimeUs,
      user_time_us: t.userTimeUs,
      win32_start_address: t.win32StartAddress,
      capture_time_offset_us: offset(t.captureTimeUs, start),
      flags: t.flags,
      suspend_count: t.suspendCount,
      instruction_pointer: t.instructionPointer,
      stack_pointer: t.stackPointer,
      name_id: strings.id(t.name),
      state: t.state,
      voluntary_context_switches: t.voluntaryContextSwitches,
      involuntary_context_switches: t.involuntaryContextSwitches,
      context_record: t.contextRecord === null ? null : Buffer.from(t.contextRecord),
    },
    details: [],
  }),
  decode: (r, _details, strings, start) => ({
    exitStatus: r.exit_status as number,
    tebBaseAddress: big(r.teb_base_address),
    processId: r.process_id as number,
    threadId: r.thread_id as number,
    affinityMask: big(r.affinity_mask),
    priority: n(r.priority),
    basePriority: n(r.base_priority),
    lastSyscallFirstArgument: big(r.last_syscall_first_argument),
    lastSyscallNumber: n(r.last_syscall_number),
    createTimeUs: n(r.create_time_us),
    exitTimeUs: n(r.exit_time_us),
    kernelTimeUs: n(r.kernel_time_us),
    userTimeUs: n(r.user_time_us),
    win32StartAddress: big(r.win32_start_address),
    captureTimeUs: absolute(r.capture_time_offset_us, start),
    flags: r.flags as number,
    suspendCount: n(r.suspend_count),
    contextRecord: r.context_record === null ? null : new Uint8Array(r.context_record as Buffer),
    instructionPointer: big(r.instruction_pointer),
    stackPointer: big(r.stack_pointer),
    name: strings.text(n(r.name_id)),
    state: r.state as string | null,
    voluntaryContextSwitches: n(r.voluntary_context_switches),
    involuntaryContextSwitches: n(r.involuntary_context_switches),
  }),
};

function encodeTypeSpecific(ts: HandleTypeSpecific): DetailRow {
  switch (ts.objectType) {
    case ObjectType.Process:
      return {
        table: 'handle_process_details',
        values: {
          exit_status: ts.exitStatus,
          peb_base_address: ts.pebBaseAddress,
          affinity_mask: ts.affinityMask,
          base_priority: ts.basePriority,
          process_id: ts.processId,
          parent_process_id: ts.parentProcessId,
          flags: ts.flags,
        },
      };
    case ObjectType.Thread:
      return {
        table: 'handle_thread_details',
        values: {
          exit_status: ts.exitStatus,
          teb_base_address: ts.tebBaseAddress,
          process_id: ts.processId,
          thread_id: ts.threadId,
          affinity_mask: ts.affinityMask,
          priority: ts.priority,
          base_priority: ts.basePriority,
          win32_start_address: ts.win32StartAddress,
        },
      };
    case ObjectType.Mutant:
      return {
        table: 'handle_mutant_details',
        values: {
          current_count: ts.currentCount,
          abandoned: ts.abandoned ? 1 : 0,
          owner_process_id: ts.ownerProcessId,
          owner_thread_id: ts.ownerThreadId,
        },
      };
    case ObjectType.Event:
      return { table: 'handle_event_details', values: { manual_reset: ts.manualReset ? 1 : 0, signaled: ts.signaled ? 1 : 0 } };
    case ObjectType.Section:
      return {
        table: 'handle_section_details',
        values: {
          base_address: ts.baseAddress,
          allocation_attributes: ts.allocationAttributes,
          maximum_size_bytes: ts.maximumSizeBytes,
        },
      };
    case ObjectType.Semaphore:
      return { table: 'handle_semaphore_details', values: { current_count: ts.currentCount, maximum_count: ts.maximumCount } };
  }
}

function decodeTypeSpecific(details: ReadonlyMap<DetailTable, Row>): HandleTypeSpecific | null {
  let r = details.get('handle_process_details');
  if (r !== undefined) {
    return {
      objectType: ObjectType.Process,
      exitStatus: n(r.exit_status),
      pebBaseAddress: big(r.peb_base_address),
      affinityMask: big(r.affinity_mask),
      basePriority: n(r.base_priority),
      processId: n(r.process_id),
      parentProcessId: n(r.parent_process_id),
      flags: n(r.flags),
    };
  }
  if ((r = details.get('handle_thread_details')) !== undefined) {
    return {
      objectType: ObjectType.Thread,
      exitStatus: n(r.exit_status),
      tebBaseAddress: big(r.teb_base_address),
      processId: n(r.process_id),
      threadId: n(r.thread_id),
      affinityMask: big(r.affinity_mask),
      priority: n(r.priority),
      basePriority: n(r.base_priority),
      win32StartAddress: big(r.win32_start_address),
    };
  }
  if ((r = details.get('handle_mutant_details')) !== undefined) {
    return {
      objectType: ObjectType.Mutant,
      currentCount: r.current_count as number,
      abandoned: bool(r.abandoned),
      ownerProcessId: r.owner_process_id as number,
      ownerThreadId: r.owner_thread_id as number,
    };
  }
  if ((r = details.get('handle_event_details')) !== undefined) {
    return { objectType: ObjectType.Event, manualReset: bool(r.manual_reset), signaled: bool(r.signaled) };
  }
  if ((r = details.get('handle_section_details')) !== undefined) {
    return {
      objectType: ObjectType.Section,
      baseAddress: big(r.base_address),
      allocationAttributes: n(r.allocation_attributes),
      maximumSizeBytes: n(r.maximum_size_bytes),
    };
  }
  if ((r = details.get('handle_semaphore_details')) !== undefined) {
    return { objectType: ObjectType.Semaphore, currentCount: r.current_count as number, maximumCount: r.maximum_count as number };
  }
  return null;
}

function encodeSocket(socket: SocketInfo, strings: StringTable): DetailRow {
  return {
    table: 'handle_socket_details',
    values: {
      protocol: socket.protocol,
      local_address_id: strings.id(socket.localAddress),
      remote_address_id: strings.id(socket.remoteAddress),
      state: socket.state,
    },
  };
}

export const handleCodec: EntryCodec<HandleEntry> = {
  table: 'handle_versions',
  idColumn: 'handle_version_id',
  columns: valueColumns('handle_versions', 'handle_version_id'),
  keyColumn: 'handle_value',
  keyOf: (h) => h.handle,
  orderBy: 'v.handle_value',
  encode: (h, strings, start) => {
    const details: DetailRow[] = [];
    if (h.typeSpecific !== null) details.push(encodeTypeSpecific(h.typeSpecific));
    if (h.socket !== null) details.push(encodeSocket(h.socket, strings));
    return {
      values: {
        handle_value: h.handle,
        flags: h.flags,
        object_type: h.objectType,
        capture_time_offset_us: offset(h.captureTimeUs, start),
        attributes: h.attributes,
        granted_access: h.grantedAccess,
        handle_count: h.handleCount,
        pointer_count: h.pointerCount,
        paged_pool_charge: h.pagedPoolCharge,
        non_paged_pool_charge: h.nonPagedPoolCharge,
        creation_time_us: h.creationTimeUs,
        type_name_id: strings.id(h.typeName),
        object_name_id: strings.id(h.objectName),
        open_flags: h.openFlags,
        position_bytes: h.positionBytes,
        inode: h.inode,
        mount_id: h.mountId,
      },
      details,
    };
  },
  decode: (r, details, strings, start) => {
    const socket = details.get('handle_socket_details');
    return {
      handle: r.handle_value as number,
      flags: r.flags as number,
      objectType: r.object_type as ObjectType,
      captureTimeUs: absolute(r.capture_time_offset_us, start),
      attributes: n(r.attributes),
      grantedAccess: n(r.granted_access),
      handleCount: n(r.handle_count),
      pointerCount: n(r.pointer_count),
      pagedPoolCharge: n(r.paged_pool_charge),
      nonPagedPoolCharge: n(r.non_paged_pool_charge),
      creationTimeUs: n(r.creation_time_us),
      typeName: strings.text(n(r.type_name_id)),
      objectName: strings.text(n(r.object_name_id)),
      typeSpecific: decodeTypeSpecific(details),
      openFlags: n(r.open_flags),
      positionBytes: n(r.position_bytes),
      inode: n(r.inode),
      mountId: n(r.mount_id),
      socket:
        socket === undefined
          ? null
          : {
              protocol: socket.protocol as string,
              localAddress: strings.text(n(socket.local_address_id)),
              remoteAddress: strings.text(n(socket.remote_address_id)),
              state: socket.state as string | null,
            },
    };
  },
};

/** The MEMORY_BASIC_INFORMATION columns that regions and auxiliary pages share. */
export function memoryBasicInformation(r: Row): MemoryBasicInformation {
  return {
    baseAddress: r.base_address as bigint,
    allocationBase: r.allocation_base as bigint,
    allocationProtect: r.allocation_protect as number,
    regionSizeBytes: r.region_size_bytes as number,
    state: r.state as number,
    protect: r.protect as number,
    type: r.type as number,
  };
}

export const regionCodec: EntryCodec<VaSpaceEntry> = {
  table: 'region_versions',
  idColumn: 'region_version_id',
  columns: valueColumns('region_versions', 'region_version_id'),
  keyColumn: 'base_address',
  keyOf: (v) => v.baseAddress,
  orderBy: 'v.base_address < 0, v.base_address',
  encode: (v, strings) => ({
    values: {
      base_address: v.baseAddress,
      allocation_base: v.allocationBase,
      allocation_protect: v.allocationProtect,
      region_size_bytes: v.regionSizeBytes,
      state: v.state,
      protect: v.protect,
      type: v.type,
      time_date_stamp: v.timeDateStamp,
      size_of_image_bytes: v.sizeOfImageBytes,
      image_base: v.imageBase,
      check_sum: v.checkSum,
      mapped_file_name_id: strings.id(v.mappedFileName),
      permissions: v.permissions,
      file_offset_bytes: v.fileOffsetBytes,
      device: v.device,
      inode: v.inode,
      resident_bytes: v.residentBytes,
      proportional_bytes: v.proportionalBytes,
      private_bytes: v.privateBytes,
      swap_bytes: v.swapBytes,
    },
    details: [],
  }),
  decode: (r, _details, strings) => ({
    ...memoryBasicInformation(r),
    timeDateStamp: n(r.time_date_stamp),
    sizeOfImageBytes: n(r.size_of_image_bytes),
    imageBase: big(r.image_base),
    checkSum: n(r.check_sum),
    mappedFileName: strings.text(n(r.mapped_file_name_id)),
    permissions: r.permissions as string | null,
    fileOffsetBytes: n(r.file_offset_bytes),
    device: r.device as string | null,
    inode: n(r.inode),
    residentBytes: n(r.resident_bytes),
    proportionalBytes: n(r.proportional_bytes),
    privateBytes: n(r.private_bytes),
    swapBytes: n(r.swap_bytes),
  }),
};
