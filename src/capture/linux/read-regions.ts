import { decodeLatin1 } from '../../pss/byte-string.js';
import { CaptureFlags, hasFlag } from '../../pss/capture-flags.js';
import { MemState, MemType, PageProtection } from '../../pss/memory.js';
import { PssError } from '../../pss/pss-error.js';
import type { VaSpaceEntry } from '../../pss/walk-entries.js';
import type { CaptureContext } from './capture-context.js';
import { DENIED, failed, VANISHED } from './proc-files.js';

/** One line of /proc/PID/maps, plus the smaps sizes when read from smaps. */
export interface MapLine {
  /** The line as read (latin1), which identifies it in the next capture. */
  text: string;
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

function parseMapLine(line: string): MapLine | null {
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
  let path = line.slice(p);
  if (path.includes('\\012')) path = path.replaceAll('\\012', '\n'); // the kernel escapes newlines in names
  const device = line.slice(s3 + 1, s4);
  const inode = Number(line.slice(s4 + 1, s5));
  return {
    text: line,
    start,
    end,
    size: Number(end - start),
    perms: line.slice(s1 + 1, s2),
    offset: Number.parseInt(line.slice(s2 + 1, s3), 16),
    device,
    inode,
    path,
    file: inode !== 0 && path.startsWith('/') ? `${device}:${inode}` : null,
    rss: null,
    pss: null,
    private: null,
    swap: null,
  };
}

/**
 * Parses maps, or smaps (a header line per region followed by `Key: value kB` lines). Lines seen
 * in the last capture (`known`, maps only) are not parsed again.
 */
export function parseMaps(text: string, smaps: boolean, known?: ReadonlyMap<string, { line: MapLine }>): MapLine[] {
  const regions: MapLine[] = [];
  let current: MapLine | null = null;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(start);
    // Region lines start with a lowercase hex digit; smaps field names with an uppercase letter.
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
      const line = text.slice(start, end);
      current = (smaps ? undefined : known?.get(line)?.line) ?? parseMapLine(line);
      if (current !== null) regions.push(current);
    } else if (smaps && current !== null) {
      const line = text.slice(start, end);
      const colon = line.indexOf(':');
      const key = line.slice(0, colon);
      if (key === 'Rss' || key === 'Pss' || key === 'Private_Clean' || key === 'Private_Dirty' || key === 'Swap') {
        const bytes = Number.parseInt(line.slice(colon + 1), 10) * 1024;
        if (key === 'Rss') current.rss = bytes;
        else if (key === 'Pss') current.pss = bytes;
        else if (key === 'Swap') current.swap = bytes;
        else current.private = (current.private ?? 0) + bytes;
      }
    }
    start = end + 1;
  }
  return regions;
}

/**
 * The lines of an address space, which cannot overlap. The kernel writes maps in pieces and
 * resumes each at the end of the last region it wrote, so a region that changed in between can
 * be listed again; such a repeat (a line starting below the end of the one before) is left out.
 */
export function withoutOverlaps(lines: MapLine[]): MapLine[] {
  let previous: MapLine | undefined;
  return lines.filter((line) => {
    if (previous !== undefined && line.start < previous.end) return false;
    previous = line;
    return true;
  });
}

/** MEM_IMAGE for executables and libraries (files mapped executable somewhere), MEM_MAPPED for other shared or file memory. */
function typeOf(m: MapLine, imageFiles: ReadonlySet<string>): MemType {
  if (m.file !== null) return imageFiles.has(m.file) ? MemType.Image : MemType.Mapped;
  if (m.path === '[vdso]') return MemType.Image;
  if (m.perms[3] === 's' || m.inode !== 0) return MemType.Mapped;
  return MemType.Private;
}

/**
 * PSS_VA_SPACE_ENTRY for every region of /proc/PID/maps (or smaps with `details`), in address
 * order. Consecutive regions of one file form one allocation (AllocationBase), as the segments of
 * an image do on Windows. With section information, image regions get the image's base and span
 * and the file's modification time (the Linux stand-in for the PE TimeDateStamp).
 */
