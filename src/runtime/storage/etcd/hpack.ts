// HPACK (RFC 7541), the part an HTTP/2 client of etcd needs: a full decoder (static and dynamic
// tables, Huffman-coded strings) for the response headers and trailers a gRPC server sends, and an
// encoder for request headers that never touches the dynamic table (every field a literal "without
// indexing", with a static-table name where there is one), so the peer's decoder state is all we
// have to follow.

export class HpackError extends Error {}

/** RFC 7541 Appendix A. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'],
  [':path', '/index.html'], [':scheme', 'http'], [':scheme', 'https'], [':status', '200'],
  [':status', '204'], [':status', '206'], [':status', '304'], [':status', '400'],
  [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''],
  ['accept', ''], ['access-control-allow-origin', ''], ['age', ''], ['allow', ''],
  ['authorization', ''], ['cache-control', ''], ['content-disposition', ''],
  ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''],
  ['date', ''], ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''],
  ['if-match', ''], ['if-modified-since', ''], ['if-none-match', ''], ['if-range', ''],
  ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''], ['location', ''],
  ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''],
  ['via', ''], ['www-authenticate', ''],
];

/**
 * RFC 7541 Appendix B, as the code length of each symbol (0 - 255, then EOS = 256). The code is
 * canonical: sorting symbols by (length, symbol) and counting up gives each symbol's code.
 */
const HUFFMAN_CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];

const EOS = 256;

/** Binary decoding tree: node n's children are at 2n and 2n+1; a leaf holds -(symbol + 1). */
const huffmanTree: Int32Array = (() => {
  const order = HUFFMAN_CODE_LENGTHS.map((_, s) => s).sort((a, b) => HUFFMAN_CODE_LENGTHS[a]! - HUFFMAN_CODE_LENGTHS[b]! || a - b);
  const tree = new Int32Array(2 * 2 * order.length); // a full binary tree with 257 leaves has 513 nodes
  let nodes = 1;
  let code = 0;
  let prevLength = HUFFMAN_CODE_LENGTHS[order[0]!]!;
  for (let i = 0; i < order.length; i++) {
    const symbol = order[i]!;
    const length = HUFFMAN_CODE_LENGTHS[symbol]!;
    if (i > 0) code = (code + 1) * 2 ** (length - prevLength);
    prevLength = length;
    let node = 0;
    for (let bit = length - 1; bit > 0; bit--) {
      const slot = 2 * node + (Math.floor(code / 2 ** bit) & 1);
      if (tree[slot] === 0) tree[slot] = nodes++;
      node = tree[slot]!;
    }
    tree[2 * node + (code & 1)] = -(symbol + 1);
  }
  return tree;
})();

function huffmanDecode(buf: Buffer, start: number, end: number): string {
  let out = '';
  let node = 0;
  let depth = 0; // bits read since the last symbol
  let allOnes = true; // those bits were all 1 (a valid padding, if the string ends here)
  for (let i = start; i < end; i++) {
    const byte = buf[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      const next = huffmanTree[2 * node + b]!;
      depth++;
      allOnes &&= b === 1;
      if (next < 0) {
        const symbol = -next - 1;
        if (symbol === EOS) throw new HpackError('Huffman-coded string contains EOS');
        out += String.fromCharCode(symbol);
        node = 0;
        depth = 0;
        allOnes = true;
      } else if (next === 0) {
        throw new HpackError('invalid Huffman code');
      } else {
        node = next;
      }
    }
  }
  if (depth > 7 || !allOnes) throw new HpackError('invalid Huffman padding');
  return out;
}

/** Decodes header blocks of one connection, in the order they arrive (the dynamic table is shared). */
export class HpackDecoder {
  /** Newest first. */
  private readonly dynamic: [string, string][] = [];
  private size = 0;
  private maxSize: number;

  /** `limit`: our SETTINGS_HEADER_TABLE_SIZE, the largest table the peer may ask for. */
  constructor(private readonly limit = 4096) {
    this.maxSize = limit;
  }

