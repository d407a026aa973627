// RTM_*ADDR codec: ifaddrmsg + IFA_* attributes (<linux/if_addr.h>).
import {
  copyBytes, DecodeError, forEachAttribute, MessageWriter, RawAttribute, rawType, readString,
  readU32, readU8,
} from '../netlink/attributes';
import * as C from '../netlink/constants';
import { MessageView } from '../netlink/message';
import { formatIp, parseIp } from '../inet';

/** struct ifa_cacheinfo; lifetimes in seconds (0xffffffff = forever), stamps in 1/100 s. */
export interface AddressCacheInfo {
  preferred: number;
  valid: number;
  created: number;
  updated: number;
}

export interface AddressMessage {
  family: number;
  prefixLength: number;
  /** ifa_flags (the low 8 bits; the full set is in `extFlags`). */
  flags?: number;
  scope?: number;
  index: number;
  /** IFA_ADDRESS: the peer on point-to-point links, else the same as `local`. */
  address?: string;
  /** IFA_LOCAL: the interface's own address (IPv4). */
  local?: string;
  label?: string;
  broadcast?: string;
  anycast?: string;
  /** IFA_FLAGS: all 32 bits of IFA_F_*. */
  extFlags?: number;
  cacheInfo?: AddressCacheInfo;
  /** IFA_RT_PRIORITY: metric of the prefix route. */
  metric?: number;
  proto?: number;
  unknown?: RawAttribute[];
}

const IFADDRMSG_LEN = 8;

export function encodeAddress(type: number, flags: number, m: AddressMessage): Buffer {
  const w = new MessageWriter(type, flags, 128);
  w.u8(m.family).u8(m.prefixLength).u8(m.flags ?? 0).u8(m.scope ?? 0).u32(m.index);
  if (m.local !== undefined) w.attrBytes(C.IFA_LOCAL, parseIp(m.local, 'local').bytes);
  if (m.address !== undefined) w.attrBytes(C.IFA_ADDRESS, parseIp(m.address, 'address').bytes);
  if (m.label !== undefined) w.attrString(C.IFA_LABEL, m.label);
  if (m.broadcast !== undefined) w.attrBytes(C.IFA_BROADCAST, parseIp(m.broadcast, 'broadcast').bytes);
  if (m.anycast !== undefined) w.attrBytes(C.IFA_ANYCAST, parseIp(m.anycast, 'anycast').bytes);
  if (m.cacheInfo !== undefined) {
    const c = m.cacheInfo;
    w.attrBytes(C.IFA_CACHEINFO, Buffer.from(new Uint32Array([c.preferred, c.valid, c.created, c.updated]).buffer));
  }
  if (m.extFlags !== undefined) w.attrU32(C.IFA_FLAGS, m.extFlags);
  if (m.metric !== undefined) w.attrU32(C.IFA_RT_PRIORITY, m.metric);
  if (m.proto !== undefined) w.attrU8(C.IFA_PROTO, m.proto);
  for (const a of m.unknown ?? []) w.attrRaw(a);
  return w.finish();
}

export function decodeAddress(msg: MessageView): AddressMessage {
  const { buf, start, end } = msg;
  if (end - start < IFADDRMSG_LEN) throw new DecodeError('address message shorter than ifaddrmsg', start);
  const m: AddressMessage = {
    family: buf[start],
    prefixLength: buf[start + 1],
    flags: buf[start + 2],
    scope: buf[start + 3],
    index: buf.readUInt32LE(start + 4),
  };
  forEachAttribute(buf, start + IFADDRMSG_LEN, end, (type, s, e) => {
    switch (type) {
      case C.IFA_ADDRESS: m.address = formatIp(buf.subarray(s, e)); break;
      case C.IFA_LOCAL: m.local = formatIp(buf.subarray(s, e)); break;
      case C.IFA_LABEL: m.label = readString(buf, s, e); break;
      case C.IFA_BROADCAST: m.broadcast = formatIp(buf.subarray(s, e)); break;
      case C.IFA_ANYCAST: m.anycast = formatIp(buf.subarray(s, e)); break;
      case C.IFA_FLAGS: m.extFlags = readU32(buf, s, e); break;
      case C.IFA_RT_PRIORITY: m.metric = readU32(buf, s, e); break;
      case C.IFA_PROTO: m.proto = readU8(buf, s, e); break;
      case C.IFA_CACHEINFO:
        if (e - s < 16) throw new DecodeError('IFA_CACHEINFO shorter than 16 bytes', s);
        m.cacheInfo = {
          preferred: buf.readUInt32LE(s), valid: buf.readUInt32LE(s + 4),
          created: buf.readUInt32LE(s + 8), updated: buf.readUInt32LE(s + 12),
        };
        break;
      default: (m.unknown ??= []).push({ type: rawType(buf, s), data: copyBytes(buf, s, e) });
    }
  });
  return m;
}
