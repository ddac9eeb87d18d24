import { decodeLatin1 } from '../../pss/byte-string.js';
import { CaptureFlags, hasFlag } from '../../pss/capture-flags.js';
import { MemState, MemType } from '../../pss/memory.js';
import { PssError } from '../../pss/pss-error.js';
import type { VaSpaceEntry } from '../../pss/walk-entries.js';
import type { CaptureContext } from './capture-context.js';
import { type MapLine, parseMaps, protectionOf, withoutOverlaps } from './parse-maps.js';
import { DENIED, failed, VANISHED } from './proc-files.js';

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
export function readRegions(ctx: CaptureContext, details: boolean): readonly VaSpaceEntry[] {
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
    Object.freeze(entry);
    regions.push(entry);
    if (!details) seen.set(m.text, { line: m, entry });
  }
  ctx.cache.regions = seen;
  ctx.cache.mapsBytes = details ? null : Buffer.from(bytes);
  Object.freeze(regions);
  ctx.cache.regionList = details ? null : regions;
  return regions;
}
