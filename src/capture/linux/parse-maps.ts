import { PageProtection } from '../../pss/memory.js';

/*
 * Parsing /proc/PID/maps and smaps: pure functions of the text, shared by the capture and its tests.
 */

/** One line of /proc/PID/maps, plus the smaps sizes when read from smaps. */
export interface MapLine {
  start: bigint;
  end: bigint;
  size: number;
  perms: string;
  offset: number;
  device: string;
  inode: number;
  /** The pathname column: a file, `[heap]`, `[stack]`, `[anon:name]`, or '' for anonymous memory. */
  path: string;
  /** `device:inode` of the mapped file, or null when the region maps no file. */
  file: string | null;
  rss: number | null;
  pss: number | null;
  private: number | null;
  swap: number | null;
  sharedClean: number | null;
  sharedDirty: number | null;
  privateClean: number | null;
  privateDirty: number | null;
  anonymous: number | null;
  locked: number | null;
  vmFlags: string | null;
}

/** Parses a hex address; user addresses fit a double exactly, the vsyscall page does not. */
function hexAddress(text: string): bigint {
  return text.length <= 13 ? BigInt(Number.parseInt(text, 16)) : BigInt(`0x${text}`);
}

/** Windows protection of a Linux mapping: private writable file mappings are copy-on-write. */
export function protectionOf(perms: string, fileBacked: boolean): number {
  const r = perms[0] === 'r';
  const w = perms[1] === 'w';
  const x = perms[2] === 'x';
  const cow = w && perms[3] === 'p' && fileBacked;
  if (x) {
    if (w) return cow ? PageProtection.ExecuteWriteCopy : PageProtection.ExecuteReadWrite;
    return r ? PageProtection.ExecuteRead : PageProtection.Execute;
  }
  if (w) return cow ? PageProtection.WriteCopy : PageProtection.ReadWrite;
  return r ? PageProtection.ReadOnly : PageProtection.NoAccess;
}

/**
 * The permission strings a maps line can show, one string each: tens of thousands of regions
 * then share a few strings rather than each holding a copy of its own.
 */
const PERMISSIONS = new Map(
  ['r', '-'].flatMap((r) => ['w', '-'].flatMap((w) => ['x', '-'].flatMap((x) => ['p', 's'].map((p) => [`${r}${w}${x}${p}`, `${r}${w}${x}${p}`] as const)))),
);

/** One string per distinct value within one file (devices). */
function shared(text: string, known: Map<string, string>): string {
  const same = known.get(text);
  if (same !== undefined) return same;
  known.set(text, text);
  return text;
}

function parseMapLine(line: string, devices: Map<string, string>): MapLine | null {
  const dash = line.indexOf('-');
  const s1 = line.indexOf(' ', dash);
  const s2 = s1 + 5; // perms are 4 chars
  const s3 = line.indexOf(' ', s2 + 1);
  const s4 = line.indexOf(' ', s3 + 1);
  let s5 = line.indexOf(' ', s4 + 1);
  if (dash < 0 || s1 < 0 || s3 < 0 || s4 < 0) return null;
  if (s5 < 0) s5 = line.length;
  const start = hexAddress(line.slice(0, dash));
  const end = hexAddress(line.slice(dash + 1, s1));
  let p = s5;
  while (p < line.length && line.charCodeAt(p) === 32) p++;
  // As the kernel prints it: a newline in a name is shown as \012, but a backslash is not escaped,
  // so the text cannot be decoded (a file named `bs\012x` reads the same). read-regions.ts asks
  // map_files for the exact name of such a line.
  const path = line.slice(p);
  const device = shared(line.slice(s3 + 1, s4), devices);
  const inode = Number(line.slice(s4 + 1, s5));
  return {
    start,
    end,
    size: Number(end - start),
    perms: PERMISSIONS.get(line.slice(s1 + 1, s2)) ?? line.slice(s1 + 1, s2),
    offset: Number.parseInt(line.slice(s2 + 1, s3), 16),
    device,
    inode,
    path,
    file: inode !== 0 && path.startsWith('/') ? `${device}:${inode}` : null,
    rss: null,
    pss: null,
    private: null,
    swap: null,
    sharedClean: null,
    sharedDirty: null,
    privateClean: null,
    privateDirty: null,
    anonymous: null,
    locked: null,
    vmFlags: null,
  };
}

/** The smaps sizes pssql keeps, by their smaps name (`kB` values). */
const SMAPS_FIELDS: Readonly<Record<string, 'rss' | 'pss' | 'swap' | 'sharedClean' | 'sharedDirty' | 'privateClean' | 'privateDirty' | 'anonymous' | 'locked'>> = {
  Rss: 'rss',
  Pss: 'pss',
  Swap: 'swap',
  Shared_Clean: 'sharedClean',
  Shared_Dirty: 'sharedDirty',
  Private_Clean: 'privateClean',
  Private_Dirty: 'privateDirty',
  Anonymous: 'anonymous',
  Locked: 'locked',
};

/**
 * Visits the regions of maps, or smaps (a header line per region followed by `Key: value kB`
 * lines), one at a time and in file order: a caller that keeps what it makes of each, rather than
 * the lines, never holds all of them.
 */
export function forEachMapLine(text: string, smaps: boolean, visit: (line: MapLine) => void): void {
  let current: MapLine | null = null;
  const devices = new Map<string, string>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(start);
    // Region lines start with a lowercase hex digit; smaps field names with an uppercase letter.
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
      if (current !== null) visit(current);
      current = parseMapLine(text.slice(start, end), devices);
      if (!smaps && current !== null) {
        visit(current);
        current = null;
      }
    } else if (smaps && current !== null) {
      const line = text.slice(start, end);
      const colon = line.indexOf(':');
      const key = line.slice(0, colon);
      if (key === 'VmFlags') {
        current.vmFlags = line.slice(colon + 1).trim();
      } else {
        const field = SMAPS_FIELDS[key];
        if (field !== undefined) {
          const bytes = Number.parseInt(line.slice(colon + 1), 10) * 1024;
          current[field] = bytes;
          if (field === 'privateClean' || field === 'privateDirty') current.private = (current.private ?? 0) + bytes;
        }
      }
    }
    start = end + 1;
  }
  if (current !== null) visit(current);
}

/** Parses maps, or smaps, into all its lines (see {@link forEachMapLine}). */
export function parseMaps(text: string, smaps: boolean): MapLine[] {
  const regions: MapLine[] = [];
  forEachMapLine(text, smaps, (line) => regions.push(line));
  return regions;
}

/**
 * A test for the lines of an address space met one at a time, which cannot overlap: false for a
 * repeat. The kernel writes maps in pieces and resumes each at the end of the last region it
 * wrote, so a region that changed in between can be listed again; such a repeat (a line starting
 * below the end of the one before) is left out.
 */
export function keepsNoOverlap(): (line: MapLine) => boolean {
  let previous: MapLine | undefined;
  return (line) => {
    if (previous !== undefined && line.start < previous.end) return false;
    previous = line;
    return true;
  };
}
