/*
 * Where the Pss* functions come from. On Windows, kernel32.dll, always: a DLL named by the
 * environment would run its code in pssql, which may run elevated with SeDebugPrivilege. The Wine
 * test harness, whose Wine has no Pss* functions, runs pssql through an entry point of its own
 * (test/windows/pssql-harness.ts, not shipped) that allows PSSQL_PSS_LIBRARY for that process:
 * a mark no environment variable can set, nor any child process inherit.
 */

const HARNESS = Symbol.for('pssql.windows.testHarness');

/** Lets PSSQL_PSS_LIBRARY name the Pss* DLL in this process: for the test harness only. */
export function allowPssLibraryFromEnvironment(): void {
  (globalThis as Record<symbol, unknown>)[HARNESS] = true;
}

/**
 * The DLL to take the Pss* functions from: the one asked for, else (in the test harness only)
 * PSSQL_PSS_LIBRARY, else kernel32.dll.
 */
export function resolvePssLibrary(asked?: string): string {
  if (asked !== undefined && asked !== '') return asked;
  const fromEnvironment = process.env.PSSQL_PSS_LIBRARY;
  if ((globalThis as Record<symbol, unknown>)[HARNESS] === true && fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  return 'kernel32.dll';
}
