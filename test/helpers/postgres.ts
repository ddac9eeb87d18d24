/**
 * A private PostgreSQL server for the tests: initdb into a temporary directory, a unix socket in
 * that directory and no TCP, fsync off. Never the system's own cluster. PostgreSQL refuses to run
 * as root, so under root the server runs as the `postgres` user (Debian's package makes it).
 *
 * Without PostgreSQL the tests that need it skip, saying why; under CI=true they must run, and
 * fail when they cannot.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestFn } from 'ava';
import pg from 'pg';

/** The binaries of one PostgreSQL installation. */
interface Installation {
  bin: string;
  version: string;
}

/** Where PostgreSQL is installed: Debian's /usr/lib/postgresql/N/bin (newest), else initdb on PATH. */
export function findPostgres(): Installation | null {
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return { bin: path.join(debian, versions[0], 'bin'), version: versions[0] };
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) return { bin: dir, version: 'PATH' };
  }
  return null;
}

const SUPERUSER = 'postgres';
const PASSWORD = 'pssql-test-secret';

/** A running private server. */
export interface PostgresServer {
  /** The temporary directory: the data directory, the socket, the log. */
  readonly dir: string;
  /** A connection URL of a database on it (as the superuser unless another role is given). */
  url(database: string, role?: { user: string; password: string }): string;
  /** Creates a new empty database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Runs SQL as the superuser on a database (postgres when not given). */
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[], database?: string): Promise<Row[]>;
  /** Stops the server: fast shutdown (connections are cut), or immediate (as a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same data directory. */
  start(): Promise<void>;
  readonly running: boolean;
}

interface Owner {
  uid: number;
  gid: number;
}

function ownerOfServer(): Owner | null {
  if (process.getuid?.() !== 0) return null;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  return { uid: Number(uid), gid: Number(gid) };
}

let counter = 0;

/** Starts a private server; call stop() when done (the process exit stops it too). */
export async function startPostgres(): Promise<PostgresServer> {
  const installation = findPostgres();
  if (installation === null) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const owner = ownerOfServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pssql-pg-'));
  const data = path.join(dir, 'data');
  const as = owner === null ? {} : { uid: owner.uid, gid: owner.gid };
  if (owner !== null) fs.chownSync(dir, owner.uid, owner.gid);
  fs.writeFileSync(path.join(dir, 'pw'), `${PASSWORD}\n`, { mode: 0o600 });
  if (owner !== null) fs.chownSync(path.join(dir, 'pw'), owner.uid, owner.gid);
  execFileSync(
    path.join(installation.bin, 'initdb'),
    ['-D', data, '-U', SUPERUSER, '--pwfile', path.join(dir, 'pw'), '--auth', 'scram-sha-256', '-E', 'UTF8', '--locale', 'C.UTF-8', '--no-sync'],
    { ...as, stdio: 'pipe', cwd: dir },
  );
  let child: ChildProcess | null = null;
  const log = path.join(dir, 'server.log');

  const connect = (database: string) =>
    new pg.Client({ host: dir, port: 5432, user: SUPERUSER, password: PASSWORD, database, connectionTimeoutMillis: 15000 });

  const start = async (): Promise<void> => {
    const out = fs.openSync(log, 'a');
    child = spawn(
      path.join(installation.bin, 'postgres'),
      [
        '-D', data,
        '-c', "listen_addresses=",
        '-c', `unix_socket_directories=${dir}`,
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=60',
        '-c', 'shared_buffers=32MB',
      ],
      { ...as, stdio: ['ignore', out, out], cwd: dir },
    );
    fs.closeSync(out);
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`PostgreSQL exited at start (code ${child.exitCode}): ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
      const client = connect('postgres');
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (Date.now() - started > 30_000) throw new Error(`PostgreSQL did not start in 30 s: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    const running = child;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await exited;
    child = null;
  };

  process.on('exit', () => {
    if (child !== null && child.exitCode === null) child.kill('SIGQUIT');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  await start();
  const url = (database: string, role = { user: SUPERUSER, password: PASSWORD }) =>
    `postgresql://${encodeURIComponent(role.user)}:${encodeURIComponent(role.password)}@localhost/${database}?host=${encodeURIComponent(dir)}`;
  const sql = async <Row,>(text: string, params: unknown[] = [], database = 'postgres'): Promise<Row[]> => {
    const client = connect(database);
    await client.connect();
    try {
      return (await client.query(text, params)).rows as Row[];
    } finally {
      await client.end();
    }
  };
  return {
    dir,
    url,
    sql,
    async createDatabase(prefix = 'test') {
      const name = `${prefix}_${process.pid}_${++counter}`;
      await sql(`CREATE DATABASE ${name}`);
      return url(name);
    },
    stop,
    start,
    get running() {
      return child !== null && child.exitCode === null;
    },
  };
}

/**
 * The server of a test file: started before its tests, stopped after them. Where PostgreSQL is
 * missing, the tests are skipped with a message, except under CI=true, where one failing test
 * says so.
 */
export function usePostgres(test: TestFn): { test: TestFn; server: () => PostgresServer } {
  const installed = findPostgres() !== null;
  if (!installed) {
    if (process.env.CI === 'true') {
      test('PostgreSQL is installed (CI must run the PostgreSQL tests)', (t) => t.fail('PostgreSQL is not installed: .ci/run installs it (apt-get install postgresql)'));
    } else {
      process.stderr.write('PostgreSQL is not installed here (apt-get install postgresql): its tests are skipped\n');
    }
    return { test: test.skip as unknown as TestFn, server: () => { throw new Error('no PostgreSQL'); } };
  }
  let server: PostgresServer | null = null;
  test.before(async () => {
    server = await startPostgres();
  });
  test.after.always(async () => {
    await server?.stop();
  });
  return {
    test,
    server: () => {
      if (server === null) throw new Error('the PostgreSQL server did not start');
      return server;
    },
  };
}
