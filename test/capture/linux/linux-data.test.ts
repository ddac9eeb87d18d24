/**
 * The Linux data against the tools people check it with: each case is made for real by
 * test/fixtures/server.c (or a process in a namespace, a cgroup, or as another user), captured,
 * and compared with /proc, lsof, ss or pmap. Cases that need root or a kernel feature skip with a
 * message here, and must run under CI=true (CI runs as root).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { captureLinuxSnapshot } from '../../../src/capture/linux/index.js';
import { shellQuote } from '../../../src/capture/linux/read-process.js';
import { ObjectType, QueryClass, WalkClass } from '../../../src/pss/index.js';
import type { HandleEntry, VaSpaceEntry } from '../../../src/pss/walk-entries.js';
import { pssqlJson, tempDir } from '../../helpers/cli.js';
import { otherUser } from '../../helpers/other-user.js';
import { type Server, startServer } from '../../helpers/server.js';
import { buildFixture, PROJECT_ROOT, startTarget } from '../../helpers/target.js';

const isRoot = process.getuid?.() === 0;

/** Skips a case that cannot run here, saying why; under CI=true that is a failure. */
function cannotRun(t: ExecutionContext, why: string): void {
  if (process.env.CI === 'true') t.fail(`CI must run this case, but: ${why}`);
  else {
    t.log(`skipped: ${why} (set CI=true to make this a failure)`);
    t.pass();
  }
}

const ARGS = ['a  b', '', 'c'];
let dir: string;
let server: Server;

test.before(async () => {
  dir = tempDir('pssql-linux-data-');
  server = await startServer(dir, { args: [...(isRoot ? ['--realtime'] : []), '--', ...ARGS], cwd: dir });
});

test.after.always(async () => {
  await server?.stop();
});

function capture(options: { details?: boolean } = {}) {
  return captureLinuxSnapshot({ pid: server.pid, ...options });
}

function handles(): Map<number, HandleEntry> {
  return new Map([...capture().entries(WalkClass.Handles)].map((h) => [h.handle, h]));
}

const inodeOf = (pid: number, fd: number): number => Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]);

/** `lsof -p PID -a -d FD -F ...`: the fields of one fd, by their letter. */
function lsof(pid: number, fd: number): Record<string, string> {
  const out = execFileSync('lsof', ['-w', '-n', '-P', '-p', String(pid), '-a', '-d', String(fd), '-F', 'ftsDkiPn'], { encoding: 'utf8' });
  const fields: Record<string, string> = {};
  for (const line of out.split('\n')) if (line.length > 1) fields[line[0] as string] = line.slice(1);
  return fields;
}

test('a named FIFO is typed FIFO by its mode, as lsof types it, whatever its name', (t) => {
  const fifo = handles().get(server.fifo);
  t.is(fifo?.typeName, 'FIFO');
  t.is(fifo?.objectName, path.join(dir, 'fifo'));
  t.is(lsof(server.pid, server.fifo).t, 'FIFO');
});

test('a deleted file is told by its link count, not by its name; a file named like one is not deleted', (t) => {
  const all = handles();
  const gone = all.get(server.deleted);
  const kept = all.get(server.namedLikeDeleted);
  t.is(gone?.linkCount, 0);
  t.is(gone?.objectName, `${path.join(dir, 'gone.log')} (deleted)`, 'the name as the kernel gives it');
  t.is(kept?.linkCount, 1);
  t.is(kept?.objectName, path.join(dir, 'kept (deleted)'));
  t.is(String(kept?.linkCount), lsof(server.pid, server.namedLikeDeleted).k ?? '', 'lsof NLINK');
  t.is(String(gone?.sizeBytes), lsof(server.pid, server.deleted).s ?? '', 'lsof SIZE');
  t.is(kept?.sizeBytes, 1);
  // lsof's DEVICE is 0x<major><minor>; pssql writes maps' major:minor.
  const device = lsof(server.pid, server.namedLikeDeleted).D as string;
  const dev = fs.statSync(path.join(dir, 'kept (deleted)')).dev;
  t.is(Number.parseInt(device, 16), dev);
  const region = [...capture().entries(WalkClass.VaSpace)].find((r: VaSpaceEntry) => `0x${r.baseAddress.toString(16)}` === server.deletedMap);
  t.is(region?.linkCount, 0, 'the mapped deleted file, by its inode');
  t.true(
    [...capture().entries(WalkClass.VaSpace)].filter((r) => r.mappedFileName?.startsWith('/') && !r.mappedFileName.endsWith(' (deleted)')).every((r) => (r.linkCount ?? 1) > 0),
    'mapped files that exist have links',
  );
});

