// Addresses beyond the basics, against `ip -j addr`: peer, broadcast '+',
// scope, label, IFA_F_* flags, lifetimes, replace, filtered lists, DAD states,
// and toJSON() equal to ip's addr_info entry.
import { Namespace } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AddrInfo = any;

function ipAddrInfo(ns: string, dev: string): AddrInfo[] {
  return ipJson<{ addr_info: AddrInfo[] }[]>(ns, 'addr', 'show', 'dev', dev)[0].addr_info;
}

/** Our toJSON of every address on dev equals ip's addr_info, entry by entry (in dump order). */
async function expectJsonEqualsIp(ns: Namespace & { name: string }, dev: string): Promise<void> {
  const ours = (await ns.addresses.list({ link: dev })).map((a) => a.toJSON());
  expect(ours).toEqual(ipAddrInfo(ns.name, dev));
}

async function vethUp(ns: Namespace): Promise<void> {
  await ns.links.addVeth({ name: 'v0', up: true, peer: { name: 'v1', up: true } });
}

describe('addresses (extra)', () => {
  const scope = useNamespaces();

  it('peer, broadcast "+", scope, label: ours read by ip, field by field', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    await ns.addresses.add({ link: 'v0', address: '10.9.0.1', peer: '10.9.0.2/32', scope: 'link' });
    await ns.addresses.add({ link: 'v0', address: '10.1.0.1/16', broadcast: '+', label: 'v0:x' });
    await ns.addresses.add({ link: 'v0', address: '10.2.0.1/24', broadcast: '10.2.0.77', scope: 'host' });
    const ip = ipAddrInfo(ns.name, 'v0').filter((a: AddrInfo) => a.family === 'inet');
    expect(ip).toEqual(expect.arrayContaining([
      expect.objectContaining({ local: '10.9.0.1', address: '10.9.0.2', prefixlen: 32, scope: 'link' }),
      expect.objectContaining({ local: '10.1.0.1', prefixlen: 16, broadcast: '10.1.255.255', label: 'v0:x', scope: 'global' }),
      expect.objectContaining({ local: '10.2.0.1', broadcast: '10.2.0.77', scope: 'host' }),
    ]));
    await expectJsonEqualsIp(ns, 'v0');
  });

  it('flags nodad, noprefixroute, home, mngtmpaddr and lifetimes: ours read by ip', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    const a = await ns.addresses.add({
      link: 'v0', address: 'fd00::1/64', nodad: true, noprefixroute: true, home: true, mngtmpaddr: true,
      validLifetime: 100, preferredLifetime: 50,
    });
    expect(a.flagNames).toEqual(expect.arrayContaining(['nodad', 'home', 'mngtmpaddr', 'noprefixroute']));
    const ip = ipAddrInfo(ns.name, 'v0').find((x: AddrInfo) => x.local === 'fd00::1');
    expect(ip).toMatchObject({ nodad: true, noprefixroute: true, home: true, mngtmpaddr: true, dynamic: true });
    expect(ip.valid_life_time).toBeLessThanOrEqual(100);
    expect(ip.valid_life_time).toBeGreaterThan(90);
    expect(ip.preferred_life_time).toBeLessThanOrEqual(50);
    const [ours] = (await ns.addresses.list({ link: 'v0', family: 6 })).filter((x) => x.address === 'fd00::1');
    expect(ours.validLifetime).toBeGreaterThan(90);
    expect(ours.flagNames).not.toContain('permanent');
    // noprefixroute: no fd00::/64 route was added.
    expect(ipJson(ns.name, '-6', 'route', 'show', 'fd00::/64')).toEqual([]);
  });

  it('flags and lifetimes set by ip are what we read', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    ipDo(ns.name, 'addr', 'add', 'fd00::5/64', 'dev', 'v0', 'nodad', 'home', 'valid_lft', '200', 'preferred_lft', '0');
    ipDo(ns.name, 'addr', 'add', '10.3.0.1/24', 'dev', 'v0', 'noprefixroute', 'label', 'v0:lab', 'metric', '77');
    const list = await ns.addresses.list({ link: 'v0' });
    const v6 = list.find((a) => a.address === 'fd00::5')!;
    expect(v6.flagNames).toEqual(expect.arrayContaining(['nodad', 'home', 'deprecated']));
    expect(v6.preferredLifetime).toBe(0);
    expect(v6.validLifetime).toBeGreaterThan(190);
    const v4 = list.find((a) => a.address === '10.3.0.1')!;
    expect([v4.label, v4.metric, v4.flagNames]).toEqual(['v0:lab', 77, ['permanent', 'noprefixroute']]);
    await expectJsonEqualsIp(ns, 'v0');
  });

  it('replace updates in place: lifetimes and metric (IPv4), flags too (IPv6)', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    await ns.addresses.add({ link: 'v0', address: '10.4.0.1/24' });
    await expect(ns.addresses.add({ link: 'v0', address: '10.4.0.1/24' })).rejects.toMatchObject({ code: 'EEXIST' });
    await ns.addresses.replace({ link: 'v0', address: '10.4.0.1/24', validLifetime: 300, preferredLifetime: 300, metric: 9 });
    const ip = ipAddrInfo(ns.name, 'v0').find((x: AddrInfo) => x.local === '10.4.0.1');
    expect(ip).toMatchObject({ dynamic: true, metric: 9 });
    expect(ip.valid_life_time).toBeGreaterThan(290);
    expect((await ns.addresses.list({ link: 'v0', family: 4 })).length).toBe(1);
    // IPv6 replace also rewrites the flags (inet6_addr_modify); IPv4 keeps them.
    await ns.addresses.add({ link: 'v0', address: 'fd00::4/64', nodad: true });
    await ns.addresses.replace({ link: 'v0', address: 'fd00::4/64', nodad: true, noprefixroute: true, validLifetime: 'forever' });
    expect(ipAddrInfo(ns.name, 'v0').find((x: AddrInfo) => x.local === 'fd00::4')).toMatchObject({ nodad: true, noprefixroute: true });
    await expectJsonEqualsIp(ns, 'v0');
  });

  it('list filters by link, family and scope like ip addr show dev/-4/-6/scope', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    await ns.links.set('lo', { up: true });
    await ns.addresses.add({ link: 'v0', address: '10.5.0.1/24' });
    await ns.addresses.add({ link: 'v1', address: '10.5.0.2/24', scope: 'link' });
    await ns.addresses.add({ link: 'v1', address: 'fd00::2/64', nodad: true });
    const cidrs = (xs: { cidr: string }[]) => xs.map((x) => x.cidr).sort();
    const ipCidrs = (...args: string[]) => ipJson<{ addr_info: AddrInfo[] }[]>(ns.name, ...args)
      .flatMap((l) => l.addr_info.filter((a: AddrInfo) => a.local !== undefined).map((a: AddrInfo) => `${a.local}/${a.prefixlen}`)).sort();
    expect(cidrs(await ns.addresses.list({ link: 'v1' }))).toEqual(ipCidrs('addr', 'show', 'dev', 'v1'));
    expect(cidrs(await ns.addresses.list({ family: 4 }))).toEqual(ipCidrs('-4', 'addr', 'show'));
    expect(cidrs(await ns.addresses.list({ family: 6 }))).toEqual(ipCidrs('-6', 'addr', 'show'));
    expect(cidrs(await ns.addresses.list({ scope: 'link' }))).toEqual(ipCidrs('addr', 'show', 'scope', 'link'));
    expect(cidrs(await ns.addresses.list({ scope: 'host' }))).toEqual(ipCidrs('addr', 'show', 'scope', 'host'));
    expect(cidrs(await ns.addresses.list({ family: 4, scope: 'link', link: 'v1' }))).toEqual(['10.5.0.2/24']);
  });

  it('IPv6 DAD: tentative is readable and waitSettled waits it out', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    const added = await ns.addresses.add({ link: 'v0', address: 'fd00::9/64' });
    const [now] = (await ns.addresses.list({ link: 'v0', family: 6 })).filter((a) => a.address === 'fd00::9');
    expect(now.tentative).toBe(true);
    expect(ipAddrInfo(ns.name, 'v0').find((x: AddrInfo) => x.local === 'fd00::9').tentative).toBe(true);
    const settled = await ns.addresses.waitSettled(added, { timeout: 10000 });
    expect([settled.tentative, settled.dadFailed]).toEqual([false, false]);
    expect(ipAddrInfo(ns.name, 'v0').find((x: AddrInfo) => x.local === 'fd00::9').tentative).toBeUndefined();
  });

  it('IPv6 DAD: a duplicate is dadfailed, and waitSettled rejects saying so', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    await ns.addresses.add({ link: 'v1', address: 'fd00::7/64', nodad: true });
    const dup = await ns.addresses.add({ link: 'v0', address: 'fd00::7/64' });
    await expect(ns.addresses.waitSettled(dup, { timeout: 10000 })).rejects.toThrow(/dadfailed/);
    const [failed] = (await ns.addresses.list({ link: 'v0' })).filter((a) => a.address === 'fd00::7');
    expect([failed.dadFailed, failed.tentative]).toEqual([true, true]);
    expect(ipAddrInfo(ns.name, 'v0').find((x: AddrInfo) => x.local === 'fd00::7')).toMatchObject({ dadfailed: true, tentative: true });
    await expectJsonEqualsIp(ns, 'v0');
  });

  it('optimistic: kept by the kernel when the link has optimistic_dad on', async () => {
    const ns = await scope.named();
    await vethUp(ns);
    ipDo(undefined, 'netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv6.conf.v0.optimistic_dad=1');
    const a = await ns.addresses.add({ link: 'v0', address: 'fd00::3/64', optimistic: true });
    expect(a.flagNames).toContain('optimistic');
    const ip = ipAddrInfo(ns.name, 'v0').find((x: AddrInfo) => x.local === 'fd00::3');
    expect(ip).toMatchObject({ optimistic: true });
    const [ours] = (await ns.addresses.list({ link: 'v0' })).filter((x) => x.address === 'fd00::3');
    expect(ours.flagNames).toContain('optimistic');
  });
});
