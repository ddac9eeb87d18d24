import type { PerformanceCounters, PerformancePhase, PhaseCounters, ProcessInformation } from '../pss/query-records.js';
import { big, n } from './entry-codecs.js';
import type { StringTable } from './string-table.js';

/** process_info rows <-> PSS_PROCESS_INFORMATION records. */
export function encodeProcess(p: ProcessInformation, strings: StringTable): Record<string, unknown> {
  return {
    exit_status: p.exitStatus,
    peb_base_address: p.pebBaseAddress,
    affinity_mask: p.affinityMask,
    base_priority: p.basePriority,
    process_id: p.processId,
    parent_process_id: p.parentProcessId,
    flags: p.flags,
    create_time_us: p.createTimeUs,
    exit_time_us: p.exitTimeUs,
    kernel_time_us: p.kernelTimeUs,
    user_time_us: p.userTimeUs,
    priority_class: p.priorityClass,
    peak_virtual_size_bytes: p.peakVirtualSizeBytes,
    virtual_size_bytes: p.virtualSizeBytes,
    page_fault_count: p.pageFaultCount,
    peak_working_set_size_bytes: p.peakWorkingSetSizeBytes,
    working_set_size_bytes: p.workingSetSizeBytes,
    quota_peak_paged_pool_usage_bytes: p.quotaPeakPagedPoolUsageBytes,
    quota_paged_pool_usage_bytes: p.quotaPagedPoolUsageBytes,
    quota_peak_non_paged_pool_usage_bytes: p.quotaPeakNonPagedPoolUsageBytes,
    quota_non_paged_pool_usage_bytes: p.quotaNonPagedPoolUsageBytes,
    pagefile_usage_bytes: p.pagefileUsageBytes,
    peak_pagefile_usage_bytes: p.peakPagefileUsageBytes,
    private_usage_bytes: p.privateUsageBytes,
    execute_flags: p.executeFlags,
    image_file_name_id: strings.id(p.imageFileName),
    name_id: strings.id(p.name),
    command_line_id: strings.id(p.commandLine),
    state: p.state,
    nice: p.nice,
    thread_count: p.threadCount,
    major_fault_count: p.majorFaultCount,
    swap_bytes: p.swapBytes,
  };
}

export function decodeProcess(r: Record<string, unknown>, strings: StringTable): ProcessInformation {
  return {
    exitStatus: r.exit_status as number,
    pebBaseAddress: big(r.peb_base_address),
    affinityMask: big(r.affinity_mask),
    basePriority: n(r.base_priority),
    processId: r.process_id as number,
    parentProcessId: n(r.parent_process_id),
    flags: r.flags as number,
    createTimeUs: n(r.create_time_us),
    exitTimeUs: n(r.exit_time_us),
    kernelTimeUs: n(r.kernel_time_us),
    userTimeUs: n(r.user_time_us),
    priorityClass: n(r.priority_class),
    peakVirtualSizeBytes: n(r.peak_virtual_size_bytes),
    virtualSizeBytes: n(r.virtual_size_bytes),
    pageFaultCount: n(r.page_fault_count),
    peakWorkingSetSizeBytes: n(r.peak_working_set_size_bytes),
    workingSetSizeBytes: n(r.working_set_size_bytes),
    quotaPeakPagedPoolUsageBytes: n(r.quota_peak_paged_pool_usage_bytes),
    quotaPagedPoolUsageBytes: n(r.quota_paged_pool_usage_bytes),
    quotaPeakNonPagedPoolUsageBytes: n(r.quota_peak_non_paged_pool_usage_bytes),
    quotaNonPagedPoolUsageBytes: n(r.quota_non_paged_pool_usage_bytes),
    pagefileUsageBytes: n(r.pagefile_usage_bytes),
    peakPagefileUsageBytes: n(r.peak_pagefile_usage_bytes),
    privateUsageBytes: n(r.private_usage_bytes),
    executeFlags: n(r.execute_flags),
    imageFileName: strings.text(n(r.image_file_name_id)),
    name: strings.text(n(r.name_id)),
    commandLine: strings.text(n(r.command_line_id)),
    state: r.state as string | null,
    nice: n(r.nice),
    threadCount: n(r.thread_count),
    majorFaultCount: n(r.major_fault_count),
    swapBytes: n(r.swap_bytes),
  };
}

/** Stored phase names (snake_case) of the performance counters. */
export const PHASE_NAMES: Readonly<Record<PerformancePhase, string>> = {
  total: 'total',
  vaClone: 'va_clone',
  vaSpace: 'va_space',
  auxPages: 'aux_pages',
  handles: 'handles',
  threads: 'threads',
};

export function decodePerformance(rows: readonly Record<string, unknown>[]): PerformanceCounters | null {
  if (rows.length === 0) return null;
  const byName = new Map(rows.map((r) => [r.phase as string, r]));
  const phase = (name: PerformancePhase): PhaseCounters => {
    const r = byName.get(PHASE_NAMES[name]);
    return {
      cycleCount: (r?.cycle_count as number | null | undefined) ?? null,
      wallClockUs: (r?.wall_clock_us as number | undefined) ?? 0,
      cpuTimeUs: (r?.cpu_time_us as number | null | undefined) ?? null,
    };
  };
  return {
    total: phase('total'),
    vaClone: phase('vaClone'),
    vaSpace: phase('vaSpace'),
    auxPages: phase('auxPages'),
    handles: phase('handles'),
    threads: phase('threads'),
  };
}
