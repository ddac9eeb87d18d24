import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { captureLinuxSnapshot } from '../../../src/capture/linux/index.js';
import { parseStat } from '../../../src/capture/linux/proc-stat.js';
import { handleTypeName } from '../../../src/capture/linux/read-handles.js';
import { parseFdInfo } from '../../../src/capture/linux/parse-fdinfo.js';
import { keepsNoOverlap, parseMaps, protectionOf } from '../../../src/capture/linux/parse-maps.js';
import { readSocketTable } from '../../../src/capture/linux/read-sockets.js';
import { ProcFiles, VANISHED } from '../../../src/capture/linux/proc-files.js';
import { parseSyscall } from '../../../src/capture/linux/read-threads.js';
import { isPssError, PageProtection, QueryClass, WalkClass } from '../../../src/pss/index.js';
import { tempDir } from '../../helpers/cli.js';

const STAT_TAIL = 'S 1 1 1 0 -1 4194560 100 0 5 0 12 34 0 0 20 0 3 0 4200 1048576 50 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';

test('stat names with spaces and parentheses are parsed from the last parenthesis', (t) => {
  const stat = parseStat(`42 (a (b) c) ${STAT_TAIL}`);
  t.is(stat?.name, 'a (b) c');
  t.is(stat?.state, 'S');
  t.is(stat?.ppid, 1);
  t.is(stat?.minorFaults, 100);
  t.is(stat?.majorFaults, 5);
  t.is(stat?.userTimeUs, 120_000);
  t.is(stat?.kernelTimeUs, 340_000);
  t.is(stat?.threadCount, 3);
  t.is(stat?.startTicks, 4200);
  t.is(stat?.virtualSizeBytes, 1048576);
  t.is(parseStat('garbage'), null);
});

test('maps: paths with spaces, deleted files, newlines escaped by the kernel, the vsyscall page', (t) => {
  const text = [
    '55d0c0000000-55d0c0002000 r--p 00000000 fe:00 123                        /usr/bin/my prog',
    '55d0c0002000-55d0c0003000 r-xp 00002000 fe:00 123                        /usr/bin/my prog',
    '7f0000000000-7f0000001000 rw-s 00000000 00:01 77                         /memfd:x (deleted)',
    '7f0000001000-7f0000002000 r--p 00000000 fe:00 99                         /tmp/a\\012b',
    '7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]',
    'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
  ].join('\n');
  const lines = parseMaps(text, false);
  t.is(lines.length, 6);
  t.is(lines[0]?.path, '/usr/bin/my prog');
  t.is(lines[0]?.size, 0x2000);
  t.is(lines[1]?.offset, 0x2000);
  t.is(lines[2]?.path, '/memfd:x (deleted)');
  t.is(lines[3]?.path, '/tmp/a\\012b', 'as the kernel shows it: a newline, or a backslash and 012');
  t.is(lines[4]?.path, '[stack]');
  t.is(lines[5]?.start, 0xffffffffff600000n, 'addresses above 2^53 are exact');
});

test('smaps sizes are summed per region', (t) => {
  const text = [
    '7f0000000000-7f0000004000 rw-p 00000000 00:00 0',
    'Size:                 16 kB',
    'Rss:                  12 kB',
    'Pss:                   6 kB',
    'Private_Clean:         4 kB',
    'Private_Dirty:         4 kB',
    'Swap:                  4 kB',
    'VmFlags: rd wr mr mw me ac',
  ].join('\n');
  const [r] = parseMaps(text, true);
  t.is(r?.rss, 12 * 1024);
  t.is(r?.pss, 6 * 1024);
  t.is(r?.private, 8 * 1024);
  t.is(r?.swap, 4 * 1024);
});

