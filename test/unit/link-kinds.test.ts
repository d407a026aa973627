// Link kinds, link attributes and address options against bytes captured from
// iproute2 6.1 (test/fixtures/links/*.json, made by test/fixtures/capture-links.sh):
//  1. the kind codecs decode ip's IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA to what
//     the command said, and encode that back to the same attributes;
//  2. kernel replies round-trip (encode(decode(raw)) has the same attributes);
//  3. the requests the verbs build (through a real Connection over a fake
//     kernel) equal ip's: header, family header and every attribute;
//  4. every validation error names the field and the value before anything is sent;
//  5. a kind we do not know keeps its name and raw attributes.
jest.mock('../../lib/native', () => ({ native: { tunCreate: () => { throw new Error('no tun in unit tests'); } } }));

import { Connection } from '../../lib/connection';
import { AddressTable } from '../../lib/model/address';
import { Link, LinkTable } from '../../lib/model/link';
import type { Namespace } from '../../lib/namespace';
import { align4, RawAttribute } from '../../lib/netlink/attributes';
import * as C from '../../lib/netlink/constants';
import { decodeLink, encodeLink, LinkMessage } from '../../lib/rtnl/link';
import {
  decodeBridgeData, decodeBridgePortData, decodeMacvlanData, decodeTunData, decodeVxlanData, encodeBridgeData,
  encodeBridgePortData, encodeMacvlanData, encodeVlanData, encodeVxlanData, decodeVlanData,
} from '../../lib/rtnl/link-kinds';
import { ack, FakeKernel } from '../helpers/fake-kernel';
import { bytesOf, fixtureView, loadFixture, messageOf } from '../helpers/fixtures';

const F = (name: string) => `links/${name}`;
const request = (name: string, type = 'RTM_NEWLINK') => bytesOf(messageOf(loadFixture(F(name)), 'request', type));
const requestLink = (name: string) => decodeLink(fixtureView(F(name), 'request', 'RTM_NEWLINK'));
const replyLink = (name: string) => decodeLink(fixtureView(F(name), 'reply', 'RTM_NEWLINK'));
const hexes = (list: readonly RawAttribute[]) => list.map((a) => `${a.type}:${a.data.toString('hex')}`).sort();

describe('kind codecs against iproute2', () => {
  it('bridge: ip link add br0 type bridge stp_state 1 forward_delay 500 … mcast_snooping 0', () => {
    const data = requestLink('link-add-bridge-options').linkInfo!.data!;
    const d = decodeBridgeData(data);
    expect(d).toEqual({
      stp: true, forwardDelay: 500, helloTime: 300, maxAge: 2500, ageingTime: 3000, priority: 100, multicastSnooping: false,
    });
    expect(hexes(encodeBridgeData(d))).toEqual(hexes(data));
  });

  it('vxlan: id 42 local 10.0.0.1 remote 10.0.0.2 dstport 4789 ttl 5 nolearning ageing 120', () => {
    const data = requestLink('link-add-vxlan').linkInfo!.data!;
    const d = decodeVxlanData(data);
    expect(d).toEqual({ vni: 42, local: '10.0.0.1', remote: '10.0.0.2', dstport: 4789, ttl: 5, learning: false, ageing: 120 });
    expect(hexes(encodeVxlanData(d))).toEqual(hexes(data));
  });

  it('macvlan: mode bridge, on IFLA_LINK', () => {
    const m = requestLink('link-add-macvlan');
    expect([m.link, m.linkInfo!.kind]).toEqual([3, 'macvlan']);
    const d = decodeMacvlanData(m.linkInfo!.data!);
    expect(d).toEqual({ mode: 'bridge' });
    expect(hexes(encodeMacvlanData(d))).toEqual(hexes(m.linkInfo!.data!));
  });

  it('bridge_slave: learning off flood off hairpin on isolated on cost 7 priority 3', () => {
    const m = requestLink('link-set-bridge-slave');
    expect(m.linkInfo!.kind).toBe('bridge_slave');
    const d = decodeBridgePortData(m.linkInfo!.slaveData!);
    expect(d).toEqual({ learning: false, flood: false, hairpin: true, isolated: true, cost: 7, priority: 3 });
    expect(hexes(encodeBridgePortData(d))).toEqual(hexes(m.linkInfo!.slaveData!));
  });

  it('vlan (no kernel module here): the encoding follows <linux/if_link.h>', () => {
    // IFLA_VLAN_PROTOCOL is __be16 (0x88a8 for 802.1ad), IFLA_VLAN_ID a host-order u16.
    const data = encodeVlanData({ id: 5, protocol: '802.1ad' });
    expect(hexes(data)).toEqual([`${C.IFLA_VLAN_ID}:0500`, `${C.IFLA_VLAN_PROTOCOL}:88a8`].sort());
    expect(decodeVlanData(data)).toEqual({ id: 5, protocol: '802.1ad' });
    expect(decodeVlanData(encodeVlanData({ id: 4095 }))).toEqual({ id: 4095, protocol: undefined });
  });
});

