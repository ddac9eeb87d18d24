import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { captureLinuxSnapshot } from '../../../src/capture/linux/index.js';
import { CaptureFlags, combineFlags, isPssError } from '../../../src/pss/index.js';
import { otherUser } from '../../helpers/other-user.js';
import { startTarget } from '../../helpers/target.js';

function pssCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPssError(error) ? error.code : `not a PssError: ${String(error)}`;
  }
  return undefined;
}

test('a pid that does not exist is ERROR_NOT_FOUND with a message naming it', (t) => {
  const error = t.throws(() => captureLinuxSnapshot({ pid: 4_194_000 }));
  t.true(isPssError(error, 'ERROR_NOT_FOUND'));
  t.is(error?.message, 'cannot capture pid 4194000: no such process');
});

test('programmer mistakes fail at the boundary naming the argument', (t) => {
  t.throws(() => captureLinuxSnapshot({ pid: -1 }), { instanceOf: RangeError, message: /pid/ });
  t.throws(() => captureLinuxSnapshot({ pid: 1.5 }), { instanceOf: RangeError, message: /pid/ });
  t.throws(() => captureLinuxSnapshot({ pid: process.pid, flags: -4 }), { instanceOf: TypeError, message: /flags/ });
});

test('flags Linux does not have are refused by name, not ignored', (t) => {
  for (const flag of [CaptureFlags.VaClone, CaptureFlags.Reserved00000002, CaptureFlags.HandleTrace, CaptureFlags.IptTrace]) {
    const error = t.throws(() => captureLinuxSnapshot({ pid: process.pid, flags: flag }));
    t.true(isPssError(error, 'ERROR_NOT_SUPPORTED'));
    t.regex(error?.message ?? '', /PSS_CAPTURE_\w+ \([\w-]+\) is not available on Linux/);
  }
});

test('flags are checked as PssCaptureSnapshot checks them', (t) => {
  t.is(pssCode(() => captureLinuxSnapshot({ pid: process.pid, flags: 0x8000 })), 'ERROR_INVALID_PARAMETER');
  t.is(pssCode(() => captureLinuxSnapshot({ pid: process.pid, flags: CaptureFlags.CreateBreakawayOptional })), 'ERROR_INVALID_PARAMETER');
  t.is(pssCode(() => captureLinuxSnapshot({ pid: process.pid, flags: CaptureFlags.HandleNameInformation })), 'ERROR_INVALID_PARAMETER');
  t.is(pssCode(() => captureLinuxSnapshot({ pid: process.pid, flags: combineFlags(CaptureFlags.Handles, CaptureFlags.CreateUseVmAllocations) })), undefined);
});

test("another user's process: what may be read is captured and the rest named; --strict refuses it whole", async (t) => {
  if (process.getuid?.() !== 0) {
    // Not root: pid 1 belongs to another user.
    const error = t.throws(() => captureLinuxSnapshot({ pid: 1, strict: true }));
    t.true(isPssError(error, 'ERROR_ACCESS_DENIED'));
    const partial = captureLinuxSnapshot({ pid: 1 });
    t.true(partial.info.deniedParts.includes('handles'));
    return;
  }
  // As root, capture from a child running as nobody: it may not read a root process's fds.
  const nobody = otherUser(t);
  if (nobody === null) return;
  const target = await startTarget(['--files', '1']);
  try {
    const script = `import(${JSON.stringify(pathToFileURL(nobody.dist('src/capture/linux/index.js')).href)}).then((m) => {
      const { QueryClass } = { QueryClass: { ProcessInformation: 0, HandleInformation: 4 } };
      const s = m.captureLinuxSnapshot({ pid: ${target.pid} });
      let handles = 'captured';
      try { s.query(QueryClass.HandleInformation); } catch (e) { handles = e.code; }
      const p = s.query(QueryClass.ProcessInformation);
      console.log(JSON.stringify({ denied: s.info.deniedParts, handles, name: p.name, argv: p.argv, uid: p.realUserId, threads: [...s.entries(3)].length }));
      try { m.captureLinuxSnapshot({ pid: ${target.pid}, strict: true }); console.log('captured'); }
      catch (e) { console.log(e.code + ': ' + e.message); }
    });`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      uid: nobody.uid,
      gid: nobody.gid,
      cwd: nobody.root,
      encoding: 'utf8',
    }).split('\n');
    const partial = JSON.parse(out[0] as string);
    t.like(partial, { handles: 'ERROR_NOT_FOUND', name: 'target', uid: 0 }, 'fds not captured; the world-readable files are');
    t.true(partial.threads >= 1);
    t.deepEqual(partial.argv.slice(1), ['--files', '1']);
    for (const part of ['handles', 'regions', 'executable']) t.true(partial.denied.includes(part), part);
    t.regex(out[1] as string, new RegExp(`^ERROR_ACCESS_DENIED: cannot capture pid ${target.pid}: permission denied reading /proc/${target.pid}/.* \\(it is another user's process \\(uid 0\\)`));
  } finally {
    await target.stop();
  }
});

test('as root, a process root may still not read (it holds capabilities root lacks) is refused with the reason', (t) => {
  let readable = true;
  try {
    fs.readlinkSync('/proc/1/fd/0');
  } catch {
    readable = false;
  }
  if (process.getuid?.() !== 0 || readable) {
    t.log('skipped: needs root and a pid 1 that root may not inspect (as in this sandbox)');
    return t.pass();
  }
  const error = t.throws(() => captureLinuxSnapshot({ pid: 1, strict: true }));
  t.true(isPssError(error, 'ERROR_ACCESS_DENIED'));
  t.regex(error?.message ?? '', /^cannot capture pid 1: permission denied reading \/proc\/1\/\S+ \(it holds capabilities this pssql lacks \(cap_\w+/);
  const partial = captureLinuxSnapshot({ pid: 1 });
  t.true(partial.info.deniedParts.includes('handles'));
});
