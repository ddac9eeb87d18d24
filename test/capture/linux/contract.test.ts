import test from 'ava';
import { captureLinuxSnapshot } from '../../../src/capture/linux/index.js';
import { combineFlags, CaptureFlags, WalkClass } from '../../../src/pss/index.js';
import { openStore, openStoredSnapshot, writeCapture } from '../../../src/store/index.js';
import { tempDir } from '../../helpers/cli.js';
import { startTarget, type Target } from '../../helpers/target.js';
import { checkSnapshotContract } from '../../pss/snapshot-contract.js';

let target: Target;
test.before(async () => {
  target = await startTarget(['--files', '4', '--threads', '3', '--regions', '8']);
});
test.after.always(async () => {
  await target?.stop();
});

const all = { captured: [WalkClass.Handles, WalkClass.Threads, WalkClass.ThreadName, WalkClass.VaSpace], notCaptured: [WalkClass.AuxiliaryPages] };
const handlesOnly = combineFlags(CaptureFlags.Handles, CaptureFlags.HandleNameInformation);
const partial = { captured: [WalkClass.Handles], notCaptured: [WalkClass.Threads, WalkClass.ThreadName, WalkClass.VaSpace, WalkClass.AuxiliaryPages] };

test('the live Linux snapshot keeps the Snapshot contract', (t) => {
  checkSnapshotContract(t, captureLinuxSnapshot({ pid: target.pid }), all);
});

test('a live snapshot of some classes: the others are not captured', (t) => {
  checkSnapshotContract(t, captureLinuxSnapshot({ pid: target.pid, flags: handlesOnly }), partial);
});

test('a stored snapshot keeps the Snapshot contract', (t) => {
  const store = openStore(`${tempDir()}/contract.db`);
  try {
    const full = writeCapture(store, captureLinuxSnapshot({ pid: target.pid })).captureId;
    checkSnapshotContract(t, openStoredSnapshot(store, full), all);
    const some = writeCapture(store, captureLinuxSnapshot({ pid: target.pid, flags: handlesOnly })).captureId;
    checkSnapshotContract(t, openStoredSnapshot(store, some), partial);
  } finally {
    store.close();
  }
});
