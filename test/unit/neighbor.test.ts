// Neighbour/FDB codec and verbs against iproute2 captures (test/fixtures/more/
// neigh-*, fdb-*; capture-more.sh).
import * as C from '../../lib/netlink/constants';
import { decodeNeighbor, encodeNeighbor } from '../../lib/rtnl/neighbor';
import { FdbTable, NeighborTable, toNeighbor } from '../../lib/model/neighbor';
import { attrs, expectRoundTrip, messagesOf, moreFixture, normalised, recordingNamespace, sentNormalised, view } from '../helpers/more-fixtures';

const req = (name: string) => moreFixture(name).messages.find((m) => m.direction === 'request')!;
const ifindexOf = (name: string) => Buffer.from(req(name).hex, 'hex').readInt32LE(20);

describe('neighbour codec: every captured message round-trips', () => {
  test.each([...messagesOf('neigh-', ['RTM_NEWNEIGH', 'RTM_DELNEIGH', 'RTM_GETNEIGH']), ...messagesOf('fdb-', ['RTM_NEWNEIGH'])])('%s', (_n, m) => {
    expectRoundTrip(normalised(m), 12, decodeNeighbor, encodeNeighbor);
  });
});

describe('neighbour codec: decoded fields', () => {
  test('neigh-add: permanent IPv4 entry with a MAC', () => {
    expect(decodeNeighbor(view(Buffer.from(req('neigh-add').hex, 'hex')))).toEqual({
      family: C.AF_INET, ifindex: ifindexOf('neigh-add'), state: C.NUD_PERMANENT, flags: 0, type: 0, dst: '10.0.0.2', lladdr: '02:00:00:00:00:02',
    });
  });
  test('neigh-add-router-v6 and neigh-add-proxy', () => {
    expect(decodeNeighbor(view(normalised(req('neigh-add-router-v6'))))).toMatchObject({ family: C.AF_INET6, state: C.NUD_STALE, flags: C.NTF_ROUTER, dst: 'fd00::2' });
    const proxy = decodeNeighbor(view(normalised(req('neigh-add-proxy'))));
    expect(proxy).toMatchObject({ flags: C.NTF_PROXY, dst: '10.0.0.9' });
    expect(proxy.lladdr).toBeUndefined();
  });
  test('neigh-dump: the reply reads as ip -j shows it', () => {
    const reply = moreFixture('neigh-dump').messages.find((m) => m.type === 'RTM_NEWNEIGH')!;
    const n = toNeighbor(decodeNeighbor(view(Buffer.from(reply.hex, 'hex'))), new Map([[ifindexOf('neigh-add'), 'veth0']]));
    expect(JSON.parse(JSON.stringify(n))).toEqual({ dst: '10.0.0.3', dev: 'veth0', lladdr: '02:00:00:00:00:03', router: null, state: ['PERMANENT'] });
    expect(n.raw.cacheinfo).toBeDefined();
  });
  test('fdb entries: AF_BRIDGE, master/self, VXLAN dst, vni and port', () => {
    expect(decodeNeighbor(view(normalised(req('fdb-add-master'))))).toMatchObject({ family: C.AF_BRIDGE, flags: C.NTF_MASTER, state: C.NUD_NOARP | C.NUD_REACHABLE, lladdr: '02:00:00:00:00:99' });
    expect(decodeNeighbor(view(normalised(req('fdb-append-vxlan'))))).toMatchObject({ flags: C.NTF_SELF, state: C.NUD_NOARP | C.NUD_PERMANENT, dst: '10.0.0.2', lladdr: '00:00:00:00:00:00' });
    expect(decodeNeighbor(view(normalised(req('fdb-add-vxlan-vni'))))).toMatchObject({ vni: 43, port: 4790, dst: '10.0.0.3' });
  });
});

describe('requests built by ns.neighbors / ns.fdb equal iproute2\'s', () => {
  const compare = (name: string, sent: Buffer) => {
    const ours = sentNormalised(sent);
    const theirs = Buffer.from(req(name).hex, 'hex');
    theirs.fill(0, 8, 16);
    expect(ours.subarray(0, 28)).toEqual(theirs.subarray(0, 28));
    expect(attrs(ours, 12)).toEqual(attrs(theirs, 12));
  };
  test('neigh-add / neigh-add-router-v6 / neigh-add-proxy / neigh-del', async () => {
    const { ns, sent } = recordingNamespace({ veth0: ifindexOf('neigh-add') });
    const t = new NeighborTable(ns);
    await t.add({ to: '10.0.0.2', dev: 'veth0', lladdr: '02:00:00:00:00:02', state: 'permanent' });
    await t.add({ to: 'fd00::2', dev: 'veth0', lladdr: '02:00:00:00:00:04', router: true, state: 'stale' });
    await t.add({ to: '10.0.0.9', dev: 'veth0', proxy: true });
    await t.delete({ to: '10.0.0.2', dev: 'veth0' });
    ['neigh-add', 'neigh-add-router-v6', 'neigh-add-proxy', 'neigh-del'].forEach((n, i) => compare(n, sent[i]));
  });
  test('fdb-add-master / fdb-append-vxlan / fdb-add-vxlan-vni', async () => {
    const { ns, sent } = recordingNamespace({ veth1: ifindexOf('fdb-add-master'), vx0: ifindexOf('fdb-append-vxlan') });
    const t = new FdbTable(ns);
    await t.add({ mac: '02:00:00:00:00:99', dev: 'veth1', master: true, state: 'static' });
    await t.append({ mac: '00:00:00:00:00:00', dev: 'vx0', dst: '10.0.0.2', self: true, state: 'permanent' });
    await t.add({ mac: '02:00:00:00:00:97', dev: 'vx0', dst: '10.0.0.3', vni: 43, port: 4790, self: true });
    ['fdb-add-master', 'fdb-append-vxlan', 'fdb-add-vxlan-vni'].forEach((n, i) => compare(n, sent[i]));
  });
});
