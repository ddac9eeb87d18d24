/**
 * The states of the flag through which the stat thread (stat-worker.ts) tells blocking-stats.ts
 * how its stat process is: starting, ready (it said so), or ended or never started. A module of
 * its own: both sides import it, and neither imports the other.
 */
export const STARTING = 0;
export const READY = 1;
export const FAILED = 2;
