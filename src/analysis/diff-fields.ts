import type { PerformanceCounters, ProcessInformation } from '../pss/query-records.js';
import { PERFORMANCE_PHASES } from '../pss/query-records.js';
import type { HandleEntry, ThreadEntry, VaSpaceEntry } from '../pss/walk-entries.js';

/*
 * What a diff compares, kind by kind: each field under the snake_case name its column has in the
 * views (so a diff reads like `pssql show`), how to read it from a model record, and whether it
 * is volatile: a value that moves while nothing about the process changes (CPU times, context
 * switches, positions, pointers, resident sizes). Volatile fields are left out of "changed"
 * unless asked for; they are still shown in the before and after records.
 */

/** One compared field of a record. */
export interface DiffField<R> {
  name: string;
  read: (record: R) => unknown;
  volatile?: true;
}

const v = true as const;

export const THREAD_FIELDS: readonly DiffField<ThreadEntry>[] = [
  { name: 'thread_id', read: (t) => t.threadId },
  { name: 'name', read: (t) => t.name },
  { name: 'state', read: (t) => t.state, volatile: v },
  { name: 'exit_status', read: (t) => t.exitStatus },
  { name: 'process_id', read: (t) => t.processId },
  { name: 'priority', read: (t) => t.priority, volatile: v },
  { name: 'base_priority', read: (t) => t.basePriority },
  { name: 'affinity_mask', read: (t) => t.affinityMask },
  { name: 'flags', read: (t) => t.flags },
  { name: 'suspend_count', read: (t) => t.suspendCount },
  { name: 'create_time_us', read: (t) => t.createTimeUs },
  { name: 'exit_time_us', read: (t) => t.exitTimeUs },
  { name: 'teb_base_address', read: (t) => t.tebBaseAddress },
  { name: 'win32_start_address', read: (t) => t.win32StartAddress },
  { name: 'kernel_time_us', read: (t) => t.kernelTimeUs, volatile: v },
  { name: 'user_time_us', read: (t) => t.userTimeUs, volatile: v },
  { name: 'voluntary_context_switches', read: (t) => t.voluntaryContextSwitches, volatile: v },
  { name: 'involuntary_context_switches', read: (t) => t.involuntaryContextSwitches, volatile: v },
  { name: 'last_syscall_number', read: (t) => t.lastSyscallNumber, volatile: v },
  { name: 'last_syscall_first_argument', read: (t) => t.lastSyscallFirstArgument, volatile: v },
  { name: 'instruction_pointer', read: (t) => t.instructionPointer, volatile: v },
  { name: 'stack_pointer', read: (t) => t.stackPointer, volatile: v },
  { name: 'capture_time_us', read: (t) => t.captureTimeUs, volatile: v },
  { name: 'context_record', read: (t) => t.contextRecord, volatile: v },
];

/** The type of a handle as `show` and the series name it: its type name, else its object type. */
export function handleTypeOf(h: HandleEntry): string {
  return h.typeName ?? OBJECT_TYPE_NAMES[h.objectType] ?? `type-${h.objectType}`;
}

const OBJECT_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'process',
  2: 'thread',
  3: 'mutant',
  4: 'event',
  5: 'section',
  6: 'semaphore',
};

/** A field of the type-specific arm, when the handle has that arm. */
const typeSpecific =
  (field: string) =>
  (h: HandleEntry): unknown =>
    h.typeSpecific === null ? null : ((h.typeSpecific as unknown as Record<string, unknown>)[field] ?? null);

export const HANDLE_FIELDS: readonly DiffField<HandleEntry>[] = [
  { name: 'handle_value', read: (h) => h.handle },
  { name: 'type_name', read: (h) => handleTypeOf(h) },
  { name: 'object_name', read: (h) => h.objectName },
  { name: 'object_type', read: (h) => h.objectType },
  { name: 'flags', read: (h) => h.flags },
  { name: 'attributes', read: (h) => h.attributes },
  { name: 'granted_access', read: (h) => h.grantedAccess },
  { name: 'open_flags', read: (h) => h.openFlags },
  { name: 'inode', read: (h) => h.inode },
  { name: 'mount_id', read: (h) => h.mountId },
  { name: 'creation_time_us', read: (h) => h.creationTimeUs },
  { name: 'paged_pool_charge', read: (h) => h.pagedPoolCharge },
  { name: 'non_paged_pool_charge', read: (h) => h.nonPagedPoolCharge },
  { name: 'protocol', read: (h) => h.socket?.protocol ?? null },
  { name: 'local_address', read: (h) => h.socket?.localAddress ?? null },
  { name: 'remote_address', read: (h) => h.socket?.remoteAddress ?? null },
  { name: 'socket_state', read: (h) => h.socket?.state ?? null },
  { name: 'target_process_id', read: typeSpecific('processId') },
  { name: 'target_thread_id', read: typeSpecific('threadId') },
  { name: 'target_exit_status', read: typeSpecific('exitStatus') },
  { name: 'manual_reset', read: typeSpecific('manualReset') },
  { name: 'maximum_size_bytes', read: typeSpecific('maximumSizeBytes') },
  { name: 'maximum_count', read: typeSpecific('maximumCount') },
  { name: 'signaled', read: typeSpecific('signaled'), volatile: v },
  { name: 'current_count', read: typeSpecific('currentCount'), volatile: v },
  { name: 'abandoned', read: typeSpecific('abandoned'), volatile: v },
  { name: 'owner_thread_id', read: typeSpecific('ownerThreadId'), volatile: v },
  { name: 'position_bytes', read: (h) => h.positionBytes, volatile: v },
  { name: 'handle_count', read: (h) => h.handleCount, volatile: v },
  { name: 'pointer_count', read: (h) => h.pointerCount, volatile: v },
  { name: 'capture_time_us', read: (h) => h.captureTimeUs, volatile: v },
];

