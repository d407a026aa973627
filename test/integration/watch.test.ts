// ns.watch against the kernel: every kind seen for changes made by the library
// and by `ip`, IPv4 and IPv6; listExisting with changes racing the dump;
// filters; several namespaces; IPv4 routes flushed silently by the kernel;
// cancellation leaves no socket open.
import { ChangeEvent, Namespace, objectKey, Route, watch, WatchEvent, Watcher } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';
import { newSockets, openSockets, until, View } from '../helpers/fake-events';

type NamedNs = Namespace & { name: string };

/** Collects a watcher's events in the background (iterator form). */
function collect(w: Watcher): View & { done: Promise<unknown> } {
  const view = new View() as View & { done: Promise<unknown> };
  view.done = (async () => { for await (const e of w) view.apply(e); })().catch((e: unknown) => e);
  return view;
}

const changes = (v: View, kind: string): string[] => v.events
  .filter((e): e is ChangeEvent => (e.type === 'new' || e.type === 'delete') && e.kind === kind)
  .map((e) => `${e.type} ${e.kind === 'link' ? e.object.name : e.kind === 'address' ? e.object.cidr : (e.object as Route).to}`);

/** A namespace with a veth end `v0` (up, no IPv6 autoconf noise) whose peer is in another namespace. */
async function setup(scope: ReturnType<typeof useNamespaces>): Promise<NamedNs> {
  const ns = await scope.named();
  const far = await scope.anonymous();
  await ns.links.addVeth({ name: 'v0', peer: { name: 'p0', namespace: far, up: true } });
  ipDo(ns.name, 'link', 'set', 'v0', 'addrgenmode', 'none');
  await (await ns.links.get('v0')).setUp();
  return ns;
}

/** No socket is open beyond `before` (a closed poll handle lets its fd go on the loop's next turn). */
const fdsBack = (before: Set<string>): Promise<void> =>
  until(() => newSockets(before).length === 0, `the watcher's socket to close (open: ${newSockets(before).join(' ')})`, 2000, 5);

