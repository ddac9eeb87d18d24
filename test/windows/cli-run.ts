/**
 * Run by the Windows node.exe under Wine (see wine-cli.test.ts): runs the whole pssql CLI, as
 * separate Windows processes, against the test DLL and two target processes, and writes what each
 * command printed and returned to a JSON file (Wine cannot give a pipe to a Windows program
 * started from Linux; between Windows processes pipes work):
 *
 *   node.exe dist\test\windows\cli-run.js OUTPUT.json PSS-TEST.dll WORK-DIR
 *
 * Besides the commands: a plain bin/pssql.js must not take the DLL from PSSQL_PSS_LIBRARY, the
 * recording is made private to its owner, each console event (Ctrl-C, Ctrl-Break, closing the
 * console) stops a recording cleanly, and a capture that hangs inside a recording is skipped
 * while the recording goes on.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKoffi } from '../../src/capture/windows/load-koffi.js';
import { startRecorder } from '../../src/recorder/index.js';
import { openStore } from '../../src/store/index.js';

const [output, dll, work] = process.argv.slice(2) as [string, string, string];
if (output === undefined || dll === undefined || work === undefined) throw new Error('usage: cli-run.js OUTPUT.json PSS-TEST.dll WORK-DIR');

const app = fileURLToPath(new URL('../../../', import.meta.url));
const harness = join(app, 'dist', 'test', 'windows', 'pssql-harness.js');
const db = join(work, 'wine.db');

interface Run {
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs pssql (through the harness entry point, unless `entry` says otherwise; with this node.exe,
 * unless `program` names another) and keeps what it said.
 */
function pssql(args: string[], options: { entry?: string; env?: Record<string, string>; program?: string } = {}): Run {
  const run = spawnSync(options.program ?? process.execPath, [options.entry ?? harness, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PSSQL_PSS_LIBRARY: dll, ...options.env },
    timeout: 120_000,
  });
  return { args, status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function kernel32() {
  const koffi = loadKoffi();
  const k = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  return {
    koffi,
    LocalFree: k.func('uintptr_t __stdcall LocalFree(void *hMem)'),
    GetNamedSecurityInfoW: advapi32.func(
      'uint32_t __stdcall GetNamedSecurityInfoW(const char16_t *pObjectName, uint32_t ObjectType, uint32_t SecurityInfo, void *ppsidOwner, void *ppsidGroup, void *ppDacl, void *ppSacl, _Out_ void **ppSecurityDescriptor)',
    ),
    ConvertSecurityDescriptorToStringSecurityDescriptorW: advapi32.func(
      'int32_t __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *SecurityDescriptor, uint32_t RequestedStringSDRevision, uint32_t SecurityInformation, _Out_ void **StringSecurityDescriptor, void *StringSecurityDescriptorLen)',
    ),
    ConvertSidToStringSidW: advapi32.func('int32_t __stdcall ConvertSidToStringSidW(void *Sid, _Out_ void **StringSid)'),
    OpenProcessToken: advapi32.func('int32_t __stdcall OpenProcessToken(uintptr_t ProcessHandle, uint32_t DesiredAccess, _Out_ uintptr_t *TokenHandle)'),
    GetCurrentProcess: k.func('uintptr_t __stdcall GetCurrentProcess()'),
    GetTokenInformation: advapi32.func(
      'int32_t __stdcall GetTokenInformation(uintptr_t TokenHandle, uint32_t TokenInformationClass, _Out_ uint8_t *TokenInformation, uint32_t TokenInformationLength, _Out_ uint32_t *ReturnLength)',
    ),
  };
}

/** The DACL of `path` in SDDL, and the SID of this user: the recording must let only that SID in. */
function acl(path: string): { dacl: string | null; user: string | null; code: number } {
  const k = kernel32();
  const descriptor: [unknown] = [null];
  const code = k.GetNamedSecurityInfoW(path, 1 /* SE_FILE_OBJECT */, 4 /* DACL */, null, null, null, null, descriptor) as number;
  if (code !== 0) return { dacl: null, user: null, code };
  const text: [unknown] = [null];
  k.ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor[0], 1, 4, text, null);
  const dacl = text[0] === null ? null : (k.koffi.decode(text[0], 'char16_t', -1) as string);
  const token: [number | bigint | null] = [null];
  k.OpenProcessToken(k.GetCurrentProcess(), 0x0008, token);
  const buffer = new Uint8Array(512);
  k.GetTokenInformation(token[0], 1 /* TokenUser */, buffer, buffer.length, [null]);
  const sid: [unknown] = [null];
  k.ConvertSidToStringSidW(k.koffi.decode(buffer, 'void *'), sid);
  return { dacl, user: sid[0] === null ? null : (k.koffi.decode(sid[0], 'char16_t', -1) as string), code };
}

