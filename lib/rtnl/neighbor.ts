// RTM_*NEIGH codec: ndmsg + NDA_* attributes (<linux/neighbour.h>). The same
// message carries ARP/NDP entries (AF_INET/AF_INET6, `ip neigh`) and bridge
// forwarding database entries (AF_BRIDGE, `bridge fdb`).
import {
  copyBytes, DecodeError, forEachAttribute, MessageWriter, RawAttribute, rawType, readS32, readU16, readU32, readU8,
} from '../netlink/attributes';
import * as C from '../netlink/constants';
import { MessageView } from '../netlink/message';
import { formatIp, formatMac, parseIp } from '../inet';

/** struct nda_cacheinfo: ages in clock ticks (USER_HZ, 100 per second). */
export interface NeighborCacheInfo {
  confirmed: number;
  used: number;
  updated: number;
  refcnt: number;
}

export interface NeighborMessage {
  /** ndm_family: AF_INET, AF_INET6 or AF_BRIDGE. */
  family: number;
  ifindex: number;
  /** ndm_state: NUD_* bits. */
  state: number;
  /** ndm_flags: NTF_* bits. */
  flags: number;
  /** ndm_type: RTN_* (unicast for most entries). */
  type: number;
  /** NDA_DST: the neighbour's IP, or for an FDB entry the remote (VXLAN) IP. */
  dst?: string;
  /** NDA_LLADDR as colon-separated hex (a MAC for ethernet). */
  lladdr?: string;
  cacheinfo?: NeighborCacheInfo;
  probes?: number;
  vlan?: number;
  /** NDA_PORT (network byte order on the wire). */
  port?: number;
  vni?: number;
  /** NDA_IFINDEX: the VXLAN remote's outgoing device. */
  via?: number;
  master?: number;
  linkNetnsId?: number;
  srcVni?: number;
  protocol?: number;
  nhId?: number;
  /** NDA_FLAGS_EXT: NTF_EXT_* bits. */
  flagsExt?: number;
  /** Dump filters (requests only in practice). */
  stateMask?: number;
  flagsMask?: number;
  unknown?: RawAttribute[];
}

const NDMSG_LEN = 12;

function lladdrBytes(text: string): Buffer {
  if (text === '') return Buffer.alloc(0);
  if (!/^[0-9a-f]{1,2}(:[0-9a-f]{1,2})*$/i.test(text)) throw new TypeError(`lladdr: expected colon-separated hex bytes, got ${JSON.stringify(text)}`);
  return Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
}

export function encodeNeighbor(type: number, flags: number, m: NeighborMessage): Buffer {
  const w = new MessageWriter(type, flags, 96);
  w.u8(m.family).u8(0).u16(0).s32(m.ifindex).u16(m.state).u8(m.flags).u8(m.type);
  if (m.dst !== undefined) w.attrBytes(C.NDA_DST, parseIp(m.dst, 'dst').bytes);
  if (m.lladdr !== undefined) w.attrBytes(C.NDA_LLADDR, lladdrBytes(m.lladdr));
  if (m.cacheinfo !== undefined) {
    const ci = m.cacheinfo;
    const b = Buffer.alloc(16);
    b.writeUInt32LE(ci.confirmed, 0); b.writeUInt32LE(ci.used, 4); b.writeUInt32LE(ci.updated, 8); b.writeUInt32LE(ci.refcnt, 12);
    w.attrBytes(C.NDA_CACHEINFO, b);
  }
  if (m.probes !== undefined) w.attrU32(C.NDA_PROBES, m.probes);
  if (m.vlan !== undefined) w.attrU16(C.NDA_VLAN, m.vlan);
  if (m.port !== undefined) w.attrBe16(C.NDA_PORT, m.port);
  if (m.vni !== undefined) w.attrU32(C.NDA_VNI, m.vni);
  if (m.via !== undefined) w.attrU32(C.NDA_IFINDEX, m.via);
  if (m.master !== undefined) w.attrU32(C.NDA_MASTER, m.master);
  if (m.linkNetnsId !== undefined) w.attrS32(C.NDA_LINK_NETNSID, m.linkNetnsId);
  if (m.srcVni !== undefined) w.attrU32(C.NDA_SRC_VNI, m.srcVni);
  if (m.protocol !== undefined) w.attrU8(C.NDA_PROTOCOL, m.protocol);
  if (m.nhId !== undefined) w.attrU32(C.NDA_NH_ID, m.nhId);
  if (m.flagsExt !== undefined) w.attrU32(C.NDA_FLAGS_EXT, m.flagsExt);
  if (m.stateMask !== undefined) w.attrU16(C.NDA_NDM_STATE_MASK, m.stateMask);
  if (m.flagsMask !== undefined) w.attrU8(C.NDA_NDM_FLAGS_MASK, m.flagsMask);
  for (const a of m.unknown ?? []) w.attrRaw(a);
  return w.finish();
}

export function decodeNeighbor(msg: MessageView): NeighborMessage {
  const { buf, start, end } = msg;
  if (end - start < NDMSG_LEN) throw new DecodeError('neighbour message shorter than ndmsg', start);
  const m: NeighborMessage = {
    family: buf[start], ifindex: buf.readInt32LE(start + 4), state: buf.readUInt16LE(start + 8),
    flags: buf[start + 10], type: buf[start + 11],
  };
  forEachAttribute(buf, start + NDMSG_LEN, end, (type, s, e) => {
    switch (type) {
      case C.NDA_DST: m.dst = formatIp(buf.subarray(s, e)); break;
      case C.NDA_LLADDR: m.lladdr = formatMac(buf.subarray(s, e)); break;
      case C.NDA_CACHEINFO:
        if (e - s < 16) throw new DecodeError('NDA_CACHEINFO shorter than 16 bytes', s);
        m.cacheinfo = { confirmed: buf.readUInt32LE(s), used: buf.readUInt32LE(s + 4), updated: buf.readUInt32LE(s + 8), refcnt: buf.readUInt32LE(s + 12) };
        break;
      case C.NDA_PROBES: m.probes = readU32(buf, s, e); break;
      case C.NDA_VLAN: m.vlan = readU16(buf, s, e); break;
      case C.NDA_PORT:
        if (e - s < 2) throw new DecodeError('NDA_PORT shorter than 2 bytes', s);
        m.port = buf.readUInt16BE(s);
        break;
      case C.NDA_VNI: m.vni = readU32(buf, s, e); break;
      case C.NDA_IFINDEX: m.via = readU32(buf, s, e); break;
      case C.NDA_MASTER: m.master = readU32(buf, s, e); break;
      case C.NDA_LINK_NETNSID: m.linkNetnsId = readS32(buf, s, e); break;
      case C.NDA_SRC_VNI: m.srcVni = readU32(buf, s, e); break;
      case C.NDA_PROTOCOL: m.protocol = readU8(buf, s, e); break;
      case C.NDA_NH_ID: m.nhId = readU32(buf, s, e); break;
      case C.NDA_FLAGS_EXT: m.flagsExt = readU32(buf, s, e); break;
      case C.NDA_NDM_STATE_MASK: m.stateMask = readU16(buf, s, e); break;
      case C.NDA_NDM_FLAGS_MASK: m.flagsMask = readU8(buf, s, e); break;
      default: (m.unknown ??= []).push({ type: rawType(buf, s), data: copyBytes(buf, s, e) });
    }
  });
  return m;
}
