/**
 * Running pssql as another user (nobody), wherever the checkout is. A checkout in a private
 * directory (a clone under /root, or in a `mktemp -d` directory) cannot be entered by another
 * user, so that user gets a world-readable copy of what it runs: the compiled code and the bundle,
 * bin/, the migrations and reports, and the runtime packages, in a temporary directory removed at
 * exit.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { PROJECT_ROOT } from './target.js';

/** Another user, and a copy of pssql it can run. */
export interface OtherUser {
  uid: number;
  gid: number;
  name: string;
  /** The root of the copy: dist/, bin/, migrations/, queries/, node_modules/, package.json. */
  root: string;
  /** bin/pssql.js in the copy. */
  bin: string;
  /** A file of the copy's dist/, by its path relative to dist/ (`src/capture/linux/index.js`). */
  dist(file: string): string;
  /** A copy of an executable the user may run (a fixture binary in test/.cache). */
  executable(file: string): string;
}

/** Why a case that needs another user cannot run here; under CI=true it must run. */
export class CannotRunAsOtherUser extends Error {}

function passwdEntry(name: string): { uid: number; gid: number } | null {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? null : { uid: Number(uid), gid: Number(gid) };
}

/** The runtime packages of pssql (dependencies and theirs), as paths relative to the project. */
function runtimePackages(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.startsWith(PROJECT_ROOT) && line.length > PROJECT_ROOT.length)
    .map((line) => path.relative(PROJECT_ROOT, line))
    .filter((relative) => relative.startsWith('node_modules'));
}

let prepared: OtherUser | CannotRunAsOtherUser | undefined;

function prepare(): OtherUser | CannotRunAsOtherUser {
  if (process.getuid?.() !== 0) return new CannotRunAsOtherUser('needs root to run a command as another user');
  const user = passwdEntry('nobody');
  if (user === null) return new CannotRunAsOtherUser('there is no user nobody in /etc/passwd');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pssql-other-user-'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  fs.chmodSync(root, 0o755);
  const copy = (relative: string): void => {
    const from = path.join(PROJECT_ROOT, relative);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(root, relative), { recursive: true, dereference: false });
  };
  // What the package ships: bin/pssql.js runs the bundle, made from these migrations' empty recording.
  const built = fs.existsSync(path.join(PROJECT_ROOT, 'dist')) ? fs.readdirSync(path.join(PROJECT_ROOT, 'dist')).filter((name) => /^empty-recording-.*\.db$/.test(name)) : [];
  for (const part of ['package.json', 'bin', 'migrations', 'queries', 'dist/src', 'dist/bundle', ...built.map((name) => `dist/${name}`)]) copy(part);
  // Nested packages are inside their parents' folders: copying the parents copies them.
  const packages = runtimePackages();
  for (const pkg of packages) if (!packages.some((other) => other !== pkg && pkg.startsWith(`${other}/`))) copy(pkg);
  // The copy is the user's to read, never to change.
  execFileSync('chmod', ['-R', 'a+rX,go-w', root]);
  const dist = (file: string): string => path.join(root, 'dist', file);
  const other: OtherUser = {
    ...user,
    name: 'nobody',
    root,
    bin: path.join(root, 'bin/pssql.js'),
    dist,
    executable(file) {
      const target = path.join(root, 'bin', path.basename(file));
      if (!fs.existsSync(target)) {
        fs.copyFileSync(file, target);
        fs.chmodSync(target, 0o755);
      }
      return target;
    },
  };
  // Prove the copy works for the user before a test depends on it.
  try {
    execFileSync(process.execPath, ['-e', `import(${JSON.stringify(new URL(`file://${dist('src/version.js')}`).href)})`], {
      uid: user.uid,
      gid: user.gid,
      stdio: 'pipe',
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
    return new CannotRunAsOtherUser(`nobody cannot run the copy of pssql in ${root} (${process.execPath}): ${stderr}`);
  }
  return other;
}

/**
 * Another user and a copy of pssql it can run, or null (with the test passed and a note why)
 * when that is impossible here. Under CI=true it is never impossible: the test fails instead.
 */
export function otherUser(t: ExecutionContext): OtherUser | null {
  prepared ??= prepare();
  if (!(prepared instanceof CannotRunAsOtherUser)) return prepared;
  if (process.env.CI === 'true') {
    t.fail(`CI must run this case as another user, but: ${prepared.message}`);
  } else {
    t.log(`skipped: ${prepared.message} (set CI=true to make this a failure)`);
    t.pass();
  }
  return null;
}
