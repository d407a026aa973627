// RTM_*RULE codec: struct fib_rule_hdr + FRA_* attributes (<linux/fib_rules.h>),
// the policy routing rules of `ip rule`.
import {
  copyBytes, DecodeError, forEachAttribute, MessageWriter, RawAttribute, rawType, readString, readU32, readU8,
} from '../netlink/attributes';
import * as C from '../netlink/constants';
import { MessageView } from '../netlink/message';
import { formatIp, parseIp } from '../inet';

/** An inclusive range: FRA_UID_RANGE (u32 pair) and FRA_SPORT/DPORT_RANGE (u16 pair, host order). */
export interface Range {
  start: number;
  end: number;
}

export interface RuleMessage {
  family: number;
  dstLength: number;
  srcLength: number;
  tos: number;
  /** Full table id: FRA_TABLE when present, else the header's 8-bit table. */
  table: number;
  /** FR_ACT_*. */
  action: number;
  /** FIB_RULE_* bits (FIB_RULE_INVERT is `not`). */
  flags: number;
  dst?: string;
  src?: string;
  iifname?: string;
  oifname?: string;
  /** FRA_GOTO: the priority of the rule to jump to. */
  goto?: number;
  priority?: number;
  fwmark?: number;
  fwmask?: number;
  /** FRA_FLOW: realms (to << 16 | from). */
  flow?: number;
  /** FRA_TUN_ID: big-endian u64 on the wire. */
  tunId?: bigint;
  suppressIfgroup?: number;
  suppressPrefixlen?: number;
  l3mdev?: number;
  uidRange?: Range;
  protocol?: number;
  ipProto?: number;
  sportRange?: Range;
  dportRange?: Range;
  unknown?: RawAttribute[];
}

const RULE_HDR_LEN = 12;

function range(buf: Buffer, s: number, e: number, width: 2 | 4): Range {
  if (e - s < 2 * width) throw new DecodeError(`range attribute shorter than ${2 * width} bytes`, s);
  return width === 4
    ? { start: buf.readUInt32LE(s), end: buf.readUInt32LE(s + 4) }
    : { start: buf.readUInt16LE(s), end: buf.readUInt16LE(s + 2) };
}

function rangeBytes(r: Range, width: 2 | 4): Buffer {
  const b = Buffer.alloc(2 * width);
  if (width === 4) { b.writeUInt32LE(r.start, 0); b.writeUInt32LE(r.end, 4); } else { b.writeUInt16LE(r.start, 0); b.writeUInt16LE(r.end, 2); }
  return b;
}

export function encodeRule(type: number, flags: number, m: RuleMessage): Buffer {
  const w = new MessageWriter(type, flags, 96);
  // The header's table is 8 bits; larger ids travel in FRA_TABLE (header 0 = RT_TABLE_UNSPEC).
  const smallTable = m.table < 256 ? m.table : C.RT_TABLE_UNSPEC;
  w.u8(m.family).u8(m.dstLength).u8(m.srcLength).u8(m.tos).u8(smallTable).u8(0).u8(0).u8(m.action).u32(m.flags);
  if (m.dst !== undefined) w.attrBytes(C.FRA_DST, parseIp(m.dst, 'dst').bytes);
  if (m.src !== undefined) w.attrBytes(C.FRA_SRC, parseIp(m.src, 'src').bytes);
  if (m.iifname !== undefined) w.attrString(C.FRA_IIFNAME, m.iifname);
  if (m.goto !== undefined) w.attrU32(C.FRA_GOTO, m.goto);
  if (m.priority !== undefined) w.attrU32(C.FRA_PRIORITY, m.priority);
  if (m.fwmark !== undefined) w.attrU32(C.FRA_FWMARK, m.fwmark);
  if (m.flow !== undefined) w.attrU32(C.FRA_FLOW, m.flow);
  if (m.tunId !== undefined) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(m.tunId);
    w.attrBytes(C.FRA_TUN_ID, b);
  }
  if (m.suppressIfgroup !== undefined) w.attrU32(C.FRA_SUPPRESS_IFGROUP, m.suppressIfgroup);
  if (m.suppressPrefixlen !== undefined) w.attrU32(C.FRA_SUPPRESS_PREFIXLEN, m.suppressPrefixlen);
  // Requests carry FRA_TABLE only when the 8-bit header cannot hold the id (as
  // iproute2 sends them); the kernel's own messages always carry it, even for 0.
  if (m.table >= 256 || !(flags & C.NLM_F_REQUEST)) w.attrU32(C.FRA_TABLE, m.table);
  if (m.fwmask !== undefined) w.attrU32(C.FRA_FWMASK, m.fwmask);
  if (m.oifname !== undefined) w.attrString(C.FRA_OIFNAME, m.oifname);
  if (m.l3mdev !== undefined) w.attrU8(C.FRA_L3MDEV, m.l3mdev);
  if (m.uidRange !== undefined) w.attrBytes(C.FRA_UID_RANGE, rangeBytes(m.uidRange, 4));
  if (m.protocol !== undefined) w.attrU8(C.FRA_PROTOCOL, m.protocol);
  if (m.ipProto !== undefined) w.attrU8(C.FRA_IP_PROTO, m.ipProto);
  if (m.sportRange !== undefined) w.attrBytes(C.FRA_SPORT_RANGE, rangeBytes(m.sportRange, 2));
  if (m.dportRange !== undefined) w.attrBytes(C.FRA_DPORT_RANGE, rangeBytes(m.dportRange, 2));
  for (const a of m.unknown ?? []) w.attrRaw(a);
  return w.finish();
}

