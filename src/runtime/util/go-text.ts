// Text as Go's net/url and encoding/json see it. Go keeps strings as bytes: a percent-escape or
// a header value is a byte, and the bytes become text only when encoding/json writes them,
// each byte of an invalid UTF-8 sequence as one U+FFFD (encode.go appendString, which steps
// with utf8.DecodeRuneInString). These helpers give the string that JSON would carry, so
// what we send (a SubjectAccessReview, an audit event) is what a Go server would send.

/** Bytes as encoding/json writes them: valid UTF-8 as is, every other byte as U+FFFD. */
export function textFromBytes(bytes: ArrayLike<number>): string {
  let out = '';
  const n = bytes.length;
  for (let i = 0; i < n; ) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    const size = sequenceLength(bytes, i);
    if (size === 0) {
      out += '\uFFFD';
      i++;
      continue;
    }
    let cp = b0 & (size === 2 ? 0x1f : size === 3 ? 0x0f : 0x07);
    for (let k = 1; k < size; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f);
    out += String.fromCodePoint(cp);
    i += size;
  }
  return out;
}

/**
 * The length of the valid UTF-8 sequence at `i` (2-4), or 0 when it is not one: the first-byte
 * ranges and second-byte bounds of Go's unicode/utf8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF).
 */
function sequenceLength(b: ArrayLike<number>, i: number): number {
  const b0 = b[i];
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < b.length && b[j] >= lo && b[j] <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

/**
 * A string Node decoded as latin1 (header values, the request target), one char per byte,
 * read as the UTF-8 bytes it carried. ASCII, the usual case, is returned as it is.
 */
export function textFromLatin1(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  const bytes = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
  return textFromBytes(bytes);
}

export type Unescaped = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

/**
 * Percent-decoding as net/url's unescape: `query` mode (QueryUnescape) also reads `+` as a
 * space, `path` mode (PathUnescape, URL.Path) keeps it. A `%` not followed by two hex digits
 * is Go's error `invalid URL escape "%zz"`. `s` is one char per byte (latin1, as Node gives
 * the request target); the decoded bytes are read as UTF-8 (textFromBytes).
 */
export function unescape(s: string, mode: 'path' | 'query'): Unescaped {
  if (!s.includes('%') && (mode === 'path' || !s.includes('+'))) return { ok: true, value: textFromLatin1(s) };
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return { ok: false, error: `invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}` };
      bytes.push(hi * 16 + lo);
      i += 2;
    } else if (c === 0x2b /* + */ && mode === 'query') {
      bytes.push(0x20);
    } else {
      bytes.push(c & 0xff);
    }
  }
  return { ok: true, value: textFromBytes(bytes) };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
