// Small helpers shared by the IFLA_INFO_DATA codecs: build one RawAttribute,
// and read a kind's attribute list by type. Unknown attributes stay raw.
import { DecodeError, RawAttribute, readString } from '../../netlink/attributes';

export const u8 = (type: number, v: number): RawAttribute => ({ type, data: Buffer.from([v]) });
export const flag = (type: number, v: boolean): RawAttribute => u8(type, v ? 1 : 0);
export function u16(type: number, v: number): RawAttribute {
  const data = Buffer.alloc(2); data.writeUInt16LE(v); return { type, data };
}
/** Big-endian u16: protocols and UDP ports (__be16 in the kernel's policy). */
export function be16(type: number, v: number): RawAttribute {
  const data = Buffer.alloc(2); data.writeUInt16BE(v); return { type, data };
}
export function u32(type: number, v: number): RawAttribute {
  const data = Buffer.alloc(4); data.writeUInt32LE(v >>> 0); return { type, data };
}
export const bytes = (type: number, data: Uint8Array): RawAttribute => ({ type, data: Buffer.from(data) });

/** Reads typed values out of a raw attribute list; each getter checks the length. */
export class AttrReader {
  private readonly byType = new Map<number, Buffer>();
  /** Attributes no getter asked for, in their original order (see `rest`). */
  private readonly all: RawAttribute[];
  private readonly used = new Set<number>();

  constructor(list: readonly RawAttribute[]) {
    this.all = [...list];
    for (const a of list) this.byType.set(a.type & 0x3fff, a.data);
  }
  private get(type: number, min: number, what: string): Buffer | undefined {
    const d = this.byType.get(type);
    this.used.add(type);
    if (d !== undefined && d.length < min) throw new DecodeError(`${what} attribute ${type} shorter than ${min} bytes`, 0);
    return d;
  }
  u8(type: number): number | undefined { return this.get(type, 1, 'u8')?.[0]; }
  bool(type: number): boolean | undefined { const v = this.u8(type); return v === undefined ? undefined : v !== 0; }
  u16(type: number): number | undefined { return this.get(type, 2, 'u16')?.readUInt16LE(0); }
  be16(type: number): number | undefined { return this.get(type, 2, 'be16')?.readUInt16BE(0); }
  u32(type: number): number | undefined { return this.get(type, 4, 'u32')?.readUInt32LE(0); }
  buf(type: number): Buffer | undefined { return this.get(type, 0, 'bytes'); }
  string(type: number): string | undefined { const d = this.get(type, 0, 'string'); return d && readString(d, 0, d.length); }
  /** The attributes not read by any getter (kept so nothing the kernel sent is lost). */
  rest(): RawAttribute[] { return this.all.filter((a) => !this.used.has(a.type & 0x3fff)); }
}