export function decodeRule(msg: MessageView): RuleMessage {
  const { buf, start, end } = msg;
  if (end - start < RULE_HDR_LEN) throw new DecodeError('rule message shorter than fib_rule_hdr', start);
  const m: RuleMessage = {
    family: buf[start], dstLength: buf[start + 1], srcLength: buf[start + 2], tos: buf[start + 3],
    table: buf[start + 4], action: buf[start + 7], flags: buf.readUInt32LE(start + 8),
  };
  forEachAttribute(buf, start + RULE_HDR_LEN, end, (type, s, e) => {
    switch (type) {
      case C.FRA_DST: m.dst = formatIp(buf.subarray(s, e)); break;
      case C.FRA_SRC: m.src = formatIp(buf.subarray(s, e)); break;
      case C.FRA_IIFNAME: m.iifname = readString(buf, s, e); break;
      case C.FRA_OIFNAME: m.oifname = readString(buf, s, e); break;
      case C.FRA_GOTO: m.goto = readU32(buf, s, e); break;
      case C.FRA_PRIORITY: m.priority = readU32(buf, s, e); break;
      case C.FRA_FWMARK: m.fwmark = readU32(buf, s, e); break;
      case C.FRA_FWMASK: m.fwmask = readU32(buf, s, e); break;
      case C.FRA_FLOW: m.flow = readU32(buf, s, e); break;
      case C.FRA_TUN_ID:
        if (e - s < 8) throw new DecodeError('FRA_TUN_ID shorter than 8 bytes', s);
        m.tunId = buf.readBigUInt64BE(s);
        break;
      case C.FRA_SUPPRESS_IFGROUP: m.suppressIfgroup = readU32(buf, s, e); break;
      case C.FRA_SUPPRESS_PREFIXLEN: m.suppressPrefixlen = readU32(buf, s, e); break;
      case C.FRA_TABLE: m.table = readU32(buf, s, e); break;
      case C.FRA_L3MDEV: m.l3mdev = readU8(buf, s, e); break;
      case C.FRA_UID_RANGE: m.uidRange = range(buf, s, e, 4); break;
      case C.FRA_PROTOCOL: m.protocol = readU8(buf, s, e); break;
      case C.FRA_IP_PROTO: m.ipProto = readU8(buf, s, e); break;
      case C.FRA_SPORT_RANGE: m.sportRange = range(buf, s, e, 2); break;
      case C.FRA_DPORT_RANGE: m.dportRange = range(buf, s, e, 2); break;
      default: (m.unknown ??= []).push({ type: rawType(buf, s), data: copyBytes(buf, s, e) });
    }
  });
  return m;
}