  /** One complete header block (HEADERS + CONTINUATION fragments) as [name, value] pairs. */
  decode(block: Buffer): [string, string][] {
    const fields: [string, string][] = [];
    const r = { buf: block, at: 0 };
    while (r.at < block.length) {
      const first = block[r.at]!;
      if (first & 0x80) {
        fields.push(this.entry(readInteger(r, 7)));
      } else if (first & 0x40) {
        const field = this.literal(r, 6);
        fields.push(field);
        this.insert(field);
      } else if (first & 0x20) {
        const size = readInteger(r, 5);
        if (size > this.limit) throw new HpackError(`dynamic table size ${size} is over the limit ${this.limit}`);
        this.maxSize = size;
        this.evict(0);
      } else {
        fields.push(this.literal(r, 4)); // without indexing, or never indexed
      }
    }
    return fields;
  }

  private literal(r: Reader, prefix: number): [string, string] {
    const index = readInteger(r, prefix);
    const name = index === 0 ? readString(r) : this.entry(index)[0];
    return [name, readString(r)];
  }

  private entry(index: number): [string, string] {
    if (index === 0) throw new HpackError('header index 0');
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1] as [string, string];
    const e = this.dynamic[index - STATIC_TABLE.length - 1];
    if (!e) throw new HpackError(`header index ${index} is beyond the dynamic table`);
    return e;
  }

  private insert(field: [string, string]): void {
    const size = entrySize(field);
    this.evict(size);
    if (size > this.maxSize) return; // larger than the table: it empties it and is not kept
    this.dynamic.unshift(field);
    this.size += size;
  }

  /** Drop the oldest entries until `room` more bytes fit. */
  private evict(room: number): void {
    while (this.size + room > this.maxSize && this.dynamic.length > 0) this.size -= entrySize(this.dynamic.pop()!);
  }
}

function entrySize([name, value]: readonly [string, string]): number {
  return name.length + value.length + 32;
}

interface Reader {
  readonly buf: Buffer;
  at: number;
}

function readInteger(r: Reader, prefix: number): number {
  const max = (1 << prefix) - 1;
  if (r.at >= r.buf.length) throw new HpackError('truncated header block');
  let value = r.buf[r.at++]! & max;
  if (value < max) return value;
  for (let shift = 0; ; shift += 7) {
    if (r.at >= r.buf.length) throw new HpackError('truncated integer');
    if (shift > 28) throw new HpackError('integer too large');
    const b = r.buf[r.at++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return value;
  }
}

function readString(r: Reader): string {
  if (r.at >= r.buf.length) throw new HpackError('truncated header block');
  const huffman = (r.buf[r.at]! & 0x80) !== 0;
  const length = readInteger(r, 7);
  const end = r.at + length;
  if (end > r.buf.length) throw new HpackError('truncated string');
  const s = huffman ? huffmanDecode(r.buf, r.at, end) : r.buf.toString('latin1', r.at, end);
  r.at = end;
  return s;
}

/** A header block for `fields` (lowercase names, pseudo-headers first), with no dynamic table use. */
export function encodeHeaders(fields: readonly (readonly [string, string])[]): Buffer {
  const bytes: number[] = [];
  for (const [name, value] of fields) {
    const exact = STATIC_TABLE.findIndex(([n, v]) => n === name && v === value);
    if (exact >= 0) {
      writeInteger(bytes, 0x80, 7, exact + 1);
      continue;
    }
    const named = STATIC_TABLE.findIndex(([n]) => n === name);
    writeInteger(bytes, 0x00, 4, named + 1); // literal without indexing; 0 = the name follows
    if (named < 0) writeString(bytes, name);
    writeString(bytes, value);
  }
  return Buffer.from(bytes);
}

function writeInteger(out: number[], flags: number, prefix: number, value: number): void {
  const max = (1 << prefix) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  for (value -= max; value >= 0x80; value = Math.floor(value / 0x80)) out.push((value % 0x80) | 0x80);
  out.push(value);
}

function writeString(out: number[], s: string): void {
  const raw = Buffer.from(s, 'latin1');
  writeInteger(out, 0x00, 7, raw.length);
  for (const b of raw) out.push(b);
}
