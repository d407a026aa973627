// Links against `ip -d -j link`: what the library creates ip reports with the
// same fields, and what ip creates the library reads back identically.
import { Link, Namespace, NotFoundError } from '../../lib';
import { ipDo, ipLink, ipLinks, ipJson, LinkView, viewOfIpLink, viewOfLink } from '../helpers/ip';
import { linkNames, randomMac, useNamespaces } from '../helpers/ns';

/** Our view of every link of `ns`, by ifindex. */
async function ourViews(ns: Namespace): Promise<LinkView[]> {
  const links = await ns.links.list();
  const names = new Map(links.map((l) => [l.index, l.name]));
  return links.map((l) => viewOfLink(l, names)).sort((a, b) => a.ifindex - b.ifindex);
}

function ipViews(name: string): LinkView[] {
  return ipLinks(name).map(viewOfIpLink).sort((a, b) => a.ifindex - b.ifindex);
}

async function expectSameAsIp(ns: Namespace & { name: string }, link: Link): Promise<void> {
  const theirs = ipLink(ns.name, link.name);
  expect(theirs).toBeDefined();
  expect(viewOfLink(link, await linkNames(ns))).toEqual(viewOfIpLink(theirs!));
}

describe('links', () => {
  const scope = useNamespaces();

  it('addVeth puts the peer directly in another namespace, never in this one', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const mac = randomMac();
    const [host, ctr] = await a.links.addVeth({ name: 'veth-ctr', mtu: 1400, peer: { name: 'eth0', namespace: b, mac } });
    expect(host.namespace).toBe(a);
    expect(ctr.namespace).toBe(b);
    expect(ipLinks(a.name).map((l) => l.ifname).sort()).toEqual(['lo', 'veth-ctr']);
    expect(ipLinks(b.name).map((l) => l.ifname).sort()).toEqual(['eth0', 'lo']);
    expect(ctr.mac).toBe(mac);
    expect(host.mtu).toBe(1400);
    await expectSameAsIp(a, host);
    await expectSameAsIp(b, ctr);
    // Each end names the other by ifindex, in the namespace its link-netnsid denotes.
    expect(host.kind).toBe('veth');
    expect(host.linkIndex).toBe(ctr.index);
    expect(ctr.linkIndex).toBe(host.index);
    expect(ipLink(a.name, 'veth-ctr')!.link_index).toBe(ctr.index);
    expect(ipLink(b.name, 'eth0')!.link_index).toBe(host.index);
    expect(host.linkNetnsId).toBe(await a.nsidOf(b));
    expect(ctr.linkNetnsId).toBe(await b.nsidOf(a));
    expect(host.linkNetnsId).toBeGreaterThanOrEqual(0);
    // ip netns list-id shows the same assignment.
    const ids = ipJson<{ nsid: number; name?: string }[]>(a.name, 'netns', 'list-id');
    expect(ids).toContainEqual(expect.objectContaining({ nsid: host.linkNetnsId, name: b.name }));
  });

  it('peer() resolves both ways: the container end to the host end and back', async () => {
    const host = await scope.named();
    const ctr = await scope.named();
    const [h, c] = await host.links.addVeth({ name: 'vh0', peer: { name: 'eth0', namespace: ctr } });
    const fromCtr = await c.peer();
    expect(fromCtr).toBeDefined();
    expect(fromCtr!.namespace.equals(host)).toBe(true);
    expect([fromCtr!.index, fromCtr!.name]).toEqual([h.index, 'vh0']);
    const fromHost = await h.peer();
    expect(fromHost!.namespace.equals(ctr)).toBe(true);
    expect([fromHost!.index, fromHost!.name]).toEqual([c.index, 'eth0']);
    // Round trip.
    const back = await fromHost!.peer();
    expect(back!.namespace.equals(host)).toBe(true);
    expect(back!.index).toBe(h.index);
    // Links without a peer have none.
    expect(await (await host.links.get('lo')).peer()).toBeUndefined();
    const br = await host.links.addBridge({ name: 'br0' });
    expect(await br.peer()).toBeUndefined();
  });

  it('peer() finds a namespace known only by name in the run directory (ip-made pair)', async () => {
    const a = scope.ipNamed();
    const b = scope.ipNamed();
    ipDo(a, 'link', 'add', 'v-a', 'type', 'veth', 'peer', 'name', 'v-b', 'netns', b);
    const na = scope.track(await Namespace.open(a));
    const va = await na.links.get('v-a');
    const ipVa = ipLink(a, 'v-a')!;
    expect(va.linkNetnsId).toBe(ipVa.link_netnsid);
    const peer = await va.peer();
    expect(peer).toBeDefined();
    scope.track(peer!.namespace);
    expect(peer!.namespace.name).toBe(b);
    expect(peer!.name).toBe('v-b');
    expect(peer!.index).toBe(ipLink(b, 'v-b')!.ifindex);
    // resolveNsid directly, and an unknown nsid is a NotFoundError.
    expect((await na.resolveNsid(va.linkNetnsId!)).equals(peer!.namespace)).toBe(true);
    await expect(na.resolveNsid(va.linkNetnsId! + 1000)).rejects.toThrow(NotFoundError);
  });

  it('a veth pair in one namespace: ip shows link by name; peer() stays here', async () => {
    const ns = await scope.named();
    const [x, y] = await ns.links.addVeth({ name: 'vx', peer: { name: 'vy' } });
    expect(x.linkNetnsId).toBeUndefined();
    expect(ipLink(ns.name, 'vx')!.link).toBe('vy');
    expect(ipLink(ns.name, 'vy')!.link).toBe('vx');
    const p = await x.peer();
    expect(p!.namespace).toBe(ns);
    expect(p!.index).toBe(y.index);
    await expectSameAsIp(ns, x);
    await expectSameAsIp(ns, y);
  });

  it('addVeth with up on both ends brings both up (the peer in a second request, as the kernel requires)', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const [x, y] = await a.links.addVeth({ name: 'upx', up: true, peer: { name: 'upy', namespace: b, up: true } });
    expect(x.up).toBe(true);
    expect(y.up).toBe(true);
    expect(ipLink(a.name, 'upx')!.flags).toContain('UP');
    expect(ipLink(b.name, 'upy')!.flags).toEqual(expect.arrayContaining(['UP', 'LOWER_UP']));
    await expectSameAsIp(b, await y.refresh());
  });

  it('list() equals ip -d -j link show field by field (and stream() yields the same)', async () => {
    const ns = await scope.named();
    const other = await scope.anonymous();
    const br = await ns.links.addBridge({ name: 'br-l', mtu: 1450 });
    const [v1] = await ns.links.addVeth({ name: 'v1', up: true, peer: { name: 'v1p', up: true } });
    await ns.links.addVeth({ name: 'v2', mac: randomMac(), peer: { name: 'v2p', namespace: other } });
    await v1.set({ master: br });
    await ns.links.get('lo').then((lo) => lo.setUp());
    const ours = await ourViews(ns);
    expect(ours.map((l) => l.ifname).sort()).toEqual(['br-l', 'lo', 'v1', 'v1p', 'v2']);
    expect(ours).toEqual(ipViews(ns.name));
    const streamed: string[] = [];
    for await (const l of ns.links.stream()) streamed.push(l.name);
    expect(streamed).toEqual((await ns.links.list()).map((l) => l.name));
  });

  it('names() maps every ifindex to its name, as ip -j link show does', async () => {
    const ns = await scope.named();
    await ns.links.addVeth({ name: 'vn', peer: { name: 'vn-p' } });
    await ns.links.addBridge({ name: 'brn' });
    const ip = ipJson<{ ifindex: number; ifname: string }[]>(ns.name, 'link', 'show');
    expect([...(await ns.links.names())].sort((a, b) => a[0] - b[0])).toEqual(ip.map((l) => [l.ifindex, l.ifname]).sort((a, b) => (a[0] as number) - (b[0] as number)));
  });

  it('toJSON() matches the corresponding fields of ip -j link show', async () => {
    const ns = await scope.named();
    const other = await scope.anonymous();
    await ns.links.addVeth({ name: 'vj', up: true, peer: { name: 'vj-p', namespace: other } });
    await ns.links.addBridge({ name: 'brj', up: true });
    const ip = ipJson<Record<string, unknown>[]>(ns.name, 'link', 'show');
    for (const l of await ns.links.list()) {
      const theirs = ip.find((x) => x.ifname === l.name)!;
      const ours = l.toJSON();
      const fields = ['ifindex', 'ifname', 'mtu', 'operstate', 'group', 'txqlen', 'address', 'broadcast', 'link_netnsid'];
      for (const f of fields) expect([l.name, f, ours[f]]).toEqual([l.name, f, theirs[f]]);
      // ip's derived NO-CARRIER / M-DOWN words included: toJSON prints them as ip does.
      expect(ours.flags).toEqual(theirs.flags);
    }
  });

  it('addBridge, set master and master: null, as ip sees it', async () => {
    const ns = await scope.named();
    const br = await ns.links.addBridge({ name: 'br0' });
    expect(br.kind).toBe('bridge');
    await expectSameAsIp(ns, br);
    const [a, b] = await ns.links.addVeth({ name: 'pa', peer: { name: 'pb' } });
    const a1 = await a.set({ master: br });
    const b1 = await ns.links.set('pb', { master: 'br0' });
    expect(a1.masterIndex).toBe(br.index);
    expect(b1.masterIndex).toBe(br.index);
    expect(ipLink(ns.name, 'pa')!.master).toBe('br0');
    expect(ipLink(ns.name, 'pb')!.master).toBe('br0');
    expect(ipJson<{ ifname: string }[]>(ns.name, 'link', 'show', 'master', 'br0').map((l) => l.ifname).sort()).toEqual(['pa', 'pb']);
    await expectSameAsIp(ns, a1);
    const a2 = await a1.set({ master: null });
    expect(a2.masterIndex).toBeUndefined();
    expect(ipLink(ns.name, 'pa')!.master).toBeUndefined();
    expect(ipLink(ns.name, 'pb')!.master).toBe('br0');
    // By index too.
    const a3 = await a2.set({ master: br.index });
    expect(ipLink(ns.name, 'pa')!.master).toBe('br0');
    expect(a3.masterIndex).toBe(br.index);
    void b;
  });

  it('setUp/setDown change flags and operstate as ip reports them', async () => {
    const ns = await scope.named();
    const [a, b] = await ns.links.addVeth({ name: 'ua', peer: { name: 'ub' } });
    expect(ipLink(ns.name, 'ua')!.flags).not.toContain('UP');
    const a1 = await a.setUp();
    expect(a1.up).toBe(true);
    expect(ipLink(ns.name, 'ua')!.flags).toContain('UP');
    // Peer down: no carrier.
    expect(ipLink(ns.name, 'ua')!.flags).toContain('NO-CARRIER');
    expect(a1.operstate).toBe('LOWERLAYERDOWN');
    await b.setUp();
    const a2 = await a1.refresh();
    expect(a2.flagNames).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    expect(a2.operstate).toBe('UP');
    await expectSameAsIp(ns, a2);
    const a3 = await a2.setDown();
    expect(a3.up).toBe(false);
    expect(a3.operstate).toBe('DOWN');
    expect(ipLink(ns.name, 'ua')!.flags).not.toContain('UP');
    expect(ipLink(ns.name, 'ua')!.operstate).toBe('DOWN');
    await expectSameAsIp(ns, a3);
  });

  it('set() changes mtu, name, mac, txqlen and alias in one call', async () => {
    const ns = await scope.named();
    const [a] = await ns.links.addVeth({ name: 'sa', peer: { name: 'sb' } });
    const mac = randomMac().toUpperCase();
    const a1 = await a.set({ mtu: 9000, name: 'renamed', mac, txqlen: 500, alias: 'uplink to b' });
    expect(a1.index).toBe(a.index);
    expect([a1.name, a1.mtu, a1.mac, a1.txqlen, a1.alias]).toEqual(['renamed', 9000, mac.toLowerCase(), 500, 'uplink to b']);
    expect(ipLink(ns.name, 'sa')).toBeUndefined();
    const theirs = ipLink(ns.name, 'renamed')!;
    expect([theirs.ifindex, theirs.mtu, theirs.address, theirs.txqlen, theirs.ifalias])
      .toEqual([a.index, 9000, mac.toLowerCase(), 500, 'uplink to b']);
    await expectSameAsIp(ns, a1);
    // Set by name and by index.
    expect((await ns.links.set('renamed', { mtu: 1280 })).mtu).toBe(1280);
    expect((await ns.links.set(a.index, { mtu: 1300 })).mtu).toBe(1300);
    expect(ipLink(ns.name, 'renamed')!.mtu).toBe(1300);
  });

  it('moveTo() moves a link: gone here, present there by name; rename on the way', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const [x, y] = await a.links.addVeth({ name: 'mv0', peer: { name: 'mv1' } });
    const moved = await x.moveTo(b);
    expect(moved.namespace).toBe(b);
    expect(moved.name).toBe('mv0');
    expect(ipLink(a.name, 'mv0')).toBeUndefined();
    expect(await a.links.find('mv0')).toBeUndefined();
    await expectSameAsIp(b, moved);
    // Its peer in a now points across.
    const y1 = await y.refresh();
    expect(y1.linkNetnsId).toBe(await a.nsidOf(b));
    expect(ipLink(a.name, 'mv1')!.link_netnsid).toBe(y1.linkNetnsId);
    expect((await y1.peer())!.namespace.equals(b)).toBe(true);
    // Move and rename in one request.
    const back = await moved.set({ namespace: a, name: 'mv0-back' });
    expect(back.namespace).toBe(a);
    expect(ipLinks(b.name).map((l) => l.ifname)).toEqual(['lo']);
    expect(ipLink(a.name, 'mv0-back')).toBeDefined();
    expect((await back.peer())!.name).toBe('mv1');
  });

  it('delete() removes the link and its veth peer in the other namespace', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const [x] = await a.links.addVeth({ name: 'dx', peer: { name: 'dy', namespace: b } });
    const br = await a.links.addBridge({ name: 'dbr' });
    await x.delete();
    expect(ipLink(a.name, 'dx')).toBeUndefined();
    expect(ipLink(b.name, 'dy')).toBeUndefined();
    await a.links.delete('dbr');
    expect(ipLinks(a.name).map((l) => l.ifname)).toEqual(['lo']);
    const e = await br.delete().catch((z) => z);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toContain('dbr');
    // Many at once.
    await a.links.addBridge({ name: 'm1' });
    await a.links.addBridge({ name: 'm2' });
    await a.links.delete(['m1', 'm2']);
    expect(ipLinks(a.name).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('get() by name and by index agree with each other and with ip; missing → NotFoundError', async () => {
    const ns = await scope.named();
    await ns.links.addBridge({ name: 'gbr', up: true });
    const byName = await ns.links.get('gbr');
    const byIndex = await ns.links.get(byName.index);
    const names = await linkNames(ns);
    expect(viewOfLink(byIndex, names)).toEqual(viewOfLink(byName, names));
    expect(viewOfLink(byName, names)).toEqual(viewOfIpLink(ipLink(ns.name, 'gbr')!));
    const e = await ns.links.get('nosuchlink').catch((x) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toContain('"nosuchlink"');
    expect(e.message).toContain(ns.name);
    expect(['ENODEV', 'ENOENT']).toContain(e.code);
    const i = await ns.links.get(4242).catch((x) => x);
    expect(i).toBeInstanceOf(NotFoundError);
    expect(i.message).toContain('4242');
    expect(await ns.links.find('nosuchlink')).toBeUndefined();
    expect((await ns.links.find('gbr'))!.index).toBe(byName.index);
  });

  it('links made by ip read back identically', async () => {
    const a = scope.ipNamed();
    const b = scope.ipNamed();
    const mac = randomMac();
    ipDo(a, 'link', 'add', 'ipv0', 'mtu', '1380', 'address', mac, 'type', 'veth', 'peer', 'name', 'ipv1', 'netns', b);
    ipDo(a, 'link', 'add', 'ipbr', 'type', 'bridge');
    ipDo(a, 'link', 'add', 'ipv2', 'type', 'veth', 'peer', 'name', 'ipv3');
    ipDo(a, 'link', 'set', 'ipv2', 'master', 'ipbr', 'up');
    ipDo(a, 'link', 'set', 'ipv3', 'up', 'txqlen', '77');
    ipDo(a, 'link', 'set', 'ipbr', 'up');
    ipDo(a, 'link', 'set', 'lo', 'up');
    ipDo(b, 'link', 'set', 'ipv1', 'up');
    const na = scope.track(await Namespace.open(a));
    const nb = scope.track(await Namespace.open(b));
    // The bridge's operstate moves from DOWN to UP on its own once its port forwards;
    // compare back-to-back snapshots until the kernel has settled.
    for (const [ns, name] of [[na, a], [nb, b]] as const) {
      let ours = await ourViews(ns);
      let theirs = ipViews(name);
      for (let i = 0; i < 30 && JSON.stringify(ours) !== JSON.stringify(theirs); i++) {
        await new Promise((r) => setTimeout(r, 100));
        ours = await ourViews(ns);
        theirs = ipViews(name);
      }
      expect(ours).toEqual(theirs);
    }
    const v0 = await na.links.get('ipv0');
    expect([v0.mac, v0.mtu, v0.kind]).toEqual([mac, 1380, 'veth']);
    expect((await v0.peer())!.name).toBe('ipv1');
    expect((await na.links.get('ipv2')).masterIndex).toBe((await na.links.get('ipbr')).index);
  });
});
