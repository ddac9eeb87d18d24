/**
 * Starts test/fixtures/server.c: a process holding one of each thing lsof, ss, ps and pmap tell
 * apart (see the fixture's header), and stops it again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { buildFixture } from './target.js';

/** What the server says it holds: fd numbers by kind, the realtime thread, its mapped deleted file. */
export interface ServerInfo {
  pid: number;
  fifo: number;
  deleted: number;
  deletedMap: string;
  namedLikeDeleted: number;
  stream: [number, number];
  dgram: [number, number];
  seqpacket: [number, number];
  listener: number;
  client: number;
  accepted: number;
  boundTcp: number;
  boundPort: number;
  freshTcp: number;
  udp: number;
  linkLocal: number;
  linkLocalPort: number;
  epoll: number;
  watched: [number, number, number];
  eventfd: number;
  timerfd: number;
  inotify: number;
  realtimeTid: number;
}

export interface Server extends ServerInfo {
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Server flags (`--realtime`, `--ipv6-link-local`), then `--` and arguments it keeps. */
  args?: string[];
  /** A command the server runs under (`unshare`, `prlimit`...), with its arguments. */
  wrapper?: string[];
  /** Another binary of the server, for another user (helpers/other-user.ts). */
  binary?: string;
  uid?: number;
  gid?: number;
  cwd?: string;
}

/** Starts the server on `dir` (where it makes its files) and waits until it says what it holds. */
export function startServer(dir: string, options: ServerOptions = {}): Promise<Server> {
  const binary = options.binary ?? buildFixture('server');
  const command = [...(options.wrapper ?? []), binary, dir, ...(options.args ?? [])];
  const child = spawn(command[0] as string, command.slice(1), {
    stdio: ['pipe', 'pipe', 'inherit'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      child.stdout?.off('data', onData);
      const info = JSON.parse(out.slice(0, newline)) as ServerInfo;
      resolve({
        ...info,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.stdin?.end();
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with code ${code} before it was ready: ${out}`)));
  });
}
