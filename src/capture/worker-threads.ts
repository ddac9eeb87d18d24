/**
 * node:worker_threads, loaded by the first use of a capture thread (Linux's reader and stat
 * threads, Windows' capture thread): a capture that starts no thread loads none of it.
 */
export const workerThreads = (): typeof import('node:worker_threads') => process.getBuiltinModule('node:worker_threads');