export function readRegions(ctx: CaptureContext, details: boolean): VaSpaceEntry[] {
  const { files, pid } = ctx;
  const path = files.path(pid, details ? 'smaps' : 'maps');
  const bytes = files.readBytes(path);
  if (bytes === VANISHED) throw new PssError('ERROR_NOT_FOUND', `pid ${pid} exited during the capture`, { pid, path });
  if (bytes === DENIED) {
    throw new PssError(
      'ERROR_ACCESS_DENIED',
      `cannot capture pid ${pid}: permission denied reading ${path} (another user's process needs root or CAP_SYS_PTRACE)`,
      { pid, path, option: 'PSS_CAPTURE_VA_SPACE' },
    );
  }
  // An unchanged maps file (an idle process) gives the very regions of the last capture.
  if (!details && ctx.cache.mapsBytes !== null && ctx.cache.regionList !== null && ctx.cache.mapsBytes.equals(bytes)) {
    return ctx.cache.regionList;
  }
  const text = bytes.toString('latin1');
  const cached = ctx.cache.regions;
  const listed = parseMaps(text, details, cached);
  const lines = withoutOverlaps(listed);
  ctx.skipped += listed.length - lines.length;
  const sectionInfo = hasFlag(ctx.flags, CaptureFlags.VaSpaceSectionInformation);

  const imageFiles = new Set<string>();
  const imageSpan = new Map<string, { base: bigint; end: bigint }>();
  for (const m of lines) if (m.file !== null && m.perms[2] === 'x') imageFiles.add(m.file);
  for (const m of lines) {
    if (m.file === null || !imageFiles.has(m.file)) continue;
    const span = imageSpan.get(m.file);
    if (span === undefined) imageSpan.set(m.file, { base: m.start, end: m.end });
    else if (m.end > span.end) span.end = m.end;
  }
  const mtimes = new Map<string, number | null>();
  const mtimeOf = (m: MapLine & { file: string }): number | null => {
    let mtime = mtimes.get(m.file);
    if (mtime === undefined) {
      const stat = files.stat(`${files.path(pid, 'root')}${m.path}`);
      mtime = failed(stat) || stat.ino !== m.inode ? null : Math.floor(stat.mtimeMs / 1000);
      mtimes.set(m.file, mtime);
    }
    return mtime;
  };

  const regions: VaSpaceEntry[] = [];
  const seen: typeof cached = new Map();
  let previous: MapLine | null = null;
  let allocationBase = 0n;
  let allocationProtect = 0;
  for (const m of lines) {
    const file = m.file !== null;
    const protect = protectionOf(m.perms, file);
    const continues = previous !== null && file && previous.file === m.file && previous.end === m.start;
    if (!continues) {
      allocationBase = m.start;
      allocationProtect = protect;
    }
    previous = m;
    const type = typeOf(m, imageFiles);
    const image = sectionInfo && type === MemType.Image && m.file !== null ? imageSpan.get(m.file) : undefined;
    const timeDateStamp = image === undefined ? null : mtimeOf(m as MapLine & { file: string });
    // The same line with the same neighbourhood (allocation, image) is the same entry as last time.
    const last = details ? undefined : cached.get(m.text)?.entry;
    if (
      last !== undefined &&
      last.allocationBase === allocationBase &&
      last.allocationProtect === allocationProtect &&
      last.imageBase === (image?.base ?? null) &&
      last.sizeOfImageBytes === (image === undefined ? null : Number(image.end - image.base)) &&
      last.timeDateStamp === timeDateStamp
    ) {
      regions.push(last);
      seen.set(m.text, { line: m, entry: last });
      continue;
    }
    const name = m.path === '' ? null : decodeLatin1(m.path);
    const entry: VaSpaceEntry = {
      baseAddress: m.start,
      allocationBase,
      allocationProtect,
      regionSizeBytes: m.size,
      // A mapping without any access is address space held back, as MEM_RESERVE is on Windows.
      state: m.perms.startsWith('---') ? MemState.Reserve : MemState.Commit,
      protect,
      type,
      timeDateStamp,
      sizeOfImageBytes: image === undefined ? null : Number(image.end - image.base),
      imageBase: image === undefined ? null : image.base,
      checkSum: null,
      mappedFileName: sectionInfo ? name : null,
      permissions: m.perms,
      fileOffsetBytes: m.offset,
      device: m.device,
      inode: m.inode,
      residentBytes: m.rss,
      proportionalBytes: m.pss,
      privateBytes: m.private,
      swapBytes: m.swap,
    };
    regions.push(entry);
    if (!details) seen.set(m.text, { line: m, entry });
  }
  ctx.cache.regions = seen;
  ctx.cache.mapsBytes = details ? null : Buffer.from(bytes);
  ctx.cache.regionList = details ? null : regions;
  return regions;
}
