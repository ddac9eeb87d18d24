/**
 * Bad input to push and to reading a URL: one line on stderr, the documented exit code, and
 * nothing lost or changed, neither in the local recording nor in a database that is not pssql's.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import anyTest from 'ava';
import { pssql, tempDir } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';

const { test, server } = usePostgres(anyTest);

const dir = tempDir();
const file = `${dir}/local.db`;
const digest = (path: string): string => createHash('sha256').update(fs.readFileSync(path)).digest('hex');

test.before(() => {
  const captured = pssql(['capture', String(process.pid), '--db', file]);
  if (captured.code !== 0) throw new Error(captured.stderr);
});

/** Runs pssql and checks one line on stderr with the exit code, and the local file unchanged. */
function refused(t: import('ava').ExecutionContext, args: string[], code: number, message: RegExp): void {
  const before = digest(file);
  const result = pssql(args);
  t.is(result.code, code, `${args.join(' ')}: ${result.stderr}`);
  t.regex(result.stderr, message, args.join(' '));
  t.is(result.stderr.split('\n').filter((l) => l !== '').length, 1, `${args.join(' ')}: one line`);
  t.false(/at .*\.js:\d+/.test(result.stderr), 'no stack trace');
  t.is(digest(file), before, 'the local recording is unchanged');
}

test('an unreachable server: exit code 8, for push and for reading', (t) => {
  const nowhere = `postgresql://postgres:x@localhost/pssql?host=${encodeURIComponent(dir)}`;
  refused(t, ['push', nowhere, '--db', file], 8, /^pssql: cannot connect to postgresql:\/\/postgres@localhost\/pssql\?host=.*: no server socket there \(is the server running\?\)\n$/);
  refused(t, ['list', '--db', nowhere], 8, /cannot connect to .*: no server socket there/);
});

test('a wrong password: exit code 4, the password never shown', async (t) => {
  const url = await server().createDatabase('password');
  const wrong = url.replace(':pssql-test-secret@', ':not-the-password@');
  refused(t, ['push', wrong, '--db', file], 4, /^pssql: cannot connect to postgresql:\/\/postgres@localhost\/.*: password authentication failed for user "postgres"\n$/);
  t.false(pssql(['push', wrong, '--db', file]).stderr.includes('not-the-password'));
  // PGPASSWORD, as libpq users expect, when the URL has none.
  const bare = url.replace(':pssql-test-secret@', '@');
  t.is(pssql(['push', bare, '--db', file], { env: { PGPASSWORD: 'pssql-test-secret' } }).code, 0);
});

// Serial: the fake server answers from this process, which the other tests' synchronous pssql runs would hold up.
test.serial('a URL that is not PostgreSQL: exit code 2 for another scheme, 5 for a server that speaks something else', async (t) => {
  refused(t, ['push', 'http://localhost/pssql', '--db', file], 2, /^pssql: target http:\/\/localhost\/pssql: not a PostgreSQL URL/);
  refused(t, ['list', '--db', 'mysql://localhost/pssql'], 2, /^pssql: --db mysql:\/\/localhost\/pssql: not a PostgreSQL URL/);
  // A server that answers, but not as PostgreSQL does (here: as an HTTP server would).
  const http = net.createServer((socket) => {
    socket.on('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as net.AddressInfo).port;
  try {
    const before = digest(file);
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      // Asynchronously: the fake server runs in this process.
      import('node:child_process').then(({ execFile }) =>
        execFile(process.execPath, ['bin/pssql.js', 'push', `postgres://u:p@127.0.0.1:${port}/pssql`, '--db', file], { cwd: process.cwd() }, (error, _stdout, stderr) =>
          resolve({ code: (error as { code?: number } | null)?.code ?? 0, stderr }),
        ),
      );
    });
    t.is(result.code, 5, result.stderr);
    t.regex(result.stderr, /^pssql: cannot connect to postgres:\/\/u@127\.0\.0\.1:\d+\/pssql: the server did not answer as PostgreSQL does/);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.is(digest(file), before);
  } finally {
    http.close();
  }
});

test('a database of another application is refused and left as it was', async (t) => {
  const url = await server().createDatabase('other_app');
  const name = new URL(url.replace('postgresql://', 'http://')).pathname.slice(1);
  await server().sql('CREATE TABLE invoices (id int PRIMARY KEY, total numeric); INSERT INTO invoices VALUES (1, 9.5)', [], name);
  refused(t, ['push', url, '--db', file], 5, /^pssql: postgresql:\/\/postgres@localhost\/.* is a PostgreSQL database of another application \(1 tables, no pssql store\): give pssql a database of its own/);
  refused(t, ['list', '--db', url], 5, /a PostgreSQL database of another application/);
  t.deepEqual(await server().sql("SELECT nspname FROM pg_namespace WHERE nspname = 'pssql'", [], name), [], 'no schema was made');
  t.deepEqual(await server().sql('SELECT id, total FROM invoices', [], name), [{ id: 1, total: '9.5' }]);
});

test('a store of a newer pssql is refused for pushing and for reading; a missing database is not found; an empty one is no store', async (t) => {
  const url = await server().createDatabase('newer');
  t.is(pssql(['push', url, '--db', file]).code, 0);
  const name = new URL(url.replace('postgresql://', 'http://')).pathname.slice(1);
  await server().sql("INSERT INTO pssql.schema_migrations (version, name, applied_at_us) VALUES (99, '0099_future.sql', 0)", [], name);
  refused(t, ['push', url, '--db', file], 5, /was written by a newer pssql \(schema 99; this pssql knows up to \d+\): upgrade pssql/);
  refused(t, ['report', 'leak-suspects', '--db', url], 5, /was written by a newer pssql/);
  refused(t, ['list', '--db', url.replace(/\/newer_[^?]+/, '/no_such_database')], 3, /database "no_such_database" does not exist/);
  const empty = await server().createDatabase('empty');
  refused(t, ['list', '--db', empty], 5, /is an empty PostgreSQL database, not a pssql store \(push a recording into it first: pssql push\)/);
});

test('push targets that cannot be: the recording itself, a file that is not a recording, a URL as the source', (t) => {
  refused(t, ['push', file, '--db', file], 2, /^pssql: cannot push .* into itself/);
  const notes = `${dir}/notes.txt`;
  fs.writeFileSync(notes, 'precious\n');
  refused(t, ['push', notes, '--db', file], 5, /is not a pssql recording/);
  t.is(fs.readFileSync(notes, 'utf8'), 'precious\n');
  refused(t, ['push', `${dir}/x.db`, '--db', 'postgres://u@localhost/db'], 2, /^pssql: pssql push --db writes into a recording file/);
  refused(t, ['capture', String(process.pid), '--db', 'postgres://u@localhost/db'], 2, /^pssql: pssql capture writes into a recording file, not into postgres:\/\/u@localhost\/db/);
});
