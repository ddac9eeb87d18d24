import type { RowSet } from './output.js';

/*
 * A table for people shows what a capture has. A Linux capture has no PEB, no pool quotas, no VA
 * clone; those columns are NULL in it (the schema declares where each column holds data), and an
 * exit status of 259 (STILL_ACTIVE) says only that the process was running. In tables such
 * columns are left out; JSON and CSV keep every column.
 */

/**
 * Columns that hold data on one platform only but are not declared so in the schema: report
 * columns of Windows-only capture phases, and the performance counters' cycle count.
 */
const REPORT_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  va_clone_us: ['win32'],
  aux_pages_us: ['win32'],
  cycle_count: ['win32'],
};

/** Capture phases that only Windows has: a Linux capture times them as 0. */
export const WINDOWS_ONLY_PHASES: ReadonlySet<string> = new Set(['va_clone', 'aux_pages']);

/** STILL_ACTIVE: the exit status of a process or thread that has not exited. */
const STILL_ACTIVE = 259;

/** The platforms each column of a table or view holds data on, the columns above as they say. */
async function columnPlatforms(relation: string | undefined): Promise<Map<string, ReadonlySet<string>>> {
  const map = new Map<string, ReadonlySet<string>>();
  // Names alone do not say it: captures.handle_count is on both platforms, handles.handle_count on Windows.
  if (relation !== undefined) {
    const { RELATIONS } = await import('../store/schema.js');
    for (const [name, column] of Object.entries(RELATIONS[relation]?.columns ?? {})) map.set(name, new Set(column.platforms));
  }
  for (const [name, platforms] of Object.entries(REPORT_COLUMNS)) map.set(name, new Set(platforms));
  return map;
}

/**
 * The rows without the columns that say nothing on `platforms` (those the captures were taken
 * on): a column of `relation` (or a known report column) that holds data on other platforms
 * only and is empty in every row, and an exit status that is STILL_ACTIVE in every row. For
 * tables; never drops a value.
 *
 * @example printRows(args, await withoutOtherPlatforms(set, ['linux'], 'threads'))
 */
export async function withoutOtherPlatforms(set: RowSet, platforms: readonly string[], relation?: string): Promise<RowSet> {
  const known = await columnPlatforms(relation);
  const rows = set.rows as readonly Record<string, unknown>[];
  const empty = (column: string): boolean => rows.every((r) => r[column] === null || r[column] === undefined);
  const columns = set.columns.filter((column) => {
    if (rows.length === 0) return true;
    if (column === 'exit_status' && rows.every((r) => r[column] === STILL_ACTIVE)) return false;
    const where = known.get(column);
    if (where === undefined || platforms.some((p) => where.has(p))) return true;
    return !empty(column);
  });
  return { ...set, columns };
}
