// Everything else `ip route` does, against `ip -j route`: metrics and locks,
// IPv6 pref and expires, ECMP with weights, RTA_VIA, onlink, tos, every route
// type, tables by number and by rt_tables name, append/prepend/change/flush,
// kernel-side list filters and `get` with from/iif/oif/mark/fibmatch.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, reloadNames } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = <T>(x: T): any => JSON.parse(JSON.stringify(x));
const key = (r: { dst: string; table?: string; metric?: number; type?: string; dev?: string }) => `${r.table} ${r.type} ${r.dst} ${r.metric} ${r.dev}`;
const sortJ = <T extends { dst: string }>(xs: T[]) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1));

async function setup(scope: ReturnType<typeof useNamespaces>): Promise<NamedNs> {
  const ns = await scope.named();
  await ns.links.addVeth({ name: 'v0', peer: { name: 'v1', up: true }, up: true });
  ipDo(ns.name, 'link', 'set', 'v0', 'addrgenmode', 'none');
  ipDo(ns.name, 'link', 'set', 'v1', 'addrgenmode', 'none');
  ipDo(ns.name, 'addr', 'add', '10.0.0.1/24', 'dev', 'v0');
  ipDo(ns.name, 'addr', 'add', 'fd00::1/64', 'dev', 'v0', 'nodad');
  return ns;
}

async function expectSameJson(ns: NamedNs): Promise<void> {
  for (const family of [4, 6] as const) {
    const ours = json(await ns.routes.list({ family, table: 'all' }));
    expect(sortJ(ours)).toEqual(sortJ(ipJson(ns.name, `-${family}`, 'route', 'show', 'table', 'all')));
  }
}