export const REGION_FIELDS: readonly DiffField<VaSpaceEntry>[] = [
  { name: 'base_address', read: (r) => r.baseAddress },
  { name: 'region_size_bytes', read: (r) => r.regionSizeBytes },
  { name: 'allocation_base', read: (r) => r.allocationBase },
  { name: 'allocation_protect', read: (r) => r.allocationProtect },
  { name: 'state', read: (r) => r.state },
  { name: 'protect', read: (r) => r.protect },
  { name: 'type', read: (r) => r.type },
  { name: 'permissions', read: (r) => r.permissions },
  { name: 'mapped_file_name', read: (r) => r.mappedFileName },
  { name: 'file_offset_bytes', read: (r) => r.fileOffsetBytes },
  { name: 'device', read: (r) => r.device },
  { name: 'inode', read: (r) => r.inode },
  { name: 'time_date_stamp', read: (r) => r.timeDateStamp },
  { name: 'size_of_image_bytes', read: (r) => r.sizeOfImageBytes },
  { name: 'image_base', read: (r) => r.imageBase },
  { name: 'check_sum', read: (r) => r.checkSum },
  { name: 'resident_bytes', read: (r) => r.residentBytes, volatile: v },
  { name: 'proportional_bytes', read: (r) => r.proportionalBytes, volatile: v },
  { name: 'private_bytes', read: (r) => r.privateBytes, volatile: v },
  { name: 'swap_bytes', read: (r) => r.swapBytes, volatile: v },
];

/**
 * Process information. Memory sizes are volatile here: they move by a few pages all the time,
 * and the diff's summary gives their deltas (and `--fail-if` tests them) anyway.
 */
export const PROCESS_FIELDS: readonly DiffField<ProcessInformation>[] = [
  { name: 'process_id', read: (p) => p.processId },
  { name: 'parent_process_id', read: (p) => p.parentProcessId },
  { name: 'name', read: (p) => p.name },
  { name: 'image_file_name', read: (p) => p.imageFileName },
  { name: 'command_line', read: (p) => p.commandLine },
  { name: 'exit_status', read: (p) => p.exitStatus },
  { name: 'create_time_us', read: (p) => p.createTimeUs },
  { name: 'exit_time_us', read: (p) => p.exitTimeUs },
  { name: 'flags', read: (p) => p.flags },
  { name: 'priority_class', read: (p) => p.priorityClass },
  { name: 'base_priority', read: (p) => p.basePriority },
  { name: 'nice', read: (p) => p.nice },
  { name: 'affinity_mask', read: (p) => p.affinityMask },
  { name: 'execute_flags', read: (p) => p.executeFlags },
  { name: 'peb_base_address', read: (p) => p.pebBaseAddress },
  { name: 'thread_count', read: (p) => p.threadCount },
  { name: 'peak_virtual_size_bytes', read: (p) => p.peakVirtualSizeBytes },
  { name: 'peak_working_set_size_bytes', read: (p) => p.peakWorkingSetSizeBytes },
  { name: 'peak_pagefile_usage_bytes', read: (p) => p.peakPagefileUsageBytes },
  { name: 'quota_peak_paged_pool_usage_bytes', read: (p) => p.quotaPeakPagedPoolUsageBytes },
  { name: 'quota_peak_non_paged_pool_usage_bytes', read: (p) => p.quotaPeakNonPagedPoolUsageBytes },
  { name: 'state', read: (p) => p.state, volatile: v },
  { name: 'virtual_size_bytes', read: (p) => p.virtualSizeBytes, volatile: v },
  { name: 'working_set_size_bytes', read: (p) => p.workingSetSizeBytes, volatile: v },
  { name: 'private_usage_bytes', read: (p) => p.privateUsageBytes, volatile: v },
  { name: 'pagefile_usage_bytes', read: (p) => p.pagefileUsageBytes, volatile: v },
  { name: 'swap_bytes', read: (p) => p.swapBytes, volatile: v },
  { name: 'quota_paged_pool_usage_bytes', read: (p) => p.quotaPagedPoolUsageBytes, volatile: v },
  { name: 'quota_non_paged_pool_usage_bytes', read: (p) => p.quotaNonPagedPoolUsageBytes, volatile: v },
  { name: 'kernel_time_us', read: (p) => p.kernelTimeUs, volatile: v },
  { name: 'user_time_us', read: (p) => p.userTimeUs, volatile: v },
  { name: 'page_fault_count', read: (p) => p.pageFaultCount, volatile: v },
  { name: 'major_fault_count', read: (p) => p.majorFaultCount, volatile: v },
];

/** Performance counters (what each phase of the capture cost): volatile by nature. */
export const COUNTER_FIELDS: readonly DiffField<PerformanceCounters>[] = PERFORMANCE_PHASES.flatMap((phase) => {
  const column = phase.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return [
    { name: `${column}_wall_clock_us`, read: (c: PerformanceCounters) => c[phase].wallClockUs, volatile: v },
    { name: `${column}_cpu_time_us`, read: (c: PerformanceCounters) => c[phase].cpuTimeUs, volatile: v },
    { name: `${column}_cycle_count`, read: (c: PerformanceCounters) => c[phase].cycleCount, volatile: v },
  ];
});

/** A record as `{ column: value }`, every field of its kind. */
export function recordOf<R>(fields: readonly DiffField<R>[], record: R): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field.name] = field.read(record);
  return out;
}
