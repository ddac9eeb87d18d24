/**
 * The process that makes the stat() calls a capture may have to give up on: of files on network
 * and FUSE file systems, which answer only when their server does. A process, not a thread: a
 * stat stuck in a FUSE request cannot be interrupted even by SIGKILL, and a process one of whose
 * threads is stuck so cannot end; this one is left behind instead of pssql (see blocking-stats.ts).
 */
import { ProcFiles } from './proc-files.js';
import { statText } from './raw-reads.js';

export interface ChildRequest {
  id: number;
  path: string;
}

/** The stat text, or the failure: 'vanished', 'denied', or an error message. */
export type StatAnswer = { text: string } | { failure: 'vanished' | 'denied' } | { error: string };

const files = new ProcFiles('/');

process.on('message', (request: ChildRequest) => {
  let answer: StatAnswer;
  try {
    const text = statText(files, request.path);
    answer = typeof text === 'string' ? { text } : { failure: text.description === 'denied' ? 'denied' : 'vanished' };
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
  }
  process.send?.({ id: request.id, answer });
});
// pssql ended or gave this process up.
process.on('disconnect', () => process.exit(0));
// Started: what the capture waited for so far was this process's start, not a file system.
process.send?.({ ready: true });