test('protections map to PAGE_* values; private writable file mappings are copy-on-write', (t) => {
  t.is(protectionOf('r-xp', true), PageProtection.ExecuteRead);
  t.is(protectionOf('rw-p', false), PageProtection.ReadWrite);
  t.is(protectionOf('rw-p', true), PageProtection.WriteCopy);
  t.is(protectionOf('rw-s', true), PageProtection.ReadWrite);
  t.is(protectionOf('rwxp', false), PageProtection.ExecuteReadWrite);
  t.is(protectionOf('---p', false), PageProtection.NoAccess);
  t.is(protectionOf('r--p', true), PageProtection.ReadOnly);
});

test('fd types from link targets', (t) => {
  t.is(handleTypeName('/dev/null', 0), 'Device');
  t.is(handleTypeName('/dev/shm/x', 0), 'File');
  t.is(handleTypeName('/home', 0o200000), 'Directory');
  t.is(handleTypeName('/memfd:a (deleted)', 2), 'Memfd');
  t.is(handleTypeName('anon_inode:[eventfd]', 2), 'Event');
  t.is(handleTypeName('anon_inode:[pidfd]', 2), 'Process');
  t.is(handleTypeName('pidfd:[1234]', 2), 'Process');
  t.is(handleTypeName('anon_inode:[io_uring]', 2), 'IoUring');
  t.is(handleTypeName('anon_inode:bpf-map', 2), 'Bpf');
  t.is(handleTypeName('anon_inode:[weird]', 2), 'Anon');
  t.is(handleTypeName('net:[4026531840]', 0), 'Namespace');
  t.is(handleTypeName('socket:[1]', 2), 'Socket');
});

test('fdinfo fields', (t) => {
  const info = parseFdInfo('pos:\t7\nflags:\t02100002\nmnt_id:\t17\nino:\t1040\neventfd-count:                a\nPid:\t99\n');
  t.is(info.position, 7);
  t.is(info.openFlags, 0o2100002);
  t.is(info.mountId, 17);
  t.is(info.inode, 1040);
  t.is(info.eventCount, 10n);
  t.is(info.pidfdPid, 99);
});

test('syscall states', (t) => {
  t.deepEqual(parseSyscall('202 0x55 0x189 0x0 0x0 0x0 0xffffffff 0x7f1 0x7f2\n'), {
    number: 202,
    firstArgument: 0x55n,
    stackPointer: 0x7f1n,
    instructionPointer: 0x7f2n,
  });
  t.deepEqual(parseSyscall('-1 0x10 0x20\n'), { number: null, firstArgument: null, stackPointer: 0x10n, instructionPointer: 0x20n });
  t.is(parseSyscall('running\n').number, null);
});

/** Writes a fake /proc tree for pid 4242 with the given fds (target -> fdinfo or null when gone). */
function fakeProc(fds: Record<number, [target: string, fdinfo: string | null]>, net: Record<string, string> = {}): string {
  const root = tempDir('pssql-proc-');
  const pid = path.join(root, '4242');
  fs.mkdirSync(path.join(pid, 'fd'), { recursive: true });
  fs.mkdirSync(path.join(pid, 'fdinfo'));
  fs.mkdirSync(path.join(pid, 'task', '4242'), { recursive: true });
  fs.mkdirSync(path.join(pid, 'net'));
  fs.writeFileSync(path.join(root, 'stat'), 'cpu 1 2 3\nbtime 1700000000\n');
  const stat = `4242 (fake proc) ${STAT_TAIL}\n`;
  fs.writeFileSync(path.join(pid, 'stat'), stat);
  fs.writeFileSync(path.join(pid, 'status'), 'Name:\tfake\nVmRSS:\t  100 kB\nCpus_allowed:\tff\n');
  fs.writeFileSync(path.join(pid, 'cmdline'), 'fake\0--flag\0');
  fs.writeFileSync(path.join(pid, 'maps'), '00400000-00401000 r-xp 00000000 fe:00 5 /fake\n');
  fs.writeFileSync(path.join(pid, 'task', '4242', 'stat'), stat);
  fs.writeFileSync(path.join(pid, 'task', '4242', 'status'), 'voluntary_ctxt_switches:\t3\n');
  fs.writeFileSync(path.join(pid, 'task', '4242', 'syscall'), 'running\n');
  for (const [fd, [target, info]] of Object.entries(fds)) {
    fs.symlinkSync(target, path.join(pid, 'fd', fd));
    if (info !== null) fs.writeFileSync(path.join(pid, 'fdinfo', fd), info);
  }
  for (const [name, text] of Object.entries(net)) fs.writeFileSync(path.join(pid, 'net', name), text);
  return root;
}

