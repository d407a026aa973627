// RTM_*LINK codec: ifinfomsg + IFLA_* attributes (<linux/rtnetlink.h>,
// <linux/if_link.h>, <linux/veth.h>). Pure: objects in, bytes out, and back.
import {
  AttributeCursor, copyBytes, LastValue, DecodeError, forEachAttribute, MessageWriter, RawAttribute, readS32, readString,
  rawType, readU32, readU8,
} from '../netlink/attributes';
import * as C from '../netlink/constants';
import { MessageView } from '../netlink/message';
import { formatMac } from '../inet';

/** struct rtnl_link_stats64, in the kernel's field order. */
export const STATS64_FIELDS = [
  'rxPackets', 'txPackets', 'rxBytes', 'txBytes', 'rxErrors', 'txErrors', 'rxDropped',
  'txDropped', 'multicast', 'collisions', 'rxLengthErrors', 'rxOverErrors', 'rxCrcErrors',
  'rxFrameErrors', 'rxFifoErrors', 'rxMissedErrors', 'txAbortedErrors', 'txCarrierErrors',
  'txFifoErrors', 'txHeartbeatErrors', 'txWindowErrors', 'rxCompressed', 'txCompressed',
  'rxNohandler', 'rxOtherhostDropped',
] as const;
export type LinkStats = { readonly [K in (typeof STATS64_FIELDS)[number]]?: number };

export interface LinkInfoMessage {
  kind?: string;
  /** IFLA_INFO_DATA, kind-specific; kept raw at this layer. */
  data?: RawAttribute[];
  slaveKind?: string;
  slaveData?: RawAttribute[];
  /** VETH_INFO_PEER (requests only: the kernel does not report it back). */
  peer?: LinkMessage;
  unknown?: RawAttribute[];
}

/**
 * The fields of a link message. A class rather than an interface so that a
 * decoded reply (ReceivedLink) gets every field as a slot of one shape, in
 * one allocation; requests are plain objects typed LinkMessage.
 */
export class LinkFields {
  family?: number;
  /** ifi_type: ARPHRD_* */
  type?: number;
  index?: number;
  flags?: number;
  change?: number;
  name?: string;
  mtu?: number;
  minMtu?: number;
  maxMtu?: number;
  /** Link-layer address as colon-separated hex. */
  mac?: string;
  broadcast?: string;
  permanentMac?: string;
  master?: number;
  /** IFLA_LINK: for a veth, the peer's ifindex (in linkNetnsId's namespace if set). */
  link?: number;
  linkNetnsId?: number;
  operstate?: number;
  linkmode?: number;
  txqlen?: number;
  group?: number;
  alias?: string;
  qdisc?: string;
  carrier?: number;
  carrierChanges?: number;
  promiscuity?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  protoDown?: number;
  altNames?: string[];
  /** Requests: look a link up by one of its alternative names (top-level IFLA_ALT_IFNAME). */
  altName?: string;
  linkInfo?: LinkInfoMessage;
  stats64?: LinkStats;
  /** Requests: move into the namespace of this fd / pid. */
  netnsFd?: number;
  netnsPid?: number;
  /** Requests: RTEXT_FILTER_* bits for dumps. */
  extMask?: number;
}

/** One RTM_NEWLINK/DELLINK/GETLINK/SETLINK message, request or reply. */
export interface LinkMessage extends LinkFields {
  unknown?: RawAttribute[];
}

const IFINFOMSG_LEN = 16;

function hexToBytes(mac: string): Buffer {
  return Buffer.from(mac.replace(/:/g, ''), 'hex');
}

function writeIfinfomsg(w: MessageWriter, m: LinkMessage): void {
  w.u8(m.family ?? C.AF_UNSPEC).u8(0).u16(m.type ?? 0).s32(m.index ?? 0).u32(m.flags ?? 0).u32(m.change ?? 0);
}

