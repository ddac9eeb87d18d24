import test from 'ava';
import { parseCaptureRef } from '../../src/analysis/capture-ref.js';
import { isPssError, openRecording } from '../../src/index.js';
import { pssql, tempDir } from '../helpers/cli.js';

test('parseCaptureRef: ids, latest/first/latest-N, and a PID@ or NAME@ prefix', (t) => {
  t.deepEqual(parseCaptureRef('42'), { kind: 'id', id: 42 });
  t.deepEqual(parseCaptureRef(7), { kind: 'id', id: 7 });
  t.deepEqual(parseCaptureRef('latest'), { kind: 'relative', from: 'latest', back: 0 });
  t.deepEqual(parseCaptureRef('last-2'), { kind: 'relative', from: 'latest', back: 2 });
  t.deepEqual(parseCaptureRef('first'), { kind: 'relative', from: 'first', back: 0 });
  t.deepEqual(parseCaptureRef('12710@latest'), { kind: 'relative', from: 'latest', back: 0, pid: 12710 });
  t.deepEqual(parseCaptureRef('nginx@latest-1'), { kind: 'relative', from: 'latest', back: 1, name: 'nginx' });
  t.deepEqual(parseCaptureRef(' python3.11@first '), { kind: 'relative', from: 'first', back: 0, name: 'python3.11' });
  for (const bad of ['', 'yesterday', '@latest', 'nginx@', 'nginx@5', 'a b@latest', 'latest+1', '-1']) {
    t.throws(() => parseCaptureRef(bad), { message: /invalid capture/ }, `'${bad}' is refused`);
  }
});

test("the library's capture() takes the same references", async (t) => {
  const db = `${tempDir()}/lib.db`;
  for (let i = 0; i < 2; i++) t.is(pssql(['capture', String(process.pid), '--db', db]).code, 0);
  const rec = openRecording(db);
  try {
    t.is((await rec.capture(`${process.pid}@first`)).capture_id, 1);
    t.is((await rec.capture('node@latest')).capture_id, 2);
    const error = await t.throwsAsync(rec.capture('nosuchname@latest'));
    t.true(isPssError(error, 'ERROR_NOT_FOUND'));
    t.regex(error?.message ?? '', /there is no capture of 'nosuchname'/);
  } finally {
    rec.close();
  }
});
