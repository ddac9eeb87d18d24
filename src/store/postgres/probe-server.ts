import * as net from 'node:net';
import { parse as parseConnectionString } from 'pg-connection-string';

/**
 * Whether the server of a URL speaks PostgreSQL's protocol: asked as libpq asks first (an
 * SSLRequest), a PostgreSQL server answers with one byte, 'S' or 'N'. Used to tell a server that
 * hung up at once from one that speaks something else (an HTTP server on the port). Null when
 * the probe got no answer at all.
 */
export function speaksPostgres(url: string, timeoutMs = 3000): Promise<boolean | null> {
  const config = parseConnectionString(url);
  const port = Number(config.port ?? 5432);
  const host = config.host ?? 'localhost';
  const options: net.NetConnectOpts = host.startsWith('/') ? { path: `${host}/.s.PGSQL.${port}` } : { host, port };
  return new Promise((resolve) => {
    const socket = net.connect(options);
    const done = (answer: boolean | null): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    socket.once('data', (data: Buffer) => done(data.length === 1 && (data[0] === 0x53 || data[0] === 0x4e)));
    socket.on('end', () => done(false));
  });
}
