// RTM_*NEXTHOP codec: struct nhmsg + NHA_* attributes (<linux/nexthop.h>):
// nexthop objects, groups (struct nexthop_grp entries) and resilient groups
// (NHA_RES_GROUP), plus the RTM_*NEXTHOPBUCKET messages of resilient groups.
import {
  copyBytes, DecodeError, forEachAttribute, MessageWriter, RawAttribute, rawType, readU16, readU32, readU64,
} from '../netlink/attributes';
import * as C from '../netlink/constants';
import { MessageView } from '../netlink/message';
import { formatIp, parseIp } from '../inet';

/** One struct nexthop_grp: the wire weight is weight - 1 (iproute2 prints it + 1). */
export interface NexthopGroupEntry {
  id: number;
  /** nexthop_grp.weight: 0..255, meaning weights 1..256. */
  weight: number;
  /** resvd1 (weight_high on kernels with 16-bit weights) and resvd2, kept for round trips. */
  resvd1?: number;
  resvd2?: number;
}

/** NHA_RES_GROUP: a resilient group's table; timers in clock ticks (USER_HZ). */
export interface ResilientGroupMessage {
  buckets?: number;
  idleTimer?: number;
  unbalancedTimer?: number;
  /** Time the group has been out of balance (replies only). */
  unbalancedTime?: bigint;
  unknown?: RawAttribute[];
}

/** NHA_RES_BUCKET of an RTM_NEWNEXTHOPBUCKET. */
export interface NexthopBucketMessage {
  index?: number;
  idleTime?: bigint;
  nhId?: number;
  unknown?: RawAttribute[];
}

export interface NexthopMessage {
  family: number;
  /** nh_scope (replies only). */
  scope: number;
  protocol: number;
  /** RTNH_F_* bits. */
  flags: number;
  id?: number;
  group?: NexthopGroupEntry[];
  /** NEXTHOP_GRP_TYPE_*. */
  groupType?: number;
  blackhole?: boolean;
  oif?: number;
  gateway?: string;
  encapType?: number;
  encap?: Buffer;
  /** Dump filter: only groups. */
  groups?: boolean;
  /** Dump filter: only nexthops whose device has this master. */
  master?: number;
  fdb?: boolean;
  resGroup?: ResilientGroupMessage;
  bucket?: NexthopBucketMessage;
  unknown?: RawAttribute[];
}

const NHMSG_LEN = 8;
const GRP_LEN = 8;

function writeResGroup(w: MessageWriter, r: ResilientGroupMessage): void {
  const nest = w.beginNest(C.NHA_RES_GROUP, true);
  if (r.buckets !== undefined) w.attrU16(C.NHA_RES_GROUP_BUCKETS, r.buckets);
  if (r.idleTimer !== undefined) w.attrU32(C.NHA_RES_GROUP_IDLE_TIMER, r.idleTimer);
  if (r.unbalancedTimer !== undefined) w.attrU32(C.NHA_RES_GROUP_UNBALANCED_TIMER, r.unbalancedTimer);
  if (r.unbalancedTime !== undefined) w.attrU64(C.NHA_RES_GROUP_UNBALANCED_TIME, r.unbalancedTime);
  for (const a of r.unknown ?? []) w.attrRaw(a);
  w.endNest(nest);
}

function writeBucket(w: MessageWriter, b: NexthopBucketMessage): void {
  const nest = w.beginNest(C.NHA_RES_BUCKET, true);
  if (b.index !== undefined) w.attrU16(C.NHA_RES_BUCKET_INDEX, b.index);
  if (b.idleTime !== undefined) w.attrU64(C.NHA_RES_BUCKET_IDLE_TIME, b.idleTime);
  if (b.nhId !== undefined) w.attrU32(C.NHA_RES_BUCKET_NH_ID, b.nhId);
  for (const a of b.unknown ?? []) w.attrRaw(a);
  w.endNest(nest);
}

export function encodeNexthop(type: number, flags: number, m: NexthopMessage): Buffer {
  const w = new MessageWriter(type, flags, 96);
  w.u8(m.family).u8(m.scope).u8(m.protocol).u8(0).u32(m.flags);
  if (m.id !== undefined) w.attrU32(C.NHA_ID, m.id);
  if (m.group !== undefined) {
    const b = Buffer.alloc(GRP_LEN * m.group.length);
    m.group.forEach((g, i) => {
      b.writeUInt32LE(g.id, i * GRP_LEN);
      b[i * GRP_LEN + 4] = g.weight;
      b[i * GRP_LEN + 5] = g.resvd1 ?? 0;
      b.writeUInt16LE(g.resvd2 ?? 0, i * GRP_LEN + 6);
    });
    w.attrBytes(C.NHA_GROUP, b);
  }
  if (m.groupType !== undefined) w.attrU16(C.NHA_GROUP_TYPE, m.groupType);
  if (m.blackhole) w.attrFlag(C.NHA_BLACKHOLE);
  if (m.oif !== undefined) w.attrU32(C.NHA_OIF, m.oif);
  if (m.gateway !== undefined) w.attrBytes(C.NHA_GATEWAY, parseIp(m.gateway, 'gateway').bytes);
  if (m.encapType !== undefined) w.attrU16(C.NHA_ENCAP_TYPE, m.encapType);
  if (m.encap !== undefined) w.attrBytes(C.NHA_ENCAP | C.NLA_F_NESTED, m.encap);
  if (m.groups) w.attrFlag(C.NHA_GROUPS);
  if (m.master !== undefined) w.attrU32(C.NHA_MASTER, m.master);
  if (m.fdb) w.attrFlag(C.NHA_FDB);
  if (m.resGroup !== undefined) writeResGroup(w, m.resGroup);
  if (m.bucket !== undefined) writeBucket(w, m.bucket);
  for (const a of m.unknown ?? []) w.attrRaw(a);
  return w.finish();
}