describe('kernel replies decode and round-trip', () => {
  const roundTrip = (name: string) => {
    const raw = fixtureView(F(name), 'reply', 'RTM_NEWLINK');
    const m = decodeLink(raw);
    const again = encodeLink(C.RTM_NEWLINK, raw.flags, m);
    expect(topAttributes(again)).toEqual(topAttributes(raw.buf.subarray(raw.start - 16, raw.end)));
    return m;
  };

  it('vxlan: every IFLA_VXLAN_* read, the rest kept raw', () => {
    const m = roundTrip('link-get-vxlan');
    const d = decodeVxlanData(m.linkInfo!.data!);
    expect(d).toMatchObject({ vni: 42, local: '10.0.0.1', remote: '10.0.0.2', dstport: 4789, ttl: 5, learning: false, ageing: 300 });
    expect(d.other!.length).toBeGreaterThan(5);
  });

  it('macvtap: mode vepa on its lower link', () => {
    const m = roundTrip('link-get-macvtap');
    expect([m.linkInfo!.kind, decodeMacvlanData(m.linkInfo!.data!).mode, m.link]).toEqual(['macvtap', 'vepa', 3]);
  });

  it('tap: persistent, multi-queue, owner 1, group 2', () => {
    const m = roundTrip('link-get-tap');
    expect(m.linkInfo!.kind).toBe('tun');
    expect(decodeTunData(m.linkInfo!.data!)).toEqual({
      mode: 'tap', owner: 1, group: 2, pi: false, vnetHdr: false, persist: true, multiQueue: true, numQueues: 0, numDisabledQueues: 0,
    });
  });

  it('bridge port: slave kind bridge with IFLA_BRPORT_*', () => {
    const m = roundTrip('link-get-bridge-port');
    expect(m.linkInfo!.slaveKind).toBe('bridge');
    expect(decodeBridgePortData(m.linkInfo!.slaveData!)).toMatchObject({
      state: 'disabled', learning: false, hairpin: true, cost: 7, flood: true, isolated: false,
    });
  });

  it('a Link built from the bridge-port reply prints ip\'s info_slave_data fields', () => {
    const link = new Link({} as Namespace, replyLink('link-get-bridge-port'));
    const json = link.toJSON() as { master: string; linkinfo: { info_slave_kind: string; info_slave_data: object } };
    expect(json.master).toBe('if4'); // unknown name: ip's own fallback
    expect(json.linkinfo.info_slave_kind).toBe('bridge');
    expect(json.linkinfo.info_slave_data).toMatchObject({ state: 'disabled', learning: false, hairpin: true, cost: 7 });
  });
});

// --- 3. requests the verbs send, compared with iproute2 -------------------------

/** nlmsghdr type+flags, the family header, and the top-level attributes (hex, sorted). */
function topAttributes(buf: Buffer): string[] {
  const end = buf.readUInt32LE(0);
  const header = buf.readUInt16LE(4) >= C.RTM_NEWADDR && buf.readUInt16LE(4) <= C.RTM_GETADDR ? 8 : 16;
  const out: string[] = [];
  for (let off = 16 + header; off + 4 <= end; off += align4(buf.readUInt16LE(off))) {
    out.push(buf.subarray(off, off + buf.readUInt16LE(off)).toString('hex'));
  }
  return out.sort();
}
function fixed(buf: Buffer): string {
  const header = buf.readUInt16LE(4) >= C.RTM_NEWADDR && buf.readUInt16LE(4) <= C.RTM_GETADDR ? 8 : 16;
  return `${buf.readUInt16LE(4)}/${buf.readUInt16LE(6) | C.NLM_F_ACK}|${buf.subarray(16, 16 + header).toString('hex')}`;
}

