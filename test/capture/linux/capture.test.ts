import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { captureLinuxSnapshot } from '../../../src/capture/linux/index.js';
import {
  HandleFlags,
  MemState,
  MemType,
  ObjectType,
  PageProtection,
  QueryClass,
  type Snapshot,
  STILL_ACTIVE,
  WalkClass,
} from '../../../src/pss/index.js';
import { tempDir } from '../../helpers/cli.js';
import { mapsLineCount, procEntries, startTarget, TARGET_BINARY, type Target } from '../../helpers/target.js';

let target: Target;
let snapshot: Snapshot;
let mapFile: string;

test.before(async () => {
  const dir = tempDir();
  mapFile = path.join(dir, 'mapped.bin');
  fs.writeFileSync(mapFile, Buffer.alloc(3 * 4096, 7));
  target = await startTarget([
    '--files', '3', '--dirs', '1', '--pipes', '3', '--tcp', '1', '--udp', '1', '--unix', '1',
    '--eventfds', '2', '--memfds', '1', '--pidfds', '1', '--misc', '--threads', '4',
    '--regions', '16', '--map-file', mapFile, '--name-weird',
  ]);
  snapshot = captureLinuxSnapshot({ pid: target.pid });
});

test.after.always(async () => {
  await target?.stop();
});

const handles = () => [...snapshot.entries(WalkClass.Handles)];
const handle = (fd: number) => {
  const h = handles().find((e) => e.handle === fd);
  if (h === undefined) throw new Error(`fd ${fd} not in the snapshot`);
  return h;
};

test('counts equal what /proc shows', (t) => {
  t.is(snapshot.query(QueryClass.HandleInformation).handlesCaptured, procEntries(target.pid, 'fd').length);
  t.deepEqual(handles().map((h) => h.handle), procEntries(target.pid, 'fd'));
  t.is(snapshot.query(QueryClass.ThreadInformation).threadsCaptured, procEntries(target.pid, 'task').length);
  t.is(snapshot.query(QueryClass.VaSpaceInformation).regionCount, mapsLineCount(target.pid));
  t.is(snapshot.info.skippedCount, 0);
  t.is(snapshot.info.deniedCount, 0);
});

test('process information names the target', (t) => {
  const p = snapshot.query(QueryClass.ProcessInformation);
  t.is(p.processId, target.pid);
  t.is(p.parentProcessId, process.pid);
  t.is(p.name, 'target');
  t.is(p.imageFileName, TARGET_BINARY);
  t.true(p.commandLine?.includes('--pipes 3'));
  t.is(p.threadCount, 5);
  t.is(p.exitStatus, STILL_ACTIVE);
  t.true((p.workingSetSizeBytes ?? 0) > 0);
  t.true((p.virtualSizeBytes ?? 0) >= (p.workingSetSizeBytes ?? 0));
  const created = p.createTimeUs ?? 0;
  t.true(Math.abs(created - Date.now() * 1000) < 120_000_000, 'created within the last two minutes');
});

test('files, directories and the weird name have their type and exact name', (t) => {
  for (const [i, fd] of target.fds.file.entries()) {
    const h = handle(fd);
    t.is(h.typeName, 'File');
    t.is(h.objectType, ObjectType.Unknown);
    t.is(h.objectName, `${target.dir}/file-${i}.txt`);
    t.is(h.flags, HandleFlags.HaveType | HandleFlags.HaveName | HandleFlags.HaveBasicInformation);
    t.is((h.openFlags ?? -1) & 3, i % 2 === 1 ? 2 : 0, 'even files read-only, odd ones read-write');
  }
  t.is(handle(target.fds.file[1] as number).positionBytes, 5, 'the target wrote 5 bytes to file-1');
  t.is(handle(target.fds.dir[0] as number).typeName, 'Directory');
  const weird = handle(target.fds.weird[0] as number);
  t.is(weird.objectName, `${target.dir}/we\nird\x1b[31m\udcff.txt`, 'newline, escape and a non-UTF-8 byte kept exactly');
});

test('3 pipes are 6 fds of type Pipe, in pairs on one inode', (t) => {
  const pipes = target.fds.pipe.map(handle);
  t.is(pipes.length, 6);
  t.true(pipes.every((h) => h.typeName === 'Pipe' && /^pipe:\[\d+\]$/.test(h.objectName ?? '')));
  for (let i = 0; i < 6; i += 2) t.is(pipes[i]?.inode, pipes[i + 1]?.inode);
  t.is(handles().filter((h) => h.typeName === 'Pipe').length, 6 + procPipesInherited(target.pid));
});

