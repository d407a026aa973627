// Link attributes against `ip -d -j link` both ways: alias, broadcast, txqlen,
// promisc, arp, multicast, allmulti, group, master/nomaster, netns by namespace/fd/pid,
// operstate, carrier, altnames, link-netnsid, bridge port options, 64-bit statistics.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Namespace } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type IpLinkDetails = any;
function ipLinkDetails(ns: string, name: string, ...extra: string[]): IpLinkDetails {
  return ipJson<IpLinkDetails[]>(ns, '-d', ...extra, 'link', 'show', 'dev', name)[0];
}

async function veth(ns: Namespace): Promise<void> {
  await ns.links.addVeth({ name: 'v0', peer: { name: 'v1' } });
}

describe('link attributes', () => {
  const scope = useNamespaces();

  it('alias, broadcast, txqlen, promisc, arp, multicast, allmulti, group: ours read by ip', async () => {
    const ns = await scope.named();
    await veth(ns);
    const l = await ns.links.set('v0', {
      alias: 'uplink', broadcast: '02:ff:ff:ff:ff:01', txqlen: 77, promisc: true, arp: false, multicast: false,
      allmulti: true, group: 5,
    });
    const ip = ipLinkDetails(ns.name, 'v0');
    expect(ip).toMatchObject({ ifalias: 'uplink', broadcast: '02:ff:ff:ff:ff:01', txqlen: 77, group: '5', promiscuity: 1 });
    expect(ip.flags).toEqual(expect.arrayContaining(['PROMISC', 'NOARP', 'ALLMULTI']));
    expect(ip.flags).not.toContain('MULTICAST');
    expect([l.alias, l.broadcast, l.txqlen, l.promisc, l.arp, l.multicast, l.allmulti, l.group, l.promiscuity])
      .toEqual(['uplink', '02:ff:ff:ff:ff:01', 77, true, false, false, true, 5, 1]);
    // And back off; an empty alias removes it.
    const off = await l.set({ alias: '', promisc: false, arp: true, multicast: true, allmulti: false, group: 0 });
    expect([off.alias, off.promisc, off.arp, off.multicast, off.allmulti, off.group]).toEqual([undefined, false, true, true, false, 0]);
    const ip2 = ipLinkDetails(ns.name, 'v0');
    expect([ip2.ifalias, ip2.group, ip2.flags.includes('NOARP'), ip2.flags.includes('MULTICAST')]).toEqual([undefined, 'default', false, true]);
  });

  it('the same attributes set by ip are what we read, and toJSON agrees with ip -j -d', async () => {
    const ns = await scope.named();
    ipDo(ns.name, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ipDo(ns.name, 'link', 'set', 'v0', 'alias', 'hello', 'promisc', 'on', 'arp', 'off', 'multicast', 'off', 'group', '9',
      'txqlen', '33', 'broadcast', '02:00:00:00:00:ff', 'allmulticast', 'on');
    const l = (await ns.links.list()).find((x) => x.name === 'v0')!;
    expect([l.alias, l.broadcast, l.txqlen, l.promisc, l.arp, l.multicast, l.allmulti, l.group])
      .toEqual(['hello', '02:00:00:00:00:ff', 33, true, false, false, true, 9]);
    const ours = l.toJSON();
    const ip = ipLinkDetails(ns.name, 'v0');
    for (const [k, v] of Object.entries(ours)) expect([k, ip[k]]).toEqual([k, v]);
    for (const k of ['ifindex', 'ifname', 'flags', 'mtu', 'qdisc', 'operstate', 'linkmode', 'group', 'txqlen', 'link_type',
      'address', 'broadcast', 'promiscuity', 'min_mtu', 'max_mtu', 'linkinfo', 'num_tx_queues', 'num_rx_queues', 'ifalias', 'link']) {
      expect([k, k in ours]).toEqual([k, true]);
    }
  });

  it('master / nomaster and bridge port options (learning, flood, hairpin, isolated, cost, priority) both ways', async () => {
    const ns = await scope.named();
    await veth(ns);
    const br = await ns.links.addBridge({ name: 'br0' });
    let port = await ns.links.set('v0', { master: br });
    expect(port.masterIndex).toBe(br.index);
    expect(port.bridgePort).toMatchObject({ learning: true, flood: true, hairpin: false, isolated: false });
    port = await port.set({ bridgePort: { learning: false, flood: false, hairpin: true, isolated: true, cost: 7, priority: 3 } });
    expect(port.bridgePort).toMatchObject({ learning: false, flood: false, hairpin: true, isolated: true, cost: 7, priority: 3, state: 'disabled' });
    const ip = ipLinkDetails(ns.name, 'v0');
    expect(ip.master).toBe('br0');
    expect(ip.linkinfo.info_slave_kind).toBe('bridge');
    expect(ip.linkinfo.info_slave_data).toMatchObject({ learning: false, flood: false, hairpin: true, isolated: true, cost: 7, priority: 3 });
    const listed = (await ns.links.list()).find((x) => x.name === 'v0')!.toJSON();
    for (const [k, v] of Object.entries((listed.linkinfo as { info_slave_data: object }).info_slave_data)) {
      expect([k, ip.linkinfo.info_slave_data[k]]).toEqual([k, v]);
    }
    // ip sets, we read.
    ipDo(ns.name, 'link', 'set', 'v0', 'type', 'bridge_slave', 'learning', 'on', 'hairpin', 'off', 'cost', '100', 'mcast_flood', 'off');
    expect((await port.refresh()).bridgePort).toMatchObject({ learning: true, hairpin: false, cost: 100, mcastFlood: false });
    // nomaster
    const free = await port.set({ master: null });
    expect(free.masterIndex).toBeUndefined();
    expect(free.bridgePort).toBeUndefined();
    expect(ipLinkDetails(ns.name, 'v0').master).toBeUndefined();
  });

  it('netns by namespace fd and by pid (IFLA_NET_NS_FD / IFLA_NET_NS_PID)', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const c = await scope.named();
    await a.links.addVeth({ name: 'v0', peer: { name: 'v1' } });
    const byFd = await a.links.set('v0', { namespace: { fd: b.fd } });
    expect(byFd.namespace.equals(b)).toBe(true);
    expect(ipLinkDetails(b.name, 'v0').ifname).toBe('v0');
    // A process living in c: its pid names the namespace.
    const child = spawn('ip', ['netns', 'exec', c.name, 'sleep', '30'], { stdio: 'ignore' });
    try {
      const pid = await waitForChildIn(child.pid!, c);
      const byPid = await a.links.set('v1', { namespace: { pid } });
      expect(byPid.namespace.equals(c)).toBe(true);
      expect(ipLinkDetails(c.name, 'v1').ifname).toBe('v1');
      // link-netnsid: each end now names the other's namespace by id.
      const end = await c.links.get('v1');
      expect(end.linkNetnsId).toBe(await c.nsidOf(b));
      expect(ipLinkDetails(c.name, 'v1').link_netnsid).toBe(end.linkNetnsId);
    } finally {
      child.kill();
    }
    await expect(a.links.set('lo', { namespace: { pid: -1 } })).rejects.toThrow(/namespace\.pid/);
  });

  it('operstate and carrier: read as ip reports them; setting carrier on a veth is the kernel\'s EOPNOTSUPP', async () => {
    const ns = await scope.named();
    await veth(ns);
    let v0 = await ns.links.set('v0', { up: true });
    expect(v0.operstate).toBe(ipLinkDetails(ns.name, 'v0').operstate); // LOWERLAYERDOWN: peer down
    expect([v0.carrier, v0.lowerUp]).toEqual([false, false]);
    await ns.links.set('v1', { up: true });
    for (let i = 0; i < 100 && v0.operstate !== 'UP'; i++) { await new Promise((r) => setTimeout(r, 20)); v0 = await v0.refresh(); }
    expect([v0.operstate, v0.carrier, v0.lowerUp]).toEqual(['UP', true, true]);
    expect(ipLinkDetails(ns.name, 'v0').operstate).toBe('UP');
    await expect(v0.set({ carrier: false })).rejects.toMatchObject({ name: 'NetlinkError', errno: 95, operation: 'link.set' });
  });

  it('altnames: add and delete (RTM_NEWLINKPROP / RTM_DELLINKPROP), both ways', async () => {
    const ns = await scope.named();
    await veth(ns);
    let v0 = await ns.links.get('v0');
    v0 = await v0.addAltName('uplink-with-a-rather-long-name');
    expect(v0.altNames).toEqual(['uplink-with-a-rather-long-name']);
    expect(ipLinkDetails(ns.name, 'v0').altnames).toEqual(['uplink-with-a-rather-long-name']);
    expect((await ns.links.get('uplink-with-a-rather-long-name')).index).toBe(v0.index);
    await expect(v0.addAltName('uplink-with-a-rather-long-name')).rejects.toMatchObject({ name: 'NetlinkError' });
    ipDo(ns.name, 'link', 'property', 'add', 'dev', 'v0', 'altname', 'second');
    expect((await v0.refresh()).altNames).toEqual(['uplink-with-a-rather-long-name', 'second']);
    v0 = await v0.deleteAltName('uplink-with-a-rather-long-name');
    expect(v0.altNames).toEqual(['second']);
    expect(ipLinkDetails(ns.name, 'v0').altnames).toEqual(['second']);
  });

  it('64-bit statistics as ip -s -j link and /proc/net/dev show them', async () => {
    const ns = await scope.named();
    const peer = await scope.named();
    // No IPv6 on these links: its router solicitations and MLD reports would move
    // the counters between our read and ip's.
    for (const n of [ns, peer]) await n.sysctl.set('net.ipv6.conf.default.disable_ipv6', 1);
    await ns.links.addVeth({ name: 'v0', up: true, peer: { name: 'v1', namespace: peer, up: true } });
    await ns.addresses.add({ link: 'v0', address: '10.7.0.1/24' });
    await peer.addresses.add({ link: 'v1', address: '10.7.0.2/24' });
    // Traffic across the pair: UDP datagrams from one namespace to the other (plus ARP).
    const rx = await peer.createUdpSocket({ type: 'udp4', address: '10.7.0.2', port: 9999 });
    const tx = await ns.createUdpSocket({ type: 'udp4', address: '10.7.0.1' });
    const got = new Promise((r) => rx.on('message', r));
    for (let i = 0; i < 5; i++) tx.send(Buffer.alloc(100 + i), 9999, '10.7.0.2');
    await got;
    await new Promise((r) => setTimeout(r, 100));
    tx.close();
    rx.close();
    const links = await ns.links.list({ statistics: true });
    const v0 = links.find((l) => l.name === 'v0')!;
    const ipS = ipJson<IpLinkDetails[]>(ns.name, '-s', 'link', 'show', 'dev', 'v0')[0].stats64;
    expect(v0.toJSON().stats64).toEqual(ipS);
    expect(v0.stats!.txPackets).toBeGreaterThanOrEqual(5);
    expect(v0.stats!.txBytes).toBeGreaterThan(500);
    // /proc/net/dev as a process inside the namespace reads it.
    const dev = execFileSync('ip', ['netns', 'exec', ns.name, 'cat', '/proc/net/dev'], { encoding: 'utf8' });
    const row = dev.split('\n').find((line) => line.trim().startsWith('v0:'))!.split(':')[1].trim().split(/\s+/).map(Number);
    expect([row[0], row[1], row[2], row[3]]).toEqual([v0.stats!.rxBytes, v0.stats!.rxPackets, v0.stats!.rxErrors, v0.stats!.rxDropped]);
    expect([row[8], row[9], row[10], row[11]]).toEqual([v0.stats!.txBytes, v0.stats!.txPackets, v0.stats!.txErrors, v0.stats!.txDropped]);
  });
});

/** The pid of `ip netns exec NS sleep` once it runs inside `ns` (ip execs sleep in place). */
async function waitForChildIn(pid: number, ns: Namespace): Promise<number> {
  for (let i = 0; i < 200; i++) {
    try {
      const st = fs.statSync(`/proc/${pid}/ns/net`);
      if (st.ino === ns.ino) return pid;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} never entered ${ns}`);
}
