import { decodeLatin1 } from '../../pss/byte-string.js';
import { CaptureFlags, hasFlag } from '../../pss/capture-flags.js';
import { MemState, MemType } from '../../pss/memory.js';
import { PssError } from '../../pss/pss-error.js';
import type { VaSpaceEntry } from '../../pss/walk-entries.js';
import type { CaptureContext } from './capture-context.js';
import { forEachMapLine, keepsNoOverlap, type MapLine, protectionOf } from './parse-maps.js';
import { DENIED, failed, VANISHED } from './proc-files.js';
import { digestOf, reuseIfEqual } from './process-cache.js';
import { deviceText, statText } from './raw-reads.js';

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
export function readRegions(ctx: CaptureContext, details: boolean): readonly VaSpaceEntry[] | null {
  const { files, pid } = ctx;
  const path = files.path(pid, details ? 'smaps' : 'maps');
  const bytes = files.readBytes(path);
  if (bytes === VANISHED) throw new PssError('ERROR_NOT_FOUND', `pid ${pid} exited during the capture`, { pid, path });
  if (bytes === DENIED) return ctx.deny('regions', path);
  // An unchanged maps file (an idle process) gives the very regions of the last capture.
  const digest = details ? null : digestOf(bytes);
  const previousList = details ? null : ctx.cache.regionList;
  if (digest !== null && previousList !== null && ctx.cache.mapsDigest === digest) return previousList;
  // Forgotten before the new regions are made, so that the two lists are never both held here
  // longer than it takes to compare them.
  ctx.cache.mapsDigest = null;
  ctx.cache.regionList = null;
  const text = bytes.toString('latin1');
  const sectionInfo = hasFlag(ctx.flags, CaptureFlags.VaSpaceSectionInformation);

  // A first pass over the lines finds the images (files mapped executable somewhere) and their
  // spans; the second makes the entries. Each parses the lines again rather than keeping them:
  // a large address space has tens of thousands.
  const imageFiles = new Set<string>();
  const fileSpan = new Map<string, { base: bigint; end: bigint }>();
  const firstKept = keepsNoOverlap();
  forEachMapLine(text, details, (m) => {
    if (!firstKept(m) || m.file === null) return;
    if (m.perms[2] === 'x') imageFiles.add(m.file);
    const span = fileSpan.get(m.file);
    if (span === undefined) fileSpan.set(m.file, { base: m.start, end: m.end });
    else if (m.end > span.end) span.end = m.end;
  });
  const imageSpan = (file: string): { base: bigint; end: bigint } | undefined => (imageFiles.has(file) ? fileSpan.get(file) : undefined);
  /**
   * The exact name of a mapped file whose line shows `\012`, which is a newline or those four
   * characters: map_files' link holds the name itself (it needs root); without it, the likelier
   * reading, a newline.
   */
  const exactNames = new Map<string, string>();
  const exactPathOf = (m: MapLine): string => {
    if (!m.path.includes('\\012')) return m.path;
    const range = `${m.start.toString(16)}-${m.end.toString(16)}`;
    let exact = exactNames.get(range);
    if (exact === undefined) {
      const link = files.readLink(files.path(pid, 'map_files', range));
      exact = typeof link === 'string' ? link : m.path.replaceAll('\\012', '\n');
      exactNames.set(range, exact);
    }
    return exact;
  };
  const fileStats = new Map<string, { mtime: number | null; linkCount: number | null }>();
  const blocking = ctx.blockingMounts().devices;
  /**
   * The modification time and link count of a mapped file, by its device and inode in maps,
   * never through a path that could name another file: map_files (root) follows the mapping
   * itself; else the path maps shows must hold that very inode, and a path that does not,
   * marked ` (deleted)` by the kernel, is a deleted file.
   */
  const fileStatOf = (m: MapLine & { file: string }): { mtime: number | null; linkCount: number | null } => {
    let known = fileStats.get(m.file);
    if (known !== undefined) return known;
    const mapFile = files.path(pid, 'map_files', `${m.start.toString(16)}-${m.end.toString(16)}`);
    const mayBlock = blocking.has(m.device);
    let stat = mayBlock ? ctx.statBlocking(mapFile, m.device) : statText(files, mapFile);
    if (stat === DENIED && !mayBlock) {
      const byPath = files.stat(`${files.path(pid, 'root')}${exactPathOf(m)}`);
      const same = !failed(byPath) && byPath.ino === m.inode && deviceText(byPath.dev) === m.device;
      stat = same ? `${byPath.mode} ${byPath.size} ${byPath.nlink} ${byPath.dev} ${byPath.rdev} ${Math.floor(byPath.mtimeMs / 1000)}` : VANISHED;
      if (!same && m.path.endsWith(' (deleted)')) {
        known = { mtime: null, linkCount: 0 };
        fileStats.set(m.file, known);
        return known;
      }
    }
    if (typeof stat === 'string' && stat !== '') {
      const [, , nlink, , , mtime] = stat.split(' ').map(Number);
      known = { mtime: mtime ?? null, linkCount: nlink ?? null };
    } else {
      known = { mtime: null, linkCount: null };
    }
    fileStats.set(m.file, known);
    return known;
  };

  const regions: VaSpaceEntry[] = [];
  // The last capture's regions, in address order like these: walked alongside them.
  let next = 0;
  let previous: MapLine | null = null;
  let allocationBase = 0n;
  let allocationProtect = 0;
  const kept = keepsNoOverlap();
  forEachMapLine(text, details, (m) => {
    if (!kept(m)) {
      ctx.skipped++;
      return;
    }
    const file = m.file !== null;
    const protect = protectionOf(m.perms, file);
    const continues = previous !== null && file && previous.file === m.file && previous.end === m.start;
    if (!continues) {
      allocationBase = m.start;
      allocationProtect = protect;
    }
    previous = m;
    const type = typeOf(m, imageFiles);
    const image = sectionInfo && type === MemType.Image && m.file !== null ? imageSpan(m.file) : undefined;
    const fileStat = m.file === null ? null : fileStatOf(m as MapLine & { file: string });
    const timeDateStamp = image === undefined ? null : (fileStat?.mtime ?? null);
    const linkCount = fileStat?.linkCount ?? null;
    const name = m.path === '' ? null : decodeLatin1(exactPathOf(m));
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
      sharedCleanBytes: m.sharedClean,
      sharedDirtyBytes: m.sharedDirty,
      privateCleanBytes: m.privateClean,
      privateDirtyBytes: m.privateDirty,
      anonymousBytes: m.anonymous,
      lockedBytes: m.locked,
      vmFlags: m.vmFlags,
      linkCount,
    };
    // A region that holds the same values as last time is the same entry as last time.
    let last: VaSpaceEntry | undefined;
    if (previousList !== null) {
      while (next < previousList.length && (previousList[next] as VaSpaceEntry).baseAddress < m.start) next++;
      const candidate = previousList[next];
      if (candidate !== undefined && candidate.baseAddress === m.start) last = candidate;
    }
    regions.push(reuseIfEqual(last, entry));
  });
  Object.freeze(regions);
  if (digest !== null) {
    ctx.cache.mapsDigest = digest;
    ctx.cache.regionList = regions;
  }
  return regions;
}
