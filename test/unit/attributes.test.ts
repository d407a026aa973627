// Attribute (TLV) encoding and decoding edge cases: alignment and padding,
// nesting and NLA_F_NESTED, bad lengths, zero-length values, unknown
// attributes kept and re-emitted byte for byte; nlmsghdr framing and
// NLMSG_ERROR decoding.
import {
  align4, attributeList, DecodeError, forEachAttribute, MessageWriter, rawType, readS32, readString, readU16,
  readU32, readU64, readU8,
} from '../../lib/netlink/attributes';
import * as C from '../../lib/netlink/constants';
import { decodeError, forEachMessage, MessageView } from '../../lib/netlink/message';
import { decodeAddress, encodeAddress } from '../../lib/rtnl/address';
import { decodeLink, decodeVethPeer, encodeLink } from '../../lib/rtnl/link';
import { decodeRoute, encodeRoute } from '../../lib/rtnl/route';
import { cstring, nlattr, nlmsg, u32 } from '../helpers/fake-kernel';
import { viewOf } from '../helpers/fixtures';

/** The attribute bytes of a writer's message (after the 16-byte nlmsghdr). */
const body = (w: MessageWriter): Buffer => w.finish().subarray(16);
interface Seen { type: number; raw: number; value: Buffer }
function visit(buf: Buffer, start = 0, end = buf.length): Seen[] {
  const out: Seen[] = [];
  forEachAttribute(buf, start, end, (type, s, e) => out.push({ type, raw: rawType(buf, s), value: buf.subarray(s, e) }));
  return out;
}

beforeAll(() => {
  // MessageWriter uses Buffer.allocUnsafe: dirty the pool so that unwritten padding would show.
  for (let i = 0; i < 64; i++) Buffer.allocUnsafe(4096).fill(0xa5);
});