describe('routes: the rest of ip route', () => {
  const scope = useNamespaces();

  it('metrics, locks, pref, ECMP, RTA_VIA, onlink, tos and every type; toJSON equals ip -j for all tables', async () => {
    const ns = await setup(scope);
    const r = ns.routes;
    const withMetrics = await r.add({ to: '10.2.0.0/16', via: '10.0.0.2', metrics: { mtu: 1400, advmss: 1300, initcwnd: 10, window: 1000, congctl: 'cubic' } });
    expect(withMetrics.metrics).toEqual({ mtu: 1400, advmss: 1300, initcwnd: 10, window: 1000, congctl: 'cubic' });
    await r.add({ to: '10.7.0.0/16', via: '10.0.0.2', metrics: { mtu: 1300 }, lock: ['mtu'], tos: 0x10 });
    await r.add({ to: '10.3.0.0/16', nexthops: [{ via: '10.0.0.2', weight: 2 }, { via: '10.0.0.3' }] });
    await r.add({ to: '10.5.0.0/16', via: '10.9.0.2', dev: 'v0', onlink: true, metric: 5 });
    await r.add({ to: '10.6.0.0/16', viaInet6: 'fd00::2', dev: 'v0' }); // RFC 5549: RTA_VIA
    await r.add({ to: 'fd01::/64', via: 'fd00::2', pref: 'high' });
    await r.add({ to: 'fd02::/64', via: 'fd00::2', pref: 'low', metrics: { hoplimit: 9 } });
    for (const type of ['blackhole', 'unreachable', 'prohibit', 'throw'] as const) await r.add({ to: '10.40.0.0/16', type, table: 100 + type.length });
    await r.add({ to: '10.0.0.255', type: 'broadcast', dev: 'v0', table: 200, protocol: 'kernel' });
    await r.add({ to: '10.0.0.77', type: 'local', dev: 'v0', table: 200 });
    await r.add({ to: '10.8.0.0/16', dev: 'v0', table: 4000000, protocol: 'bgp', scope: 'link' });
    const theirs = ipJson(ns.name, 'route', 'show', 'table', 'all');
    expect(theirs).toContainEqual({ dst: '10.3.0.0/16', flags: [], nexthops: [{ gateway: '10.0.0.2', dev: 'v0', weight: 2, flags: [] }, { gateway: '10.0.0.3', dev: 'v0', weight: 1, flags: [] }] });
    expect(theirs).toContainEqual({ dst: '10.6.0.0/16', via: { family: 'inet6', host: 'fd00::2' }, dev: 'v0', flags: [] });
    expect(theirs).toContainEqual({ dst: '10.5.0.0/16', gateway: '10.9.0.2', dev: 'v0', metric: 5, flags: ['onlink'] });
    expect(theirs).toContainEqual({ type: 'throw', dst: '10.40.0.0/16', table: '105', flags: [] });
    expect(theirs).toContainEqual({ dst: '10.8.0.0/16', dev: 'v0', table: '4000000', protocol: 'bgp', scope: 'link', flags: [] });
    expect(ipJson(ns.name, '-6', 'route', 'show', 'fd01::/64')).toEqual([{ dst: 'fd01::/64', gateway: 'fd00::2', dev: 'v0', metric: 1024, flags: [], pref: 'high' }]);
    const [locked] = await r.list({ protocol: 'boot', dev: 'v0' }).then((xs) => xs.filter((x) => x.to === '10.7.0.0/16'));
    expect(locked).toMatchObject({ tos: 0x10, metrics: { mtu: 1300 }, locked: ['mtu'] });
    const [ecmp] = (await r.list()).filter((x) => x.to === '10.3.0.0/16');
    expect(ecmp.multipath).toEqual([{ via: '10.0.0.2', dev: expect.any(Number), devName: 'v0', weight: 2, flags: 0 }, { via: '10.0.0.3', dev: expect.any(Number), devName: 'v0', weight: 1, flags: 0 }]);
    await expectSameJson(ns);
  });

  it('reads routes added by ip field by field', async () => {
    const ns = await setup(scope);
    ipDo(ns.name, 'route', 'add', '10.20.0.0/16', 'via', '10.0.0.2', 'mtu', 'lock', '1280', 'rto_min', '5ms', 'quickack', '1', 'proto', 'static', 'metric', '7', 'table', '77');
    ipDo(ns.name, '-6', 'route', 'add', 'fd09::/64', 'pref', 'low', 'expires', '300', 'nexthop', 'via', 'fd00::2', 'weight', '3', 'nexthop', 'via', 'fd00::3');
    const [r4] = await ns.routes.list({ table: 77 });
    expect(r4).toMatchObject({
      family: 4, to: '10.20.0.0/16', via: '10.0.0.2', devName: 'v0', metric: 7, protocol: 'static', table: 77, type: 'unicast',
      scope: 'global', metrics: { mtu: 1280, rto_min: 5, quickack: 1 }, locked: ['mtu', 'rto_min'], // ip always locks rto_min
    });
    const [r6] = (await ns.routes.list({ family: 6 })).filter((x) => x.to === 'fd09::/64');
    expect(r6).toMatchObject({ family: 6, pref: 'low', metric: 1024 });
    expect(r6.expires).toBeGreaterThan(290);
    expect(r6.multipath?.map((h) => [h.via, h.weight])).toEqual([['fd00::2', 3], ['fd00::3', 1]]);
    expect(sortJ(json(await ns.routes.list({ table: 77 })))).toEqual(ipJson(ns.name, 'route', 'show', 'table', 'all').filter((x: { table?: string }) => x.table === '77'));
  });

  it('append, prepend, change, replace, flush; kernel-side filters by protocol, type and dev', async () => {
    const ns = await setup(scope);
    const r = ns.routes;
    await r.add({ to: 'fd05::/64', via: 'fd00::2' });
    await r.append({ to: 'fd05::/64', via: 'fd00::3' }); // IPv6: becomes a second nexthop
    expect(ipJson(ns.name, '-6', 'route', 'show', 'fd05::/64')[0].nexthops.map((h: { gateway: string }) => h.gateway)).toEqual(['fd00::2', 'fd00::3']);
    await r.add({ to: '10.30.0.0/16', via: '10.0.0.2', tos: 0 });
    await r.prepend({ to: '10.30.0.0/16', via: '10.0.0.3', tos: 8 });
    expect(ipJson(ns.name, 'route', 'show', '10.30.0.0/16')).toHaveLength(2);
    await r.change({ to: '10.30.0.0/16', via: '10.0.0.4' });
    expect(ipJson(ns.name, 'route', 'show', '10.30.0.0/16')).toContainEqual({ dst: '10.30.0.0/16', gateway: '10.0.0.4', dev: 'v0', flags: [] });
    await expect(r.change({ to: '10.31.0.0/16', via: '10.0.0.4' })).rejects.toMatchObject({ code: 'ENOENT', operation: 'route.change' });
    await r.add({ to: '10.32.0.0/16', dev: 'v1', protocol: 'zebra' });
    await r.add({ to: '10.33.0.0/16', type: 'blackhole' });
    expect((await r.list({ protocol: 'zebra' })).map((x) => x.to)).toEqual(['10.32.0.0/16']);
    expect((await r.list({ type: 'blackhole' })).map((x) => x.to)).toEqual(['10.33.0.0/16']);
    expect((await r.list({ dev: 'v1', family: 4 })).map((x) => x.to)).toEqual(['10.32.0.0/16']);
    expect((await r.list({ dev: 'v0', family: 4 })).map((x) => x.to).sort()).toEqual(['10.0.0.0/24', '10.30.0.0/16', '10.30.0.0/16']);
    expect(await r.flush({ protocol: 'boot', family: 4 })).toBe(3);
    expect(ipJson(ns.name, '-4', 'route', 'show').map((x: { dst: string }) => x.dst)).toEqual(['10.0.0.0/24', '10.32.0.0/16']);
  });

  it('get like ip route get: from, iif, oif, mark, fibmatch; toJSON equals ip -j route get', async () => {
    const ns = await setup(scope);
    await ns.routes.add({ to: '10.2.0.0/16', via: '10.0.0.2', metrics: { mtu: 1400 } });
    const got = await ns.routes.get('10.2.0.1');
    expect(got).toMatchObject({ to: '10.2.0.1/32', via: '10.0.0.2', devName: 'v0', src: '10.0.0.1' });
    expect(json(got)).toEqual(ipJson(ns.name, 'route', 'get', '10.2.0.1')[0]);
    const marked = await ns.routes.get('10.2.0.1', { from: '10.0.0.1', mark: 5, oif: 'v0' });
    expect(json(marked)).toEqual(ipJson(ns.name, 'route', 'get', '10.2.0.1', 'from', '10.0.0.1', 'mark', '5', 'oif', 'v0')[0]);
    const fib = await ns.routes.get('10.2.0.1', { fibmatch: true });
    expect(fib).toMatchObject({ to: '10.2.0.0/16', via: '10.0.0.2', metrics: { mtu: 1400 } });
    expect(json(fib)).toEqual(ipJson(ns.name, 'route', 'get', 'fibmatch', '10.2.0.1')[0]);
    ipDo(ns.name, 'link', 'set', 'lo', 'up');
    const input = await ns.routes.get('10.0.0.1', { from: '10.0.0.9', iif: 'v0' });
    expect(input).toMatchObject({ type: 'local', iif: expect.any(Number) });
    await expect(ns.routes.get('10.99.0.1')).rejects.toMatchObject({ code: 'ENETUNREACH', operation: 'route.get' });
  });

  it('IPv6 source routing: from PREFIX both ways', async () => {
    const ns = await setup(scope);
    const r = await ns.routes.add({ to: 'fd05::/64', from: 'fd06::/64', via: 'fd00::2' });
    expect(r.from).toBe('fd06::/64');
    ipDo(ns.name, '-6', 'route', 'add', 'fd07::/64', 'from', 'fd08::/64', 'via', 'fd00::3');
    const listed = (await ns.routes.list({ family: 6 })).filter((x) => x.from);
    expect(listed.map((x) => [x.to, x.from, x.via])).toEqual([['fd05::/64', 'fd06::/64', 'fd00::2'], ['fd07::/64', 'fd08::/64', 'fd00::3']]);
    expect(json(listed)).toEqual(ipJson(ns.name, '-6', 'route', 'show').filter((x: { from?: string }) => x.from));
    await ns.routes.delete(listed[0]);
    expect(ipJson(ns.name, '-6', 'route', 'show', 'fd05::/64')).toEqual([]);
  });

  it('tables by name from rt_tables and rt_tables.d', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-iproute2-'));
    fs.writeFileSync(path.join(dir, 'rt_tables'), '# comment\n255\tlocal\n254\tmain\n100 blue\n0x65 green # hex\n');
    fs.mkdirSync(path.join(dir, 'rt_tables.d'));
    fs.writeFileSync(path.join(dir, 'rt_tables.d', 'x.conf'), '300 red\n');
    fs.writeFileSync(path.join(dir, 'rt_tables.d', 'ignored.txt'), '301 nope\n');
    const saved = process.env.RTNETLINK_IPROUTE2_DIR;
    process.env.RTNETLINK_IPROUTE2_DIR = dir;
    reloadNames();
    try {
      const ns = await setup(scope);
      const blue = await ns.routes.add({ to: '10.60.0.0/16', via: '10.0.0.2', table: 'blue' });
      expect(blue.table).toBe('blue');
      await ns.routes.add({ to: '10.61.0.0/16', via: '10.0.0.2', table: 'green' });
      await ns.routes.add({ to: '10.62.0.0/16', via: '10.0.0.2', table: 'red' });
      expect((await ns.routes.list({ table: 'red' })).map((x) => [x.to, x.table])).toEqual([['10.62.0.0/16', 'red']]);
      expect((await ns.routes.list({ table: 101 })).map((x) => x.table)).toEqual(['green']);
      expect(ipJson(ns.name, 'route', 'show', 'table', '300')).toEqual([{ dst: '10.62.0.0/16', gateway: '10.0.0.2', dev: 'v0', flags: [] }]);
      expect(ipJson(ns.name, 'route', 'show', 'table', '100')).toHaveLength(1);
      await expect(ns.routes.add({ to: '10.63.0.0/16', via: '10.0.0.2', table: 'nope' })).rejects.toThrow(/^table: expected one of .*blue.*red.* got "nope"/);
      await ns.rules.add({ priority: 10, table: 'red' });
      expect((await ns.rules.list({ family: 4 })).find((x) => x.priority === 10)?.table).toBe('red');
    } finally {
      if (saved === undefined) delete process.env.RTNETLINK_IPROUTE2_DIR; else process.env.RTNETLINK_IPROUTE2_DIR = saved;
      reloadNames();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validation errors name the field and the value', async () => {
    const ns = await setup(scope);
    const cases: [Parameters<typeof ns.routes.add>[0], RegExp][] = [
      [{ to: '10.1.0.0/16', metrics: { mtu: -1 } }, /^metrics.mtu: must be between 0 and 4294967295, got -1/],
      [{ to: '10.1.0.0/16', metrics: { bogus: 1 } as never }, /^metrics: unknown metric; expected one of mtu, window/],
      [{ to: '10.1.0.0/16', metrics: { congctl: 5 as unknown as string } }, /^metrics.congctl: expected a congestion control name/],
      [{ to: '10.1.0.0/16', lock: ['speed' as 'mtu'] }, /^lock: expected a metric name/],
      [{ to: '10.1.0.0/16', via: '10.0.0.2', pref: 'high' }, /^pref: route preference is for IPv6 routes only, got "high"/],
      [{ to: 'fd01::/64', via: 'fd00::2', pref: 'top' as 'high' }, /^pref: expected one of low, medium, high/],
      [{ to: '10.1.0.0/16', via: '10.0.0.2', expires: 5 }, /^expires: expiry is for IPv6 routes only, got 5/],
      [{ to: '10.1.0.0/16', nexthops: [] }, /^nexthops: expected a non-empty array/],
      [{ to: '10.1.0.0/16', nexthops: [{}] }, /^nexthops\[0\]: a nexthop needs a via or a dev/],
      [{ to: '10.1.0.0/16', nexthops: [{ via: '10.0.0.2', weight: 0 }] }, /^nexthops\[0\].weight: weights are 1..256, got 0/],
      [{ to: '10.1.0.0/16', via: '10.0.0.2', nexthops: [{ via: '10.0.0.3' }] }, /^via: give the gateways inside nexthops, not both/],
      [{ to: 'fd01::/64', via: '10.0.0.2' }, /^via: expected an IPv6 gateway for fd01::\/64/],
      [{ to: '10.1.0.0/16', via: 'fd00::2' }, /^via: expected an IPv4 gateway for 10.1.0.0\/16 \(an IPv6 one for IPv4 goes in viaInet6\), got "fd00::2"/],
      [{ to: 'fd01::/64', viaInet6: 'fd00::2' }, /^viaInet6: an IPv6 route takes its gateway in via, got "fd00::2"/],
      [{ to: '10.1.0.0/16', viaInet6: '10.0.0.2' }, /^viaInet6: expected an IPv6 address, got "10.0.0.2"/],
      [{ to: '10.1.0.0/16', nhid: 0 }, /^nhid: nexthop ids are 1..4294967295, got 0/],
      [{ to: '10.1.0.0/16', via: '10.0.0.2', tos: 256 }, /^tos: must be between 0 and 255, got 256/],
      [{ to: '10.1.0.0/16', type: 'teleport' as 'local' }, /^type: expected one of unicast, local/],
      [{ to: '10.1.0.0/16', table: -1 }, /^table: expected one of .* or a number 0..4294967295, got -1/],
      [{ to: '10.1.0.0/16', from: 'fd00::/64' }, /^from: expected an IPv4 prefix, got "fd00::\/64"/],
    ];
    for (const [spec, message] of cases) await expect(ns.routes.add(spec)).rejects.toThrow(message);
    await expect(ns.routes.list({ protocol: 'nope' as 'boot' })).rejects.toThrow(/^protocol: expected one of/);
    await expect(ns.routes.list({ type: 'nope' as 'local' })).rejects.toThrow(/^type: expected one of/);
    await expect(ns.routes.get('10.0.0.1', { sport: 70000 })).rejects.toThrow(/^sport: ports are 0..65535, got 70000/);
    await expect(ns.routes.get('10.0.0.1', { tos: -1 })).rejects.toThrow(/^tos: must be between 0 and 255, got -1/);
    expect(ipJson(ns.name, '-4', 'route', 'show').map((x: { dst: string }) => x.dst)).toEqual(['10.0.0.0/24']);
  });
});
