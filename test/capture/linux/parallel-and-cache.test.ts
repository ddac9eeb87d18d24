import test from 'ava';
import { captureLinuxSnapshot, LinuxCapturer } from '../../../src/capture/linux/index.js';
import { DENIED, ProcFiles, VANISHED } from '../../../src/capture/linux/proc-files.js';
import { nextShare, PARALLEL_THRESHOLD, ReaderThread } from '../../../src/capture/linux/reader-thread.js';
import { packRaw, type RawItem, readRaw, unpackRaw } from '../../../src/capture/linux/raw-reads.js';
import { WalkClass } from '../../../src/pss/index.js';
import { mapsLineCount, procEntries, startTarget } from '../../helpers/target.js';

test('the reader thread takes more of the next job when it read faster, less when slower, within a quarter and three quarters', (t) => {
  t.is(nextShare(0.5, 1, 1), 0.5, 'equal rates keep the split');
  t.is(nextShare(0.5, 2, 1), (0.5 + 2 / 3) / 2, 'halfway to the split that would have ended both together');
  t.true(nextShare(0.5, 1, 2) < 0.5);
  t.is(nextShare(0.75, 100, 1), 0.75);
  t.is(nextShare(0.25, 1, 100), 0.25);
});

test('raw reads survive packing for the other thread, failures included', (t) => {
  const items: RawItem[] = [['socket:[1]', 'pos:\t0\n'], [VANISHED], [DENIED, 'flags:\t02\n'], ['/tmp/\u00ff\u00fe', DENIED]];
  t.deepEqual(unpackRaw(packRaw(items, 2), 2), items);
  const tasks: RawItem[] = [['1 (a) S', 'Name:\tx\n', 'running\n'], ['2 (b) R', VANISHED], [VANISHED]];
  t.deepEqual(unpackRaw(packRaw(tasks, 3), 3), tasks);
});

test('reading with the reader thread gives exactly what one thread reads', async (t) => {
  // 3000 regions: a maps file of some 250 KiB, read in several reads.
  const target = await startTarget(['--files', String(PARALLEL_THRESHOLD + 500), '--threads', String(PARALLEL_THRESHOLD + 10), '--regions', '3000']);
  try {
    const files = new ProcFiles('/proc');
    const reader = new ReaderThread();
    t.teardown(() => reader.close());
    const fds = procEntries(target.pid, 'fd');
    const fdJob = { root: '/proc', pid: target.pid, dir: 'fd' as const, ids: fds };
    t.deepEqual(reader.read(files, fdJob), readRaw(files, fdJob, 0, fds.length));
    const tids = procEntries(target.pid, 'task');
    const taskJob = { root: '/proc', pid: target.pid, dir: 'task' as const, ids: tids };
    const parallel = reader.read(files, taskJob);
    t.true(reader.running, 'the second thread read half of it');
    t.is(parallel.length, tids.length);
    // Thread files of idle threads do not change between the two reads.
    t.deepEqual(parallel.map((item) => item[0]), readRaw(files, taskJob, 0, tids.length).map((item) => item[0]));
    const snapshot = captureLinuxSnapshot({ pid: target.pid });
    t.is([...snapshot.entries(WalkClass.Handles)].length, fds.length);
    t.is([...snapshot.entries(WalkClass.Threads)].length, tids.length);
    t.is([...snapshot.entries(WalkClass.VaSpace)].length, mapsLineCount(target.pid), 'every line of a large maps file');
  } finally {
    await target.stop();
  }
});

test('a second capture of an idle process hands back the same entry objects; changes are new objects', async (t) => {
  const capturer = new LinuxCapturer();
  t.teardown(() => capturer.close());
  const target = await startTarget(['--files', '20', '--pipes', '2', '--tcp', '1', '--memfds', '1', '--threads', '3', '--regions', '8', '--open-every', '150']);
  try {
    const first = capturer.capture({ pid: target.pid });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = capturer.capture({ pid: target.pid });
    const before = new Map([...first.entries(WalkClass.Handles)].map((h) => [h.handle, h]));
    let same = 0;
    let added = 0;
    for (const h of second.entries(WalkClass.Handles)) {
      const old = before.get(h.handle);
      if (old === undefined) added++;
      else if (old === h) same++;
      else t.fail(`fd ${h.handle} (${h.typeName}) did not change, yet it is a new object`);
    }
    t.true(added >= 1, 'the target opened files in between');
    t.true([...before.values()].some((h) => h.typeName === 'Socket'), 'sockets among them');
    t.is(same, before.size, 'every fd is the very same object, sockets (read again) included');
    const threads = [...first.entries(WalkClass.Threads)];
    const again = [...second.entries(WalkClass.Threads)];
    t.true(threads.slice(1, -1).every((th, i) => again[i + 1] === th), 'idle worker threads are the same objects');
    // Another capture with other flags does not reuse these objects.
    const other = capturer.capture({ pid: target.pid, flags: 0x4 });
    t.false([...other.entries(WalkClass.Handles)].some((h) => before.get(h.handle) === h));
    // What is shared between captures cannot be changed by one of them.
    t.true([...second.entries(WalkClass.Handles)].every((h) => Object.isFrozen(h)), 'entries are frozen');
    t.true(Object.isFrozen([...second.entries(WalkClass.Handles)].find((h) => h.socket !== null)?.socket));
    // Another capturer keeps its own: its first capture shares nothing with this one's.
    const fresh = captureLinuxSnapshot({ pid: target.pid });
    t.false([...fresh.entries(WalkClass.Threads)].some((th) => threads.includes(th)), 'a one-shot capture starts afresh');
  } finally {
    await target.stop();
  }
});

test('a socket whose state changes comes back as a new entry, though its fdinfo did not change', async (t) => {
  const net = await import('node:net');
  const capturer = new LinuxCapturer();
  t.teardown(() => capturer.close());
  // The accepted end stays open when the client closes (half-open), in CLOSE_WAIT.
  const accepted: import('node:net').Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => void accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const byRemote = (s: ReturnType<typeof capturer.capture>) =>
    [...s.entries(WalkClass.Handles)].find((h) => h.socket?.localAddress === `127.0.0.1:${port}` && h.socket.remoteAddress !== null && h.socket.state !== 'LISTEN');
  try {
    const first = capturer.capture({ pid: process.pid });
    const listening = [...first.entries(WalkClass.Handles)].find((h) => h.socket?.state === 'LISTEN' && h.socket.localAddress === `127.0.0.1:${port}`);
    const established = byRemote(first);
    t.is(established?.socket?.state, 'ESTABLISHED');
    client.end();
    await new Promise((resolve) => accepted[0]!.once('end', resolve));
    // Past the time the socket tables of a namespace are kept (500 ms).
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = capturer.capture({ pid: process.pid });
    const after = byRemote(second);
    t.is(after?.socket?.state, 'CLOSE_WAIT');
    t.not(after, established, 'a new entry');
    t.is(
      [...second.entries(WalkClass.Handles)].find((h) => h.handle === listening?.handle),
      listening,
      'the listening socket did not change: the same entry',
    );
  } finally {
    client.destroy();
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
