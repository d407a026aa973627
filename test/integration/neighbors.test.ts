// Neighbours and the bridge FDB against `ip -j neigh` and `bridge -j fdb`:
// what we add ip shows, what ip adds we read field by field, toJSON() equals
// ip's JSON for every entry.
import { execFileSync } from 'node:child_process';
import { Namespace } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = <T>(x: T): any => JSON.parse(JSON.stringify(x));

function bridgeJson(ns: string, ...args: string[]): unknown[] {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'bridge', '-j', ...args], { encoding: 'utf8' }).trim();
  return out === '' ? [] : JSON.parse(out);
}

async function withVeth(scope: ReturnType<typeof useNamespaces>): Promise<NamedNs> {
  const ns = await scope.named();
  await ns.links.addVeth({ name: 'v0', mac: '02:00:00:00:00:a0', peer: { name: 'v1', up: true }, up: true });
  ipDo(ns.name, 'addr', 'add', '10.0.0.1/24', 'dev', 'v0');
  ipDo(ns.name, 'addr', 'add', 'fd00::1/64', 'dev', 'v0', 'nodad');
  return ns;
}

const byDst = (a: { dst?: string; dev?: string }, b: { dst?: string; dev?: string }) =>
  `${a.dst} ${a.dev}` < `${b.dst} ${b.dev}` ? -1 : 1;

