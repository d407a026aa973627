// Routes against `ip -d -j route`: what the library adds ip shows with the same
// type/dst/gateway/dev/protocol/scope/metric/table/prefsrc, and back again.
import { Link, Namespace, NetlinkError, Route } from '../../lib';
import { ipDo, ipJson, ipRoutes, RouteView, sorted, viewOfIpRoute, viewOfRoute } from '../helpers/ip';
import { linkNames, useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };

/**
 * r0 (10.1.0.1/24, fd00::1/64) and r1 (10.2.0.1/24, fd02::1/64) in a named
 * namespace, both up, their peers (the gateways' side) up in an anonymous one;
 * no IPv6 link-local noise.
 */
async function setup(scope: ReturnType<typeof useNamespaces>): Promise<{ ns: NamedNs; r0: Link; r1: Link }> {
  const ns = await scope.named();
  const far = await scope.anonymous();
  const [r0] = await ns.links.addVeth({ name: 'r0', peer: { name: 'p0', namespace: far, up: true } });
  const [r1] = await ns.links.addVeth({ name: 'r1', peer: { name: 'p1', namespace: far, up: true } });
  ipDo(ns.name, 'link', 'set', 'r0', 'addrgenmode', 'none');
  ipDo(ns.name, 'link', 'set', 'r1', 'addrgenmode', 'none');
  await r0.addresses.add('10.1.0.1/24');
  await r1.addresses.add('10.2.0.1/24');
  await r0.addresses.add('fd00::1/64', { nodad: true });
  await r1.addresses.add('fd02::1/64', { nodad: true });
  return { ns, r0: await r0.setUp(), r1: await r1.setUp() };
}

async function ourViews(ns: Namespace, routes: Route[]): Promise<RouteView[]> {
  const names = await linkNames(ns);
  return sorted(routes.map((r) => viewOfRoute(r, names)));
}

function ipViews(ns: string, opts: { family?: 4 | 6; table?: string | number } = {}): RouteView[] {
  return sorted(ipRoutes(ns, opts).map(viewOfIpRoute));
}

async function expectSameAsIp(ns: NamedNs, opts: { family?: 4 | 6; table?: string | number } = {}): Promise<void> {
  const table = opts.table === 'all' ? 'all' : opts.table;
  const ours = await ns.routes.list({ family: opts.family, table: table as never });
  expect(await ourViews(ns, ours)).toEqual(ipViews(ns.name, opts));
}