describe('MessageWriter', () => {
  test('nlmsghdr: length, type and flags; seq and pid left 0', () => {
    const buf = new MessageWriter(C.RTM_NEWLINK, C.NLM_F_REQUEST | C.NLM_F_CREATE).u32(7).finish();
    expect(buf.toString('hex')).toBe('14000000' + '1000' + '0104' + '00000000' + '00000000' + '07000000');
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('a string of length %i: NUL-terminated, length unpadded, zero padding to 4', (n) => {
    const s = 'abcdefgh'.slice(0, n);
    const b = body(new MessageWriter(0, 0).attrString(C.IFLA_IFNAME, s).attrU32(C.IFLA_MTU, 1500));
    const len = 4 + n + 1;
    expect(b.readUInt16LE(0)).toBe(len);
    expect(b.readUInt16LE(2)).toBe(C.IFLA_IFNAME);
    expect(b.subarray(4, 4 + n).toString()).toBe(s);
    expect([...b.subarray(4 + n, align4(len))].every((x) => x === 0)).toBe(true); // NUL and padding
    expect(b.length).toBe(align4(len) + 8);
    const seen = visit(b);
    expect(seen.map((a) => a.type)).toEqual([C.IFLA_IFNAME, C.IFLA_MTU]);
    expect(readString(b, 4, 4 + n + 1)).toBe(s);
    expect(readU32(seen[1].value, 0, 4)).toBe(1500);
  });

  test('multi-byte UTF-8 strings are measured in bytes', () => {
    const b = body(new MessageWriter(0, 0).attrString(C.IFLA_IFALIAS, 'é€'));
    expect(b.readUInt16LE(0)).toBe(4 + 5 + 1);
    expect(readString(b, 4, 10)).toBe('é€');
  });

  test('u8 and u16 attributes: length 5 and 6, padded with zeros to 8', () => {
    const b = body(new MessageWriter(0, 0).attrU8(C.IFLA_OPERSTATE, 6).attrU16(9, 0xbeef).attrBe16(10, 0x1234).attrU8(11, 0xff));
    expect(b.toString('hex')).toBe(
      '05001000' + '06000000' + // u8 + 3 bytes padding
      '06000900' + 'efbe0000' + // u16 LE + 2
      '06000a00' + '12340000' + // u16 BE + 2
      '05000b00' + 'ff000000');
    expect(visit(b).map((a) => a.value.length)).toEqual([1, 2, 2, 1]);
  });

  test('u32, s32, u64 and flag attributes', () => {
    const b = body(new MessageWriter(0, 0).attrU32(1, 0xffffffff).attrS32(2, -1).attrU64(3, 0x0102030405060708n).attrFlag(4));
    const seen = visit(b);
    expect(readU32(b, 4, 8)).toBe(0xffffffff);
    expect(readS32(seen[1].value, 0, 4)).toBe(-1);
    expect(readU64(seen[2].value, 0, 8)).toBe(0x0102030405060708n);
    expect(seen[3]).toMatchObject({ type: 4 });
    expect(seen[3].value.length).toBe(0); // zero-length attribute
    expect(b.subarray(b.length - 4).toString('hex')).toBe('04000400');
  });

  test('nests: length covers the children; NLA_F_NESTED on request, masked by forEachAttribute, kept by rawType', () => {
    const w = new MessageWriter(0, 0);
    const outer = w.beginNest(C.IFLA_PROP_LIST, true);
    w.attrString(C.IFLA_ALT_IFNAME, 'abc');
    const inner = w.beginNest(7);
    w.attrU8(1, 1);
    w.endNest(inner);
    w.endNest(outer);
    w.attrU32(C.IFLA_MTU, 9000);
    const b = body(w);
    const [nest, mtu] = visit(b);
    expect(nest.type).toBe(C.IFLA_PROP_LIST);
    expect(nest.raw).toBe(C.IFLA_PROP_LIST | C.NLA_F_NESTED);
    expect(b.readUInt16LE(0)).toBe(4 + 8 + 4 + 8); // header + "abc\0" attr + inner nest (header + u8 attr)
    const kids = visit(nest.value);
    expect(kids.map((k) => [k.type, k.raw])).toEqual([[C.IFLA_ALT_IFNAME, C.IFLA_ALT_IFNAME], [7, 7]]);
    expect(visit(kids[1].value)).toHaveLength(1);
    expect(readU32(mtu.value, 0, 4)).toBe(9000);
  });

  test('grows past its size hint', () => {
    const w = new MessageWriter(0, 0, 16);
    for (let i = 0; i < 1000; i++) w.attrString(1, `name${i}`);
    const buf = w.finish();
    expect(buf.readUInt32LE(0)).toBe(buf.length);
    const seen = visit(buf, 16);
    expect(seen).toHaveLength(1000);
    expect(readString(seen[999].value, 0, seen[999].value.length)).toBe('name999');
  });

  test('attributeList keeps raw types (with flag bits) and attrRaw re-emits them byte for byte', () => {
    const src = Buffer.concat([
      nlattr(C.NLA_F_NESTED | 5, nlattr(1, u32(7))),
      nlattr(C.NLA_F_NET_BYTEORDER | 6, Buffer.from([0x12, 0x34])),
      nlattr(7, Buffer.alloc(0)),
      nlattr(8, Buffer.from([1, 2, 3])),
    ]);
    const list = attributeList(src, 0, src.length);
    expect(list.map((a) => a.type)).toEqual([C.NLA_F_NESTED | 5, C.NLA_F_NET_BYTEORDER | 6, 7, 8]);
    const w = new MessageWriter(0, 0);
    for (const a of list) w.attrRaw(a);
    expect(body(w)).toEqual(src);
  });
});

describe('forEachAttribute: malformed input', () => {
  test('a length past the end throws DecodeError at the attribute', () => {
    const b = Buffer.concat([nlattr(1, u32(1)), nlattr(2, u32(2))]);
    b.writeUInt16LE(9, 8); // second attribute claims 9 bytes, 8 are there
    expect(() => visit(b)).toThrow(DecodeError);
    expect(() => visit(b)).toThrow('bad attribute length 9 (at byte 8)');
  });

  test('a length past the given end (but inside the buffer) throws too', () => {
    const b = Buffer.concat([nlattr(1, u32(1)), nlattr(2, u32(2))]);
    expect(() => visit(b, 0, 6)).toThrow(DecodeError);
  });

  test.each([0, 1, 2, 3])('a length of %i (shorter than the header) throws instead of looping', (len) => {
    const b = Buffer.concat([nlattr(1, u32(1)), Buffer.from([len, 0, 2, 0])]);
    let e: unknown;
    try { visit(b); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).offset).toBe(8);
  });

  test('a zero-length attribute (length 4) is fine and the next one is found', () => {
    const b = Buffer.concat([nlattr(3, Buffer.alloc(0)), nlattr(4, u32(9))]);
    const seen = visit(b);
    expect(seen.map((a) => [a.type, a.value.length])).toEqual([[3, 0], [4, 4]]);
  });

  test('1 to 3 trailing bytes (less than a header) are ignored', () => {
    for (const n of [1, 2, 3]) {
      const b = Buffer.concat([nlattr(1, u32(1)), Buffer.alloc(n, 0xff)]);
      expect(visit(b)).toHaveLength(1);
    }
  });

  test('the last attribute may omit its padding', () => {
    const b = nlattr(1, Buffer.from([1])).subarray(0, 5);
    expect(visit(b).map((a) => a.value)).toEqual([Buffer.from([1])]);
  });

  test('value readers throw DecodeError when the value is too short', () => {
    const b = Buffer.alloc(8);
    expect(() => readU8(b, 0, 0)).toThrow(DecodeError);
    expect(() => readU16(b, 0, 1)).toThrow(DecodeError);
    expect(() => readU32(b, 0, 3)).toThrow(DecodeError);
    expect(() => readS32(b, 0, 3)).toThrow(DecodeError);
    expect(() => readU64(b, 0, 7)).toThrow(DecodeError);
    expect(readU16(b, 0, 2)).toBe(0);
  });

  test('readString stops at the first trailing NUL, and tolerates none', () => {
    const b = Buffer.from('eth0\0\0\0');
    expect(readString(b, 0, b.length)).toBe('eth0');
    expect(readString(b, 0, 4)).toBe('eth0');
    expect(readString(b, 0, 0)).toBe('');
  });

  test('a decoder rejects an attribute too short for its type', () => {
    const msg = nlmsg(C.RTM_NEWLINK, 0, 0, 0, Buffer.concat([Buffer.alloc(16), nlattr(C.IFLA_MTU, Buffer.from([1, 2]))]));
    expect(() => decodeLink(viewOf(msg))).toThrow(DecodeError);
    expect(() => decodeLink(viewOf(msg))).toThrow(/u32 attribute shorter than 4 bytes/);
  });

  test('RTA_SPORT / RTA_DPORT shorter than 2 bytes: DecodeError, not a read of the next attribute', () => {
    const rtmsg = Buffer.alloc(12);
    for (const type of [C.RTA_SPORT, C.RTA_DPORT]) {
      const msg = nlmsg(C.RTM_GETROUTE, 0, 0, 0, Buffer.concat([rtmsg, nlattr(type, Buffer.from([0x50])), nlattr(C.RTA_MARK, u32(0x01020304))]));
      expect(() => decodeRoute(viewOf(msg))).toThrow(DecodeError);
    }
    const ok = nlmsg(C.RTM_GETROUTE, 0, 0, 0, Buffer.concat([rtmsg, nlattr(C.RTA_DPORT, Buffer.from([0x01, 0xbb]))]));
    expect(decodeRoute(viewOf(ok)).dport).toBe(443);
  });

  test('a VETH_INFO_PEER shorter than ifinfomsg: DecodeError', () => {
    expect(() => decodeVethPeer(Buffer.alloc(15))).toThrow(DecodeError);
    expect(decodeVethPeer(Buffer.concat([Buffer.alloc(16), nlattr(C.IFLA_IFNAME, cstring('p'))])).name).toBe('p');
  });

  test('decoders reject messages shorter than their family header', () => {
    expect(() => decodeLink(viewOf(nlmsg(C.RTM_NEWLINK, 0, 0, 0, Buffer.alloc(15))))).toThrow(DecodeError);
    expect(() => decodeAddress(viewOf(nlmsg(C.RTM_NEWADDR, 0, 0, 0, Buffer.alloc(7))))).toThrow(DecodeError);
    expect(() => decodeRoute(viewOf(nlmsg(C.RTM_NEWROUTE, 0, 0, 0, Buffer.alloc(11))))).toThrow(DecodeError);
  });
});

describe('unknown attributes survive a round trip byte for byte', () => {
  const unknown = [
    nlattr(0x3ff, Buffer.from([1, 2, 3])), // odd length
    nlattr(C.NLA_F_NESTED | 0x3fe, Buffer.concat([nlattr(1, u32(1)), nlattr(2, Buffer.alloc(0))])),
    nlattr(0x3fd, Buffer.alloc(0)),
  ];

  test('link (top level and inside IFLA_LINKINFO)', () => {
    const linkinfo = nlattr(C.IFLA_LINKINFO, Buffer.concat([
      nlattr(C.IFLA_INFO_KIND, cstring('veth')), nlattr(C.NLA_F_NESTED | 9, nlattr(1, u32(5))),
    ]));
    const payload = Buffer.concat([Buffer.alloc(16), nlattr(C.IFLA_IFNAME, cstring('x')), linkinfo, ...unknown]);
    const raw = nlmsg(C.RTM_NEWLINK, 0, 0, 0, payload);
    const m = decodeLink(viewOf(raw));
    expect(m.unknown?.map((a) => a.type)).toEqual([0x3ff, C.NLA_F_NESTED | 0x3fe, 0x3fd]);
    expect(m.linkInfo?.unknown?.map((a) => a.type)).toEqual([C.NLA_F_NESTED | 9]);
    expect(encodeLink(C.RTM_NEWLINK, 0, m)).toEqual(raw);
  });

  test('address', () => {
    const payload = Buffer.concat([Buffer.from([2, 24, 0, 0, 3, 0, 0, 0]), nlattr(C.IFA_LOCAL, Buffer.from([10, 0, 0, 1])), ...unknown]);
    const raw = nlmsg(C.RTM_NEWADDR, 0, 0, 0, payload);
    const m = decodeAddress(viewOf(raw));
    expect(m.unknown).toHaveLength(3);
    expect(encodeAddress(C.RTM_NEWADDR, 0, m)).toEqual(raw);
  });

  test('route (top level and inside an RTA_MULTIPATH nexthop)', () => {
    const nh = Buffer.concat([Buffer.from([0, 0, 0, 0, 3, 0, 0, 0]), nlattr(C.RTA_GATEWAY, Buffer.from([10, 0, 0, 2])), nlattr(0x77, Buffer.from([9]))]);
    nh.writeUInt16LE(nh.length, 0);
    const rtmsg = Buffer.from([2, 16, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0]);
    const payload = Buffer.concat([rtmsg, nlattr(C.RTA_TABLE, u32(254)), nlattr(C.RTA_DST, Buffer.from([10, 2, 0, 0])), nlattr(C.RTA_MULTIPATH, nh), ...unknown]);
    const raw = nlmsg(C.RTM_NEWROUTE, 0, 0, 0, payload);
    raw[16 + 4] = 254; // rtm_table
    const m = decodeRoute(viewOf(raw));
    expect(m.multipath).toEqual([{ flags: 0, hops: 0, index: 3, gateway: '10.0.0.2', unknown: [{ type: 0x77, data: Buffer.from([9]) }] }]);
    expect(m.unknown).toHaveLength(3);
    expect(encodeRoute(C.RTM_NEWROUTE, 0, m)).toEqual(raw);
  });

  test('unknown link data is copied out on first read (lazy decoding): after that the receive buffer may be reused', () => {
    const raw = nlmsg(C.RTM_NEWLINK, 0, 0, 0, Buffer.concat([Buffer.alloc(16), unknown[0]]));
    const m = decodeLink(viewOf(raw));
    expect(JSON.parse(JSON.stringify(m)).unknown).toHaveLength(1); // JSON sees it before it is read
    expect(m.unknown).toHaveLength(1);
    raw.fill(0);
    expect([...m.unknown![0].data]).toEqual([1, 2, 3]);
    m.unknown = undefined; // assignable like any field
    expect(m.unknown).toBeUndefined();
  });

  test('linkInfo data, slave data and unknown entries are lazy too, and assignable', () => {
    const info = Buffer.concat([
      nlattr(C.IFLA_INFO_KIND, cstring('veth')),
      nlattr(C.IFLA_INFO_DATA | C.NLA_F_NESTED, nlattr(7, u32(1))),
      nlattr(C.IFLA_INFO_SLAVE_KIND, cstring('bridge')),
      nlattr(C.IFLA_INFO_SLAVE_DATA | C.NLA_F_NESTED, nlattr(9, u32(2))),
      nlattr(0x66, u32(5)),
    ]);
    const raw = nlmsg(C.RTM_NEWLINK, 0, 0, 0, Buffer.concat([Buffer.alloc(16), nlattr(C.IFLA_LINKINFO | C.NLA_F_NESTED, info)]));
    const li = decodeLink(viewOf(raw)).linkInfo!;
    expect(JSON.parse(JSON.stringify(li))).toMatchObject({ kind: 'veth', slaveKind: 'bridge' });
    const copy = { data: li.data, slaveData: li.slaveData, unknown: li.unknown };
    raw.fill(0);
    expect(copy.data!.map((a) => [a.type, [...a.data]])).toEqual([[7, [1, 0, 0, 0]]]);
    expect(copy.slaveData!.map((a) => [a.type, [...a.data]])).toEqual([[9, [2, 0, 0, 0]]]);
    expect(copy.unknown!.map((a) => a.type)).toEqual([0x66]);
    li.data = [];
    expect(li.data).toEqual([]);
  });
});

describe('forEachMessage', () => {
  const views = (b: Buffer): MessageView[] => {
    const out: MessageView[] = [];
    forEachMessage(b, (v) => out.push(v));
    return out;
  };

  test('walks several messages, each padded to 4 bytes', () => {
    const a = nlmsg(C.RTM_NEWLINK, C.NLM_F_MULTI, 5, 7, Buffer.from([1])); // 17 bytes + 3 padding
    const b = nlmsg(C.NLMSG_DONE, C.NLM_F_MULTI, 5, 7, Buffer.alloc(4));
    const v = views(Buffer.concat([a, b]));
    expect(v.map((m) => [m.type, m.flags, m.seq, m.pid, m.end - m.start])).toEqual([
      [C.RTM_NEWLINK, C.NLM_F_MULTI, 5, 7, 1], [C.NLMSG_DONE, C.NLM_F_MULTI, 5, 7, 4],
    ]);
    expect(v[1].start).toBe(20 + 16);
  });

  test.each([0, 8, 15])('nlmsg_len %i (shorter than the header) throws DecodeError', (len) => {
    const b = nlmsg(C.RTM_NEWLINK, 0, 1, 0, Buffer.alloc(8));
    b.writeUInt32LE(len, 0);
    expect(() => views(b)).toThrow(DecodeError);
    expect(() => views(b)).toThrow(`bad nlmsg_len ${len} (at byte 0)`);
  });

  test('nlmsg_len past the chunk throws DecodeError', () => {
    const b = nlmsg(C.RTM_NEWLINK, 0, 1, 0, Buffer.alloc(8));
    b.writeUInt32LE(25, 0);
    expect(() => views(b)).toThrow(DecodeError);
    b.writeUInt32LE(0xffffffff, 0);
    expect(() => views(b)).toThrow(DecodeError);
  });

  test('fewer than 16 trailing bytes are ignored; an empty chunk has no messages', () => {
    expect(views(Buffer.concat([nlmsg(C.NLMSG_NOOP, 0, 1, 0), Buffer.alloc(15, 0xff)]))).toHaveLength(1);
    expect(views(Buffer.alloc(0))).toEqual([]);
  });
});

describe('decodeError', () => {
  const request = nlmsg(C.RTM_NEWLINK, C.NLM_F_REQUEST | C.NLM_F_ACK, 77, 4242, Buffer.alloc(16));
  const err = (errno: number, flags: number, tail: Buffer[] = [], echoed = request.subarray(0, 16)): MessageView => {
    const e = Buffer.alloc(4);
    e.writeInt32LE(-errno);
    return viewOf(nlmsg(C.NLMSG_ERROR, flags, 77, 4242, Buffer.concat([e, echoed, ...tail])));
  };

  test('an ACK: errno 0 (positive zero), the echoed seq', () => {
    const e = decodeError(err(0, C.NLM_F_CAPPED));
    expect(Object.is(e.errno, 0)).toBe(true);
    expect(e).toMatchObject({ seq: 77, message: undefined });
  });

  test('ext-ack MSG, OFFS and MISS_TYPE after a capped echo', () => {
    const tlvs = [nlattr(C.NLMSGERR_ATTR_MSG, cstring('bad thing')), nlattr(C.NLMSGERR_ATTR_OFFS, u32(36)), nlattr(C.NLMSGERR_ATTR_MISS_TYPE, u32(3))];
    expect(decodeError(err(22, C.NLM_F_CAPPED | C.NLM_F_ACK_TLVS, tlvs))).toEqual({ errno: 22, seq: 77, message: 'bad thing', offset: 36, missingType: 3 });
  });

  test('ext-ack after the whole request echoed (not capped)', () => {
    const tlvs = [nlattr(C.NLMSGERR_ATTR_MSG, cstring('whole'))];
    expect(decodeError(err(1, C.NLM_F_ACK_TLVS, tlvs, request))).toMatchObject({ errno: 1, message: 'whole' });
  });

  test('TLVs are not read without NLM_F_ACK_TLVS', () => {
    expect(decodeError(err(1, C.NLM_F_CAPPED, [nlattr(C.NLMSGERR_ATTR_MSG, cstring('x'))])).message).toBeUndefined();
  });

  test('an echoed length pointing past the message means no TLVs, not a crash', () => {
    const bogus = Buffer.from(request.subarray(0, 16));
    for (const len of [4000, 0x7ffffffd, 0x80000000, 0xfffffffe, 0xffffffff]) {
      bogus.writeUInt32LE(len, 0);
      expect(decodeError(err(5, C.NLM_F_ACK_TLVS, [], bogus))).toMatchObject({ errno: 5, message: undefined });
    }
  });

  test('too short, or not an NLMSG_ERROR: DecodeError', () => {
    expect(() => decodeError(viewOf(nlmsg(C.NLMSG_ERROR, 0, 1, 0, Buffer.alloc(19))))).toThrow(DecodeError);
    expect(() => decodeError(viewOf(nlmsg(C.NLMSG_DONE, 0, 1, 0, Buffer.alloc(20))))).toThrow('not an NLMSG_ERROR (type 3)');
  });
});
