// Addresses against `ip -j addr`: add/replace/delete/flush/list through the
// library, checked field by field with ip, and addresses ip made read back.
import { Address, Link, Namespace, NetlinkError } from '../../lib';
import { AddrView, ipAddrs, ipDo, ipRoutes, sorted, viewOfAddress, viewOfIpAddr } from '../helpers/ip';
import { linkNames, useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };

/** A namespace with a veth pair a0/a1, both up, without IPv6 link-local addresses (so nothing appears behind our back). */
async function setup(scope: ReturnType<typeof useNamespaces>): Promise<{ ns: NamedNs; a0: Link; a1: Link }> {
  const ns = await scope.named();
  const [a0, a1] = await ns.links.addVeth({ name: 'a0', peer: { name: 'a1' } });
  ipDo(ns.name, 'link', 'set', 'a0', 'addrgenmode', 'none');
  ipDo(ns.name, 'link', 'set', 'a1', 'addrgenmode', 'none');
  await a0.setUp();
  await a1.setUp();
  return { ns, a0, a1 };
}

async function ourViews(ns: Namespace, list?: Address[]): Promise<AddrView[]> {
  const names = await linkNames(ns);
  return sorted((list ?? (await ns.addresses.list())).map((a) => viewOfAddress(a, names)));
}

function ipViews(ns: string, dev?: string, family?: 4 | 6): AddrView[] {
  const fam = family === 4 ? 'inet' : family === 6 ? 'inet6' : undefined;
  return sorted(ipAddrs(ns, dev).filter((a) => !fam || a.family === fam).map(viewOfIpAddr));
}