describe('routes', () => {
  const scope = useNamespaces();

  it('adds a route via a gateway, a default route, a dev-only route and one with src', async () => {
    const { ns } = await setup(scope);
    const viaGw = await ns.routes.add({ to: '10.5.0.0/16', via: '10.1.0.2' });
    expect([viaGw.to, viaGw.via, viaGw.protocol, viaGw.scope, viaGw.type, viaGw.table]).toEqual(['10.5.0.0/16', '10.1.0.2', 'boot', 'global', 'unicast', 'main']);
    await ns.routes.add({ to: 'default', via: '10.1.0.2' });
    const devOnly = await ns.routes.add({ to: '10.6.0.0/16', dev: 'r0' });
    expect(devOnly.scope).toBe('link');
    await ns.routes.add({ to: '10.7.0.0/16', dev: 'r1', src: '10.1.0.1' });
    await ns.routes.add({ to: '10.8.0.9', dev: 'r0' }); // a host route
    const theirs = ipRoutes(ns.name, { family: 4 });
    expect(theirs).toContainEqual(expect.objectContaining({ dst: '10.5.0.0/16', gateway: '10.1.0.2', dev: 'r0', protocol: 'boot', scope: 'global', type: 'unicast' }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: 'default', gateway: '10.1.0.2', dev: 'r0' }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: '10.6.0.0/16', dev: 'r0', scope: 'link', protocol: 'boot' }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: '10.7.0.0/16', dev: 'r1', scope: 'link', prefsrc: '10.1.0.1' }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: '10.8.0.9', dev: 'r0', scope: 'link' }));
    await expectSameAsIp(ns, { family: 4 });
    const listed = await ns.routes.list({ family: 4 });
    expect(listed.find((r) => r.to === 'default')!.via).toBe('10.1.0.2');
    expect(listed.find((r) => r.to === '10.8.0.9/32')).toBeDefined();
  });

  it('metric: routes to one prefix with different metrics coexist', async () => {
    const { ns } = await setup(scope);
    await ns.routes.add({ to: '10.5.0.0/16', via: '10.1.0.2', metric: 7 });
    await ns.routes.add({ to: '10.5.0.0/16', dev: 'r1', metric: 20 });
    const theirs = ipRoutes(ns.name, { family: 4 }).filter((r) => r.dst === '10.5.0.0/16');
    expect(theirs.map((r) => [r.metric, r.gateway, r.dev])).toEqual([[7, '10.1.0.2', 'r0'], [20, undefined, 'r1']]);
    await expectSameAsIp(ns, { family: 4 });
    const route = await ns.routes.get('10.5.3.3');
    expect([route.via, route.dev]).toEqual(['10.1.0.2', (await ns.links.get('r0')).index]);
  });

  it('tables by number (100) and by name (main); list by table', async () => {
    const { ns } = await setup(scope);
    await ns.routes.add({ to: '10.6.0.0/16', dev: 'r0', table: 100 });
    await ns.routes.add({ to: '10.9.0.0/16', via: '10.1.0.2', table: 100, metric: 3 });
    await ns.routes.add({ to: '10.6.0.0/16', via: '10.1.0.2', table: 'main' });
    await ns.routes.add({ to: 'fd09::/64', via: 'fd00::2', table: 100 });
    const t100 = await ns.routes.list({ table: 100 });
    expect(t100.map((r) => [r.to, r.table]).sort()).toEqual([['10.6.0.0/16', 100], ['10.9.0.0/16', 100], ['fd09::/64', 100]]);
    expect(ipRoutes(ns.name, { table: 100 }).map((r) => r.dst).sort()).toEqual(['10.6.0.0/16', '10.9.0.0/16', 'fd09::/64']);
    await expectSameAsIp(ns, { table: 100 });
    await expectSameAsIp(ns, { table: 100, family: 4 });
    await expectSameAsIp(ns, { table: 'main' });
    const main = await ns.routes.list({ table: 'main', family: 4 });
    expect(main.find((r) => r.to === '10.6.0.0/16')!.via).toBe('10.1.0.2');
    expect(main.every((r) => r.table === 'main')).toBe(true);
    // The default filter is main, as `ip route show`.
    expect((await ns.routes.list()).map((r) => r.to).sort()).toEqual((await ns.routes.list({ table: 'main' })).map((r) => r.to).sort());
    await expectSameAsIp(ns, { table: 'all' });
  });

  it('types blackhole, unreachable, prohibit (IPv4 and IPv6) and local', async () => {
    const { ns } = await setup(scope);
    for (const [i, type] of (['blackhole', 'unreachable', 'prohibit'] as const).entries()) {
      const r = await ns.routes.add({ to: `10.${20 + i}.0.0/16`, type });
      expect(r.type).toBe(type);
      await ns.routes.add({ to: `fd${20 + i}::/64`, type });
    }
    await ns.routes.add({ to: '10.1.0.77', type: 'local', dev: 'r0', table: 'local' });
    const v4 = ipRoutes(ns.name, { family: 4 });
    expect(v4).toContainEqual(expect.objectContaining({ type: 'blackhole', dst: '10.20.0.0/16' }));
    expect(v4).toContainEqual(expect.objectContaining({ type: 'unreachable', dst: '10.21.0.0/16' }));
    expect(v4).toContainEqual(expect.objectContaining({ type: 'prohibit', dst: '10.22.0.0/16' }));
    const v6 = ipRoutes(ns.name, { family: 6 });
    expect(v6).toContainEqual(expect.objectContaining({ type: 'blackhole', dst: 'fd20::/64', dev: 'lo' }));
    expect(v6).toContainEqual(expect.objectContaining({ type: 'unreachable', dst: 'fd21::/64' }));
    expect(v6).toContainEqual(expect.objectContaining({ type: 'prohibit', dst: 'fd22::/64' }));
    expect(ipRoutes(ns.name, { table: 'local', family: 4 })).toContainEqual(
      expect.objectContaining({ type: 'local', dst: '10.1.0.77', dev: 'r0', scope: 'host', protocol: 'boot' }));
    await expectSameAsIp(ns, { table: 'main' });
    await expectSameAsIp(ns, { table: 'local' });
    // The kernel acts on them.
    const e = await ns.routes.get('10.21.1.1').catch((x) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('EHOSTUNREACH');
    expect((await ns.routes.get('10.1.0.77')).type).toBe('local');
  });

  it('IPv6 routes: via, default, dev-only, metric', async () => {
    const { ns } = await setup(scope);
    const r = await ns.routes.add({ to: 'fd01::/64', via: 'fd00::2' });
    expect(r.family).toBe(6);
    await ns.routes.add({ to: 'default', via: 'fd00::2' });
    await ns.routes.add({ to: 'fd02::/48', dev: 'r1', metric: 5 });
    await ns.routes.add({ to: 'default', family: 6, dev: 'r1', metric: 2000 });
    await ns.routes.add({ to: 'fd03::/64', via: 'fd02::2', dev: 'r1' });
    const theirs = ipRoutes(ns.name, { family: 6 });
    expect(theirs).toContainEqual(expect.objectContaining({ dst: 'fd01::/64', gateway: 'fd00::2', dev: 'r0', metric: 1024, protocol: 'boot' }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: 'default', gateway: 'fd00::2', dev: 'r0', metric: 1024 }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: 'fd02::/48', dev: 'r1', metric: 5 }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: 'default', dev: 'r1', metric: 2000 }));
    expect(theirs).toContainEqual(expect.objectContaining({ dst: 'fd03::/64', gateway: 'fd02::2', dev: 'r1' }));
    await expectSameAsIp(ns, { family: 6 });
    await expectSameAsIp(ns, { family: 6, table: 'all' });
    // The v4 list holds none of them.
    expect((await ns.routes.list({ family: 4 })).every((x) => x.family === 4)).toBe(true);
    await expectSameAsIp(ns, { family: 4 });
  });

  it('replace() changes a route in place and creates a missing one; add() of a duplicate is EEXIST', async () => {
    const { ns } = await setup(scope);
    await ns.routes.add({ to: '10.5.0.0/16', via: '10.1.0.2' });
    const dup = await ns.routes.add({ to: '10.5.0.0/16', via: '10.1.0.2' }).catch((x) => x);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect(dup.code).toBe('EEXIST');
    expect(dup.operation).toBe('route.add');
    await ns.routes.replace({ to: '10.5.0.0/16', dev: 'r1' });
    const replaced = ipRoutes(ns.name, { family: 4 }).filter((r) => r.dst === '10.5.0.0/16');
    expect(replaced).toEqual([expect.objectContaining({ dev: 'r1', scope: 'link' })]);
    expect(replaced[0].gateway).toBeUndefined();
    await ns.routes.replace({ to: '10.55.0.0/16', type: 'blackhole' });
    await ns.routes.replace({ to: '10.55.0.0/16', type: 'unreachable' });
    expect(ipRoutes(ns.name, { family: 4 }).filter((r) => r.dst === '10.55.0.0/16').map((r) => r.type)).toEqual(['unreachable']);
    await ns.routes.replace({ to: 'fd01::/64', via: 'fd00::2' });
    await ns.routes.replace({ to: 'fd01::/64', dev: 'r1' });
    expect(ipRoutes(ns.name, { family: 6 }).filter((r) => r.dst === 'fd01::/64')).toEqual([expect.objectContaining({ dev: 'r1' })]);
    await expectSameAsIp(ns);
  });

  it('delete() by spec and by a listed Route; a missing one is ESRCH', async () => {
    const { ns } = await setup(scope);
    await ns.routes.add({ to: '10.5.0.0/16', via: '10.1.0.2' });
    await ns.routes.add({ to: '10.6.0.0/16', dev: 'r0', table: 100, metric: 9 });
    await ns.routes.add({ to: 'fd01::/64', via: 'fd00::2' });
    await ns.routes.add({ to: '10.30.0.0/16', type: 'blackhole' });
    await ns.routes.delete({ to: '10.5.0.0/16' });
    expect(ipRoutes(ns.name, { family: 4 }).map((r) => r.dst)).not.toContain('10.5.0.0/16');
    const [t100] = await ns.routes.list({ table: 100 });
    await ns.routes.delete(t100);
    expect(ipRoutes(ns.name, { table: 100 })).toEqual([]);
    const v6 = (await ns.routes.list({ family: 6 })).find((r) => r.to === 'fd01::/64')!;
    await ns.routes.delete(v6);
    expect(ipRoutes(ns.name, { family: 6 }).map((r) => r.dst)).not.toContain('fd01::/64');
    const bh = (await ns.routes.list({ family: 4 })).find((r) => r.type === 'blackhole')!;
    await ns.routes.delete(bh);
    expect(ipRoutes(ns.name, { family: 4 }).filter((r) => r.type === 'blackhole')).toEqual([]);
    const e = await ns.routes.delete({ to: '10.5.0.0/16' }).catch((x) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('ESRCH');
    expect(e.operation).toBe('route.delete');
    await expectSameAsIp(ns);
  });

  it('get(dst) answers as ip route get does', async () => {
    const { ns, r0 } = await setup(scope);
    await ns.routes.add({ to: '10.5.0.0/16', via: '10.1.0.2' });
    await ns.routes.add({ to: 'fd01::/64', via: 'fd00::2' });
    const names = await linkNames(ns);
    await ns.routes.add({ to: '10.6.0.0/16', via: '10.2.0.2', src: '10.1.0.1' });
    for (const dst of ['10.5.1.1', '10.1.0.2', 'fd01::9', 'fd00::2', '10.1.0.1', '10.6.7.8', '10.2.0.9']) {
      const ours = await ns.routes.get(dst);
      const [theirs] = ipJson<{ dst: string; gateway?: string; dev: string; prefsrc?: string; type?: string }[]>(ns.name, 'route', 'get', dst);
      expect([dst, ours.to.replace(/\/(32|128)$/, ''), ours.via, names.get(ours.dev!), ours.src])
        .toEqual([dst, theirs.dst, theirs.gateway, theirs.dev, theirs.prefsrc]);
    }
    expect((await ns.routes.get('10.1.0.1')).type).toBe('local');
    // With oif and from.
    const viaOif = await ns.routes.get('10.1.0.9', { oif: r0, from: '10.1.0.1' });
    const [t] = ipJson<{ dev: string }[]>(ns.name, 'route', 'get', '10.1.0.9', 'oif', 'r0', 'from', '10.1.0.1');
    expect(names.get(viaOif.dev!)).toBe(t.dev);
    // No route: the kernel's errno.
    const e = await ns.routes.get('192.0.2.1').catch((x) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('ENETUNREACH');
    expect(e.operation).toBe('route.get');
  });

  it('routes made by ip read back identically', async () => {
    const name = scope.ipNamed();
    const far = scope.ipNamed();
    ipDo(name, 'link', 'add', 'i0', 'type', 'veth', 'peer', 'name', 'p0', 'netns', far);
    ipDo(name, 'link', 'add', 'i1', 'type', 'veth', 'peer', 'name', 'p1', 'netns', far);
    for (const d of ['i0', 'i1']) ipDo(name, 'link', 'set', d, 'addrgenmode', 'none', 'up');
    for (const d of ['p0', 'p1']) ipDo(far, 'link', 'set', d, 'up');
    ipDo(name, 'addr', 'add', '10.1.0.1/24', 'dev', 'i0');
    ipDo(name, 'addr', 'add', 'fd00::1/64', 'dev', 'i0', 'nodad');
    ipDo(name, 'route', 'add', 'default', 'via', '10.1.0.2');
    ipDo(name, 'route', 'add', '10.5.0.0/16', 'via', '10.1.0.2', 'metric', '7', 'proto', 'static');
    ipDo(name, 'route', 'add', '10.6.0.0/16', 'dev', 'i1', 'src', '10.1.0.1', 'table', '100');
    ipDo(name, 'route', 'add', 'blackhole', '10.7.0.0/16');
    ipDo(name, 'route', 'add', 'prohibit', '10.8.0.0/16', 'table', '200');
    ipDo(name, 'route', 'add', 'unreachable', '10.9.0.0/16', 'metric', '3');
    ipDo(name, 'route', 'add', 'fd01::/64', 'via', 'fd00::2', 'proto', 'ra');
    ipDo(name, 'route', 'add', 'local', '10.1.0.99', 'dev', 'i0', 'table', 'local');
    ipDo(name, 'route', 'add', '10.10.0.0/16', 'dev', 'i0', 'scope', 'host');
    const ns = scope.track(await Namespace.open(name)) as NamedNs;
    await expectSameAsIp(ns, { table: 'all' });
    await expectSameAsIp(ns, { family: 4, table: 'main' });
    await expectSameAsIp(ns, { family: 6, table: 'main' });
    const r = (await ns.routes.list({ family: 4 })).find((x) => x.to === '10.5.0.0/16')!;
    expect([r.protocol, r.metric, r.via, r.scope]).toEqual(['static', 7, '10.1.0.2', 'global']);
    expect((await ns.routes.list({ table: 200 })).map((x) => [x.to, x.type])).toEqual([['10.8.0.0/16', 'prohibit']]);
    expect((await ns.routes.list({ family: 6 })).find((x) => x.to === 'fd01::/64')!.protocol).toBe('ra');
  });
});