function writeLinkAttributes(w: MessageWriter, m: LinkMessage): void {
  if (m.name !== undefined) w.attrString(C.IFLA_IFNAME, m.name);
  if (m.mtu !== undefined) w.attrU32(C.IFLA_MTU, m.mtu);
  if (m.minMtu !== undefined) w.attrU32(C.IFLA_MIN_MTU, m.minMtu);
  if (m.maxMtu !== undefined) w.attrU32(C.IFLA_MAX_MTU, m.maxMtu);
  if (m.mac !== undefined) w.attrBytes(C.IFLA_ADDRESS, hexToBytes(m.mac));
  if (m.broadcast !== undefined) w.attrBytes(C.IFLA_BROADCAST, hexToBytes(m.broadcast));
  if (m.permanentMac !== undefined) w.attrBytes(C.IFLA_PERM_ADDRESS, hexToBytes(m.permanentMac));
  if (m.master !== undefined) w.attrU32(C.IFLA_MASTER, m.master);
  if (m.link !== undefined) w.attrU32(C.IFLA_LINK, m.link);
  if (m.linkNetnsId !== undefined) w.attrS32(C.IFLA_LINK_NETNSID, m.linkNetnsId);
  if (m.operstate !== undefined) w.attrU8(C.IFLA_OPERSTATE, m.operstate);
  if (m.linkmode !== undefined) w.attrU8(C.IFLA_LINKMODE, m.linkmode);
  if (m.txqlen !== undefined) w.attrU32(C.IFLA_TXQLEN, m.txqlen);
  if (m.group !== undefined) w.attrU32(C.IFLA_GROUP, m.group);
  if (m.alias !== undefined) w.attrString(C.IFLA_IFALIAS, m.alias);
  if (m.qdisc !== undefined) w.attrString(C.IFLA_QDISC, m.qdisc);
  if (m.carrier !== undefined) w.attrU8(C.IFLA_CARRIER, m.carrier);
  if (m.carrierChanges !== undefined) w.attrU32(C.IFLA_CARRIER_CHANGES, m.carrierChanges);
  if (m.promiscuity !== undefined) w.attrU32(C.IFLA_PROMISCUITY, m.promiscuity);
  if (m.numTxQueues !== undefined) w.attrU32(C.IFLA_NUM_TX_QUEUES, m.numTxQueues);
  if (m.numRxQueues !== undefined) w.attrU32(C.IFLA_NUM_RX_QUEUES, m.numRxQueues);
  if (m.protoDown !== undefined) w.attrU8(C.IFLA_PROTO_DOWN, m.protoDown);
  if (m.altNames !== undefined) {
    const nest = w.beginNest(C.IFLA_PROP_LIST, true);
    for (const n of m.altNames) w.attrString(C.IFLA_ALT_IFNAME, n);
    w.endNest(nest);
  }
  if (m.altName !== undefined) w.attrString(C.IFLA_ALT_IFNAME, m.altName);
  if (m.netnsFd !== undefined) w.attrU32(C.IFLA_NET_NS_FD, m.netnsFd);
  if (m.netnsPid !== undefined) w.attrU32(C.IFLA_NET_NS_PID, m.netnsPid);
  if (m.extMask !== undefined) w.attrU32(C.IFLA_EXT_MASK, m.extMask);
  if (m.linkInfo !== undefined) writeLinkInfo(w, m.linkInfo);
  if (m.stats64 !== undefined) {
    const b = Buffer.alloc(STATS64_FIELDS.length * 8);
    STATS64_FIELDS.forEach((f, i) => b.writeBigUInt64LE(BigInt(m.stats64?.[f] ?? 0), i * 8));
    w.attrBytes(C.IFLA_STATS64, b);
  }
  for (const a of m.unknown ?? []) w.attrRaw(a);
}

function writeLinkInfo(w: MessageWriter, info: LinkInfoMessage): void {
  const nest = w.beginNest(C.IFLA_LINKINFO);
  if (info.kind !== undefined) w.attrString(C.IFLA_INFO_KIND, info.kind);
  if (info.peer !== undefined || info.data !== undefined) {
    const data = w.beginNest(C.IFLA_INFO_DATA);
    if (info.peer !== undefined) {
      // VETH_INFO_PEER carries a whole ifinfomsg followed by the peer's attributes.
      const peer = w.beginNest(C.VETH_INFO_PEER);
      writeIfinfomsg(w, info.peer);
      writeLinkAttributes(w, info.peer);
      w.endNest(peer);
    }
    for (const a of info.data ?? []) w.attrRaw(a);
    w.endNest(data);
  }
  if (info.slaveKind !== undefined) w.attrString(C.IFLA_INFO_SLAVE_KIND, info.slaveKind);
  if (info.slaveData !== undefined) {
    const data = w.beginNest(C.IFLA_INFO_SLAVE_DATA);
    for (const a of info.slaveData) w.attrRaw(a);
    w.endNest(data);
  }
  for (const a of info.unknown ?? []) w.attrRaw(a);
  w.endNest(nest);
}

/** Encodes a link message; nlmsg_seq and nlmsg_pid are left 0 for the connection. */
export function encodeLink(type: number, flags: number, m: LinkMessage): Buffer {
  const w = new MessageWriter(type, flags);
  writeIfinfomsg(w, m);
  writeLinkAttributes(w, m);
  return w.finish();
}

