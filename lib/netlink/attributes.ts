// Netlink attributes (TLV): one writer and one reader, alignment and nesting
// handled here and nowhere else (see <linux/netlink.h>, NLA_ALIGN / nla_*).
import { NLA_F_NESTED, NLA_TYPE_MASK } from './constants';

/** An attribute we do not interpret: kept verbatim and re-emitted on encode. */
export interface RawAttribute {
  readonly type: number;
  readonly data: Buffer;
}

export const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Builds one netlink message: a growable buffer, plain fields and attributes
 * appended in order, nests closed by offset. `finish()` writes nlmsg_len.
 */
export class MessageWriter {
  private buf: Buffer;
  private pos = 0;
  /** Where the current message starts (bulk writers hold several, see `next`). */
  private msgStart = 0;

  constructor(type: number, flags: number, sizeHint = 256) {
    this.buf = Buffer.allocUnsafe(sizeHint);
    this.u32(0).u16(type).u16(flags).u32(0).u32(0); // nlmsghdr; seq/pid set at send
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  // --- plain fields (fixed headers such as ifinfomsg) -----------------------
  u8(v: number): this { this.reserve(1); this.buf[this.pos++] = v; return this; }
  u16(v: number): this { this.reserve(2); this.buf.writeUInt16LE(v, this.pos); this.pos += 2; return this; }
  u32(v: number): this { this.reserve(4); this.buf.writeUInt32LE(v >>> 0, this.pos); this.pos += 4; return this; }
  s32(v: number): this { this.reserve(4); this.buf.writeInt32LE(v, this.pos); this.pos += 4; return this; }
  bytes(b: Uint8Array): this { this.reserve(b.length); this.buf.set(b, this.pos); this.pos += b.length; return this; }
  zeros(n: number): this { this.reserve(n); this.buf.fill(0, this.pos, this.pos + n); this.pos += n; return this; }

  // --- attributes ---------------------------------------------------------
  private header(type: number, valueLength: number): void {
    this.reserve(4 + valueLength + 3);
    this.buf.writeUInt16LE(4 + valueLength, this.pos);
    this.buf.writeUInt16LE(type, this.pos + 2);
    this.pos += 4;
  }
  private pad(): void {
    const end = align4(this.pos);
    this.buf.fill(0, this.pos, end);
    this.pos = end;
  }

  attrU8(type: number, v: number): this { this.header(type, 1); this.buf[this.pos++] = v; this.pad(); return this; }
  attrU16(type: number, v: number): this { this.header(type, 2); this.buf.writeUInt16LE(v, this.pos); this.pos += 2; this.pad(); return this; }
  attrU32(type: number, v: number): this { this.header(type, 4); this.buf.writeUInt32LE(v >>> 0, this.pos); this.pos += 4; return this; }
  attrS32(type: number, v: number): this { this.header(type, 4); this.buf.writeInt32LE(v, this.pos); this.pos += 4; return this; }
  attrU64(type: number, v: bigint): this { this.header(type, 8); this.buf.writeBigUInt64LE(v, this.pos); this.pos += 8; return this; }
  /** Big-endian u16 (ports and the like, NLA_F_NET_BYTEORDER style values). */
  attrBe16(type: number, v: number): this { this.header(type, 2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; this.pad(); return this; }
  /** NUL-terminated string (NLA_NUL_STRING / NLA_STRING both accept it). */
  attrString(type: number, s: string): this {
    const n = Buffer.byteLength(s);
    this.header(type, n + 1);
    this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos + n] = 0;
    this.pos += n + 1;
    this.pad();
    return this;
  }
  attrBytes(type: number, b: Uint8Array): this { this.header(type, b.length); this.buf.set(b, this.pos); this.pos += b.length; this.pad(); return this; }
  attrFlag(type: number): this { this.header(type, 0); return this; }
  attrRaw(a: RawAttribute): this { return this.attrBytes(a.type, a.data); }

  /** Opens a nest; pass the returned offset to `endNest`. */
  beginNest(type: number, nestedFlag = false): number {
    const at = this.pos;
    this.header(nestedFlag ? type | NLA_F_NESTED : type, 0);
    return at;
  }
  endNest(at: number): this { this.buf.writeUInt16LE(this.pos - at, at); return this; }

  get length(): number { return this.pos; }

  /**
   * Closes the current message and starts another one after it (NLMSG_ALIGN),
   * in the same buffer: many messages, one allocation. Returns its offset.
   */
  next(type: number, flags: number): number {
    this.buf.writeUInt32LE(this.pos - this.msgStart, this.msgStart);
    this.zeros(align4(this.pos) - this.pos);
    this.msgStart = this.pos;
    this.u32(0).u16(type).u16(flags).u32(0).u32(0);
    return this.msgStart;
  }

  finish(): Buffer {
    this.buf.writeUInt32LE(this.pos - this.msgStart, this.msgStart);
    return this.buf.subarray(0, this.pos);
  }
}

/** Thrown when bytes from the kernel (or a fuzzer) do not parse. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`);
  }
}

/**
 * Walks the attributes of buf[start, end) with no callback per attribute, for
 * decoders on hot paths:
 *
 *     for (const a = new AttributeCursor(buf, s, e); a.next();) switch (a.type) { … a.start … a.end … }
 *
 * `type` has the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits masked off; the
 * current value is buf[start, end).
 */
export class AttributeCursor {
  type = 0;
  start = 0;
  end = 0;
  private off: number;