function decodeGroup(buf: Buffer, s: number, e: number): NexthopGroupEntry[] {
  if ((e - s) % GRP_LEN !== 0) throw new DecodeError(`NHA_GROUP length ${e - s} is not a multiple of ${GRP_LEN}`, s);
  const out: NexthopGroupEntry[] = [];
  for (let off = s; off < e; off += GRP_LEN) {
    const g: NexthopGroupEntry = { id: buf.readUInt32LE(off), weight: buf[off + 4] };
    if (buf[off + 5]) g.resvd1 = buf[off + 5];
    if (buf.readUInt16LE(off + 6)) g.resvd2 = buf.readUInt16LE(off + 6);
    out.push(g);
  }
  return out;
}

function decodeResGroup(buf: Buffer, s: number, e: number): ResilientGroupMessage {
  const r: ResilientGroupMessage = {};
  forEachAttribute(buf, s, e, (type, vs, ve) => {
    switch (type) {
      case C.NHA_RES_GROUP_BUCKETS: r.buckets = readU16(buf, vs, ve); break;
      case C.NHA_RES_GROUP_IDLE_TIMER: r.idleTimer = readU32(buf, vs, ve); break;
      case C.NHA_RES_GROUP_UNBALANCED_TIMER: r.unbalancedTimer = readU32(buf, vs, ve); break;
      case C.NHA_RES_GROUP_UNBALANCED_TIME: r.unbalancedTime = readU64(buf, vs, ve); break;
      default: (r.unknown ??= []).push({ type: rawType(buf, vs), data: copyBytes(buf, vs, ve) });
    }
  });
  return r;
}

function decodeBucket(buf: Buffer, s: number, e: number): NexthopBucketMessage {
  const b: NexthopBucketMessage = {};
  forEachAttribute(buf, s, e, (type, vs, ve) => {
    switch (type) {
      case C.NHA_RES_BUCKET_INDEX: b.index = readU16(buf, vs, ve); break;
      case C.NHA_RES_BUCKET_IDLE_TIME: b.idleTime = readU64(buf, vs, ve); break;
      case C.NHA_RES_BUCKET_NH_ID: b.nhId = readU32(buf, vs, ve); break;
      default: (b.unknown ??= []).push({ type: rawType(buf, vs), data: copyBytes(buf, vs, ve) });
    }
  });
  return b;
}

export function decodeNexthop(msg: MessageView): NexthopMessage {
  const { buf, start, end } = msg;
  if (end - start < NHMSG_LEN) throw new DecodeError('nexthop message shorter than nhmsg', start);
  const m: NexthopMessage = {
    family: buf[start], scope: buf[start + 1], protocol: buf[start + 2], flags: buf.readUInt32LE(start + 4),
  };
  forEachAttribute(buf, start + NHMSG_LEN, end, (type, s, e) => {
    switch (type) {
      case C.NHA_ID: m.id = readU32(buf, s, e); break;
      case C.NHA_GROUP: m.group = decodeGroup(buf, s, e); break;
      case C.NHA_GROUP_TYPE: m.groupType = readU16(buf, s, e); break;
      case C.NHA_BLACKHOLE: m.blackhole = true; break;
      case C.NHA_OIF: m.oif = readU32(buf, s, e); break;
      case C.NHA_GATEWAY: m.gateway = formatIp(buf.subarray(s, e)); break;
      case C.NHA_ENCAP_TYPE: m.encapType = readU16(buf, s, e); break;
      case C.NHA_ENCAP: m.encap = copyBytes(buf, s, e); break;
      case C.NHA_GROUPS: m.groups = true; break;
      case C.NHA_MASTER: m.master = readU32(buf, s, e); break;
      case C.NHA_FDB: m.fdb = true; break;
      case C.NHA_RES_GROUP: m.resGroup = decodeResGroup(buf, s, e); break;
      case C.NHA_RES_BUCKET: m.bucket = decodeBucket(buf, s, e); break;
      default: (m.unknown ??= []).push({ type: rawType(buf, s), data: copyBytes(buf, s, e) });
    }
  });
  return m;
}
