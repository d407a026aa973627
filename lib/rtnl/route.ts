// RTM_*ROUTE codec: rtmsg + RTA_* attributes (<linux/rtnetlink.h>), including
// RTA_METRICS (RTAX_*) and RTA_MULTIPATH (struct rtnexthop list).
import {
  AttributeCursor, copyBytes, LastValue, DecodeError, forEachAttribute, MessageWriter, RawAttribute, rawType, readString, readU32, readU8,
} from '../netlink/attributes';
import * as C from '../netlink/constants';
import { MessageView } from '../netlink/message';
import { formatIp, parseIp } from '../inet';

/** RTA_VIA (struct rtvia): a gateway of another family, e.g. an IPv6 next hop for an IPv4 route. */
export interface ViaMessage {
  family: number;
  address: string;
}

export interface NexthopMessage {
  /** rtnh_flags: RTNH_F_* */
  flags: number;
  /** rtnh_hops: weight - 1 */
  hops: number;
  index: number;
  gateway?: string;
  via?: ViaMessage;
  unknown?: RawAttribute[];
}

export interface RouteMessage {
  family: number;
  dstLength: number;
  srcLength: number;
  tos: number;
  /** Full table id: RTA_TABLE when present, else rtm_table. */
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
  dst?: string;
  src?: string;
  iif?: number;
  oif?: number;
  gateway?: string;
  via?: ViaMessage;
  priority?: number;
  prefsrc?: string;
  /** RTA_METRICS: RTAX_* number → value (RTAX_CC_ALGO is a string). */
  metrics?: Record<number, number | string>;
  multipath?: NexthopMessage[];
  mark?: number;
  pref?: number;
  expires?: number;
  nhId?: number;
  uid?: number;
  ipProto?: number;
  sport?: number;
  dport?: number;
  unknown?: RawAttribute[];
}

const RTMSG_LEN = 12;
const RTNH_LEN = 8;

/**
 * A dotted-quad IPv4 address exactly as `isIPv4` accepts it (four decimal
 * octets 0..255, no leading zeros) as a u32 in network order, or -1 for any
 * other text. Routes are encoded by the thousand: this skips the regex and the
 * Buffer of parseIp for the common case; everything else goes through parseIp.
 */