const INDEX: Record<string, number> = { veth0: 3, br0: 4 };

/** A Namespace stand-in: the real tables on a real Connection over a fake kernel that ACKs and answers GETLINK. */
function fakeNamespace(): { ns: Namespace; sent: Buffer[] } {
  const sent: Buffer[] = [];
  const kernel = new FakeKernel((req) => {
    if (req.type === C.RTM_GETLINK) {
      const q = decodeLink(req.view);
      const name = q.name ?? Object.keys(INDEX).find((k) => INDEX[k] === q.index) ?? 'x';
      const reply = encodeLink(C.RTM_NEWLINK, 0, { index: q.index || INDEX[name] || 9, name, mtu: 1500 });
      reply.writeUInt32LE(req.seq, 8);
      return [reply, ack(req)];
    }
    sent.push(Buffer.from(req.view.buf.subarray(req.view.start - 16, req.view.end)));
    return [ack(req)];
  });
  const connection = new Connection(-1, { socket: kernel });
  const ns = {
    connection, fd: 5, dev: 0, ino: 1005,
    equals: (o: unknown) => o === ns,
    toString: () => 'namespace "fake"',
    linkIndex: async (ref: unknown) => (typeof ref === 'number' ? ref : typeof ref === 'string' ? INDEX[ref] : (ref as Link).index),
  } as unknown as Namespace;
  Object.assign(ns, { links: new LinkTable(ns), addresses: new AddressTable(ns) });
  return { ns, sent };
}

async function sentBy(f: (ns: Namespace) => Promise<unknown>): Promise<Buffer> {
  const { ns, sent } = fakeNamespace();
  await f(ns);
  expect(sent.length).toBe(1);
  return sent[0];
}

/**
 * The attributes of a link/address request as a sorted tree of "type:value"
 * strings, IFLA_LINKINFO and its INFO_DATA/SLAVE_DATA opened up (their order
 * is free). One deliberate difference is normalised: ip sends IFLA_INFO_KIND,
 * IFLA_INFO_SLAVE_KIND and IFLA_IFALIAS without the trailing NUL, we send it
 * (both are NLA_STRING in the kernel's policy, which accepts either).
 */