function decodeStats64(buf: Buffer, s: number, e: number): LinkStats {
  const n = Math.min((e - s) >> 3, STATS64_FIELDS.length);
  // Two u32 halves per counter; a DataView reads them without Buffer's checks.
  // A counter whose high half is 0 stays a small integer: a product, even
  // 0 * 2^32, is a double, and V8 then boxes every field of every stats object.
  const v = new DataView(buf.buffer, buf.byteOffset + s, n * 8);
  const u64 = (i: number): number => {
    const high = v.getUint32(i * 8 + 4, true);
    return high === 0 ? v.getUint32(i * 8, true) : v.getUint32(i * 8, true) + high * 0x100000000;
  };
  if (n < STATS64_FIELDS.length) {
    // An older kernel's shorter struct: the fields it has.
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) out[STATS64_FIELDS[i]] = u64(i);
    return out;
  }
  // One literal in struct order: every stats object gets the same hidden class.
  return {
    rxPackets: u64(0), txPackets: u64(1), rxBytes: u64(2), txBytes: u64(3), rxErrors: u64(4), txErrors: u64(5),
    rxDropped: u64(6), txDropped: u64(7), multicast: u64(8), collisions: u64(9), rxLengthErrors: u64(10),
    rxOverErrors: u64(11), rxCrcErrors: u64(12), rxFrameErrors: u64(13), rxFifoErrors: u64(14), rxMissedErrors: u64(15),
    txAbortedErrors: u64(16), txCarrierErrors: u64(17), txFifoErrors: u64(18), txHeartbeatErrors: u64(19),
    txWindowErrors: u64(20), rxCompressed: u64(21), txCompressed: u64(22), rxNohandler: u64(23), rxOtherhostDropped: u64(24),
  };
}

/**
 * Lazy decoding. A link dump carries, per link, a dozen attributes that few
 * callers read (IFLA_AF_SPEC alone is ~1 KiB; IFLA_STATS, IFLA_XDP, IFLA_MAP …)
 * and, for a bridge port, ~40 IFLA_INFO_SLAVE_DATA attributes. They are not
 * copied when the message is decoded: `unknown`, `linkInfo.data`,
 * `linkInfo.slaveData` and `linkInfo.unknown` are accessors on the classes
 * below that copy their attributes out of the received bytes on first read
 * (or take what is assigned). Until then the decoded object keeps the
 * received chunk alive. Accessors on a class, not per-object
 * Object.defineProperty: defining properties on every decoded object made
 * a 4,000-link dump spend most of its time in the property definitions and
 * the garbage they left (bench/RESULTS.md).
 */
function copyAttributes(buf: Buffer, s: number, e: number, keep?: (type: number) => boolean): RawAttribute[] | undefined {
  const out: RawAttribute[] = [];
  forEachAttribute(buf, s, e, (type, vs, ve) => {
    if (!keep || keep(type)) out.push({ type: rawType(buf, vs), data: copyBytes(buf, vs, ve) });
  });
  return out.length > 0 || !keep ? out : undefined;
}

/** The value range [start, end) of the first attribute of type `type` in buf[s, e), or undefined. */
function findAttribute(buf: Buffer, s: number, e: number, type: number): [number, number] | undefined {
  let found: [number, number] | undefined;
  forEachAttribute(buf, s, e, (t, vs, ve) => { if (t === type && !found) found = [vs, ve]; });
  return found;
}

const INFO_KNOWN = new Set<number>([C.IFLA_INFO_KIND, C.IFLA_INFO_SLAVE_KIND, C.IFLA_INFO_DATA, C.IFLA_INFO_SLAVE_DATA]);
const infoUnknown = (type: number): boolean => !INFO_KNOWN.has(type);

// Bits of ReceivedLinkInfo's #settled: which lazy properties hold their final value.
const DATA = 1;
const SLAVE_DATA = 2;
const INFO_UNKNOWN = 4;

/** IFLA_LINKINFO of a received message: kinds at once, the rest on first read ("Lazy decoding"). */
class ReceivedLinkInfo implements LinkInfoMessage {
  kind?: string;
  slaveKind?: string;
  declare peer?: LinkMessage;
  readonly #buf: Buffer;
  readonly #start: number;
  readonly #end: number;
  #settled = 0;
  #data?: RawAttribute[];
  #slaveData?: RawAttribute[];
  #unknown?: RawAttribute[];