test('deleted-files reports the deleted file and its mapping, by link count, and not the file named like one', (t) => {
  const db = path.join(tempDir(), 'deleted.db');
  pssqlJson(['capture', String(server.pid), '--db', db]);
  const rows = pssqlJson(['report', 'deleted-files', '--db', db]);
  const names = rows.map((r) => String(r.file));
  t.true(names.includes(path.join(dir, 'gone.log')), 'listed without the kernel suffix');
  t.false(names.some((n) => n.includes('kept')), JSON.stringify(names));
});

test('a real-time thread: its policy and priority, and base_priority as the schema says', (t) => {
  if (!isRoot) return cannotRun(t, 'SCHED_FIFO needs CAP_SYS_NICE');
  const thread = [...capture().entries(WalkClass.Threads)].find((th) => th.threadId === server.realtimeTid);
  const stat = fs.readFileSync(`/proc/${server.pid}/task/${server.realtimeTid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  t.is(fields[37], '10', 'rt_priority in stat');
  t.like(thread, { name: 'fx-realtime', schedulingPolicy: 1, realtimePriority: 10, basePriority: 10 });
  t.regex(execFileSync('chrt', ['-p', String(server.realtimeTid)], { encoding: 'utf8' }), /SCHED_FIFO[\s\S]*priority: 10/);
  const main = [...capture().entries(WalkClass.Threads)].find((th) => th.threadId === server.pid);
  t.like(main, { schedulingPolicy: 0, realtimePriority: 0, basePriority: 20 });
});

test('argv is kept exactly, empty and doubled-space arguments included, and shown quoted as a shell would', (t) => {
  const p = capture().query(QueryClass.ProcessInformation);
  const expected = [buildFixture('server'), dir, ...(isRoot ? ['--realtime'] : []), '--', ...ARGS];
  t.deepEqual(p.argv, expected);
  t.is(p.commandLine, expected.map(shellQuote).join(' '));
  t.true(p.commandLine?.endsWith("-- 'a  b' '' c"));
  // A process whose argv is a b c looks different.
  t.not(p.commandLine, expected.slice(0, -3).concat(['a', 'b', 'c']).join(' '));
  // And it reads back the same from a recording.
  const db = path.join(tempDir(), 'argv.db');
  pssqlJson(['capture', String(server.pid), '--db', db]);
  const [row] = pssqlJson(['query', 'SELECT argv, command_line FROM processes', '--db', db]);
  t.deepEqual(JSON.parse(String(row?.argv)), expected);
  t.is(row?.command_line, p.commandLine);
});

test('unix sockets: their type, and the peer of each connected one, as ss shows them', (t) => {
  const all = handles();
  const ino = (fd: number) => inodeOf(server.pid, fd);
  for (const [kind, type] of [
    ['stream', 'STREAM'],
    ['dgram', 'DGRAM'],
    ['seqpacket', 'SEQPACKET'],
  ] as const) {
    const [a, b] = server[kind];
    t.like(all.get(a)?.socket, { protocol: 'unix', socketType: type, peerInode: ino(b) }, `${kind} pair`);
    t.like(all.get(b)?.socket, { protocol: 'unix', socketType: type, peerInode: ino(a) });
  }
  t.like(all.get(server.client)?.socket, { socketType: 'STREAM', peerInode: ino(server.accepted), state: 'CONNECTED' });
  t.like(all.get(server.accepted)?.socket, { peerInode: ino(server.client), localAddress: path.join(dir, 'server.sock') });
  t.like(all.get(server.listener)?.socket, { state: 'LISTEN', peerInode: null });
  // ss -x: local inode, then the peer's.
  const ss = execFileSync('ss', ['-x', '-a', '-n'], { encoding: 'utf8' });
  t.regex(ss, new RegExp(`\\s${ino(server.client)}\\s+\\*\\s+${ino(server.accepted)}\\s`), 'ss names the same peer');
});

test('sockets in no /proc/net table still have their protocol; unconnected datagram sockets are UNCONN', (t) => {
  const all = handles();
  t.like(all.get(server.boundTcp)?.socket, { protocol: 'tcp', localAddress: null }, 'bound, not listening');
  t.like(all.get(server.freshTcp)?.socket, { protocol: 'tcp' }, 'neither bound nor connected');
  t.is(lsof(server.pid, server.boundTcp).n, 'protocol: TCP', 'lsof names it from the same attribute');
  t.like(all.get(server.udp)?.socket, { protocol: 'udp', state: 'UNCONN', socketType: 'DGRAM' });
  t.like(all.get(server.dgram[0])?.socket, { state: 'CONNECTED' });
});

test('fdinfo of special fds: the fds an epoll watches, an eventfd count, a timerfd, inotify watches', (t) => {
  const all = handles();
  t.deepEqual(
    // In the kernel's order, which is not the fds' own.
    all.get(server.epoll)?.epollTargets?.map((e) => e.targetFd).sort((a, b) => a - b),
    [...server.watched].sort((a, b) => a - b),
  );
  t.is(all.get(server.epoll)?.epollTargets?.[0]?.events, 0x19, 'EPOLLIN | EPOLLERR | EPOLLHUP');
  const event = all.get(server.eventfd)?.typeSpecific;
  t.like(event, { objectType: ObjectType.Event, count: 5n, signaled: true });
  t.deepEqual(all.get(server.timerfd)?.timer, { clockId: 1, ticks: 0, settimeFlags: 0, intervalNs: 3_500_000_000 });
  t.is(all.get(server.inotify)?.inotifyWatchCount, 2);
  // And through the store.
  const db = path.join(tempDir(), 'fdinfo.db');
  pssqlJson(['capture', String(server.pid), '--db', db]);
  const targets = pssqlJson(['query', 'SELECT target_fd FROM handle_epoll_targets ORDER BY target_fd', '--db', db]).map((r) => r.target_fd);
  t.deepEqual(targets, [...server.watched].sort((a, b) => a - b));
});

test('the working and root directories, users and groups with names, limits and I/O counters', (t) => {
  const p = capture().query(QueryClass.ProcessInformation);
  t.is(p.currentDirectory, dir);
  t.is(p.rootDirectory, '/');
  t.is(p.realUserId, process.getuid?.() ?? null);
  t.is(p.userName, execFileSync('id', ['-un'], { encoding: 'utf8' }).trim());
  t.is(p.groupName, execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim());
  const limits = fs.readFileSync(`/proc/${server.pid}/limits`, 'utf8');
  t.is(String(p.openFileLimit), /^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? '');
  const io = fs.readFileSync(`/proc/${server.pid}/io`, 'utf8');
  t.is(String(p.ioReadSyscalls), /^syscr: (\d+)/m.exec(io)?.[1] ?? '');
  t.is(String(p.ioWriteCharsBytes), /^wchar: (\d+)/m.exec(io)?.[1] ?? '');
  const ns = (kind: string) => Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${server.pid}/ns/${kind}`))?.[1]);
  t.is(p.pidNamespace, ns('pid'));
  t.is(p.netNamespace, ns('net'));
  t.is(p.mntNamespace, ns('mnt'));
  t.is(p.namespacePid, server.pid, 'in the root pid namespace the two pids are one');
  t.deepEqual(capture().info.deniedParts, []);
});