describe('addresses', () => {
  const scope = useNamespaces();

  it('adds an IPv4 address: ip shows local, prefixlen, family, scope and label', async () => {
    const { ns, a0 } = await setup(scope);
    const added = await a0.addresses.add('10.1.0.1/24');
    expect([added.family, added.address, added.prefixLength, added.cidr, added.linkIndex]).toEqual([4, '10.1.0.1', 24, '10.1.0.1/24', a0.index]);
    const theirs = ipAddrs(ns.name, 'a0');
    expect(theirs).toEqual([expect.objectContaining({ family: 'inet', local: '10.1.0.1', prefixlen: 24, scope: 'global', label: 'a0' })]);
    expect(await ourViews(ns)).toEqual(ipViews(ns.name));
    // The kernel's prefix route came with it.
    expect(ipRoutes(ns.name, { family: 4 })).toContainEqual(expect.objectContaining({ dst: '10.1.0.0/24', dev: 'a0', protocol: 'kernel', scope: 'link', prefsrc: '10.1.0.1' }));
  });

  it('adds IPv6 addresses, with and without nodad', async () => {
    const { ns, a0, a1 } = await setup(scope);
    const n = await a0.addresses.add('fd00::1/64', { nodad: true });
    expect([n.family, n.address, n.prefixLength]).toEqual([6, 'fd00::1', 64]);
    await a1.addresses.add('fd00:0:0:0::2/64'); // written long; stored and printed short
    const ip0 = ipAddrs(ns.name, 'a0');
    const ip1 = ipAddrs(ns.name, 'a1');
    expect(ip0).toEqual([expect.objectContaining({ family: 'inet6', local: 'fd00::1', prefixlen: 64, scope: 'global', nodad: true })]);
    expect(ip0[0].tentative).toBeUndefined();
    expect(ip1).toEqual([expect.objectContaining({ local: 'fd00::2', prefixlen: 64 })]);
    const ours = await ns.addresses.list({ family: 6 });
    const o0 = ours.find((a) => a.address === 'fd00::1')!;
    expect(o0.tentative).toBe(false);
    expect(o0.validLifetime).toBe(0xffffffff);
    expect(ours.find((a) => a.address === 'fd00::2')).toBeDefined();
    // DAD on a1 is running or done; our flag agrees with ip's at the same moment (retry if DAD finished between the two reads).
    for (let i = 0; i < 3; i++) {
      const fresh = (await a1.addresses.list())[0];
      const theirs = ipAddrs(ns.name, 'a1')[0];
      if (fresh.tentative === (theirs.tentative === true)) break;
      if (i === 2) expect(fresh.tentative).toBe(theirs.tentative === true);
    }
    expect(await ourViews(ns)).toEqual(ipViews(ns.name));
  });

  it('peer, broadcast "+", explicit broadcast, label and scope as ip shows them', async () => {
    const { ns, a0 } = await setup(scope);
    const p = await a0.addresses.add('10.9.0.1', { peer: '10.9.0.2/32' });
    expect([p.address, p.peer, p.prefixLength]).toEqual(['10.9.0.1', '10.9.0.2', 32]);
    const b = await a0.addresses.add('10.2.0.1/24', { broadcast: '+', label: 'a0:web' });
    expect([b.broadcast, b.label]).toEqual(['10.2.0.255', 'a0:web']);
    await a0.addresses.add('10.3.0.1/20', { broadcast: '10.3.15.254' });
    await a0.addresses.add('10.4.0.1/16', { scope: 'link' });
    await a0.addresses.add('127.0.0.2/8');
    const theirs = ipAddrs(ns.name, 'a0');
    expect(theirs).toContainEqual(expect.objectContaining({ local: '10.9.0.1', address: '10.9.0.2', prefixlen: 32 }));
    expect(theirs).toContainEqual(expect.objectContaining({ local: '10.2.0.1', broadcast: '10.2.0.255', label: 'a0:web' }));
    expect(theirs).toContainEqual(expect.objectContaining({ local: '10.3.0.1', prefixlen: 20, broadcast: '10.3.15.254' }));
    expect(theirs).toContainEqual(expect.objectContaining({ local: '10.4.0.1', scope: 'link' }));
    expect(theirs).toContainEqual(expect.objectContaining({ local: '127.0.0.2', scope: 'host' }));
    expect(await ourViews(ns)).toEqual(ipViews(ns.name));
    expect(ipRoutes(ns.name)).toContainEqual(expect.objectContaining({ dst: '10.9.0.2', dev: 'a0', prefsrc: '10.9.0.1' }));
  });

  it('list() filters by link and by family exactly as ip -4/-6 addr show dev does', async () => {
    const { ns, a0, a1 } = await setup(scope);
    await a0.addresses.add('10.1.0.1/24');
    await a0.addresses.add('fd00::1/64', { nodad: true });
    await a1.addresses.add('10.1.0.2/24');
    await a1.addresses.add('fd00::2/64', { nodad: true });
    const lo = await ns.links.get('lo');
    await lo.setUp();
    for (const link of ['a0', 'a1', 'lo']) {
      for (const family of [undefined, 4, 6] as const) {
        const ours = await ns.addresses.list({ link, family });
        expect([link, family, await ourViews(ns, ours)]).toEqual([link, family, ipViews(ns.name, link, family)]);
      }
    }
    expect((await a0.addresses.list({ family: 4 })).map((a) => a.cidr)).toEqual(['10.1.0.1/24']);
    expect((await ns.addresses.list({ family: 6 })).map((a) => a.cidr).sort()).toEqual(['::1/128', 'fd00::1/64', 'fd00::2/64']);
    expect(await ourViews(ns)).toEqual(ipViews(ns.name));
  });

  it('delete() by text and by Address removes exactly that address', async () => {
    const { ns, a0 } = await setup(scope);
    await a0.addresses.add('10.1.0.1/24');
    const second = await a0.addresses.add('10.1.0.7/24');
    const v6 = await a0.addresses.add('fd00::1/64', { nodad: true });
    // Deleting the secondary keeps the primary.
    await a0.addresses.delete(second);
    expect(ipAddrs(ns.name, 'a0').map((a) => a.local).sort()).toEqual(['10.1.0.1', 'fd00::1']);
    await ns.addresses.delete(v6);
    expect(ipAddrs(ns.name, 'a0').map((a) => a.local)).toEqual(['10.1.0.1']);
    await a0.addresses.delete('10.1.0.1/24');
    expect(ipAddrs(ns.name, 'a0')).toEqual([]);
    expect(await a0.addresses.list()).toEqual([]);
    const e = await a0.addresses.delete('10.1.0.1/24').catch((x) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('EADDRNOTAVAIL');
    expect(e.operation).toBe('address.delete');
    expect(e.message).toContain('10.1.0.1/24');
  });

  it('deletes a peer address given as returned by list()', async () => {
    const { ns, a0 } = await setup(scope);
    await a0.addresses.add('10.9.0.1', { peer: '10.9.0.2/32' });
    const [listed] = await a0.addresses.list();
    expect(listed.peer).toBe('10.9.0.2');
    await ns.addresses.delete(listed);
    expect(ipAddrs(ns.name, 'a0')).toEqual([]);
  });

  it('flush() removes all of a link\'s addresses, or one family\'s', async () => {
    const { ns, a0, a1 } = await setup(scope);
    for (let i = 1; i <= 5; i++) await a0.addresses.add(`10.1.0.${i}/24`);
    await a0.addresses.add('fd00::1/64', { nodad: true });
    await a1.addresses.add('10.1.0.100/24');
    // 10.1.0.2-5 are secondaries of 10.1.0.1; all five go, none fails.
    expect((await a0.addresses.list({ family: 4 })).filter((a) => a.flags & 1 /* IFA_F_SECONDARY */)).toHaveLength(4);
    expect(await a0.addresses.flush({ family: 4 })).toBe(5);
    expect(ipAddrs(ns.name, 'a0').map((a) => a.local)).toEqual(['fd00::1']);
    expect(ipAddrs(ns.name, 'a1').map((a) => a.local)).toEqual(['10.1.0.100']);
    expect(await ns.addresses.flush({ link: 'a1' })).toBe(1);
    expect(await a0.addresses.flush()).toBe(1);
    expect(ipAddrs(ns.name, 'a0')).toEqual([]);
    expect(ipAddrs(ns.name, 'a1')).toEqual([]);
    expect(await a0.addresses.flush()).toBe(0);
  });

  it('replace() creates when absent, updates in place when present; add() refuses a duplicate', async () => {
    const { ns, a0 } = await setup(scope);
    await a0.addresses.replace('10.1.0.1/24');
    expect(ipAddrs(ns.name, 'a0').map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['10.1.0.1/24']);
    const dup = await a0.addresses.add('10.1.0.1/24').catch((x) => x);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect(dup.code).toBe('EEXIST');
    // Replacing with a metric re-creates the prefix route with it; still one address.
    await a0.addresses.replace('10.1.0.1/24', { metric: 55 });
    expect(ipAddrs(ns.name, 'a0')).toHaveLength(1);
    expect(ipRoutes(ns.name, { family: 4 })).toContainEqual(expect.objectContaining({ dst: '10.1.0.0/24', metric: 55 }));
    await a0.addresses.replace('fd00::1/64', { nodad: true });
    await a0.addresses.replace('fd00::1/64', { nodad: true });
    expect(ipAddrs(ns.name, 'a0').filter((a) => a.family === 'inet6')).toHaveLength(1);
    expect(await ourViews(ns)).toEqual(ipViews(ns.name));
  });

  it('noprefixroute adds no route', async () => {
    const { ns, a0 } = await setup(scope);
    await a0.addresses.add('10.8.0.1/24', { noprefixroute: true });
    expect(ipAddrs(ns.name, 'a0')).toEqual([expect.objectContaining({ local: '10.8.0.1', noprefixroute: true })]);
    expect(ipRoutes(ns.name, { family: 4 }).filter((r) => r.dst === '10.8.0.0/24')).toEqual([]);
  });

  it('addresses made by ip read back identically', async () => {
    const name = scope.ipNamed();
    ipDo(name, 'link', 'add', 'i0', 'type', 'veth', 'peer', 'name', 'i1');
    ipDo(name, 'link', 'set', 'lo', 'up');
    ipDo(name, 'link', 'set', 'i0', 'up');
    ipDo(name, 'link', 'set', 'i1', 'up');
    ipDo(name, 'addr', 'add', '10.1.0.1/24', 'dev', 'i0');
    ipDo(name, 'addr', 'add', '10.2.0.1/24', 'brd', '+', 'label', 'i0:two', 'dev', 'i0');
    ipDo(name, 'addr', 'add', '10.9.0.1', 'peer', '10.9.0.2/32', 'dev', 'i0');
    ipDo(name, 'addr', 'add', '10.4.0.1/16', 'scope', 'link', 'dev', 'i1');
    ipDo(name, 'addr', 'add', 'fd00::1/64', 'dev', 'i0', 'nodad');
    ipDo(name, 'addr', 'add', 'fd00:1::1/48', 'dev', 'i1');
    const ns = scope.track(await Namespace.open(name));
    // IPv6 link-local addresses come and go with DAD; compare everything after a settled read.
    const ours = await ourViews(ns);
    const theirs = ipViews(name);
    expect(ours.filter((a) => !a.local.startsWith('fe80'))).toEqual(theirs.filter((a) => !a.local.startsWith('fe80')));
    expect(ours).toContainEqual({ dev: 'i0', family: 'inet', local: '10.2.0.1', prefixlen: 24, scope: 'global', label: 'i0:two', broadcast: '10.2.0.255' });
    expect(ours).toContainEqual({ dev: 'i0', family: 'inet', local: '10.9.0.1', address: '10.9.0.2', prefixlen: 32, scope: 'global', label: 'i0' });
    expect(ours).toContainEqual({ dev: 'i1', family: 'inet6', local: 'fd00:1::1', prefixlen: 48, scope: 'global' });
  });
});
