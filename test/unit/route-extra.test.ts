// The route features of issue 3 against iproute2 captures (test/fixtures/more/
// route-*; capture-more.sh): metrics (with a lock and the string congctl),
// multipath weights, RTA_VIA, RTA_PREF, RTA_NH_ID; replies of a dump with them.
import * as C from '../../lib/netlink/constants';
import { decodeRoute, encodeRoute } from '../../lib/rtnl/route';
import { RouteSpec, RouteTable, toRoute } from '../../lib/model/route';
import { expectRoundTrip, messagesOf, moreFixture, normalised, recordingNamespace, sentNormalised, view } from '../helpers/more-fixtures';

const req = (name: string) => moreFixture(name).messages.find((m) => m.direction === 'request')!;

describe('route codec: the kernel\'s replies round-trip', () => {
  test.each(messagesOf('route-dump', ['RTM_NEWROUTE']))('%s', (_n, m) => {
    expectRoundTrip(normalised(m), 12, decodeRoute, encodeRoute);
  });
});

describe('route codec: decoded fields', () => {
  test('route-add-metrics: RTAX_* by number, RTAX_CC_ALGO as a string, RTAX_LOCK bits', () => {
    const m = decodeRoute(view(normalised(req('route-add-metrics'))));
    expect(m.metrics).toEqual({ [C.RTAX_MTU]: 1400, [C.RTAX_ADVMSS]: 1300, [C.RTAX_INITCWND]: 10, [C.RTAX_CC_ALGO]: 'cubic', [C.RTAX_LOCK]: 1 << C.RTAX_MTU });
    expect(toRoute(m)).toMatchObject({ metrics: { mtu: 1400, advmss: 1300, initcwnd: 10, congctl: 'cubic' }, locked: ['mtu'] });
  });
  test('route-add-multipath: rtnh_hops is weight - 1', () => {
    expect(decodeRoute(view(normalised(req('route-add-multipath')))).multipath).toEqual([
      { flags: 0, hops: 1, index: 0, gateway: '10.0.0.2' }, { flags: 0, hops: 0, index: 0, gateway: '10.0.0.3' },
    ]);
  });
  test('route-add-via-inet6, route-add-v6-pref, route-add-nhid', () => {
    expect(decodeRoute(view(normalised(req('route-add-via-inet6')))).via).toEqual({ family: C.AF_INET6, address: 'fd00::2' });
    expect(decodeRoute(view(normalised(req('route-add-v6-pref')))).pref).toBe(C.ICMPV6_ROUTER_PREF_HIGH);
    expect(decodeRoute(view(normalised(req('route-add-nhid')))).nhId).toBe(1);
  });
  test('route-dump-special: replies read as ip -j route shows them', () => {
    const names = new Map([[3, 'veth0']]);
    const routes = moreFixture('route-dump-special').messages.filter((m) => m.type === 'RTM_NEWROUTE')
      .map((m) => JSON.parse(JSON.stringify(toRoute(decodeRoute(view(Buffer.from(m.hex, 'hex'))), names))));
    expect(routes).toEqual([
      { dst: '10.0.0.0/24', dev: 'veth0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.1', flags: [] },
      { dst: '10.2.0.0/16', gateway: '10.0.0.2', dev: 'veth0', flags: [], metrics: [{ mtu: 1400, congestion: 'cubic' }] },
      { dst: '10.3.0.0/16', flags: [], nexthops: [{ gateway: '10.0.0.2', dev: 'veth0', weight: 2, flags: [] }, { gateway: '10.0.0.3', dev: 'veth0', weight: 1, flags: [] }] },
      { type: 'throw', dst: '10.4.0.0/16', flags: [] },
    ]);
  });
});

describe('requests built by ns.routes decode to iproute2\'s (we also send RTA_TABLE; metrics nest in RTAX order)', () => {
  test.each([
    ['route-add-metrics', { to: '10.2.0.0/16', via: '10.0.0.2', metrics: { mtu: 1400, advmss: 1300, initcwnd: 10, congctl: 'cubic' }, lock: ['mtu'] }],
    ['route-add-multipath', { to: '10.3.0.0/16', nexthops: [{ via: '10.0.0.2', weight: 2 }, { via: '10.0.0.3' }] }],
    ['route-add-via-inet6', { to: '10.6.0.0/16', viaInet6: 'fd00::2', dev: 'veth0' }],
    ['route-add-v6-pref', { to: 'fd01::/64', via: 'fd00::2', pref: 'high' }],
    ['route-add-nhid', { to: '10.9.0.0/16', nhid: 1 }],
  ] as [string, RouteSpec][])('%s', async (name, spec) => {
    const { ns, sent } = recordingNamespace({ veth0: 3 });
    await new RouteTable(ns).add(spec);
    const ours = sentNormalised(sent[0]);
    const theirs = Buffer.from(req(name).hex, 'hex').fill(0, 8, 16);
    expect(ours.subarray(4, 28)).toEqual(theirs.subarray(4, 28)); // type, flags, rtmsg
    expect(decodeRoute(view(ours))).toEqual(decodeRoute(view(theirs)));
  });
});