describe('neighbours', () => {
  const scope = useNamespaces();

  it('adds permanent, reachable/router, noarp, stale and proxy entries; ip shows them as toJSON does', async () => {
    const ns = await withVeth(scope);
    const n = ns.neighbors;
    const perm = await n.add({ to: '10.0.0.2', dev: 'v0', lladdr: '02:00:00:00:00:02' });
    expect(perm).toMatchObject({ states: ['PERMANENT'], lladdr: '02:00:00:00:00:02' });
    await n.add({ to: '10.0.0.3', dev: 'v0', lladdr: '02:00:00:00:00:03', state: 'reachable', router: true });
    await n.add({ to: '10.0.0.4', dev: 'v0', lladdr: '02:00:00:00:00:04', state: 'noarp' });
    await n.add({ to: 'fd00::2', dev: 'v0', lladdr: '02:00:00:00:00:05', state: 'stale', router: true });
    await n.add({ to: '10.0.0.9', dev: 'v0', proxy: true });
    const theirs = ipJson(ns.name, 'neigh', 'show', 'nud', 'all');
    expect(theirs).toContainEqual({ dst: '10.0.0.2', dev: 'v0', lladdr: '02:00:00:00:00:02', state: ['PERMANENT'] });
    expect(theirs).toContainEqual({ dst: '10.0.0.3', dev: 'v0', lladdr: '02:00:00:00:00:03', router: null, state: ['REACHABLE'] });
    expect(theirs).toContainEqual({ dst: '10.0.0.4', dev: 'v0', lladdr: '02:00:00:00:00:04', state: ['NOARP'] });
    expect(theirs).toContainEqual({ dst: 'fd00::2', dev: 'v0', lladdr: '02:00:00:00:00:05', router: null, state: ['STALE'] });
    // The kernel keeps adding NOARP entries of its own (IPv6 multicast such as ff02::16 as
    // MLD reports go out), so compare snapshots taken back to back until two agree.
    let ours: unknown[] = [];
    let again: unknown[] = theirs;
    for (let i = 0; i < 20; i++) {
      ours = json(await n.list({ states: 'all' })).sort(byDst);
      again = ipJson<{ dst?: string; dev?: string }[]>(ns.name, 'neigh', 'show', 'nud', 'all').sort(byDst);
      if (JSON.stringify(ours) === JSON.stringify(again)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ours).toEqual(again);
    // Without a state filter, like `ip neigh show`: NOARP and NONE entries are left out.
    expect(json(await n.list()).sort(byDst)).toEqual(ipJson(ns.name, 'neigh', 'show').sort(byDst));
    expect(json(await n.list({ proxy: true }))).toEqual(ipJson(ns.name, 'neigh', 'show', 'proxy'));
    // (ip leaves "dev" out when filtering by it, so compare with its unfiltered list.)
    expect(json(await n.list({ family: 6, dev: 'v0', states: 'all' })).sort(byDst))
      .toEqual(ipJson(ns.name, '-6', 'neigh', 'show', 'nud', 'all').filter((x: { dev: string }) => x.dev === 'v0').sort(byDst));
  });

  it('reads entries added by ip field by field; get, replace, change, delete, flush', async () => {
    const ns = await withVeth(scope);
    ipDo(ns.name, 'neigh', 'add', '10.0.0.7', 'lladdr', '02:00:00:00:00:07', 'dev', 'v0', 'nud', 'stale', 'router', 'protocol', 'zebra');
    const got = await ns.neighbors.get('10.0.0.7', 'v0');
    expect(got).toMatchObject({
      family: 4, to: '10.0.0.7', devName: 'v0', lladdr: '02:00:00:00:00:07', states: ['STALE'], router: true, proxy: false, protocol: 'zebra',
    });
    expect(typeof got.refcnt).toBe('number');
    await ns.neighbors.replace({ to: '10.0.0.7', dev: 'v0', lladdr: '02:00:00:00:00:08' });
    // The kernel keeps the protocol a replace does not mention.
    expect(ipJson(ns.name, 'neigh', 'show', '10.0.0.7')).toEqual([{ dst: '10.0.0.7', dev: 'v0', lladdr: '02:00:00:00:00:08', protocol: 'zebra', state: ['PERMANENT'] }]);
    await ns.neighbors.change({ to: '10.0.0.7', dev: 'v0', lladdr: '02:00:00:00:00:09', state: 'reachable' });
    expect(ipJson(ns.name, 'neigh', 'show', '10.0.0.7')).toMatchObject([{ lladdr: '02:00:00:00:00:09', state: ['REACHABLE'] }]);
    await expect(ns.neighbors.change({ to: '10.0.0.77', dev: 'v0', lladdr: '02:00:00:00:00:09' })).rejects.toMatchObject({ code: 'ENOENT', operation: 'neigh.change' });
    await ns.neighbors.add({ to: '10.0.0.8', dev: 'v0', lladdr: '02:00:00:00:00:10', state: 'stale' });
    await ns.neighbors.add({ to: '10.0.0.10', dev: 'v0', lladdr: '02:00:00:00:00:11' });
    expect(await ns.neighbors.flush({ dev: 'v0', family: 4 })).toBe(2); // 10.0.0.7 reachable, 10.0.0.8 stale; the permanent one stays
    expect(ipJson<{ dst: string }[]>(ns.name, '-4', 'neigh', 'show', 'dev', 'v0').map((x) => x.dst)).toEqual(['10.0.0.10']);
    await ns.neighbors.delete({ to: '10.0.0.10', dev: 'v0' });
    expect(ipJson(ns.name, '-4', 'neigh', 'show', 'dev', 'v0')).toEqual([]);
    await expect(ns.neighbors.get('10.0.0.10', 'v0')).rejects.toMatchObject({ code: 'ENOENT', operation: 'neigh.get' });
  });

  it('validation errors name the field and the value', async () => {
    const ns = await withVeth(scope);
    const cases: [Parameters<typeof ns.neighbors.add>[0], RegExp][] = [
      [{ to: '10.0.0.300', dev: 'v0' }, /^to: not a valid IPv4 or IPv6 address, got "10.0.0.300"/],
      [{ to: '10.0.0.2', dev: undefined as unknown as string }, /^dev: a neighbour entry needs a device/],
      [{ to: '10.0.0.2', dev: 'v0', lladdr: 'zz:00' }, /^lladdr: expected a link-layer address/],
      [{ to: '10.0.0.2', dev: 'v0', state: 'gone' as 'stale' }, /^state: expected one of incomplete, reachable/],
      [{ to: '10.0.0.2', dev: 'nope0' }, /not found/],
      [{ to: '10.0.0.2', dev: 'v0', protocol: 300 }, /^protocol: expected one of .* or a number 0..255, got 300/],
    ];
    for (const [spec, message] of cases) await expect(ns.neighbors.add(spec)).rejects.toThrow(message);
    await expect(ns.neighbors.list({ states: ['BOGUS' as 'STALE'] })).rejects.toThrow(/^states: expected one of/);
    expect(ipJson(ns.name, 'neigh', 'show', 'nud', 'all', 'dev', 'v0').filter((x: { dst: string }) => !x.dst.startsWith('ff02'))).toEqual([]);
  });
});

describe('bridge fdb', () => {
  const scope = useNamespaces();

  it('bridge and VXLAN entries: ours read by bridge, bridge\'s read by us, toJSON equal', async () => {
    const ns = await withVeth(scope);
    ipDo(ns.name, 'link', 'add', 'br0', 'type', 'bridge');
    ipDo(ns.name, 'link', 'set', 'v1', 'master', 'br0');
    ipDo(ns.name, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.0.0.1', 'nolearning');
    const e = await ns.fdb.add({ mac: '02:00:00:00:00:99', dev: 'v1', master: true, state: 'static' });
    expect(e).toMatchObject({ mac: '02:00:00:00:00:99', state: 'static', self: false });
    // Sticky entries may not be permanent (br_fdb_add: EINVAL), so static.
    await ns.fdb.add({ mac: '02:00:00:00:00:98', dev: 'v1', master: true, sticky: true, state: 'static' });
    await ns.fdb.append({ mac: '00:00:00:00:00:00', dev: 'vx0', dst: '10.0.0.2', state: 'permanent' });
    await ns.fdb.append({ mac: '00:00:00:00:00:00', dev: 'vx0', dst: '10.0.0.5', state: 'permanent' });
    ipDo(ns.name, 'netns', 'exec', ns.name, 'bridge', 'fdb', 'add', '02:00:00:00:00:97', 'dev', 'vx0', 'dst', '10.0.0.3', 'vni', '43', 'port', '4790', 'self');
    const theirs = bridgeJson(ns.name, 'fdb', 'show');
    expect(theirs).toContainEqual({ mac: '02:00:00:00:00:99', ifname: 'v1', flags: [], master: 'br0', state: 'static' });
    expect(theirs).toContainEqual({ mac: '02:00:00:00:00:98', ifname: 'v1', flags: ['sticky'], master: 'br0', state: 'static' });
    expect(theirs).toContainEqual({ mac: '00:00:00:00:00:00', ifname: 'vx0', dst: '10.0.0.5', flags: ['self'], state: 'permanent' });
    expect(json(await ns.fdb.list())).toEqual(theirs);
    const remote = (await ns.fdb.list({ dev: 'vx0' })).find((x) => x.mac === '02:00:00:00:00:97');
    expect(remote).toMatchObject({ dst: '10.0.0.3', vni: 43, port: 4790, self: true, state: 'permanent', devName: 'vx0' });
    expect(json(await ns.fdb.list({ bridge: 'br0' }))).toEqual(bridgeJson(ns.name, 'fdb', 'show', 'br', 'br0'));
    await ns.fdb.delete(remote!);
    await ns.fdb.delete({ mac: '02:00:00:00:00:99', dev: 'v1', master: true });
    const after = bridgeJson(ns.name, 'fdb', 'show') as { mac: string }[];
    expect(after.map((x) => x.mac)).not.toContain('02:00:00:00:00:97');
    expect(after.map((x) => x.mac)).not.toContain('02:00:00:00:00:99');
    await expect(ns.fdb.add({ mac: '02:00:00:00:00:98', dev: 'v1', master: true })).rejects.toMatchObject({ code: 'EEXIST', operation: 'fdb.add' });
  });

  it('validation errors name the field and the value', async () => {
    const ns = await withVeth(scope);
    const cases: [Parameters<typeof ns.fdb.add>[0], RegExp][] = [
      [{ mac: '02:00:00:00:00', dev: 'v0' }, /^mac: expected a MAC address/],
      [{ mac: '02:00:00:00:00:01', dev: 'v0', vlan: 4095 }, /^vlan: VLAN ids are 1..4094, got 4095/],
      [{ mac: '02:00:00:00:00:01', dev: 'v0', vni: 1 << 24 }, /^vni: VNIs are 0..16777215, got 16777216/],
      [{ mac: '02:00:00:00:00:01', dev: 'v0', port: -1 }, /^port: ports are 0..65535, got -1/],
      [{ mac: '02:00:00:00:00:01', dev: 'v0', dst: 'x' }, /^dst: not a valid IPv4 or IPv6 address, got "x"/],
      [{ mac: '02:00:00:00:00:01', dev: 'v0', state: 'soft' as 'static' }, /^state: expected "permanent", "static" or "dynamic", got "soft"/],
    ];
    for (const [spec, message] of cases) await expect(ns.fdb.add(spec)).rejects.toThrow(message);
  });
});