describe('ns.watch', () => {
  const scope = useNamespaces();

  test('links, addresses and routes (IPv4 and IPv6), made by the library and by ip', async () => {
    const ns = await setup(scope);
    const w = ns.watch(['link', 'address', 'route']);
    const v = collect(w);
    const v0 = await ns.links.get('v0');
    // By the library.
    const br = await ns.links.addBridge({ name: 'br-lib' });
    await v0.addresses.add('10.1.0.1/24');
    await v0.addresses.add('fd00::1/64', { nodad: true });
    await ns.routes.add({ to: '10.9.0.0/16', via: '10.1.0.2' });
    await ns.routes.add({ to: 'fd09::/64', via: 'fd00::2' });
    // By ip.
    ipDo(ns.name, 'link', 'add', 'br-ip', 'type', 'bridge');
    ipDo(ns.name, 'addr', 'add', '10.2.0.1/24', 'dev', 'v0');
    ipDo(ns.name, 'addr', 'add', 'fd02::1/64', 'dev', 'v0', 'nodad');
    ipDo(ns.name, 'route', 'add', '10.8.0.0/16', 'via', '10.2.0.2');
    ipDo(ns.name, 'route', 'add', 'fd08::/64', 'via', 'fd02::2');
    ipDo(ns.name, 'route', 'del', '10.8.0.0/16');
    ipDo(ns.name, 'route', 'del', 'fd08::/64');
    ipDo(ns.name, 'addr', 'del', 'fd02::1/64', 'dev', 'v0');
    ipDo(ns.name, 'link', 'del', 'br-ip');
    await ns.routes.delete({ to: '10.9.0.0/16' });
    await ns.routes.delete({ to: 'fd09::/64' });
    await br.delete();
    await until(() => changes(v, 'link').includes('delete br-lib'), 'the last event');
    for (const wanted of ['new br-lib', 'new br-ip', 'delete br-ip', 'delete br-lib']) expect(changes(v, 'link')).toContain(wanted);
    for (const wanted of ['new 10.1.0.1/24', 'new fd00::1/64', 'new 10.2.0.1/24', 'new fd02::1/64', 'delete fd02::1/64']) {
      expect(changes(v, 'address')).toContain(wanted);
    }
    expect(changes(v, 'route')).toEqual(expect.arrayContaining([
      'new 10.9.0.0/16', 'new fd09::/64', 'new 10.8.0.0/16', 'new fd08::/64',
      'delete 10.8.0.0/16', 'delete fd08::/64', 'delete 10.9.0.0/16', 'delete fd09::/64']));
    // The objects are the list calls' objects.
    const routeEvent = v.events.find((e) => e.type === 'new' && e.kind === 'route' && e.object.to === '10.9.0.0/16') as ChangeEvent;
    expect(routeEvent.namespace).toBe(ns);
    expect(routeEvent.object).toMatchObject({ family: 4, via: '10.1.0.2', dev: v0.index, table: 'main', protocol: 'boot' });
    const addrEvent = v.events.find((e) => e.type === 'new' && e.kind === 'address' && e.object.cidr === '10.2.0.1/24') as ChangeEvent;
    expect(addrEvent.object).toEqual((await ns.addresses.list({ family: 4 })).find((a) => a.cidr === '10.2.0.1/24'));
    w.close();
    await v.done;
  });

  test('neighbours, rules and nexthops (IPv4 and IPv6), made by the library and by ip; listExisting agrees with ip', async () => {
    const ns = await setup(scope);
    const v0 = await ns.links.get('v0');
    await v0.addresses.add('10.1.0.1/24');
    await v0.addresses.add('fd00::1/64', { nodad: true });
    ipDo(ns.name, 'neigh', 'add', '10.1.0.7', 'lladdr', '02:00:00:00:00:07', 'dev', 'v0');
    const w = ns.watch(['neighbor', 'rule', 'nexthop'], { listExisting: true });
    const v = collect(w);
    await until(() => v.synced === 1, 'synced');
    // What `ip neigh show` lists (NOARP entries such as ff02::16 are left out by both).
    const ipNeigh = ipJson<{ dst: string }[]>(ns.name, 'neigh', 'show').map((n) => n.dst).sort();
    expect(ipNeigh).toContain('10.1.0.7');
    expect(v.list('neighbor', (n: { to: string }) => n.to)).toEqual(ipNeigh);
    // Rules present from the start: the default ones of both families, as ip shows them.
    const ipRules = [...ipJson<{ priority: number }[]>(ns.name, '-4', 'rule', 'show'), ...ipJson<{ priority: number }[]>(ns.name, '-6', 'rule', 'show')];
    expect(v.list('rule', (r: { priority: number }) => r.priority)).toEqual(ipRules.map((r) => r.priority).sort());
    const before = v.events.length;
    await ns.neighbors.add({ to: '10.1.0.8', dev: v0, lladdr: '02:00:00:00:00:08' });
    ipDo(ns.name, 'neigh', 'add', 'fd00::9', 'lladdr', '02:00:00:00:00:09', 'dev', 'v0');
    await ns.rules.add({ priority: 1000, from: '10.5.0.0/16', table: 100 });
    ipDo(ns.name, '-6', 'rule', 'add', 'priority', '1001', 'from', 'fd05::/64', 'table', '101');
    await ns.nexthops.add({ id: 10, via: '10.1.0.2', dev: v0 });
    ipDo(ns.name, 'nexthop', 'add', 'id', '11', 'via', 'fd00::2', 'dev', 'v0');
    ipDo(ns.name, 'nexthop', 'del', 'id', '11');
    await ns.nexthops.delete(10);
    ipDo(ns.name, 'rule', 'del', 'priority', '1000');
    await ns.neighbors.delete({ to: 'fd00::9', dev: v0 });
    const got = (): string[] => v.events.slice(before).filter((e): e is ChangeEvent => e.type === 'new' || e.type === 'delete').map((e) => {
      const o = e.object as unknown as { to?: string; priority?: number; id?: number };
      return `${e.type} ${e.kind} ${e.kind === 'neighbor' ? o.to : e.kind === 'rule' ? o.priority : o.id}`;
    });
    await until(() => got().includes('delete neighbor fd00::9'), 'the last event');
    expect(got()).toEqual(expect.arrayContaining([
      'new neighbor 10.1.0.8', 'new neighbor fd00::9', 'new rule 1000', 'new rule 1001', 'new nexthop 10', 'new nexthop 11',
      'delete nexthop 11', 'delete nexthop 10', 'delete rule 1000', 'delete neighbor fd00::9']));
    const rule = v.events.find((e) => e.type === 'new' && e.kind === 'rule' && e.object.priority === 1001) as ChangeEvent & { kind: 'rule' };
    expect(rule.object).toMatchObject({ family: 6, from: 'fd05::/64', table: 101 });
    w.close();
  });

  test('listExisting: the current state, then synced, then changes — matching ip, with changes racing the dump', async () => {
    const ns = await setup(scope);
    const v0 = await ns.links.get('v0');
    await v0.addresses.add('10.1.0.1/16');
    const racing = Array.from({ length: 300 }, (_, i) => `10.${100 + (i >> 8)}.${i & 255}.0/24`);
    await Promise.all(racing.slice(0, 150).map((to) => ns.routes.add({ to, dev: v0 })));
    const w = ns.watch(['link', 'address', 'route'], { listExisting: true, family: 4 });
    const v = collect(w);
    // Changes while the initial dump runs: add the rest, delete the first half.
    await Promise.all([
      ...racing.slice(150).map((to) => ns.routes.add({ to, dev: v0 })),
      ...racing.slice(0, 75).map((to) => ns.routes.delete({ to })),
    ]);
    await until(() => v.synced >= 1, 'synced');
    const kernel = (): string[] => ipJson<{ dst: string }[]>(ns.name, '-4', 'route', 'show', 'table', 'all')
      .map((r) => (r.dst.includes('/') || r.dst === 'default' ? r.dst : `${r.dst}/32`)).sort();
    await until(() => JSON.stringify(v.list('route', (r: Route) => r.to)) === JSON.stringify(kernel()), 'the view to equal ip route show table all');
    expect(v.list('link', (l: { name: string }) => l.name)).toEqual(['lo', 'v0']);
    const ipAddrs = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>(ns.name, '-4', 'addr', 'show')
      .flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).sort();
    expect(v.list('address', (a: { cidr: string }) => a.cidr)).toEqual(ipAddrs);
    expect(ipAddrs).toEqual(['10.1.0.1/16']);
    // No duplicate: every key was announced 'new' at most once before any delete of it.
    const seen = new Set<string>();
    const firstSynced = v.events.findIndex((e) => e.type === 'synced');
    for (const e of v.events.slice(0, firstSynced)) {
      expect(e.type).toBe('new');
      const k = objectKey(e as ChangeEvent);
      expect(seen.has(k)).toBe(false);
      seen.add(k);
    }
    w.close();
  });

  test('filters: one link, one family', async () => {
    const ns = await setup(scope);
    const v0 = await ns.links.get('v0');
    const br = await ns.links.addBridge({ name: 'br0', up: true });
    const v = collect(ns.watch(['address', 'route', 'link'], { link: v0, family: 6 }));
    await v0.addresses.add('10.1.0.1/24');
    await br.addresses.add('fd01::1/64', { nodad: true });
    await v0.addresses.add('fd00::1/64', { nodad: true });
    await v0.set({ mtu: 1400 });
    await br.set({ mtu: 1400 });
    await until(() => changes(v, 'link').length > 0 && changes(v, 'address').length > 0, 'events');
    await new Promise((r) => setTimeout(r, 100));
    expect(changes(v, 'address')).toEqual(['new fd00::1/64']);
    expect(v.events.filter((e) => e.type === 'new' && e.kind === 'link').every((e) => (e as ChangeEvent & { kind: 'link' }).object.index === v0.index)).toBe(true);
    expect(v.events.filter((e) => e.type === 'new' && e.kind === 'route').every((e) => (e as ChangeEvent & { kind: 'route' }).object.family === 6)).toBe(true);
  });

  test('several namespaces: each event names its namespace', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const w = watch([a, b], ['link']);
    const v = collect(w);
    await a.links.addBridge({ name: 'bra' });
    ipDo(b.name, 'link', 'add', 'brb', 'type', 'bridge');
    await until(() => changes(v, 'link').length >= 2, 'two link events');
    const byName = new Map(v.events.map((e) => [(e as ChangeEvent & { kind: 'link' }).object.name, e.namespace]));
    expect(byName.get('bra')).toBe(a);
    expect(byName.get('brb')).toBe(b);
    expect(w.namespaces).toEqual([a, b]);
    w.close();
  });

  test('a view stays right when the kernel flushes IPv4 routes and nexthops without telling (link down)', async () => {
    const ns = await setup(scope);
    const v0 = await ns.links.get('v0');
    await v0.addresses.add('10.1.0.1/24');
    await ns.routes.add({ to: '10.9.0.0/16', via: '10.1.0.2' });
    await ns.nexthops.add({ id: 5, via: '10.1.0.3', dev: v0 });
    // Links are not watched: the watcher listens to them only to notice the flush.
    const v = collect(ns.watch(['route', 'nexthop'], { listExisting: true, family: 4 }));
    await until(() => v.synced === 1, 'synced');
    expect(v.list('route', (r: Route) => r.to)).toContain('10.9.0.0/16');
    expect(v.list('nexthop', (n: { id: number }) => n.id)).toEqual([5]);
    ipDo(ns.name, 'link', 'set', 'v0', 'down');
    const kernel = (): string[] => ipJson<{ dst: string }[]>(ns.name, '-4', 'route', 'show', 'table', 'all')
      .map((r) => (r.dst.includes('/') || r.dst === 'default' ? r.dst : `${r.dst}/32`)).sort();
    await until(() => JSON.stringify(v.list('route', (r: Route) => r.to)) === JSON.stringify(kernel()), 'the view to drop the flushed routes');
    await until(() => v.list('nexthop', (n: { id: number }) => n.id).length === 0, 'the view to drop the flushed nexthop');
    expect(ipJson(ns.name, 'nexthop', 'show')).toEqual([]);
    expect(v.list('route', (r: Route) => r.to)).not.toContain('10.9.0.0/16');
    expect(v.events.some((e) => e.type === 'new' && (e.kind as string) === 'link')).toBe(false);
  });

  test('emitter form', async () => {
    const ns = await scope.named();
    const w = ns.watch(['link']);
    const seen: WatchEvent[] = [];
    w.on('new', (e: WatchEvent) => seen.push(e));
    expect(() => w[Symbol.asyncIterator]()).toThrow(/listen to a watcher or iterate it/);
    await ns.links.addBridge({ name: 'br0' });
    await until(() => seen.length > 0, 'a new-link event');
    expect(seen[0]).toMatchObject({ type: 'new', kind: 'link', object: { name: 'br0' } });
    w.close();
  });

  test('break, return(), close() and AbortSignal release the socket', async () => {
    const ns = await scope.named();
    await ns.links.list(); // the namespace's own connection is open before counting
    const before = openSockets();
    // break out of for await
    const w1 = ns.watch(['link']);
    expect(newSockets(before)).toHaveLength(1);
    const p1 = (async () => { for await (const e of w1) { if (e.type === 'new') break; } })();
    await ns.links.addBridge({ name: 'br1' });
    await p1;
    expect(w1.closed).toBe(true);
    await fdsBack(before);
    // AbortSignal: the loop throws AbortError
    const ac = new AbortController();
    const w2 = ns.watch(['link', 'route'], { signal: ac.signal, listExisting: true });
    const p2 = (async () => { for await (const e of w2) void e; })();
    setTimeout(() => ac.abort(), 50);
    await expect(p2).rejects.toMatchObject({ name: 'AbortError' });
    await fdsBack(before);
    // close() ends a waiting iterator
    const w3 = ns.watch(['address']);
    const it = w3[Symbol.asyncIterator]();
    const pending = it.next();
    w3.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await fdsBack(before);
    // return() on an iterator that never waited
    const w4 = ns.watch(['route']);
    await w4[Symbol.asyncIterator]().return?.();
    await fdsBack(before);
  });
});
