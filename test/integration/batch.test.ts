// Batches and bulk teardown against the kernel, checked with `ip -j`: results
// in order, stop/continue on errors, atomic undo, the order the kernel applies
// a batch in, and many links deleted by group in one unregister.
import { BatchError, Namespace, NetlinkError, NotFoundError } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };

/** A named namespace with r0 up (10.0.0.1/16), its peer up in an anonymous one. */
async function withLink(scope: ReturnType<typeof useNamespaces>): Promise<NamedNs> {
  const ns = await scope.named();
  const far = await scope.anonymous();
  const [r0] = await ns.links.addVeth({ name: 'r0', peer: { name: 'p0', namespace: far, up: true } });
  await r0.addresses.add('10.0.0.1/16');
  await r0.setUp();
  return ns;
}

const hostRoutes = (ns: string): string[] =>
  (ipJson(ns, 'route', 'show', 'table', 'main') as { dst: string; gateway?: string }[])
    .filter((r) => r.gateway === '10.0.0.2').map((r) => r.dst).sort();

const linkNamesOf = (ns: string): string[] => (ipJson(ns, 'link', 'show') as { ifname: string }[]).map((l) => l.ifname).sort();

describe('ns.batch', () => {
  const scope = useNamespaces();

  it('adds 3,000 routes with results in order, in few sendmsg calls, and ip sees them all', async () => {
    const ns = await withLink(scope);
    const dsts = Array.from({ length: 3000 }, (_, i) => `10.9.${i >> 8}.${i & 255}`);
    let sends = 0;
    const conn = ns.connection as unknown as { socket: { send: (b: Buffer[]) => number } };
    const send = conn.socket.send.bind(conn.socket);
    Object.defineProperty(conn.socket, 'send', { value: (b: Buffer[]) => { sends++; return send(b); } });
    const results = await ns.batch((b) => { for (const to of dsts) b.routes.add({ to, via: '10.0.0.2' }); });
    expect(results).toHaveLength(3000);
    expect((results as { to: string }[]).map((r) => r.to)).toEqual(dsts.map((d) => `${d}/32`));
    expect(sends).toBeLessThanOrEqual(8); // windows of ≤ 1,024 requests
    expect(hostRoutes(ns.name)).toEqual([...dsts].sort());
  });

  it('sends in batch order, so the kernel can apply dependent steps from one sendmsg', async () => {
    const ns = await scope.named();
    const far = await scope.anonymous();
    await ns.links.addVeth({ name: 'e0', peer: { name: 'f0', namespace: far, up: true } });
    const idx = (await ns.links.get('e0')).index;
    // address, then up, then a route via a gateway that only the first two make reachable
    await ns.batch([
      ['addresses.add', { link: idx, address: '10.1.0.2/24' }],
      ['links.set', idx, { up: true }],
      ['routes.add', { to: 'default', via: '10.1.0.1' }],
    ]);
    expect(ipJson(ns.name, 'route', 'show', 'default')).toEqual([expect.objectContaining({ dst: 'default', gateway: '10.1.0.1', dev: 'e0' })]);
  });

  it("onError 'stop': the first failure stops the rest; 'continue' reports every outcome", async () => {
    const ns = await withLink(scope);
    await ns.routes.add({ to: '10.9.0.5', via: '10.0.0.2' });
    const specs = ['10.9.0.4', '10.9.0.5', '10.9.0.6'].map((to) => ({ to, via: '10.0.0.2' }));
    // window 1: strictly one after another, so "stop" sends nothing after the failure
    const stop = await ns.batch((b) => specs.forEach((s) => b.routes.add(s)), { window: 1 }).catch((e: unknown) => e);
    expect(stop).toBeInstanceOf(BatchError);
    const sr = (stop as BatchError).results.map((r) => r.status);
    expect(sr).toEqual(['fulfilled', 'rejected', 'skipped']);
    expect(((stop as BatchError).errors[0].error as NetlinkError).code).toBe('EEXIST');
    expect(hostRoutes(ns.name)).toEqual(['10.9.0.4', '10.9.0.5']);

    const specs2 = ['10.9.0.7', '10.9.0.5', '10.9.0.8'].map((to) => ({ to, via: '10.0.0.2' }));
    const cont = await ns.batch((b) => specs2.forEach((s) => b.routes.add(s)), { onError: 'continue' }).catch((e: unknown) => e);
    expect((cont as BatchError).results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((cont as BatchError).errors.map((e) => e.index)).toEqual([1]);
    expect(hostRoutes(ns.name)).toEqual(['10.9.0.4', '10.9.0.5', '10.9.0.7', '10.9.0.8']);
  });

  it('atomic: a failure undoes everything that succeeded, links and addresses included', async () => {
    const ns = await withLink(scope);
    const before = linkNamesOf(ns.name);
    await ns.routes.add({ to: '10.9.0.5', via: '10.0.0.2' });
    const err = await ns.batch((b) => {
      b.links.addBridge({ name: 'brx' });
      b.addresses.add({ link: 'r0', address: '10.0.7.1/24' });
      b.routes.add({ to: '10.9.0.1', via: '10.0.0.2' });
      b.routes.add({ to: '10.9.0.2', via: '10.0.0.2' });
      b.routes.add({ to: '10.9.0.5', via: '10.0.0.2' }); // exists: EEXIST
      b.routes.add({ to: '10.9.0.6', via: '10.0.0.2' });
    }, { atomic: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchError);
    expect((err as BatchError).undone).toBe(true);
    expect(hostRoutes(ns.name)).toEqual(['10.9.0.5']);
    expect(linkNamesOf(ns.name)).toEqual(before);
    const addrs = ipJson(ns.name, 'addr', 'show', 'dev', 'r0') as { addr_info: { local: string }[] }[];
    expect(addrs[0].addr_info.map((a) => a.local)).not.toContain('10.0.7.1');
  });

  it('atomic: deletes given a listed Route are undone by adding it back', async () => {
    const ns = await withLink(scope);
    await ns.routes.add({ to: '10.9.0.1', via: '10.0.0.2', metric: 7 });
    const [r] = (await ns.routes.list()).filter((x) => x.to === '10.9.0.1/32');
    const err = await ns.batch((b) => { b.routes.delete(r); b.routes.add({ to: '10.9.0.3', via: '10.77.0.1' }); }, { atomic: true }).catch((e: unknown) => e);
    expect((err as BatchError).undone).toBe(true);
    expect(ipJson(ns.name, 'route', 'show', '10.9.0.1')).toEqual([expect.objectContaining({ gateway: '10.0.0.2', metric: 7 })]);
  });

  it('refuses, before sending anything, what an atomic batch could not undo, and unknown verbs', async () => {
    const ns = await withLink(scope);
    await expect(ns.batch((b) => { b.routes.add({ to: '10.9.0.1', via: '10.0.0.2' }); b.links.delete('r0'); }, { atomic: true }))
      .rejects.toThrow(/links\.delete\("r0"\) cannot be undone/);
    await expect(ns.batch([['routes.nope' as never, {}]])).rejects.toThrow(/routes\.nope is not an operation/);
    expect(hostRoutes(ns.name)).toEqual([]);
  });
});

describe('bulk link teardown', () => {
  const scope = useNamespaces();

  it('links.delete([...]) deletes 40 veth pairs (both ends, across namespaces) by group in one request', async () => {
    const ns = await scope.named();
    const far = await scope.named();
    await Promise.all(Array.from({ length: 40 }, (_, i) => ns.links.addVeth({ name: `v${i}`, peer: { name: `p${i}`, namespace: far } })));
    ipDo(ns.name, 'link', 'add', 'keep', 'type', 'veth', 'peer', 'name', 'keep1');
    const sent: number[] = [];
    const conn = ns.connection as unknown as { socket: { send: (b: Buffer[]) => number } };
    const send = conn.socket.send.bind(conn.socket);
    Object.defineProperty(conn.socket, 'send', { value: (b: Buffer[]) => { for (const x of b) sent.push(x.readUInt16LE(4)); return send(b); } });
    const t0 = Date.now();
    await ns.links.delete(Array.from({ length: 40 }, (_, i) => `v${i}`));
    const took = Date.now() - t0;
    expect(sent.filter((t) => t === 17 /* RTM_DELLINK */)).toHaveLength(1);
    expect(linkNamesOf(ns.name)).toEqual(['keep', 'keep1', 'lo']);
    expect(linkNamesOf(far.name)).toEqual(['lo']);
    // One unregister, not 40 (~20 ms each): generous bound for a busy 2-core machine.
    expect(took).toBeLessThan(600);
  });

  it('reports a missing link per ref and deletes the rest; lo makes it fall back to one by one', async () => {
    const ns = await scope.named();
    await ns.links.addBridge({ name: 'b1' });
    await ns.links.addBridge({ name: 'b2' });
    await ns.links.addBridge({ name: 'b3' });
    await expect(ns.links.delete(['b1', 'nope', 'b2'])).rejects.toBeInstanceOf(NotFoundError);
    expect(linkNamesOf(ns.name)).toEqual(['b3', 'lo']);
    await ns.links.addBridge({ name: 'b4' });
    const err = await ns.links.delete(['b3', 'lo', 'b4']).catch((e: unknown) => e);
    expect((err as NetlinkError).errno).toBe(95); // EOPNOTSUPP (Node names it ENOTSUP)
    expect(linkNamesOf(ns.name)).toEqual(['lo']);
    expect((ipJson(ns.name, '-d', 'link', 'show', 'lo') as { group: string }[])[0].group).toBe('default');
  });

  it('a batch of contiguous links.delete becomes one group delete, with a result per operation', async () => {
    const ns = await scope.named();
    for (const n of ['a1', 'a2', 'a3']) await ns.links.addBridge({ name: n });
    const err = await ns.batch((b) => { b.links.delete('a1'); b.links.delete('zz'); b.links.delete('a3'); }, { onError: 'continue' })
      .catch((e: unknown) => e);
    expect((err as BatchError).results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(linkNamesOf(ns.name)).toEqual(['a2', 'lo']);
  });

  it('Namespace.deleteMany deletes named namespaces; their veth peers elsewhere go with them', async () => {
    const host = await scope.named();
    const pods = [await Namespace.create(), await Namespace.create(), await Namespace.create()];
    for (const [i, p] of pods.entries()) await host.links.addVeth({ name: `h${i}`, peer: { name: 'eth0', namespace: p } });
    await Namespace.deleteMany(pods);
    expect(pods.every((p) => p.isClosed)).toBe(true);
    // cleanup_net runs asynchronously
    for (let i = 0; i < 100 && linkNamesOf(host.name).length > 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(linkNamesOf(host.name)).toEqual(['lo']);
  });
});
