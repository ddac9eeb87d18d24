/**
 * Compile-time type assertions: `expectType<Equal<A, B>>()` compiles only when A and B are the
 * same type (not merely assignable), so `bigint | null` where `bigint` was expected fails tsc,
 * and tsc runs before the tests in `npm test`.
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export function expectType<_T extends true>(): void {}