test('with --details, the rest of smaps per region, as pmap -X shows it', (t) => {
  const regions = [...capture({ details: true }).entries(WalkClass.VaSpace)];
  const pmap = execFileSync('pmap', ['-X', String(server.pid)], { encoding: 'utf8' }).split('\n');
  const header = (pmap[1] ?? '').trim().split(/\s+/);
  const column = (name: string) => header.indexOf(name);
  let compared = 0;
  for (const line of pmap.slice(2)) {
    const f = line.trim().split(/\s+/);
    if (!/^[0-9a-f]+$/.test(f[0] ?? '')) continue;
    const base = BigInt(`0x${f[0]}`);
    const region = regions.find((r) => r.baseAddress === base);
    if (region === undefined || f.length < header.length) continue;
    t.is(region.anonymousBytes, Number(f[column('Anonymous')]) * 1024, `Anonymous of ${f[0]}`);
    t.is(region.lockedBytes, Number(f[column('Locked')]) * 1024, `Locked of ${f[0]}`);
    compared++;
  }
  t.true(compared > 5, `${compared} regions compared`);
  const heap = regions.find((r) => r.mappedFileName === '[heap]') ?? regions.find((r) => r.vmFlags !== null);
  t.regex(heap?.vmFlags ?? '', /\brd\b/);
  t.true(regions.every((r) => r.privateBytes === (r.privateCleanBytes ?? 0) + (r.privateDirtyBytes ?? 0)));
});

