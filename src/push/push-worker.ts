/**
 * The thread of a background push (see background-push.ts): it opens the recording read-only
 * and the target, pushes when asked, and answers with the summary or the error. A push here
 * takes no time from the recorder's thread: recording is never slowed by the target.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPssError } from '../pss/pss-error.js';
import { openStore, type Store } from '../store/open-store.js';
import { openPushTarget } from './open-push-target.js';
import { pushStore } from './push-recording.js';
import type { PushTarget } from './push-target.js';

interface WorkerData {
  db: string;
  target: string;
}

const { db, target } = workerData as WorkerData;
let source: Store | null = null;
let into: PushTarget | null = null;

async function push(): Promise<unknown> {
  source ??= openStore(db, { readonly: true });
  into ??= await openPushTarget(target);
  try {
    return await pushStore(source, into, { attempts: 1 });
  } catch (error) {
    // A target that failed is opened again next time (its connection may be gone).
    const failed = into;
    into = null;
    await failed.close().catch(() => {});
    throw error;
  }
}

parentPort?.on('message', (message: { type: 'push' | 'close'; id: number }) => {
  if (message.type === 'close') {
    void (async () => {
      await into?.close().catch(() => {});
      source?.close();
      parentPort?.postMessage({ type: 'closed', id: message.id });
    })();
    return;
  }
  push().then(
    (summary) => parentPort?.postMessage({ type: 'pushed', id: message.id, summary }),
    (error: unknown) =>
      parentPort?.postMessage({
        type: 'failed',
        id: message.id,
        error: { message: error instanceof Error ? error.message : String(error), code: isPssError(error) ? error.code : null },
      }),
  );
});