function procPipesInherited(pid: number): number {
  // The target's stdin and stdout are pipes from this test process.
  return [0, 1, 2].filter((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('pipe:')).length;
}

test('sockets carry their endpoints as lsof shows them', (t) => {
  const listen = handle(target.fds.tcp[0] as number);
  t.is(listen.typeName, 'Socket');
  t.deepEqual(listen.socket, {
    protocol: 'tcp',
    localAddress: `127.0.0.1:${target.tcpPort}`,
    remoteAddress: null,
    state: 'LISTEN',
    socketType: 'STREAM',
    peerInode: null,
  });
  t.true((listen.flags & HandleFlags.HaveTypeSpecificInformation) !== 0);
  const udp = handle(target.fds.udp[0] as number);
  t.is(udp.socket?.protocol, 'udp');
  t.regex(udp.socket?.localAddress ?? '', /^127\.0\.0\.1:\d+$/);
  for (const fd of target.fds.unix) t.deepEqual(handle(fd).socket?.protocol, 'unix');
  const [client, server] = [target.fds.misc[4] as number, target.fds.misc[5] as number].map(handle);
  t.is(client?.socket?.state, 'ESTABLISHED');
  t.is(client?.socket?.remoteAddress, `127.0.0.1:${target.tcpPort}`);
  t.is(server?.socket?.localAddress, `127.0.0.1:${target.tcpPort}`);
  t.is(server?.socket?.remoteAddress, client?.socket?.localAddress);
});

test('eventfds, memfds and pidfds map to PSS object types with their detail', (t) => {
  const [e0, e1] = target.fds.eventfd.map(handle);
  t.is(e0?.typeName, 'Event');
  t.is(e0?.objectType, ObjectType.Event);
  t.deepEqual(e0?.typeSpecific, { objectType: ObjectType.Event, manualReset: false, signaled: false, count: 0n });
  t.deepEqual(e1?.typeSpecific, { objectType: ObjectType.Event, manualReset: false, signaled: true, count: 1n }, 'eventfd 1 starts at count 1');
  const memfd = handle(target.fds.memfd[0] as number);
  t.is(memfd.typeName, 'Memfd');
  t.is(memfd.objectType, ObjectType.Section);
  t.is(memfd.typeSpecific?.objectType === ObjectType.Section ? memfd.typeSpecific.maximumSizeBytes : null, 4096);
  const pidfd = handle(target.fds.pidfd[0] as number);
  t.is(pidfd.typeName, 'Process');
  t.is(pidfd.typeSpecific?.objectType === ObjectType.Process ? pidfd.typeSpecific.processId : null, target.pid);
  t.deepEqual(target.fds.misc.slice(0, 4).map((fd) => handle(fd).typeName), ['Timer', 'Epoll', 'Signal', 'Inotify']);
});

test('threads: the main thread and 4 named workers blocked in a futex', (t) => {
  const threads = [...snapshot.entries(WalkClass.Threads)];
  t.is(threads.length, 5);
  t.deepEqual(threads.map((th) => th.threadId), procEntries(target.pid, 'task'));
  // Thread ids wrap around at pid_max: the main thread is the one whose id is the pid.
  const workers = threads.filter((th) => th.threadId !== target.pid);
  t.deepEqual(workers.map((th) => th.name).sort(), ['fx-worker-0', 'fx-worker-1', 'fx-worker-2', 'fx-worker-3']);
  for (const th of workers) {
    t.is(th.processId, target.pid);
    t.is(th.lastSyscallNumber, 202, 'futex');
    t.is(typeof th.stackPointer, 'bigint');
    t.is(th.exitStatus, STILL_ACTIVE);
  }
  const names = [...snapshot.entries(WalkClass.ThreadName)].map((n) => n.threadName);
  t.deepEqual(names, threads.map((th) => th.name));
});

test('regions: alternating pages stay separate regions, the mapped file is named', (t) => {
  const regions = [...snapshot.entries(WalkClass.VaSpace)];
  const base = BigInt(target.regionBase);
  const page = target.pageSize;
  const block = regions.filter((r) => r.baseAddress >= base && r.baseAddress < base + BigInt(16 * page));
  t.is(block.length, 16);
  block.forEach((r, i) => {
    t.is(r.baseAddress, base + BigInt(i * page));
    t.is(r.regionSizeBytes, page);
    t.is(r.protect, i % 2 === 1 ? PageProtection.ReadOnly : PageProtection.ReadWrite);
    t.is(r.type, MemType.Private);
    t.is(r.state, MemState.Commit);
  });
  const mapped = regions.find((r) => r.baseAddress === BigInt(target.mapBase));
  t.is(mapped?.mappedFileName, mapFile);
  t.is(mapped?.type, MemType.Mapped);
  t.is(mapped?.protect, PageProtection.ReadOnly);
  t.is(mapped?.regionSizeBytes, 3 * 4096);
  const image = regions.filter((r) => r.mappedFileName === TARGET_BINARY);
  t.true(image.length >= 2);
  t.true(image.every((r) => r.type === MemType.Image && r.imageBase === image[0]?.baseAddress));
  t.true(image.some((r) => r.protect === PageProtection.ExecuteRead));
});

test('performance counters time each phase', (t) => {
  const perf = snapshot.query(QueryClass.PerformanceCounters);
  t.true(perf.total.wallClockUs > 0);
  t.true(perf.total.wallClockUs >= perf.handles.wallClockUs + perf.threads.wallClockUs + perf.vaSpace.wallClockUs);
  t.is(perf.vaClone.wallClockUs, 0);
  t.is(perf.total.cycleCount, null);
});