test('a process of another user: its user and group names, and what a root capture reads of it', async (t) => {
  const nobody = otherUser(t);
  if (nobody === null) return;
  const own = tempDir();
  fs.chmodSync(own, 0o777);
  const theirs = await startServer(own, { binary: nobody.executable(buildFixture('server')), uid: nobody.uid, gid: nobody.gid });
  try {
    const snapshot = captureLinuxSnapshot({ pid: theirs.pid });
    const p = snapshot.query(QueryClass.ProcessInformation);
    t.like(p, { realUserId: nobody.uid, effectiveUserId: nobody.uid, userName: 'nobody' });
    t.deepEqual(snapshot.info.deniedParts, []);
    t.true([...snapshot.entries(WalkClass.Handles)].some((h) => h.typeName === 'FIFO'));
  } finally {
    await theirs.stop();
  }
});

test('a process in its own pid namespace: the pid inside it (NSpid) and its namespace id', async (t) => {
  if (!isRoot) return cannotRun(t, 'unshare --pid needs root');
  const own = tempDir();
  const inner = await startServer(own, { wrapper: ['unshare', '--pid', '--fork', '--mount-proc'] });
  try {
    t.is(inner.pid, 1, 'it is pid 1 inside');
    const wrapper = inner.process.pid as number;
    const hostPid = Number(fs.readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8').trim().split(' ')[0]);
    const p = captureLinuxSnapshot({ pid: hostPid }).query(QueryClass.ProcessInformation);
    t.is(p.namespacePid, 1);
    t.not(p.pidNamespace, Number(/\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1]));
  } finally {
    await inner.stop();
  }
});

test('a process in a network namespace of its own: IPv6 link-local with its interface, unix peers through setns', async (t) => {
  if (!isRoot) return cannotRun(t, 'unshare --net needs root');
  const own = tempDir();
  const script = `ip link set lo up && ip -6 addr add fe80::1/64 dev lo nodad && exec "$@"`;
  const inner = await startServer(own, { wrapper: ['unshare', '--net', 'sh', '-c', script, 'sh'], args: ['--ipv6-link-local'] });
  try {
    const all = new Map([...captureLinuxSnapshot({ pid: inner.pid }).entries(WalkClass.Handles)].map((h) => [h.handle, h]));
    t.like(all.get(inner.linkLocal)?.socket, { protocol: 'tcp6', localAddress: `[fe80::1]%lo:${inner.linkLocalPort}`, state: 'LISTEN' });
    const ss = execFileSync('nsenter', ['-t', String(inner.pid), '-n', 'ss', '-t', '-l', '-n'], { encoding: 'utf8' });
    t.true(ss.includes(`[fe80::1]%lo:${inner.linkLocalPort}`), ss);
    t.is(all.get(inner.stream[0])?.socket?.peerInode, inodeOf(inner.pid, inner.stream[1]), 'sock_diag in its namespace');
  } finally {
    await inner.stop();
  }
});

