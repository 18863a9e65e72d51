// The protocol buffers wire format, the part etcd's API needs: varints and length-delimited
// fields (https://protobuf.dev/programming-guides/encoding/). Integers are JS numbers: etcd's
// revisions, counts and ids stay far below 2^53. The only uint64s beyond that (cluster and member
// ids in response headers) are skipped, never read.
//
// Encoding is two passes over a tree of fields: sizes first, in pre-order, so every nested
// message's length is known before it is written; then one write into a single buffer that
// starts with gRPC's 5-byte message prefix (uncompressed flag + big-endian length).

export type Field =
  | readonly [tag: number, kind: 'varint', value: number]
  | readonly [tag: number, kind: 'bytes', value: string | Buffer]
  | readonly [tag: number, kind: 'message', value: readonly Field[]];

const VARINT = 0;
const LEN = 2;

/** One gRPC length-prefixed message holding `fields`. Every field given is written. */
export function grpcFrame(fields: readonly Field[]): Buffer {
  const sizes: number[] = [];
  const size = measure(fields, sizes);
  const buf = Buffer.allocUnsafe(5 + size);
  buf[0] = 0;
  buf.writeUInt32BE(size, 1);
  const cursor = { pos: 5, size: 0 };
  write(fields, buf, cursor, sizes);
  return buf;
}

/** Size of `fields`; pushes each nested message's size (pre-order) for write(). */
function measure(fields: readonly Field[], sizes: number[]): number {
  let n = 0;
  for (const f of fields) {
    n += varintSize(f[0] << 3);
    if (f[1] === 'varint') {
      n += varintSize(f[2]);
    } else if (f[1] === 'bytes') {
      const len = typeof f[2] === 'string' ? Buffer.byteLength(f[2]) : f[2].length;
      sizes.push(len);
      n += varintSize(len) + len;
    } else {
      const at = sizes.push(0) - 1;
      const len = measure(f[2], sizes);
      sizes[at] = len;
      n += varintSize(len) + len;
    }
  }
  return n;
}

function write(fields: readonly Field[], buf: Buffer, cursor: { pos: number; size: number }, sizes: number[]): void {
  for (const f of fields) {
    if (f[1] === 'varint') {
      cursor.pos = writeVarint(buf, cursor.pos, (f[0] << 3) | VARINT);
      cursor.pos = writeVarint(buf, cursor.pos, f[2]);
      continue;
    }
    const len = sizes[cursor.size++]!;
    cursor.pos = writeVarint(buf, cursor.pos, (f[0] << 3) | LEN);
    cursor.pos = writeVarint(buf, cursor.pos, len);
    if (f[1] === 'message') {
      write(f[2], buf, cursor, sizes);
    } else if (typeof f[2] === 'string') {
      cursor.pos += buf.write(f[2], cursor.pos);
    } else {
      cursor.pos += f[2].copy(buf, cursor.pos);
    }
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  if (!(n >= 0 && Number.isSafeInteger(n))) throw new RangeError(`cannot encode ${n} as a protobuf varint`);
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** A malformed message from the server. */
export class WireError extends Error {}

/**
 * Reads the fields of one message in buf[pos, end). Typical use:
 *   while (r.pos < end) { const key = r.varint(); switch (key) { case (1 << 3) | 2: ...; default: r.skip(key); } }
 */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  varint(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = buf[this.pos++];
      if (b === undefined) throw new WireError('truncated varint');
      result += (b & 127) * scale;
      if (b < 128) return result;
      scale *= 128;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** The [start, end) of a length-delimited field's payload; moves past it. */
  span(): readonly [number, number] {
    const len = this.varint();
    const start = this.pos;
    const end = start + len;
    if (end > this.buf.length) throw new WireError('length-delimited field runs past the message');
    this.pos = end;
    return [start, end];
  }

  string(): string {
    const [start, end] = this.span();
    return this.buf.toString('utf8', start, end);
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  /** Skip the value of a field whose key (tag << 3 | wire type) was just read. */
  skip(key: number): void {
    switch (key & 7) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.span();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${key & 7}`);
    }
  }
}
