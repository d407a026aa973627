// Nexthop objects against `ip -j nexthop`: singles, blackholes, multipath
// groups with weights, resilient groups and their buckets, routes using them.
import { Namespace } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = <T>(x: T): any => JSON.parse(JSON.stringify(x));

async function withVeth(scope: ReturnType<typeof useNamespaces>): Promise<NamedNs> {
  const ns = await scope.named();
  await ns.links.addVeth({ name: 'v0', peer: { name: 'v1', up: true }, up: true });
  await ns.links.set('lo', { up: true }); // a blackhole nexthop sits on lo: ENETDOWN while lo is down
  ipDo(ns.name, 'addr', 'add', '10.0.0.1/24', 'dev', 'v0');
  ipDo(ns.name, 'addr', 'add', 'fd00::1/64', 'dev', 'v0', 'nodad');
  return ns;
}

describe('nexthops', () => {
  const scope = useNamespaces();

  it('adds singles, a blackhole, a weighted group and a resilient group; ip shows them as toJSON does', async () => {
    const ns = await withVeth(scope);
    const nh = ns.nexthops;
    expect(await nh.add({ id: 1, via: '10.0.0.2', dev: 'v0' })).toMatchObject({ id: 1, family: 4, via: '10.0.0.2', scope: 'link' });
    await nh.add({ id: 2, via: '10.9.0.3', dev: 'v0', onlink: true });
    await nh.add({ id: 3, blackhole: true });
    await nh.add({ id: 4, dev: 'v0' });
    await nh.add({ id: 5, via: 'fd00::2', dev: 'v0', protocol: 'static' });
    const g = await nh.add({ id: 10, group: [1, { id: 2, weight: 2 }] });
    expect(g).toMatchObject({ id: 10, type: 'mpath', group: [{ id: 1, weight: 1 }, { id: 2, weight: 2 }] });
    const res = await nh.add({ id: 11, group: [{ id: 1, weight: 3 }, 2], type: 'resilient', resilient: { buckets: 8, idleTimer: 60, unbalancedTimer: 120 } });
    expect(res.resilient).toEqual({ buckets: 8, idleTimer: 60, unbalancedTimer: 120, unbalancedTime: 0 });
    const theirs = ipJson(ns.name, 'nexthop', 'show');
    expect(theirs).toContainEqual({ id: 2, gateway: '10.9.0.3', dev: 'v0', scope: 'link', flags: ['onlink'] });
    expect(theirs).toContainEqual({ id: 3, blackhole: null, flags: [] });
    expect(theirs).toContainEqual({ id: 10, group: [{ id: 1 }, { id: 2, weight: 2 }], flags: [] });
    expect(theirs).toContainEqual({ id: 11, group: [{ id: 1, weight: 3 }, { id: 2 }], type: 'resilient', resilient_args: { buckets: 8, idle_timer: 60, unbalanced_timer: 120, unbalanced_time: 0 }, flags: [] });
    expect(json(await nh.list())).toEqual(theirs);
    expect(json(await nh.list({ groups: true }))).toEqual(ipJson(ns.name, 'nexthop', 'show', 'groups'));
    expect(json(await nh.list({ family: 6 }))).toEqual(ipJson(ns.name, '-6', 'nexthop', 'show'));
    const buckets = await nh.buckets(11);
    expect(buckets).toHaveLength(8);
    expect(buckets.filter((b) => b.nhid === 1)).toHaveLength(6); // weights 3:1 over 8 buckets
    const ipBuckets = ipJson<{ bucket: { index: number; nhid: number } }[]>(ns.name, 'nexthop', 'bucket', 'show', 'id', '11');
    expect(buckets.map((b) => [b.index, b.nhid])).toEqual(ipBuckets.map((b) => [b.bucket.index, b.bucket.nhid]));
  });

  it('reads nexthops added by ip field by field; routes use them; replace, get, delete, flush', async () => {
    const ns = await withVeth(scope);
    ipDo(ns.name, 'nexthop', 'add', 'id', '21', 'via', '10.0.0.2', 'dev', 'v0');
    ipDo(ns.name, 'nexthop', 'add', 'id', '22', 'via', '10.0.0.3', 'dev', 'v0');
    ipDo(ns.name, 'nexthop', 'add', 'id', '30', 'group', '21,5/22', 'type', 'resilient', 'buckets', '16', 'idle_timer', '10');
    const got = await ns.nexthops.get(30);
    expect(got).toMatchObject({ id: 30, type: 'resilient', group: [{ id: 21, weight: 5 }, { id: 22, weight: 1 }], blackhole: false });
    expect(got.resilient).toMatchObject({ buckets: 16, idleTimer: 10 });
    expect(await ns.nexthops.get(21)).toMatchObject({ id: 21, family: 4, via: '10.0.0.2', devName: 'v0', scope: 'link', flags: 0 });
    const route = await ns.routes.add({ to: '10.50.0.0/16', nhid: 30 });
    expect(route.nhid).toBe(30);
    const [listed] = await ns.routes.list({ protocol: 'boot' });
    expect(listed).toMatchObject({ to: '10.50.0.0/16', nhid: 30 });
    expect(json(listed)).toEqual(ipJson(ns.name, 'route', 'show', '10.50.0.0/16')[0]);
    // Replacing a member changes the routes that use the group.
    await ns.nexthops.replace({ id: 22, via: '10.0.0.4', dev: 'v0' });
    expect(ipJson(ns.name, 'nexthop', 'show', 'id', '22')).toEqual([{ id: 22, gateway: '10.0.0.4', dev: 'v0', scope: 'link', flags: [] }]);
    await expect(ns.nexthops.add({ id: 21, blackhole: true })).rejects.toMatchObject({ code: 'EEXIST', operation: 'nexthop.add' });
    const auto = await ns.nexthops.add({ via: '10.0.0.9', dev: 'v0' });
    expect(auto.id).toBeGreaterThan(0); // chosen by the kernel, read back from its echo
    expect(ipJson(ns.name, 'nexthop', 'show', 'id', String(auto.id))).toHaveLength(1);
    await ns.nexthops.delete(auto);
    expect(await ns.nexthops.flush()).toBe(3);
    expect(ipJson(ns.name, 'nexthop', 'show')).toEqual([]);
    expect(ipJson(ns.name, 'route', 'show', '10.50.0.0/16')).toEqual([]); // the route went with its nexthop
    await expect(ns.nexthops.get(21)).rejects.toThrow('nexthop id 21 in namespace');
  });

  it('validation errors name the field and the value', async () => {
    const ns = await withVeth(scope);
    const cases: [Parameters<typeof ns.nexthops.add>[0], RegExp][] = [
      [{ id: 0, blackhole: true }, /^id: nexthop ids are 1..4294967295, got 0/],
      [{ id: 1 }, /^nexthop: expected a via, a dev, blackhole or a group/],
      [{ id: 1, via: '10.0.0.1', family: 6 }, /^via: expected an IPv6 gateway, got "10.0.0.1"/],
      [{ id: 1, blackhole: true, dev: 'v0' }, /^blackhole: a blackhole nexthop takes no via or dev/],
      [{ id: 1, group: [] }, /^group: expected a non-empty array/],
      [{ id: 1, group: [1], via: '10.0.0.2' }, /^group: a group takes no via, dev, blackhole or onlink/],
      [{ id: 1, group: [{ id: 2, weight: 257 }] }, /^group\[0\].weight: weights are 1..256, got 257/],
      [{ id: 1, group: [2], type: 'fair' as 'mpath' }, /^type: expected "mpath" or "resilient", got "fair"/],
      [{ id: 1, group: [2], type: 'mpath', resilient: { buckets: 4 } }, /^resilient: resilient options need type "resilient"/],
      [{ id: 1, group: [2], type: 'resilient', resilient: { buckets: 0 } }, /^resilient.buckets: buckets are 1..65535, got 0/],
      [{ id: 1, group: [2], type: 'resilient', resilient: { idleTimer: -1 } }, /^resilient.idleTimer: must be 0 or more seconds, got -1/],
      [{ id: 1, via: '10.0.0.2', type: 'mpath' }, /^type: only groups have a type/],
      [{ id: 1, via: '10.0.0.2', fdb: true, dev: 'v0' }, /^fdb: an FDB nexthop takes a gateway but no dev/],
    ];
    for (const [spec, message] of cases) await expect(ns.nexthops.add(spec)).rejects.toThrow(message);
    await expect(ns.nexthops.get(-1)).rejects.toThrow(/^id: nexthop ids are 1..4294967295, got -1/);
    await expect(ns.routes.add({ to: '10.1.0.0/16', nhid: 5, via: '10.0.0.2' })).rejects.toThrow(/^nhid: a route with a nexthop object takes no via, dev or nexthops/);
    expect(ipJson(ns.name, 'nexthop', 'show')).toEqual([]);
  });
});