test('a fake /proc tree: an fd that vanished between its link and its fdinfo is skipped and counted', (t) => {
  const root = fakeProc({
    0: ['/dev/null', 'pos:\t0\nflags:\t02\nmnt_id:\t1\nino:\t3\n'],
    3: ['/gone/file', null],
    4: ['socket:[555]', 'pos:\t0\nflags:\t02\nmnt_id:\t9\nino:\t555\n'],
  }, {
    tcp6: '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0 100 0 0 10 0\n',
  });
  const snapshot = captureLinuxSnapshot({ pid: 4242, procRoot: root });
  const handles = [...snapshot.entries(WalkClass.Handles)];
  t.deepEqual(handles.map((h) => h.handle), [0, 4]);
  t.is(snapshot.info.skippedCount, 1);
  t.deepEqual(handles[1]?.socket, { protocol: 'tcp6', localAddress: '[::1]:8080', remoteAddress: null, state: 'LISTEN', socketType: 'STREAM', peerInode: null });
  const p = snapshot.query(QueryClass.ProcessInformation);
  t.is(p.name, 'fake proc');
  t.is(p.commandLine, 'fake --flag');
  t.is(p.createTimeUs, 1_700_000_000_000_000 + 42_000_000, 'boot time + 4200 ticks');
  t.is(p.affinityMask, 0xffn);
});

test('IPv6 addresses are compressed as RFC 5952 asks, IPv4-mapped ones shown as such', (t) => {
  const table = (local: string) =>
    `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: ${local}:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0 100 0 0 10 0\n`;
  const root = fakeProc({}, { tcp6: table('0000000000000000FFFF00000100007F') });
  t.is(readSocketTable(new ProcFiles(root), 4242).get(777)?.localAddress, '[::ffff:127.0.0.1]:80');
  const root2 = fakeProc({}, { tcp6: table('B80D0120000000000000000001000000') });
  t.is(readSocketTable(new ProcFiles(root2), 4242).get(777)?.localAddress, '[2001:db8::1]:80');
});

test('read failures: unreachable paths count as vanished, any other error is a PssError naming the path', (t) => {
  const root = tempDir();
  const files = new ProcFiles(root);
  fs.symlinkSync(`${root}/loop`, `${root}/loop`);
  t.is(files.stat(`${root}/loop`), VANISHED, 'a symbolic link loop (ELOOP)');
  t.is(files.stat(`${root}/${'x'.repeat(250)}/`.repeat(20)), VANISHED, 'a path longer than PATH_MAX (ENAMETOOLONG)');
  fs.mkdirSync(`${root}/dir`);
  const error = t.throws(() => files.readText(`${root}/dir`));
  t.true(isPssError(error, 'ERROR_READ_FAULT'), `a PssError, not ${String(error)}`);
  t.regex(error?.message ?? '', /cannot read .*\/dir: EISDIR/);
});

test('maps: a region listed again after the kernel resumed its listing is left out', (t) => {
  const text = [
    '00400000-00401000 r-xp 00000000 08:01 100 /usr/bin/app',
    '00600000-00700000 rw-p 00000000 00:00 0',
    '00650000-00800000 rw-p 00000000 00:00 0',
    '00800000-00900000 rw-p 00000000 00:00 0',
  ].join('\n');
  const lines = parseMaps(text, false).filter(keepsNoOverlap());
  t.deepEqual(
    lines.map((l) => l.start.toString(16)),
    ['400000', '600000', '800000'],
  );
});