function canonical(buf: Buffer, start: number, end: number, depth: number, parent = 0): unknown[] {
  const out: unknown[] = [];
  for (let off = start; off + 4 <= end; off += align4(buf.readUInt16LE(off))) {
    const len = buf.readUInt16LE(off);
    const type = buf.readUInt16LE(off + 2) & 0x3fff;
    const open = (depth === 0 && type === C.IFLA_LINKINFO) || (depth === 1 && parent === C.IFLA_LINKINFO && (type === C.IFLA_INFO_DATA || type === C.IFLA_INFO_SLAVE_DATA));
    if (open) { out.push([type, canonical(buf, off + 4, off + len, depth + 1, type)]); continue; }
    let value = buf.subarray(off + 4, off + len);
    const isString = (depth === 0 && (type === C.IFLA_IFALIAS || type === C.IFLA_IFNAME)) ||
      (depth === 1 && parent === C.IFLA_LINKINFO && (type === C.IFLA_INFO_KIND || type === C.IFLA_INFO_SLAVE_KIND));
    if (isString) while (value.length && value[value.length - 1] === 0) value = value.subarray(0, -1);
    out.push(`${buf.readUInt16LE(off + 2)}:${value.toString('hex')}`);
  }
  return out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

function expectSameRequest(ours: Buffer, name: string, type = 'RTM_NEWLINK'): void {
  const ip = request(name, type);
  expect(fixed(ours)).toBe(fixed(ip));
  const header = (b: Buffer) => 16 + (b.readUInt16LE(4) >= C.RTM_NEWADDR && b.readUInt16LE(4) <= C.RTM_GETADDR ? 8 : 16);
  expect(canonical(ours, header(ours), ours.readUInt32LE(0), 0)).toEqual(canonical(ip, header(ip), ip.readUInt32LE(0), 0));
}

describe('verbs send what ip sends', () => {
  it('links.add bridge with options', async () => {
    expectSameRequest(await sentBy((ns) => ns.links.add({
      kind: 'bridge', name: 'br0', stp: true, forwardDelay: 500, helloTime: 300, maxAge: 2500, ageingTime: 3000, priority: 100,
      multicastSnooping: false,
    })), 'link-add-bridge-options');
  });

  it('links.add vxlan', async () => {
    expectSameRequest(await sentBy((ns) => ns.links.add({
      kind: 'vxlan', name: 'vx0', vni: 42, local: '10.0.0.1', remote: '10.0.0.2', dstport: 4789, ttl: 5, learning: false, ageing: 120,
    })), 'link-add-vxlan');
  });

  it('links.add macvlan on veth0', async () => {
    expectSameRequest(await sentBy((ns) => ns.links.add({ kind: 'macvlan', name: 'mv0', link: 'veth0', mode: 'bridge' })), 'link-add-macvlan');
  });

  it('links.add ifb with txqlen', async () => {
    expectSameRequest(await sentBy((ns) => ns.links.add({ kind: 'ifb', name: 'ifb0', txqlen: 64 })), 'link-add-ifb');
  });

  it('links.set promisc, arp, multicast, allmulti, group, txqlen, alias (by index, as ip after its lookup)', async () => {
    expectSameRequest(await sentBy((ns) => ns.links.set(3, {
      promisc: true, arp: false, multicast: false, allmulti: true, group: 5, txqlen: 77, alias: 'hello',
    })), 'link-set-attributes');
  });

  it('links.set bridgePort', async () => {
    expectSameRequest(await sentBy((ns) => ns.links.set(3, {
      bridgePort: { learning: false, flood: false, hairpin: true, isolated: true, cost: 7, priority: 3 },
    })), 'link-set-bridge-slave');
  });

  it('altName add / delete (RTM_NEWLINKPROP / RTM_DELLINKPROP)', async () => {
    expectSameRequest(await sentBy((ns) => ns.links.altName('add', 3, 'uplink0')), 'link-altname-add', 'RTM_NEWLINKPROP');
    expectSameRequest(await sentBy((ns) => ns.links.altName('delete', 3, 'uplink0')), 'link-altname-del', 'RTM_DELLINKPROP');
  });

  it('addresses.add IPv6 with nodad noprefixroute home mngtmpaddr and lifetimes', async () => {
    expectSameRequest(await sentBy((ns) => ns.addresses.add({
      link: 3, address: 'fd00::1/64', nodad: true, noprefixroute: true, home: true, mngtmpaddr: true, validLifetime: 100, preferredLifetime: 50,
    })), 'addr-add-v6-flags-lifetimes', 'RTM_NEWADDR');
  });

  it('addresses.add IPv4 with scope link, metric and lifetimes', async () => {
    expectSameRequest(await sentBy((ns) => ns.addresses.add({
      link: 3, address: '10.2.0.1/24', scope: 'link', metric: 9, validLifetime: 300, preferredLifetime: 200,
    })), 'addr-add-v4-scope-metric', 'RTM_NEWADDR');
  });

  it('addresses.replace with lifetimes', async () => {
    expectSameRequest(await sentBy((ns) => ns.addresses.replace({ link: 3, address: '10.0.0.1/24', validLifetime: 300, preferredLifetime: 300 })),
      'addr-replace', 'RTM_NEWADDR');
  });
});

// --- 4. validation: refused before anything is sent ------------------------------

describe('validation errors name the field and the value', () => {
  const refused = async (f: (ns: Namespace) => Promise<unknown>, error: RegExp, type: typeof TypeError = TypeError) => {
    const { ns, sent } = fakeNamespace();
    await expect(f(ns)).rejects.toThrow(type);
    await expect(f(ns)).rejects.toThrow(error);
    expect(sent).toEqual([]);
  };

  it.each([
    ['unknown kind', { kind: 'dummy', name: 'd0' }, /^kind: expected one of .* got "dummy"/, TypeError],
    ['vxlan without vni', { kind: 'vxlan', name: 'vx0' }, /^vni: a vxlan needs a VNI/, TypeError],
    ['vxlan vni too big', { kind: 'vxlan', name: 'vx0', vni: 1 << 24 }, /^vni: must be between 0 and 16777215, got 16777216/, RangeError],
    ['vxlan remote multicast', { kind: 'vxlan', name: 'vx0', vni: 1, remote: '239.1.1.1' }, /^remote: expected a unicast address/, TypeError],
    ['vxlan group unicast', { kind: 'vxlan', name: 'vx0', vni: 1, group: '10.0.0.1' }, /^group: expected a multicast address/, TypeError],
    ['vxlan both remote and group', { kind: 'vxlan', name: 'vx0', vni: 1, remote: '10.0.0.1', group: '239.1.1.1' }, /^group: give either remote or group/, TypeError],
    ['vxlan bad local', { kind: 'vxlan', name: 'vx0', vni: 1, local: 'nope' }, /^local: /, TypeError],
    ['vxlan dstport', { kind: 'vxlan', name: 'vx0', vni: 1, dstport: 70000 }, /^dstport: must be between 0 and 65535, got 70000/, RangeError],
    ['vxlan ttl', { kind: 'vxlan', name: 'vx0', vni: 1, ttl: 256 }, /^ttl: must be between 0 and 255/, RangeError],
    ['vxlan learning', { kind: 'vxlan', name: 'vx0', vni: 1, learning: 'no' }, /^learning: expected true or false, got "no"/, TypeError],
    ['vlan without id', { kind: 'vlan', name: 'v', link: 3 }, /^id: a vlan needs an id/, TypeError],
    ['vlan id 4096', { kind: 'vlan', name: 'v', link: 3, id: 4096 }, /^id: must be between 0 and 4095, got 4096/, RangeError],
    ['vlan protocol', { kind: 'vlan', name: 'v', link: 3, id: 1, protocol: '802.1x' }, /^protocol: expected "802.1Q" or "802.1ad", got "802.1x"/, TypeError],
    ['vlan without link', { kind: 'vlan', name: 'v', id: 1 }, /^link: a vlan needs its underlying link/, TypeError],
    ['macvlan mode', { kind: 'macvlan', name: 'm', link: 3, mode: 'hub' }, /^mode: expected one of private, vepa, bridge, passthru, source, got "hub"/, TypeError],
    ['macvtap without link', { kind: 'macvtap', name: 'm' }, /^link: a macvtap needs its underlying link/, TypeError],
    ['bridge priority', { kind: 'bridge', name: 'b', priority: 65536 }, /^priority: must be between 0 and 65535/, RangeError],
    ['bridge stp', { kind: 'bridge', name: 'b', stp: 1 }, /^stp: expected true or false, got 1/, TypeError],
    ['bridge pvid', { kind: 'bridge', name: 'b', vlanDefaultPvid: 4095 }, /^vlanDefaultPvid: must be between 0 and 4094/, RangeError],
    ['bridge vlanProtocol', { kind: 'bridge', name: 'b', vlanProtocol: 'qinq' }, /^vlanProtocol: expected "802.1Q" or "802.1ad"/, TypeError],
    ['bad name', { kind: 'ifb', name: 'a/b' }, /^name: interface names may not/, TypeError],
    ['txqlen', { kind: 'ifb', name: 'i', txqlen: -1 }, /^txqlen: must be between 0 and 4294967295, got -1/, RangeError],
    ['tun mode', { kind: 'tun', name: 't', owner: -2 }, /^owner: must be between 0 and 2147483647, got -2/, RangeError],
    ['tap multiQueue', { kind: 'tap', name: 't', multiQueue: 'yes' }, /^multiQueue: expected true or false, got "yes"/, TypeError],
  ] as const)('links.add: %s', async (_what, spec, error, type) => {
    await refused((ns) => (ns.links as LinkTable).add(spec as never), error, type);
  });

  it('addTun: mode', async () => {
    await refused((ns) => ns.links.addTun({ name: 't', mode: 'tun2' as 'tun' }), /^mode: expected "tun" or "tap", got "tun2"/);
  });

  it.each([
    ['promisc', { promisc: 'on' }, /^promisc: expected true or false, got "on"/, TypeError],
    ['arp', { arp: 0 }, /^arp: expected true or false, got 0/, TypeError],
    ['broadcast', { broadcast: 'ff:ff' }, /^broadcast: /, TypeError],
    ['group', { group: 1.5 }, /^group: expected an integer, got 1.5/, TypeError],
    ['carrier', { carrier: 'up' }, /^carrier: expected true or false/, TypeError],
    ['bridgePort.learning', { bridgePort: { learning: 1 } }, /^bridgePort.learning: expected true or false, got 1/, TypeError],
    ['bridgePort.priority', { bridgePort: { priority: 64 } }, /^bridgePort.priority: port priority is 0..63, got 64/, RangeError],
    ['bridgePort.cost', { bridgePort: { cost: -1 } }, /^bridgePort.cost: must be between 0 and 4294967295/, RangeError],
    ['bridgePort.state', { bridgePort: { state: 'on' } }, /^bridgePort.state: expected disabled, listening/, TypeError],
    ['namespace pid', { namespace: { pid: 0 } }, /^namespace.pid: expected a process id, got 0/, TypeError],
    ['namespace junk', { namespace: { fd: -1 } }, /^namespace: expected a Namespace, \{ fd \} or \{ pid \}/, TypeError],
  ] as const)('links.set: %s', async (_what, settings, error, type) => {
    await refused((ns) => ns.links.set('veth0', settings as never), error, type);
  });

  it('altName: empty and too long', async () => {
    await refused((ns) => ns.links.altName('add', 3, ''), /^altName: alternative names are 1 to 127 bytes long, got ""/, RangeError);
    await refused((ns) => ns.links.altName('add', 3, 'x'.repeat(128)), /^altName: alternative names are 1 to 127 bytes long/, RangeError);
  });

  it.each([
    ['home on IPv4', { address: '10.0.0.1/24', home: true }, /^home: home applies to IPv6 addresses only, got true/, TypeError],
    ['mngtmpaddr on IPv4', { address: '10.0.0.1/24', mngtmpaddr: true }, /^mngtmpaddr: mngtmpaddr applies to IPv6/, TypeError],
    ['optimistic on IPv4', { address: '10.0.0.1/24', optimistic: true }, /^optimistic: optimistic applies to IPv6/, TypeError],
    ['nodad not boolean', { address: 'fd00::1/64', nodad: 'yes' }, /^nodad: expected true or false, got "yes"/, TypeError],
    ['preferred > valid', { address: '10.0.0.1/24', validLifetime: 10, preferredLifetime: 20 }, /^preferredLifetime: must not exceed validLifetime \(10\), got 20/, RangeError],
    ['valid 0', { address: '10.0.0.1/24', validLifetime: 0 }, /^validLifetime: must be positive, got 0/, RangeError],
    ['valid negative', { address: '10.0.0.1/24', validLifetime: -5 }, /^validLifetime: must be between 0 and 4294967295, got -5/, RangeError],
    ['valid text', { address: '10.0.0.1/24', validLifetime: 'always' }, /^validLifetime: expected an integer, got "always"/, TypeError],
    ['scope', { address: '10.0.0.1/24', scope: 'galaxy' }, /^scope: expected one of global, site, link, host, nowhere or 0..255, got "galaxy"/, TypeError],
  ] as const)('addresses.add: %s', async (_what, spec, error, type) => {
    await refused((ns) => ns.addresses.add({ link: 3, ...spec } as never), error, type);
  });

  it('addresses.list: scope', async () => {
    await refused((ns) => ns.addresses.list({ scope: 'moon' as 'link' }), /^scope: expected one of global/);
  });
});

// --- 5. unknown kinds ------------------------------------------------------------

describe('a kind the library does not know', () => {
  it('keeps its name and raw IFLA_INFO_DATA, and re-encodes byte for byte', () => {
    const data: RawAttribute[] = [{ type: 1, data: Buffer.from([1, 2, 3, 4]) }, { type: 0x8002, data: Buffer.from('0800010005000000', 'hex') }];
    const wire = encodeLink(C.RTM_NEWLINK, 0, { index: 7, name: 'wg0', linkInfo: { kind: 'wireguard', data } });
    const m = decodeLink({ buf: wire, start: 16, end: wire.length, type: C.RTM_NEWLINK, flags: 0, seq: 0, pid: 0 } as never);
    const link = new Link({} as Namespace, m);
    expect(link.kind).toBe('wireguard');
    expect(link.kindData).toEqual(data);
    expect([link.bridge, link.vxlan, link.vlan, link.macvlan, link.tun]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect((link.toJSON() as { linkinfo: object }).linkinfo).toEqual({ info_kind: 'wireguard' });
    expect(encodeLink(C.RTM_NEWLINK, 0, m)).toEqual(wire);
  });

  it('kind decoders keep attributes they do not lift under `other`', () => {
    const extra = { type: 99, data: Buffer.from([7]) };
    expect(decodeMacvlanData([...encodeMacvlanData({ mode: 'vepa' }), extra])).toEqual({ mode: 'vepa', other: [extra] });
    expect(encodeMacvlanData({ mode: 'vepa', other: [extra] })).toContainEqual(extra);
  });
});

export type { LinkMessage };