  constructor(private readonly buf: Buffer, start: number, private readonly limit: number) {
    this.off = start;
  }

  next(): boolean {
    const { buf, off } = this;
    if (off + 4 > this.limit) return false;
    const len = buf[off] | (buf[off + 1] << 8);
    if (len < 4 || off + len > this.limit) throw new DecodeError(`bad attribute length ${len}`, off);
    this.type = (buf[off + 2] | (buf[off + 3] << 8)) & NLA_TYPE_MASK;
    this.start = off + 4;
    this.end = off + len;
    this.off = off + align4(len);
    return true;
  }
}

/**
 * Calls `visit(type, start, end)` for each attribute in buf[start, end).
 * `type` has the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits masked off.
 */
export function forEachAttribute(
  buf: Buffer, start: number, end: number,
  visit: (type: number, valueStart: number, valueEnd: number) => void,
): void {
  for (const a = new AttributeCursor(buf, start, end); a.next();) visit(a.type, a.start, a.end);
}

/**
 * The attribute type with its NLA_F_NESTED / NLA_F_NET_BYTEORDER bits, given
 * where its value starts: kept for attributes we re-emit without interpreting.
 */
export function rawType(buf: Buffer, valueStart: number): number {
  return buf.readUInt16LE(valueStart - 2);
}

/** The attributes of buf[start, end) as a list, for small nests. */
export function attributeList(buf: Buffer, start: number, end: number): RawAttribute[] {
  const out: RawAttribute[] = [];
  forEachAttribute(buf, start, end, (_type, s, e) => out.push({ type: rawType(buf, s), data: buf.subarray(s, e) }));
  return out;
}

/**
 * The text of the last value read through it, reused while the bytes stay the
 * same. A dump repeats a few values thousands of times (a link's qdisc and
 * kind, the broadcast address, a route's gateway): one string for all of them
 * instead of one each, which is what a 10,000-route dump spent its garbage
 * collections on. Values longer than 32 bytes are not remembered.
 */
export class LastValue {
  private readonly bytes = Buffer.alloc(32);
  private length = -1;
  private text = '';

  constructor(private readonly format: (buf: Buffer, start: number, end: number) => string) {}

  read(buf: Buffer, start: number, end: number): string {
    const n = end - start;
    if (n === this.length) {
      let i = 0;
      while (i < n && buf[start + i] === this.bytes[i]) i++;
      if (i === n) return this.text;
    }
    this.text = this.format(buf, start, end);
    this.length = n <= this.bytes.length ? buf.copy(this.bytes, 0, start, end) : -1;
    return this.text;
  }
}

/** A NUL-terminated (or not) string value. */
export function readString(buf: Buffer, start: number, end: number): string {
  let e = end;
  while (e > start && buf[e - 1] === 0) e--;
  return buf.toString('utf8', start, e);
}

export function readU32(buf: Buffer, start: number, end: number): number {
  if (end - start < 4) throw new DecodeError('u32 attribute shorter than 4 bytes', start);
  return buf.readUInt32LE(start);
}

export function readS32(buf: Buffer, start: number, end: number): number {
  if (end - start < 4) throw new DecodeError('s32 attribute shorter than 4 bytes', start);
  return buf.readInt32LE(start);
}

export function readU8(buf: Buffer, start: number, end: number): number {
  if (end - start < 1) throw new DecodeError('u8 attribute is empty', start);
  return buf[start];
}

export function readU16(buf: Buffer, start: number, end: number): number {
  if (end - start < 2) throw new DecodeError('u16 attribute shorter than 2 bytes', start);
  return buf.readUInt16LE(start);
}

export function readU64(buf: Buffer, start: number, end: number): bigint {
  if (end - start < 8) throw new DecodeError('u64 attribute shorter than 8 bytes', start);
  return buf.readBigUInt64LE(start);
}

/** A copy, so a decoded object does not pin the whole receive chunk. */
export function copyBytes(buf: Buffer, start: number, end: number): Buffer {
  return Buffer.from(buf.subarray(start, end));
}
