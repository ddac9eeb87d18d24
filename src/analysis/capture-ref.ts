import { isPssError, PssError } from '../pss/pss-error.js';
import type { ReadStore } from '../store/read-store.js';
import { type CaptureFilter, getCapture, resolveCapture, selectCaptures } from './captures.js';

/*
 * How a person names a capture. `latest`, `first` and `latest-N` count the captures of the whole
 * recording, which after `pssql record A B` mixes two processes; a scope narrows them to one
 * process: `--pid`/`--name` (and `--since`/`--until`) beside the reference, or a prefix in it,
 * `12710@latest`, `nginx@first`, `nginx@latest-2`.
 */

/** The captures a reference counts in: of a pid, of a name (or image path) part, within a time range. */
export type CaptureScope = Omit<CaptureFilter, 'limit'>;

/** A capture reference, parsed. */
export type ParsedCaptureRef =
  | { kind: 'id'; id: number }
  | { kind: 'relative'; from: 'first' | 'latest'; back: number; pid?: number; name?: string };

/** A capture id, `latest` (or `last`), `first`, `latest-N`, each optionally `PID@` or `NAME@` first. */
export const CAPTURE_REFERENCE = /^(?:\d+|(?:([^@\s]+)@)?(latest|last|first)(?:-(\d+))?)$/;

const EXPECTED = "give a capture id, 'first', 'latest' or 'latest-N', optionally after PID@ or NAME@ (e.g. 1234@latest, nginx@first)";

/**
 * Parses a capture reference; ERROR_INVALID_PARAMETER when it is none.
 *
 * @example parseCaptureRef('nginx@latest-1')  // { kind: 'relative', from: 'latest', back: 1, name: 'nginx' }
 */
export function parseCaptureRef(ref: string | number): ParsedCaptureRef {
  const text = String(ref).trim();
  if (/^\d+$/.test(text)) return { kind: 'id', id: Number(text) };
  const match = CAPTURE_REFERENCE.exec(text);
  if (match === null) throw new PssError('ERROR_INVALID_PARAMETER', `invalid capture '${text}': ${EXPECTED}`, { option: 'capture' });
  const [, who, word, back] = match;
  const parsed: ParsedCaptureRef = { kind: 'relative', from: word === 'first' ? 'first' : 'latest', back: Number(back ?? 0) };
  if (who !== undefined) {
    if (/^\d+$/.test(who)) parsed.pid = Number(who);
    else parsed.name = who;
  }
  return parsed;
}

/** How a scope reads in a message: 'pid 1234', "'nginx'", 'pid 1234 since ...'. */
function describeScope(scope: CaptureScope): string {
  const parts: string[] = [];
  if (scope.pid !== undefined) parts.push(`pid ${scope.pid}`);
  if (scope.name !== undefined) parts.push(`'${scope.name}'`);
  if (scope.sinceUs !== undefined || scope.untilUs !== undefined) parts.push('in the time range given');
  return parts.join(' ');
}

/** Whether a scope narrows anything. */
const isScoped = (scope: CaptureScope): boolean => Object.values(scope).some((v) => v !== undefined);

/**
 * The capture id a reference names, within a scope: `latest`, `first` and `latest-N` count only
 * the captures of the scope (and of the reference's own `PID@`/`NAME@`, which takes the place of
 * the scope's pid and name); a capture id must be in the scope. A number that is no capture id
 * but a recorded pid says so. Errors are PssErrors: ERROR_INVALID_PARAMETER for a malformed
 * reference, ERROR_NOT_FOUND naming the recording.
 *
 * @example
 * await resolveCaptureRef(store, 'latest', { name: 'nginx' })   // the newest capture of nginx
 * await resolveCaptureRef(store, '12710@latest-1')              // the one before the newest of pid 12710
 */
export async function resolveCaptureRef(store: ReadStore, ref: string | number, scope: CaptureScope = {}): Promise<number> {
  const parsed = parseCaptureRef(ref);
  const text = String(ref).trim();
  if (parsed.kind === 'id') return resolveId(store, parsed.id, scope);
  const own: CaptureScope = { ...scope };
  if (parsed.pid !== undefined || parsed.name !== undefined) {
    delete own.pid;
    delete own.name;
    if (parsed.pid !== undefined) own.pid = parsed.pid;
    if (parsed.name !== undefined) own.name = parsed.name;
  }
  if (!isScoped(own)) return resolveCapture(store, text.replace(/^[^@]*@/, ''));
  const row = await selectCaptures(store, own)
    .select('c.capture_id')
    .orderBy('c.capture_id', parsed.from === 'first' ? 'asc' : 'desc')
    .offset(parsed.back)
    .limit(1)
    .executeTakeFirst();
  if (row !== undefined) return row.capture_id;
  const [count] = await selectCaptures(store, own).select((eb) => eb.fn.countAll<number>().as('n')).execute();
  const n = Number(count?.n ?? 0);
  const who = describeScope(own);
  const has = n === 0 ? `there is no capture of ${who}` : `${who} has ${n} capture${n === 1 ? '' : 's'}`;
  throw new PssError('ERROR_NOT_FOUND', `no capture '${text}' in ${store.path}: ${has} (see 'pssql list${listHint(own)}')`, { path: store.path });
}

/** The options of `pssql list` that show a scope's captures. */
function listHint(scope: CaptureScope): string {
  return `${scope.pid === undefined ? '' : ` --pid ${scope.pid}`}${scope.name === undefined ? '' : ` --name ${scope.name}`}`;
}

async function resolveId(store: ReadStore, id: number, scope: CaptureScope): Promise<number> {
  try {
    await getCapture(store, id);
  } catch (error) {
    if (!isPssError(error, 'ERROR_NOT_FOUND')) throw error;
    // A pid where a capture id belongs is the likely mistake (`pssql show 12710`).
    const ofPid = await selectCaptures(store, { pid: id }).select('c.capture_id').orderBy('c.capture_id', 'desc').limit(1).executeTakeFirst();
    if (ofPid === undefined) throw error;
    throw new PssError(
      'ERROR_NOT_FOUND',
      `no capture ${id} in ${store.path}, but ${id} is a recorded pid: its newest capture is ${id}@latest (capture ${ofPid.capture_id}); see 'pssql list --pid ${id}'`,
      { path: store.path },
    );
  }
  if (isScoped(scope)) {
    const inScope = await selectCaptures(store, scope).select('c.capture_id').where('c.capture_id', '=', id).executeTakeFirst();
    if (inScope === undefined) {
      throw new PssError('ERROR_NOT_FOUND', `capture ${id} in ${store.path} is not one of ${describeScope(scope)} (see 'pssql list${listHint(scope)}')`, {
        path: store.path,
      });
    }
  }
  return id;
}