export function ipv4Value(text: string): number {
  let value = 0, octet = 0, digits = 0, dots = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // a leading zero
      octet = octet * 10 + c - 48;
      if (++digits > 3 || octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

/** An address attribute from its text (IPv4 without allocating). */
function writeAddress(w: MessageWriter, type: number, text: string, field: string): void {
  const v = typeof text === 'string' ? ipv4Value(text) : -1;
  if (v >= 0) w.attrU32(type, ((v & 0xff) << 24 | (v >>> 8 & 0xff) << 16 | (v >>> 16 & 0xff) << 8 | v >>> 24) >>> 0); // bytes in network order
  else w.attrBytes(type, parseIp(text, field).bytes);
}

function writeGateway(w: MessageWriter, gw: string, field: string): void {
  writeAddress(w, C.RTA_GATEWAY, gw, field);
}

function writeVia(w: MessageWriter, via: ViaMessage, field: string): void {
  const addr = parseIp(via.address, field).bytes;
  const b = Buffer.alloc(2 + addr.length);
  b.writeUInt16LE(via.family, 0);
  addr.copy(b, 2);
  w.attrBytes(C.RTA_VIA, b);
}

function readVia(buf: Buffer, s: number, e: number): ViaMessage {
  if (e - s < 2) throw new DecodeError('RTA_VIA shorter than 2 bytes', s);
  return { family: buf.readUInt16LE(s), address: formatIp(buf, s + 2, e) };
}

export function encodeRoute(type: number, flags: number, m: RouteMessage): Buffer {
  const w = new MessageWriter(type, flags, 128);
  writeRoute(w, type, m);
  return w.finish();
}

/**
 * Appends the rtmsg and attributes of `m` to the message `w` has open (its
 * nlmsghdr already written): encodeRoute for one message, bulk writers for many
 * in one buffer (`MessageWriter.next`). Same bytes either way.
 */
export function writeRoute(w: MessageWriter, type: number, m: RouteMessage): void {
  // rtm_table is 8 bits; larger ids travel in RTA_TABLE (rtm_table = RT_TABLE_UNSPEC).
  const smallTable = m.table < 256 ? m.table : C.RT_TABLE_UNSPEC;
  w.u8(m.family).u8(m.dstLength).u8(m.srcLength).u8(m.tos).u8(smallTable).u8(m.protocol)
    .u8(m.scope).u8(m.type).u32(m.flags);
  if (m.table >= 256 || (m.table !== C.RT_TABLE_UNSPEC && type !== C.RTM_GETROUTE)) w.attrU32(C.RTA_TABLE, m.table);
  if (m.dst !== undefined) writeAddress(w, C.RTA_DST, m.dst, 'dst');
  if (m.src !== undefined) w.attrBytes(C.RTA_SRC, parseIp(m.src, 'src').bytes);
  if (m.iif !== undefined) w.attrU32(C.RTA_IIF, m.iif);
  if (m.oif !== undefined) w.attrU32(C.RTA_OIF, m.oif);
  if (m.gateway !== undefined) writeGateway(w, m.gateway, 'gateway');
  if (m.via !== undefined) writeVia(w, m.via, 'via');
  if (m.priority !== undefined) w.attrU32(C.RTA_PRIORITY, m.priority);
  if (m.prefsrc !== undefined) w.attrBytes(C.RTA_PREFSRC, parseIp(m.prefsrc, 'prefsrc').bytes);
  if (m.metrics !== undefined) {
    const nest = w.beginNest(C.RTA_METRICS);
    for (const [k, v] of Object.entries(m.metrics)) {
      if (typeof v === 'string') w.attrString(Number(k), v);
      else w.attrU32(Number(k), v);
    }
    w.endNest(nest);
  }
  if (m.multipath !== undefined) {
    const nest = w.beginNest(C.RTA_MULTIPATH);
    for (const nh of m.multipath) {
      const at = w.length;
      w.u16(0).u8(nh.flags).u8(nh.hops).s32(nh.index);
      if (nh.gateway !== undefined) writeGateway(w, nh.gateway, 'multipath.gateway');
      if (nh.via !== undefined) writeVia(w, nh.via, 'multipath.via');
      for (const a of nh.unknown ?? []) w.attrRaw(a);
      w.endNest(at); // rtnh_len sits where an attribute's length would
    }
    w.endNest(nest);
  }
  if (m.mark !== undefined) w.attrU32(C.RTA_MARK, m.mark);
  if (m.pref !== undefined) w.attrU8(C.RTA_PREF, m.pref);
  if (m.expires !== undefined) w.attrU32(C.RTA_EXPIRES, m.expires);
  if (m.nhId !== undefined) w.attrU32(C.RTA_NH_ID, m.nhId);
  if (m.uid !== undefined) w.attrU32(C.RTA_UID, m.uid);
  if (m.ipProto !== undefined) w.attrU8(C.RTA_IP_PROTO, m.ipProto);
  if (m.sport !== undefined) w.attrBe16(C.RTA_SPORT, m.sport);
  if (m.dport !== undefined) w.attrBe16(C.RTA_DPORT, m.dport);
  for (const a of m.unknown ?? []) w.attrRaw(a);
}

function decodeMultipath(buf: Buffer, s: number, e: number): NexthopMessage[] {
  const out: NexthopMessage[] = [];
  let off = s;
  while (off + RTNH_LEN <= e) {
    const len = buf.readUInt16LE(off);
    if (len < RTNH_LEN || off + len > e) throw new DecodeError(`bad rtnh_len ${len}`, off);
    const nh: NexthopMessage = { flags: buf[off + 2], hops: buf[off + 3], index: buf.readInt32LE(off + 4) };
    forEachAttribute(buf, off + RTNH_LEN, off + len, (type, vs, ve) => {
      if (type === C.RTA_GATEWAY) nh.gateway = formatIp(buf, vs, ve);
      else if (type === C.RTA_VIA) nh.via = readVia(buf, vs, ve);
      else (nh.unknown ??= []).push({ type: rawType(buf, vs), data: copyBytes(buf, vs, ve) });
    });
    out.push(nh);
    off += (len + 3) & ~3;
  }
  return out;
}

// A dump repeats a few gateways thousands of times (see LastValue).
const gateways = new LastValue(formatIp);
const prefsrcs = new LastValue(formatIp);

/** A big-endian u16 value (ports); too short is a DecodeError, not a read of the next attribute. */
function readBe16(buf: Buffer, s: number, e: number): number {
  if (e - s < 2) throw new DecodeError('u16 attribute shorter than 2 bytes', s);
  return buf.readUInt16BE(s);
}

export function decodeRoute(msg: MessageView): RouteMessage {
  const { buf, start, end } = msg;
  if (end - start < RTMSG_LEN) throw new DecodeError('route message shorter than rtmsg', start);
  // The fields most routes carry sit in one literal, in one order: one
  // allocation and one shape for a dump's routes (fields added one by one grew
  // a second object each). Rarer attributes are added when present.
  const m: RouteMessage = {
    family: buf[start], dstLength: buf[start + 1], srcLength: buf[start + 2], tos: buf[start + 3],
    table: buf[start + 4], protocol: buf[start + 5], scope: buf[start + 6], type: buf[start + 7],
    flags: buf.readUInt32LE(start + 8), dst: undefined, oif: undefined, gateway: undefined, priority: undefined,
    prefsrc: undefined, unknown: undefined,
  };
  for (const a = new AttributeCursor(buf, start + RTMSG_LEN, end); a.next();) {
    const s = a.start;
    const e = a.end;
    switch (a.type) {
      case C.RTA_DST: m.dst = formatIp(buf, s, e); break;
      case C.RTA_SRC: m.src = formatIp(buf, s, e); break;
      case C.RTA_IIF: m.iif = readU32(buf, s, e); break;
      case C.RTA_OIF: m.oif = readU32(buf, s, e); break;
      case C.RTA_GATEWAY: m.gateway = gateways.read(buf, s, e); break;
      case C.RTA_VIA: m.via = readVia(buf, s, e); break;
      case C.RTA_PRIORITY: m.priority = readU32(buf, s, e); break;
      case C.RTA_PREFSRC: m.prefsrc = prefsrcs.read(buf, s, e); break;
      case C.RTA_TABLE: m.table = readU32(buf, s, e); break;
      case C.RTA_MARK: m.mark = readU32(buf, s, e); break;
      case C.RTA_PREF: m.pref = readU8(buf, s, e); break;
      case C.RTA_EXPIRES: m.expires = readU32(buf, s, e); break;
      case C.RTA_NH_ID: m.nhId = readU32(buf, s, e); break;
      case C.RTA_UID: m.uid = readU32(buf, s, e); break;
      case C.RTA_IP_PROTO: m.ipProto = readU8(buf, s, e); break;
      case C.RTA_SPORT: m.sport = readBe16(buf, s, e); break;
      case C.RTA_DPORT: m.dport = readBe16(buf, s, e); break;
      case C.RTA_MULTIPATH: m.multipath = decodeMultipath(buf, s, e); break;
      case C.RTA_METRICS: {
        const metrics: Record<number, number | string> = {};
        forEachAttribute(buf, s, e, (t, vs, ve) => {
          metrics[t] = t === C.RTAX_CC_ALGO ? readString(buf, vs, ve) : readU32(buf, vs, ve);
        });
        m.metrics = metrics;
        break;
      }
      default: (m.unknown ??= []).push({ type: rawType(buf, s), data: copyBytes(buf, s, e) });
    }
  }
  return m;
}
