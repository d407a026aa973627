// Link kinds against `ip -d -j link`, both ways: what the library creates ip
// reads with the same settings, and what ip creates the library reads back,
// field by field. Kinds this kernel lacks are probed first and skipped with the reason.
import { execFileSync } from 'node:child_process';
import { Link, Namespace } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type IpLinkDetails = any;

function ipLinkDetails(ns: string, name: string): IpLinkDetails {
  return ipJson<IpLinkDetails[]>(ns, '-d', 'link', 'show', 'dev', name)[0];
}

/** Runs `script` in a throwaway network namespace; undefined if it worked, else why not. */
function kernelRefuses(script: string): string | undefined {
  try {
    execFileSync('unshare', ['--net', 'sh', '-ec', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    return undefined;
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e).trim() || 'failed';
  }
}

const vlanMissing = kernelRefuses('ip link add a type veth peer name b; ip link add link a name a.5 type vlan id 5');
const vlanFilteringMissing = kernelRefuses('ip link add b type bridge vlan_filtering 1');
for (const [what, why] of [['vlan links', vlanMissing], ['bridge vlan_filtering', vlanFilteringMissing]]) {
  // eslint-disable-next-line no-console
  if (why) console.warn(`link-kinds: skipping ${what}: this kernel refuses them (${why})`);
}
const itIf = (why: string | undefined) => (why ? it.skip : it);

/** Every field our toJSON prints equals the one `ip -j -d` prints (linkinfo: field by field). */
function expectJsonAgrees(ours: Record<string, unknown>, theirs: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(ours)) {
    if (k === 'linkinfo') {
      const li = v as Record<string, unknown>;
      const tli = theirs.linkinfo as Record<string, unknown>;
      for (const [lk, lv] of Object.entries(li)) {
        if (typeof lv === 'object' && lv !== null) {
          for (const [dk, dv] of Object.entries(lv)) expect([`${lk}.${dk}`, (tli[lk] as Record<string, unknown>)[dk]]).toEqual([`${lk}.${dk}`, dv]);
        } else {
          expect([lk, tli[lk]]).toEqual([lk, lv]);
        }
      }
    } else {
      expect([k, theirs[k]]).toEqual([k, v]);
    }
  }
}

async function listed(ns: Namespace, name: string): Promise<Link> {
  const l = (await ns.links.list()).find((x) => x.name === name);
  if (!l) throw new Error(`no link ${name}`);
  return l;
}