/**
 * The program of the targets: a copy of this node.exe under a name of its own, so that `record
 * --name` finds the targets and nothing else. Every node.exe in the Wine prefix would match
 * `node`, and another test file may be running one there at the same time.
 */
const TARGET_NAME = 'pssql-target';

/** The copy of node.exe named {@link TARGET_NAME}, made on first use. */
function targetProgram(): string {
  const program = join(work, `${TARGET_NAME}.exe`);
  if (!existsSync(program)) copyFileSync(process.execPath, program);
  return program;
}

/** A target process: a Windows node, under its own name ({@link TARGET_NAME}), that waits. */
async function target(): Promise<ChildProcess> {
  const child = spawn(targetProgram(), ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

/**
 * A recording stopped by each console event: it finishes the capture in progress, writes the
 * summary and exits 0 (stopped_by: stopped), instead of running on to its count.
 */
function consoleEvents(pid: number): Record<string, Run> {
  const entry = join(app, 'dist', 'test', 'windows', 'pssql-signal.js');
  return Object.fromEntries(
    (['SIGINT', 'SIGBREAK', 'SIGHUP'] as const).map((signal) => [
      signal,
      pssql(
        [signal, 'record', String(pid), '--count', '1000', '--every', '10ms', '--verbose', '--db', join(work, `${signal}.db`), '--format', 'json'],
        { entry },
      ),
    ]),
  );
}

/** A recording with one target whose every capture hangs: each is skipped, and the other target goes on. */
async function hungInRecording(good: number, hung: number): Promise<Record<string, unknown>> {
  process.env.PSS_TEST_FAULTS = `hang=${hung}`;
  const store = openStore(join(work, 'hung.db'));
  const failures: string[] = [];
  try {
    const recording = startRecorder({
      store,
      pids: [good, hung],
      everyUs: 50_000,
      count: 4,
      flags: 0x0000000c, // handles with their names: the name query is what hangs
      capture: { pssLibrary: dll, captureTimeoutMs: 500 },
      onEvent: (event) => {
        if (event.type === 'failure' && event.target !== null) failures.push(`${event.target.pid}: ${event.error.message}`);
      },
    });
    const summary = await recording.done;
    return { summary, failures };
  } finally {
    store.close();
    delete process.env.PSS_TEST_FAULTS;
  }
}

async function run(): Promise<unknown> {
  const a = await target();
  const b = await target();
  try {
    const pidA = a.pid!;
    const pidB = b.pid!;
    const d = ['--db', db, '--format', 'json'];
    const commands = {
      capture: pssql(['capture', String(pidA), ...d]),
      recordByPid: pssql(['record', String(pidA), '--count', '3', '--every', '50ms', ...d]),
      // pssql runs as pssql-target.exe itself here: it matches the name too, and must leave itself out.
      recordByName: pssql(['record', '--name', TARGET_NAME, '--count', '3', '--every', '50ms', ...d], { program: targetProgram() }),
      list: pssql(['list', ...d]),
      show: pssql(['show', 'latest', ...d]),
      showThreads: pssql(['show', 'latest', 'threads', ...d]),
      showHandles: pssql(['show', 'latest', 'handles', ...d]),
      showRegions: pssql(['show', 'latest', 'regions', ...d]),
      reportHandles: pssql(['report', 'handles-by-type', ...d]),
      reportCaptures: pssql(['report', 'process-captures', ...d]),
      reportMemory: pssql(['report', 'memory-by-type', ...d]),
      reportCost: pssql(['report', 'capture-cost', ...d]),
      diff: pssql(['diff', '1', '2', ...d]),
      export: pssql(['export', '1', '--db', db, '--output', join(work, 'export.json')]),
    };
    return {
      node: process.version,
      targets: [pidA, pidB],
      commands,
      // bin/pssql.js, as a user runs it: the variable must not make it load the DLL.
      plainBin: pssql(['capture', String(pidA), '--db', join(work, 'plain.db')], { entry: join(app, 'bin', 'pssql.js') }),
      acl: acl(db),
      consoleEvents: consoleEvents(pidA),
      hung: await hungInRecording(pidA, pidB),
    };
  } finally {
    a.kill();
    b.kill();
  }
}

let result: unknown;
try {
  result = await run();
} catch (error) {
  result = { fatal: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
writeFileSync(output, JSON.stringify(result, null, 1));
