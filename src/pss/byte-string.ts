/*
 * File names on Linux are bytes, not text. pssql decodes them as UTF-8 and keeps any byte that is
 * not valid UTF-8 as a lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), so a name can
 * be shown as text and still be turned back into its exact bytes.
 *
 * Names on Windows are UTF-16 code units, not always valid UTF-16: NTFS and object names may hold
 * a lone surrogate. Such a surrogate (outside U+DC80..U+DCFF) has the bytes WTF-8 gives it, the
 * three of its generalized UTF-8 form (ED A0 80 for U+D800), as Rust's OsString does on Windows;
 * those bytes decode back to it. The one name not kept exactly is one whose lone surrogates in
 * U+DC80..U+DCFF, taken as bytes, spell valid UTF-8.
 */

const strict = new TextDecoder('utf-8', { fatal: true });

function hasHighByte(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return true;
  return false;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  const cont = (k: number): boolean => ((bytes[i + k] ?? 0) & 0xc0) === 0x80;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const b1 = bytes[i + 1] ?? 0;
    if (b0 === 0xe0 && b1 < 0xa0) return 0; // overlong
    if (b0 === 0xed && b1 >= 0xa0) return 0; // UTF-16 surrogate
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const b1 = bytes[i + 1] ?? 0;
    if (b0 === 0xf0 && b1 < 0x90) return 0;
    if (b0 === 0xf4 && b1 >= 0x90) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * Decodes a name read as latin1 text (one char per byte, as pssql reads /proc) the way
 * {@link decodeBytes} decodes its bytes; ASCII, the common case, is returned as it is.
 */
export function decodeLatin1(text: string): string {
  return /[^\x00-\x7f]/.test(text) ? decodeBytes(Buffer.from(text, 'latin1')) : text;
}

/**
 * The surrogate that the WTF-8 sequence at `i` stands for, or 0 when there is none there. U+DC80..
 * U+DCFF never are one: those stand for single bytes.
 */
function wtf8Surrogate(bytes: Uint8Array, i: number): number {
  const b1 = bytes[i + 1] ?? 0;
  const b2 = bytes[i + 2] ?? 0;
  if (bytes[i] !== 0xed || b1 < 0xa0 || b1 > 0xbf || (b2 & 0xc0) !== 0x80) return 0;
  const code = 0xd000 | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
  return code >= 0xdc80 && code <= 0xdcff ? 0 : code;
}

/**
 * Whether the lone high surrogates of WTF-8 sequences from `i` on stay lone: whatever follows
 * the run of them is the end, ASCII or valid UTF-8, never a unit that would pair with the last.
 */
function highRunStaysLone(bytes: Uint8Array, i: number): boolean {
  let at = i;
  while (at < bytes.length && (wtf8Surrogate(bytes, at) & 0xfc00) === 0xd800) at += 3;
  return at >= bytes.length || (bytes[at] as number) < 0x80 || sequenceLength(bytes, at) > 0;
}

/**
 * Decodes bytes as UTF-8, keeping invalid bytes as U+DC80+byte so that nothing is lost, and a WTF-8
 * lone surrogate (a Windows name's) as that surrogate.
 */
export function decodeBytes(bytes: Uint8Array): string {
  if (!hasHighByte(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  try {
    return strict.decode(bytes);
  } catch {
    let out = '';
    let start = 0;
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i] as number;
      if (b < 0x80) {
        i++;
        continue;
      }
      const n = sequenceLength(bytes, i);
      if (n > 0) {
        i += n;
        continue;
      }
      const surrogate = wtf8Surrogate(bytes, i);
      // A low one cannot follow a lone high one (that high one would not have been taken).
      if (surrogate !== 0 && ((surrogate & 0xfc00) === 0xdc00 || highRunStaysLone(bytes, i))) {
        out += strict.decode(bytes.subarray(start, i)) + String.fromCharCode(surrogate);
        i += 3;
        start = i;
        continue;
      }
      out += strict.decode(bytes.subarray(start, i)) + String.fromCharCode(0xdc00 + b);
      i++;
      start = i;
    }
    return out + strict.decode(bytes.subarray(start));
  }
}

/** True when `text` came from valid UTF-8 (it holds no escaped byte and no lone surrogate). */
export function isExactText(text: string): boolean {
  return text.isWellFormed();
}

/** The exact bytes of a string from {@link decodeBytes}: the inverse, byte for byte. */
export function encodeBytes(text: string): Buffer {
  if (text.isWellFormed()) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      parts.push(Buffer.from(text.slice(start, i), 'utf8'));
      // An escaped byte; any other lone surrogate (a Windows name's) has its WTF-8 bytes.
      parts.push(c >= 0xdc80 && c <= 0xdcff ? Buffer.of(c - 0xdc00) : Buffer.of(0xed, 0xa0 | ((c >> 6) & 0x1f), 0x80 | (c & 0x3f)));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * `text` as valid Unicode: bytes that were not UTF-8 (U+DC80..U+DCFF from {@link decodeBytes})
 * written as `\xNN` and each backslash as `\\`, so that the form reads back unambiguously
 * (`\\xff` is a backslash and `xff`, `\xff` the byte 0xff). This is how such names read in SQL
 * and JSON; their exact bytes are kept beside them. Text that is valid UTF-8 is never passed here.
 */
export function textWithEscapedBytes(text: string): string {
  return text.replace(/[\\\ud800-\udfff]/g, (ch, at: number, whole: string) => {
    if (ch === '\\') return '\\\\';
    const c = ch.charCodeAt(0);
    // A high surrogate followed by a low one is a real character, and so is that low one.
    if (c <= 0xdbff && at + 1 < whole.length && (whole.charCodeAt(at + 1) & 0xfc00) === 0xdc00) return ch;
    if (c >= 0xdc00 && at > 0 && (whole.charCodeAt(at - 1) & 0xfc00) === 0xd800) return ch;
    return c >= 0xdc80 && c <= 0xdcff ? `\\x${(c - 0xdc00).toString(16)}` : '\ufffd';
  });
}

/**
 * A form of `text` that is safe to print: control characters (newline, escape, ...) and escaped
 * bytes are written as `\n`, `\x1b`, `\xff`, so a hostile file name cannot drive the terminal.
 */
export function printableText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]|[\udc80-\udcff]/g, (ch) => {
    const c = ch.charCodeAt(0);
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    if (c >= 0xdc80 && c <= 0xdcff) return `\\x${(c - 0xdc00).toString(16)}`;
    return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16)}`;
  });
}