describe('link kinds', () => {
  const scope = useNamespaces();

  it('bridge: options set by us are what ip reads', async () => {
    const ns = await scope.named();
    const br = await ns.links.add({
      kind: 'bridge', name: 'br0', stp: true, forwardDelay: 500, helloTime: 300, maxAge: 2500, ageingTime: 3000,
      priority: 100, multicastSnooping: false,
    });
    const d = ipLinkDetails(ns.name, 'br0').linkinfo.info_data;
    expect(d).toMatchObject({
      stp_state: 1, forward_delay: 500, hello_time: 300, max_age: 2500, ageing_time: 3000, priority: 100, mcast_snooping: 0,
    });
    expect(br.bridge).toMatchObject({
      stp: true, forwardDelay: 500, helloTime: 300, maxAge: 2500, ageingTime: 3000, priority: 100,
      multicastSnooping: false, vlanFiltering: false,
    });
    expectJsonAgrees((await listed(ns, 'br0')).toJSON(), ipLinkDetails(ns.name, 'br0'));
  });

  it('bridge: options set by ip are what we read', async () => {
    const ns = await scope.named();
    ipDo(ns.name, 'link', 'add', 'br1', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '700', 'ageing_time', '12000',
      'priority', '4096', 'mcast_snooping', '1', 'vlan_default_pvid', '9');
    const br = await ns.links.get('br1');
    const d = ipLinkDetails(ns.name, 'br1').linkinfo.info_data;
    expect(br.bridge).toMatchObject({
      stp: d.stp_state === 1, forwardDelay: d.forward_delay, ageingTime: d.ageing_time, priority: d.priority,
      multicastSnooping: d.mcast_snooping === 1, vlanDefaultPvid: d.vlan_default_pvid, helloTime: d.hello_time,
      maxAge: d.max_age, vlanProtocol: d.vlan_protocol, vlanFiltering: d.vlan_filtering === 1,
    });
    expect(br.bridge!.forwardDelay).toBe(700);
    expect(br.bridge!.other!.length).toBeGreaterThan(10); // the IFLA_BR_* we do not lift stay raw
  });

  // Without CONFIG_BRIDGE_VLAN_FILTERING the kernel takes vlan_protocol and
  // vlan_default_pvid but neither keeps nor reports them.
  itIf(vlanFilteringMissing)('bridge: vlan_filtering, vlan_protocol, vlan_default_pvid', async () => {
    const ns = await scope.named();
    const br = await ns.links.add({ kind: 'bridge', name: 'br0', vlanFiltering: true, vlanProtocol: '802.1ad', vlanDefaultPvid: 5 });
    expect(br.bridge).toMatchObject({ vlanFiltering: true, vlanProtocol: '802.1ad', vlanDefaultPvid: 5 });
    expect(ipLinkDetails(ns.name, 'br0').linkinfo.info_data).toMatchObject({ vlan_filtering: 1, vlan_protocol: '802.1ad', vlan_default_pvid: 5 });
  });

  it('bridge: vlan_filtering on a kernel without it is a NetlinkError naming the request', async () => {
    if (!vlanFilteringMissing) return; // the positive test above ran instead
    const ns = await scope.named();
    await expect(ns.links.add({ kind: 'bridge', name: 'br0', vlanFiltering: true }))
      .rejects.toMatchObject({ name: 'NetlinkError', errno: 95 /* EOPNOTSUPP */, operation: 'link.add' });
  });

  it('vxlan: ours read by ip, ip\'s read by us', async () => {
    const ns = await scope.named();
    const [v0] = await ns.links.addVeth({ name: 'v0', peer: { name: 'v1' } });
    const vx = await ns.links.add({
      kind: 'vxlan', name: 'vx0', vni: 42, local: '10.0.0.1', remote: '10.0.0.2', dstport: 4789, ttl: 5,
      learning: false, ageing: 120, dev: v0,
    });
    const d = ipLinkDetails(ns.name, 'vx0').linkinfo.info_data;
    expect(d).toMatchObject({ id: 42, local: '10.0.0.1', remote: '10.0.0.2', port: 4789, ttl: 5, learning: false, ageing: 120, link: 'v0' });
    expect(vx.vxlan).toMatchObject({ vni: 42, local: '10.0.0.1', remote: '10.0.0.2', dstport: 4789, ttl: 5, learning: false, ageing: 120, linkIndex: v0.index });
    expectJsonAgrees((await listed(ns, 'vx0')).toJSON(), ipLinkDetails(ns.name, 'vx0'));

    ipDo(ns.name, 'link', 'add', 'vx1', 'type', 'vxlan', 'id', '7', 'group', '239.1.1.1', 'dev', 'v1', 'dstport', '8472');
    ipDo(ns.name, 'link', 'add', 'vx6', 'type', 'vxlan', 'id', '8', 'local', 'fd00::1', 'remote', 'fd00::2', 'dstport', '4789');
    const vx1 = await ns.links.get('vx1');
    const v1 = await ns.links.get('v1');
    expect(vx1.vxlan).toMatchObject({ vni: 7, group: '239.1.1.1', linkIndex: v1.index, dstport: 8472, learning: true });
    expect((await ns.links.get('vx6')).vxlan).toMatchObject({ vni: 8, local: 'fd00::1', remote: 'fd00::2', dstport: 4789 });
    expectJsonAgrees((await listed(ns, 'vx1')).toJSON(), ipLinkDetails(ns.name, 'vx1'));
    expectJsonAgrees((await listed(ns, 'vx6')).toJSON(), ipLinkDetails(ns.name, 'vx6'));
  });

  it.each(['private', 'vepa', 'bridge', 'passthru', 'source'] as const)('macvlan and macvtap mode %s, both ways', async (mode) => {
    const ns = await scope.named();
    await ns.links.addVeth({ name: 'v0', peer: { name: 'v1' } });
    const mv = await ns.links.add({ kind: 'macvlan', name: 'mv0', link: 'v0', mode });
    expect(mv.kind).toBe('macvlan');
    expect(mv.macvlan!.mode).toBe(mode);
    expect(ipLinkDetails(ns.name, 'mv0').linkinfo.info_data.mode).toBe(mode);
    expect(ipLinkDetails(ns.name, 'mv0').link).toBe('v0');
    expect(mv.linkIndex).toBe((await ns.links.get('v0')).index);
    ipDo(ns.name, 'link', 'add', 'mt0', 'link', 'v1', 'type', 'macvtap', 'mode', mode);
    const mt = await ns.links.get('mt0');
    expect([mt.kind, mt.macvlan!.mode]).toEqual(['macvtap', mode]);
    expectJsonAgrees((await listed(ns, 'mt0')).toJSON(), ipLinkDetails(ns.name, 'mt0'));
    expectJsonAgrees((await listed(ns, 'mv0')).toJSON(), ipLinkDetails(ns.name, 'mv0'));
  });

  itIf(vlanMissing)('vlan: id and protocol, both ways', async () => {
    const ns = await scope.named();
    await ns.links.addVeth({ name: 'v0', peer: { name: 'v1' } });
    const vl = await ns.links.add({ kind: 'vlan', name: 'v0.5', link: 'v0', id: 5, protocol: '802.1ad' });
    expect(vl.vlan).toMatchObject({ id: 5, protocol: '802.1ad' });
    expect(ipLinkDetails(ns.name, 'v0.5').linkinfo.info_data).toMatchObject({ id: 5, protocol: '802.1ad' });
    ipDo(ns.name, 'link', 'add', 'link', 'v1', 'name', 'v1.7', 'type', 'vlan', 'id', '7');
    expect((await ns.links.get('v1.7')).vlan).toMatchObject({ id: 7, protocol: '802.1Q' });
  });

  it('vlan on a kernel without the module: the kernel\'s refusal is a NetlinkError', async () => {
    if (!vlanMissing) return; // the positive test above ran instead
    const ns = await scope.named();
    await ns.links.addVeth({ name: 'v0', peer: { name: 'v1' } });
    await expect(ns.links.add({ kind: 'vlan', name: 'v0.5', link: 'v0', id: 5 }))
      .rejects.toMatchObject({ name: 'NetlinkError', operation: 'link.add' });
  });

  it('tun/tap: persistent devices with owner, group and multi-queue, both ways', async () => {
    const ns = await scope.named();
    const tap = await ns.links.add({ kind: 'tap', name: 'tap0', owner: 1, group: 2, multiQueue: true, mtu: 1400, up: true });
    expect(tap.kind).toBe('tun');
    expect(tap.tun).toMatchObject({ mode: 'tap', owner: 1, group: 2, multiQueue: true, persist: true, pi: false });
    expect(tap.mtu).toBe(1400);
    expect(tap.up).toBe(true);
    const d = ipLinkDetails(ns.name, 'tap0');
    expect(d.linkinfo.info_data).toMatchObject({ type: 'tap', multi_queue: true, persist: true, pi: false });
    expectJsonAgrees((await listed(ns, 'tap0')).toJSON(), d);
    const tun = await ns.links.addTun({ name: 'tun0', mode: 'tun' });
    expect(tun.tun).toMatchObject({ mode: 'tun', multiQueue: false, persist: true });
    expect(tun.tun!.owner).toBeUndefined();
    expect(ipLinkDetails(ns.name, 'tun0').linkinfo.info_data).toMatchObject({ type: 'tun', persist: true });

    ipDo(ns.name, 'tuntap', 'add', 'tap9', 'mode', 'tap', 'user', '3', 'group', '4', 'vnet_hdr');
    const theirs = await ns.links.get('tap9');
    expect(theirs.tun).toMatchObject({ mode: 'tap', owner: 3, group: 4, vnetHdr: true, persist: true, multiQueue: false });
    expectJsonAgrees((await listed(ns, 'tap9')).toJSON(), ipLinkDetails(ns.name, 'tap9'));
    // Persistent devices go away with RTM_DELLINK like any other.
    await tap.delete();
    await theirs.delete();
    expect(ipJson(ns.name, 'link', 'show').map((l: { ifname: string }) => l.ifname).sort()).toEqual(['lo', 'tun0']);
  });

  it('tun/tap: a name taken is the kernel\'s EBUSY/EEXIST from /dev/net/tun as a NetlinkError', async () => {
    const ns = await scope.named();
    await ns.links.add({ kind: 'bridge', name: 'x0' });
    await expect(ns.links.addTun({ name: 'x0', mode: 'tap' })).rejects.toMatchObject({ name: 'NetlinkError', operation: 'link.add' });
  });

  it('ifb, both ways', async () => {
    const ns = await scope.named();
    const ifb = await ns.links.add({ kind: 'ifb', name: 'ifb0', txqlen: 64, alias: 'mirror' });
    expect(ifb.kind).toBe('ifb');
    const d = ipLinkDetails(ns.name, 'ifb0');
    expect([d.linkinfo.info_kind, d.txqlen, d.ifalias]).toEqual(['ifb', 64, 'mirror']);
    ipDo(ns.name, 'link', 'add', 'ifb1', 'type', 'ifb');
    expect((await ns.links.get('ifb1')).kind).toBe('ifb');
    expectJsonAgrees((await listed(ns, 'ifb1')).toJSON(), ipLinkDetails(ns.name, 'ifb1'));
  });

  it('veth peer options (name, namespace, mtu, mac) and add({ master })', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const br = await a.links.addBridge({ name: 'br0', stp: false });
    const [host, ctr] = await a.links.addVeth({ name: 'vh', peer: { name: 'eth0', namespace: b, mtu: 1300, mac: '02:00:00:00:00:42' } });
    expect([ctr.mtu, ctr.mac]).toEqual([1300, '02:00:00:00:00:42']);
    expect(ipLinkDetails(b.name, 'eth0')).toMatchObject({ mtu: 1300, address: '02:00:00:00:00:42' });
    const ifb = await a.links.add({ kind: 'ifb', name: 'ifb0' });
    expect(ifb.masterIndex).toBeUndefined();
    // (A bridge port cannot also be a macvlan's lower device: EBUSY.)
    const mv = await a.links.add({ kind: 'macvlan', name: 'mv0', link: host, mode: 'bridge', master: br });
    expect(mv.masterIndex).toBe(br.index);
    expect(ipLinkDetails(a.name, 'mv0').master).toBe('br0');
  });
});
