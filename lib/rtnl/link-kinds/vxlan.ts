// IFLA_INFO_DATA for kind "vxlan": IFLA_VXLAN_* (<linux/if_link.h>, ip-link(8) "type vxlan").
import { RawAttribute } from '../../netlink/attributes';
import * as C from '../../netlink/constants';
import { formatIp, parseIp } from '../../inet';
import { AttrReader, be16, bytes, flag, u32, u8 } from './attrs';

export interface VxlanData {
  /** VXLAN Network Identifier, 0..16777215 (`id`). */
  vni?: number;
  /** Unicast remote VTEP (IFLA_VXLAN_GROUP/GROUP6 holding a unicast address). */
  remote?: string;
  /** Multicast group (the same attribute holding a multicast address). */
  group?: string;
  local?: string;
  /** ifindex of the underlying device (`dev`). */
  linkIndex?: number;
  /** UDP destination port; the kernel's default is 8472 (Linux), IANA's is 4789. */
  dstport?: number;
  /** 0 = inherit. */
  ttl?: number;
  tos?: number;
  learning?: boolean;
  /** FDB entry lifetime in seconds. */
  ageing?: number;
  other?: RawAttribute[];
}

function isMulticast(ip: Buffer): boolean {
  return ip.length === 4 ? (ip[0] & 0xf0) === 0xe0 : ip[0] === 0xff;
}

export function encodeVxlanData(d: VxlanData): RawAttribute[] {
  const out: RawAttribute[] = [];
  if (d.vni !== undefined) out.push(u32(C.IFLA_VXLAN_ID, d.vni));
  const peer = d.group ?? d.remote;
  if (peer !== undefined) {
    const ip = parseIp(peer, d.group !== undefined ? 'group' : 'remote');
    out.push(bytes(ip.family === 4 ? C.IFLA_VXLAN_GROUP : C.IFLA_VXLAN_GROUP6, ip.bytes));
  }
  if (d.local !== undefined) {
    const ip = parseIp(d.local, 'local');
    out.push(bytes(ip.family === 4 ? C.IFLA_VXLAN_LOCAL : C.IFLA_VXLAN_LOCAL6, ip.bytes));
  }
  if (d.linkIndex !== undefined) out.push(u32(C.IFLA_VXLAN_LINK, d.linkIndex));
  if (d.ttl !== undefined) out.push(u8(C.IFLA_VXLAN_TTL, d.ttl));
  if (d.tos !== undefined) out.push(u8(C.IFLA_VXLAN_TOS, d.tos));
  if (d.learning !== undefined) out.push(flag(C.IFLA_VXLAN_LEARNING, d.learning));
  if (d.ageing !== undefined) out.push(u32(C.IFLA_VXLAN_AGEING, d.ageing));
  if (d.dstport !== undefined) out.push(be16(C.IFLA_VXLAN_PORT, d.dstport));
  return out.concat(d.other ?? []);
}

export function decodeVxlanData(list: readonly RawAttribute[]): VxlanData {
  const r = new AttrReader(list);
  const peer = r.buf(C.IFLA_VXLAN_GROUP) ?? r.buf(C.IFLA_VXLAN_GROUP6);
  const local = r.buf(C.IFLA_VXLAN_LOCAL) ?? r.buf(C.IFLA_VXLAN_LOCAL6);
  const d: VxlanData = {
    vni: r.u32(C.IFLA_VXLAN_ID),
    local: local && formatIp(local),
    linkIndex: r.u32(C.IFLA_VXLAN_LINK),
    dstport: r.be16(C.IFLA_VXLAN_PORT),
    ttl: r.u8(C.IFLA_VXLAN_TTL),
    tos: r.u8(C.IFLA_VXLAN_TOS),
    learning: r.bool(C.IFLA_VXLAN_LEARNING),
    ageing: r.u32(C.IFLA_VXLAN_AGEING),
  };
  if (peer) {
    if (isMulticast(peer)) d.group = formatIp(peer);
    else d.remote = formatIp(peer);
  }
  const other = r.rest();
  if (other.length) d.other = other;
  return d;
}