  constructor(buf: Buffer, s: number, e: number) {
    this.#buf = buf;
    this.#start = s;
    this.#end = e;
    forEachAttribute(buf, s, e, (type, vs, ve) => {
      if (type === C.IFLA_INFO_KIND) this.kind = kinds.read(buf, vs, ve);
      else if (type === C.IFLA_INFO_SLAVE_KIND) this.slaveKind = slaveKinds.read(buf, vs, ve);
    });
  }

  /** The attributes of the nest `type`, copied (undefined when absent). */
  #nest(type: number): RawAttribute[] | undefined {
    const at = findAttribute(this.#buf, this.#start, this.#end, type);
    return at && copyAttributes(this.#buf, at[0], at[1]);
  }

  get data(): RawAttribute[] | undefined {
    if (!(this.#settled & DATA)) this.data = this.#nest(C.IFLA_INFO_DATA);
    return this.#data;
  }
  set data(v: RawAttribute[] | undefined) { this.#data = v; this.#settled |= DATA; }
  get slaveData(): RawAttribute[] | undefined {
    if (!(this.#settled & SLAVE_DATA)) this.slaveData = this.#nest(C.IFLA_INFO_SLAVE_DATA);
    return this.#slaveData;
  }
  set slaveData(v: RawAttribute[] | undefined) { this.#slaveData = v; this.#settled |= SLAVE_DATA; }
  get unknown(): RawAttribute[] | undefined {
    if (!(this.#settled & INFO_UNKNOWN)) this.unknown = copyAttributes(this.#buf, this.#start, this.#end, infoUnknown);
    return this.#unknown;
  }
  set unknown(v: RawAttribute[] | undefined) { this.#unknown = v; this.#settled |= INFO_UNKNOWN; }

  /** JSON sees the accessors too. */
  toJSON(): LinkInfoMessage {
    return { kind: this.kind, slaveKind: this.slaveKind, data: this.data, slaveData: this.slaveData, unknown: this.unknown };
  }
}

// Values a link dump repeats for most links (see LastValue).
const qdiscs = new LastValue(readString);
const kinds = new LastValue(readString);
const slaveKinds = new LastValue(readString);
const broadcasts = new LastValue(formatMac);

/** The IFLA_* types decodeLinkBody lifts into fields; everything else is `unknown`. */
const LINK_KNOWN = new Set<number>([
  C.IFLA_IFNAME, C.IFLA_MTU, C.IFLA_MIN_MTU, C.IFLA_MAX_MTU, C.IFLA_ADDRESS, C.IFLA_BROADCAST, C.IFLA_PERM_ADDRESS,
  C.IFLA_MASTER, C.IFLA_LINK, C.IFLA_LINK_NETNSID, C.IFLA_OPERSTATE, C.IFLA_LINKMODE, C.IFLA_TXQLEN, C.IFLA_GROUP,
  C.IFLA_IFALIAS, C.IFLA_QDISC, C.IFLA_CARRIER, C.IFLA_CARRIER_CHANGES, C.IFLA_PROMISCUITY, C.IFLA_NUM_TX_QUEUES,
  C.IFLA_NUM_RX_QUEUES, C.IFLA_PROTO_DOWN, C.IFLA_NET_NS_FD, C.IFLA_NET_NS_PID, C.IFLA_EXT_MASK, C.IFLA_ALT_IFNAME,
  C.IFLA_STATS64, C.IFLA_LINKINFO, C.IFLA_PROP_LIST,
]);

const linkUnknown = (type: number): boolean => !LINK_KNOWN.has(type);

/**
 * A received link message: one shape for all (LinkFields); `unknown` is read
 * from the bytes on first access ("Lazy decoding").
 */
class ReceivedLink extends LinkFields implements LinkMessage {
  readonly #buf: Buffer;
  readonly #start: number;
  readonly #end: number;
  #settled = false;
  #unknown?: RawAttribute[];

  /** `attributes`: where the message's attributes lie in `buf`. */
  constructor(buf: Buffer, attributes: number, end: number) {
    super();
    this.#buf = buf;
    this.#start = attributes;
    this.#end = end;
  }

  get unknown(): RawAttribute[] | undefined {
    if (!this.#settled) this.unknown = copyAttributes(this.#buf, this.#start, this.#end, linkUnknown);
    return this.#unknown;
  }
  set unknown(v: RawAttribute[] | undefined) { this.#unknown = v; this.#settled = true; }

  /** JSON sees the accessor too. */
  toJSON(): LinkMessage {
    return { ...this, unknown: this.unknown };
  }
}

function decodeLinkBody(buf: Buffer, start: number, end: number): LinkMessage {
  const m = new ReceivedLink(buf, start + IFINFOMSG_LEN, end);
  m.family = buf[start];
  m.type = buf.readUInt16LE(start + 2);
  m.index = buf.readInt32LE(start + 4);
  m.flags = buf.readUInt32LE(start + 8);
  m.change = buf.readUInt32LE(start + 12);
  for (const a = new AttributeCursor(buf, start + IFINFOMSG_LEN, end); a.next();) {
    const s = a.start;
    const e = a.end;
    switch (a.type) {
      case C.IFLA_IFNAME: m.name = readString(buf, s, e); break;
      case C.IFLA_MTU: m.mtu = readU32(buf, s, e); break;
      case C.IFLA_MIN_MTU: m.minMtu = readU32(buf, s, e); break;
      case C.IFLA_MAX_MTU: m.maxMtu = readU32(buf, s, e); break;
      case C.IFLA_ADDRESS: m.mac = formatMac(buf, s, e); break;
      case C.IFLA_BROADCAST: m.broadcast = broadcasts.read(buf, s, e); break;
      case C.IFLA_PERM_ADDRESS: m.permanentMac = formatMac(buf, s, e); break;
      case C.IFLA_MASTER: m.master = readU32(buf, s, e); break;
      case C.IFLA_LINK: m.link = readU32(buf, s, e); break;
      case C.IFLA_LINK_NETNSID: m.linkNetnsId = readS32(buf, s, e); break;
      case C.IFLA_OPERSTATE: m.operstate = readU8(buf, s, e); break;
      case C.IFLA_LINKMODE: m.linkmode = readU8(buf, s, e); break;
      case C.IFLA_TXQLEN: m.txqlen = readU32(buf, s, e); break;
      case C.IFLA_GROUP: m.group = readU32(buf, s, e); break;
      case C.IFLA_IFALIAS: m.alias = readString(buf, s, e); break;
      case C.IFLA_QDISC: m.qdisc = qdiscs.read(buf, s, e); break;
      case C.IFLA_CARRIER: m.carrier = readU8(buf, s, e); break;
      case C.IFLA_CARRIER_CHANGES: m.carrierChanges = readU32(buf, s, e); break;
      case C.IFLA_PROMISCUITY: m.promiscuity = readU32(buf, s, e); break;
      case C.IFLA_NUM_TX_QUEUES: m.numTxQueues = readU32(buf, s, e); break;
      case C.IFLA_NUM_RX_QUEUES: m.numRxQueues = readU32(buf, s, e); break;
      case C.IFLA_PROTO_DOWN: m.protoDown = readU8(buf, s, e); break;
      case C.IFLA_NET_NS_FD: m.netnsFd = readU32(buf, s, e); break;
      case C.IFLA_NET_NS_PID: m.netnsPid = readU32(buf, s, e); break;
      case C.IFLA_EXT_MASK: m.extMask = readU32(buf, s, e); break;
      case C.IFLA_ALT_IFNAME: m.altName = readString(buf, s, e); break;
      case C.IFLA_STATS64: m.stats64 = decodeStats64(buf, s, e); break;
      case C.IFLA_LINKINFO: m.linkInfo = new ReceivedLinkInfo(buf, s, e); break;
      case C.IFLA_PROP_LIST: {
        const names: string[] = [];
        forEachAttribute(buf, s, e, (t, vs, ve) => { if (t === C.IFLA_ALT_IFNAME) names.push(readString(buf, vs, ve)); });
        m.altNames = names;
        break;
      }
    }
  }
  return m;
}

/** Only ifindex and IFLA_IFNAME: what other objects need to print a device's name. */
export function decodeLinkName(msg: MessageView): [number, string] {
  const { buf, start, end } = msg;
  if (end - start < IFINFOMSG_LEN) throw new DecodeError('link message shorter than ifinfomsg', start);
  for (const a = new AttributeCursor(buf, start + IFINFOMSG_LEN, end); a.next();) {
    if (a.type === C.IFLA_IFNAME) return [buf.readInt32LE(start + 4), readString(buf, a.start, a.end)];
  }
  return [buf.readInt32LE(start + 4), ''];
}

export function decodeLink(msg: MessageView): LinkMessage {
  if (msg.end - msg.start < IFINFOMSG_LEN) throw new DecodeError('link message shorter than ifinfomsg', msg.start);
  return decodeLinkBody(msg.buf, msg.start, msg.end);
}

/** Decodes a VETH_INFO_PEER payload (ifinfomsg + attributes), as found in requests. */
export function decodeVethPeer(data: Buffer): LinkMessage {
  if (data.length < IFINFOMSG_LEN) throw new DecodeError('VETH_INFO_PEER shorter than ifinfomsg', 0);
  return decodeLinkBody(data, 0, data.length);
}

