import type { PerformancePhase } from '../pss/query-records.js';

/** Stored phase names (snake_case) of the performance counters (performance_counters.phase). */
export const PHASE_NAMES: Readonly<Record<PerformancePhase, string>> = {
  total: 'total',
  vaClone: 'va_clone',
  vaSpace: 'va_space',
  auxPages: 'aux_pages',
  handles: 'handles',
  threads: 'threads',
};