test('a cgroup of its own, named as a container runtime names one: the cgroup path and the container id', async (t) => {
  const unified = fs.existsSync('/sys/fs/cgroup/cgroup.procs') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  if (!isRoot || !fs.existsSync(path.join(unified, 'cgroup.procs'))) return cannotRun(t, 'needs root and a cgroup v2 hierarchy');
  const id = randomBytes(32).toString('hex');
  const group = path.join(unified, `pssql-test-${process.pid}`, `docker-${id}.scope`);
  try {
    fs.mkdirSync(group, { recursive: true });
  } catch (error) {
    return cannotRun(t, `cannot make a cgroup: ${(error as Error).message}`);
  }
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(group, 'cgroup.procs'), String(child.pid));
    const p = captureLinuxSnapshot({ pid: child.pid as number }).query(QueryClass.ProcessInformation);
    t.is(p.cgroup, `/pssql-test-${process.pid}/docker-${id}.scope`);
    t.is(p.containerId, id);
    const db = path.join(tempDir(), 'container.db');
    pssqlJson(['capture', String(child.pid), '--db', db]);
    const rows = pssqlJson(['report', 'containers', '--db', db]);
    t.like(rows.find((r) => r.container === id), { processes: 1 });
    const metrics = execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/pssql.js'), 'metrics', '--db', db], { encoding: 'utf8' });
    t.regex(metrics, new RegExp(`^pssql_process_threads\\{host="[^"]*",pid="${child.pid}",name="sleep",container="${id}"\\} 1$`, 'm'), 'metrics label the container');
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 20 && fs.existsSync(group); i++) {
      try {
        fs.rmdirSync(group);
        fs.rmdirSync(path.dirname(group));
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
});

test('a zombie: its working set and virtual size are 0, as psutil says', async (t) => {
  // The shell becomes sleep 5, which never reaps the sleep 0.1 it started: a zombie for 5 s.
  const parent = spawn('sh', ['-c', 'sleep 0.1 & exec sleep 10'], { stdio: 'ignore' });
  try {
    let zombie: number | null = null;
    // Its zombie child: a process whose parent is the shell (now sleep 10), in state Z.
    for (let i = 0; i < 100 && zombie === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const name of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        let stat = '';
        try {
          stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
        } catch {
          continue; // gone
        }
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (fields[0] === 'Z' && Number(fields[1]) === parent.pid) zombie = Number(name);
      }
    }
    if (zombie === null) return t.fail('no zombie appeared');
    const p = captureLinuxSnapshot({ pid: zombie }).query(QueryClass.ProcessInformation);
    t.like(p, { state: 'Z', workingSetSizeBytes: 0, virtualSizeBytes: 0 });
  } finally {
    parent.kill('SIGKILL');
  }
});

test('the open-file limit, soft and hard, as prlimit sets it', async (t) => {
  const own = tempDir();
  const limited = await startServer(own, { wrapper: ['prlimit', '--nofile=123:456'] });
  try {
    const p = captureLinuxSnapshot({ pid: limited.pid }).query(QueryClass.ProcessInformation);
    t.like(p, { openFileLimit: 123, openFileLimitHard: 456 });
    const db = path.join(tempDir(), 'limits.db');
    pssqlJson(['capture', String(limited.pid), '--db', db]);
    const [row] = pssqlJson(['report', 'fd-limit', '--db', db]);
    t.like(row, { pid: limited.pid, open_file_limit: 123 });
    t.true(Number(row?.used_share) > 0.1, 'some 25 fds of 123');
  } finally {
    await limited.stop();
  }
});

test('mapped file names are kept exactly: a newline, and a backslash followed by 012, which maps shows alike', async (t) => {
  if (!isRoot) return cannotRun(t, 'map_files, which holds the exact names, needs root');
  const newline = path.join(dir, 'nl\nx');
  const backslash = path.join(dir, 'bs\\012x');
  for (const file of [newline, backslash]) fs.writeFileSync(file, Buffer.alloc(8192));
  // One target each (the target prints the name of --map-file in its JSON, unescaped).
  const targets = await Promise.all([startTarget(['--hold-file', newline]), startTarget(['--hold-file', backslash])]);
  try {
    for (const [target, file, shown] of [[targets[0], newline, 'nl\\012x'], [targets[1], backslash, 'bs\\012x']] as const) {
      const names = new Set([...captureLinuxSnapshot({ pid: target.pid }).entries(WalkClass.VaSpace)].map((r) => r.mappedFileName));
      t.true(names.has(file), JSON.stringify(file));
      t.true(fs.readFileSync(`/proc/${target.pid}/maps`, 'utf8').includes(shown), `maps shows ${shown}`);
    }
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
});
