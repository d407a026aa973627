// Nexthop codec and verbs against iproute2 captures (test/fixtures/more/
// nexthop-*; capture-more.sh): singles, blackhole, weighted and resilient groups.
import * as C from '../../lib/netlink/constants';
import { decodeNexthop, encodeNexthop } from '../../lib/rtnl/nexthop';
import { NexthopTable, toNexthop } from '../../lib/model/nexthop';
import { attrs, expectRoundTrip, messagesOf, moreFixture, normalised, recordingNamespace, sentNormalised, view } from '../helpers/more-fixtures';

const req = (name: string) => moreFixture(name).messages.find((m) => m.direction === 'request')!;

describe('nexthop codec: every captured message round-trips', () => {
  test.each(messagesOf('nexthop-', ['RTM_NEWNEXTHOP', 'RTM_DELNEXTHOP', 'RTM_GETNEXTHOP']))('%s', (_n, m) => {
    expectRoundTrip(normalised(m), 8, decodeNexthop, encodeNexthop);
  });
});

describe('nexthop codec: decoded fields', () => {
  test('nexthop-add-group: wire weights are weight - 1', () => {
    expect(decodeNexthop(view(normalised(req('nexthop-add-group'))))).toEqual({
      family: C.AF_UNSPEC, scope: 0, protocol: 0, flags: 0, id: 10, group: [{ id: 1, weight: 2 }, { id: 2, weight: 0 }],
    });
  });
  test('nexthop-add-resilient: NHA_RES_GROUP in clock ticks', () => {
    expect(decodeNexthop(view(normalised(req('nexthop-add-resilient'))))).toMatchObject({
      id: 11, groupType: C.NEXTHOP_GRP_TYPE_RES, resGroup: { buckets: 8, idleTimer: 6000, unbalancedTimer: 12000 },
    });
  });
  test('nexthop-dump: replies read as ip -j nexthop shows them', () => {
    const replies = moreFixture('nexthop-dump').messages.filter((m) => m.type === 'RTM_NEWNEXTHOP')
      .map((m) => JSON.parse(JSON.stringify(toNexthop(decodeNexthop(view(Buffer.from(m.hex, 'hex'))), new Map([[3, 'veth0']])))));
    expect(replies).toEqual([
      { id: 1, gateway: '10.0.0.2', dev: 'veth0', scope: 'link', flags: [] },
      { id: 2, gateway: '10.0.0.3', dev: 'veth0', scope: 'link', flags: [] },
      { id: 11, group: [{ id: 1 }, { id: 2 }], type: 'resilient', resilient_args: { buckets: 8, idle_timer: 60, unbalanced_timer: 0, unbalanced_time: 0 }, flags: [] },
    ]);
  });
});

describe('requests built by ns.nexthops equal iproute2\'s (less NLM_F_ECHO, which we add to read the id back)', () => {
  test.each([
    ['nexthop-add', { id: 1, via: '10.0.0.2', dev: 'veth0' }],
    ['nexthop-add-blackhole', { id: 3, blackhole: true }],
    ['nexthop-add-group', { id: 10, group: [{ id: 1, weight: 3 }, 2] }],
    ['nexthop-add-resilient', { id: 11, group: [1, 2], type: 'resilient', resilient: { buckets: 8, idleTimer: 60, unbalancedTimer: 120 } }],
  ] as const)('%s', async (name, spec) => {
    const { ns, sent } = recordingNamespace({ veth0: 3 });
    await new NexthopTable(ns).add(spec as never);
    const ours = sentNormalised(sent[0]);
    expect(ours.readUInt16LE(6) & C.NLM_F_ECHO).toBe(C.NLM_F_ECHO);
    ours.writeUInt16LE(ours.readUInt16LE(6) & ~C.NLM_F_ECHO, 6);
    const theirs = normalised(req(name));
    expect(ours.subarray(0, 24)).toEqual(theirs.subarray(0, 24));
    expect(attrs(ours, 8)).toEqual(attrs(theirs, 8));
  });
  test('nexthop-del', async () => {
    const { ns, sent } = recordingNamespace({});
    await new NexthopTable(ns).delete(2);
    expect(sentNormalised(sent[0])).toEqual(normalised(req('nexthop-del')));
  });
});
