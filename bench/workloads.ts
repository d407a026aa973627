// The workloads of BENCH.md, once per tool: W1 (CNI-style namespace setup and
// teardown), W2 (routes: add, dump, delete), W3 (link dumps). Each function
// does one run in fresh namespaces, checks afterwards (untimed) that the work
// was really done, and returns seconds per step.
import { Link, Namespace } from '../lib';
import { check, ip, ipBatch, py, settle, timed } from './util';

export type Tool = 'rtnetlink (sequential)' | 'rtnetlink (batch)' | 'ip per op' | 'ip -batch' | 'pyroute2';
export type Steps = Record<string, number>;

const GW = '10.0.0.1';
const podAddr = (i: number): string => `10.0.${i % 250}.2/16`;
const hostLinks = async (): Promise<Link[]> => (await Namespace.current().links.list()).filter((l) => /^veth\d+$/.test(l.name));

// ---- W1 ----------------------------------------------------------------------

async function w1Prepare(): Promise<Link> {
  const host = Namespace.current();
  const old = await host.links.find('br0');
  if (old) await old.delete();
  const br = await host.links.addBridge({ name: 'br0', up: true });
  await br.addresses.add(`${GW}/16`);
  return br;
}

async function w1Verify(n: number): Promise<void> {
  const up = (await hostLinks()).filter((l) => l.up && l.masterIndex !== undefined);
  check('W1 host veths up on br0', up.length, n);
  check('W1 named namespaces', (await Namespace.list()).filter((x) => x.startsWith('pod')).length, n);
  const last = await Namespace.open(`pod${n - 1}`);
  const routes = await last.routes.list();
  last.close();
  check('W1 default route in the last pod', routes.filter((r) => r.to === 'default' && r.via === GW).length, 1);
}

async function w1VerifyGone(): Promise<void> {
  check('W1 host veths left after teardown', (await hostLinks()).length, 0);
  check('W1 namespaces left after teardown', (await Namespace.list()).filter((x) => x.startsWith('pod')).length, 0);
}

export async function w1(tool: Tool, n: number): Promise<Steps> {
  const br = await w1Prepare();
  const host = Namespace.current();
  let setup = 0;
  let teardown = 0;
  if (tool === 'rtnetlink (sequential)') {
    const pods: Namespace[] = [];
    setup = await timed(async () => {
      for (let i = 0; i < n; i++) {
        const pod = await Namespace.create(`pod${i}`);
        pods.push(pod);
        const [h, eth0] = await host.links.addVeth({ name: `veth${i}`, peer: { name: 'eth0', namespace: pod } });
        await eth0.addresses.add(podAddr(i));
        await pod.links.set('lo', { up: true });
        await eth0.setUp();
        await pod.routes.add({ to: 'default', via: GW });
        await h.set({ master: br, up: true });
      }
    });
    await w1Verify(n);
    teardown = await timed(async () => {
      for (let i = 0; i < n; i++) {
        await host.links.delete(`veth${i}`);
        await pods[i].delete();
      }
    });
  } else if (tool === 'rtnetlink (batch)') {
    let pods: Namespace[] = [];
    let ends: Link[] = [];
    setup = await timed(async () => {
      pods = await Promise.all(Array.from({ length: n }, (_, i) => Namespace.create(`pod${i}`)));
      const pairs = await host.batch((b) => pods.forEach((pod, i) => b.links.addVeth({ name: `veth${i}`, peer: { name: 'eth0', namespace: pod } }))) as [Link, Link][];
      ends = pairs.map((p) => p[0]);
      // Each pod's steps in order in one sendmsg on its own socket; all pods at once.
      await Promise.all(pods.map((pod, i) => pod.batch((b) => {
        const eth0 = pairs[i][1].index;
        b.addresses.add({ link: eth0, address: podAddr(i) });
        b.links.set(1 /* lo: always ifindex 1 */, { up: true });
        b.links.set(eth0, { up: true });
        b.routes.add({ to: 'default', via: GW });
      })));
      await host.batch((b) => ends.forEach((h) => b.links.set(h.index, { master: br.index, up: true })));
    });
    await w1Verify(n);
    teardown = await timed(async () => {
      await host.links.delete(ends); // one RTM_DELLINK by group: both ends of every pair, one unregister
      await Namespace.deleteMany(pods);
    });
  } else if (tool === 'ip per op') {
    setup = await timed(() => {
      for (let i = 0; i < n; i++) {
        ip('netns', 'add', `pod${i}`);
        ip('link', 'add', `veth${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', `pod${i}`);
        ip('-n', `pod${i}`, 'addr', 'add', podAddr(i), 'dev', 'eth0');
        ip('-n', `pod${i}`, 'link', 'set', 'lo', 'up');
        ip('-n', `pod${i}`, 'link', 'set', 'eth0', 'up');
        ip('-n', `pod${i}`, 'route', 'add', 'default', 'via', GW);
        ip('link', 'set', `veth${i}`, 'master', 'br0', 'up');
      }
    });
    await w1Verify(n);
    teardown = await timed(() => {
      for (let i = 0; i < n; i++) {
        ip('link', 'del', `veth${i}`);
        ip('netns', 'del', `pod${i}`);
      }
    });
  } else if (tool === 'ip -batch') {
    const range = Array.from({ length: n }, (_, i) => i);
    setup = await timed(() => {
      ipBatch(range.flatMap((i) => [`netns add pod${i}`, `link add veth${i} type veth peer name eth0 netns pod${i}`]));
      for (const i of range) {
        ipBatch([`addr add ${podAddr(i)} dev eth0`, 'link set lo up', 'link set eth0 up', `route add default via ${GW}`], `pod${i}`);
      }
      ipBatch(range.map((i) => `link set veth${i} master br0 up`));
    });
    await w1Verify(n);
    teardown = await timed(() => ipBatch(range.flatMap((i) => [`link del veth${i}`, `netns del pod${i}`])));
  } else {
    setup = py('w1-setup', String(n), GW).seconds;
    await w1Verify(n);
    teardown = py('w1-teardown', String(n)).seconds;
  }
  await w1VerifyGone();
  await settle();
  return { 'W1 setup': setup, 'W1 teardown': teardown };
}

// ---- W2 ----------------------------------------------------------------------

const dst = (i: number): string => `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const W2_DUMPS = 5;

async function w2Namespace(): Promise<Namespace & { name: string }> {
  const ns = await Namespace.create(`w2-${process.pid}-${Date.now()}`) as Namespace & { name: string };
  const [r0, p0] = await ns.links.addVeth({ name: 'r0', peer: { name: 'p0' } });
  await r0.addresses.add('10.0.0.1/16');
  await p0.setUp();
  await r0.setUp();
  return ns;
}

async function countRoutes(ns: Namespace): Promise<number> {
  return (await ns.routes.list()).filter((r) => r.via === '10.0.0.2').length;
}

function expectOk(r: { ok: number; errors: { index: number; error: Error }[] }, n: number): void {
  if (r.errors.length) throw new Error(`W2: routes[${r.errors[0].index}]: ${r.errors[0].error.message}`);
  check('W2 bulk routes applied', r.ok, n);
}

/**
 * One untimed round of the timed work (the same routes added, dumped and
 * deleted) the way `tool` will do it: the steady state of a running service.
 * A first 10,000-route addMany in a process spends ~70 ms of CPU compiling
 * (user time above wall time: V8's optimizing threads); a round of 100 or
 * 1,000 routes did not reach that. ip gets the same round; pyroute2 times
 * inside its own process.
 */
async function w2WarmUp(tool: Tool, ns: Namespace & { name: string }, routes: { to: string; via: string }[]): Promise<void> {
  if (tool === 'rtnetlink (batch)') {
    expectOk(await ns.routes.addMany(routes), routes.length);
    await ns.routes.list();
    expectOk(await ns.routes.deleteMany(routes), routes.length);
  } else if (tool === 'rtnetlink (sequential)') {
    for (const r of routes) await ns.routes.add(r);
    await ns.routes.list();
    for (const r of routes) await ns.routes.delete(r);
  } else if (tool === 'ip -batch' || tool === 'ip per op') {
    ipBatch(routes.map((r) => `route add ${r.to}/32 via ${r.via}`), ns.name);
    ip('-n', ns.name, 'route', 'show');
    ipBatch(routes.map((r) => `route del ${r.to}/32 via ${r.via}`), ns.name);
  }
}

/** W2 with n routes; `ipSubset`: how many routes `ip per op` does (its time is scaled to n). */
export async function w2(tool: Tool, n: number, ipSubset: number): Promise<Steps> {
  const ns = await w2Namespace();
  const steps: Steps = {};
  const routes = Array.from({ length: n }, (_, i) => ({ to: dst(i), via: '10.0.0.2' }));
  await w2WarmUp(tool, ns, routes);
  if (tool === 'rtnetlink (sequential)') {
    steps['W2 add'] = await timed(async () => { for (const r of routes) await ns.routes.add(r); });
  } else if (tool === 'rtnetlink (batch)') {
    // The "batch" column of W2 is the bulk path (routes.addMany/deleteMany);
    // the generic ns.batch is timed too, as its own rows, after the dump.
    steps['W2 add'] = await timed(async () => { expectOk(await ns.routes.addMany(routes), n); });
  } else if (tool === 'ip -batch' || tool === 'ip per op') {
    steps['W2 add'] = await timed(() => ipBatch(routes.map((r) => `route add ${r.to}/32 via ${r.via}`), ns.name));
  } else {
    steps['W2 add'] = py('w2-add', ns.name, String(n)).seconds;
  }
  check(`W2 routes after add (${tool})`, await countRoutes(ns), n);

  // The dump step is the mean of W2_DUMPS dumps in a row, for every tool: one
  // 5–20 ms dump is at the mercy of a single GC or scheduling hiccup.
  if (tool === 'rtnetlink (batch)' || tool === 'rtnetlink (sequential)') {
    let count = 0;
    steps['W2 dump'] = await timed(async () => {
      for (let d = 0; d < W2_DUMPS; d++) {
        for (const r of await ns.routes.list()) if (r.to && r.via !== undefined && r.dev !== undefined) count++;
      }
    }) / W2_DUMPS;
    check('W2 dump count', count, n * W2_DUMPS);
  } else if (tool === 'ip -batch' || tool === 'ip per op') {
    steps['W2 dump'] = await timed(() => { for (let d = 0; d < W2_DUMPS; d++) ip('-n', ns.name, 'route', 'show'); }) / W2_DUMPS;
  } else {
    const r = py('w2-dump', ns.name, String(W2_DUMPS));
    check('W2 pyroute2 dump count', r.count ?? -1, n);
    steps['W2 dump'] = r.seconds;
  }

  if (tool === 'rtnetlink (sequential)') {
    steps['W2 delete'] = await timed(async () => { for (const r of routes) await ns.routes.delete(r); });
  } else if (tool === 'rtnetlink (batch)') {
    steps['W2 delete'] = await timed(async () => { expectOk(await ns.routes.deleteMany(routes), n); });
    check('W2 routes after deleteMany', await countRoutes(ns), 0);
    steps['W2 add, ns.batch'] = await timed(() => ns.batch((b) => { for (const r of routes) b.routes.add(r); }));
    check('W2 routes after ns.batch add', await countRoutes(ns), n);
    steps['W2 delete, ns.batch'] = await timed(() => ns.batch((b) => { for (const r of routes) b.routes.delete(r); }));
  } else if (tool === 'ip -batch' || tool === 'ip per op') {
    steps['W2 delete'] = await timed(() => ipBatch(routes.map((r) => `route del ${r.to}/32 via ${r.via}`), ns.name));
  } else {
    steps['W2 delete'] = py('w2-delete', ns.name, String(n)).seconds;
  }
  check(`W2 routes after delete (${tool})`, await countRoutes(ns), 0);

  if (tool === 'ip per op') {
    // One process per route: a subset, scaled.
    const sub = routes.slice(0, ipSubset);
    const add = await timed(() => { for (const r of sub) ip('-n', ns.name, 'route', 'add', `${r.to}/32`, 'via', r.via); });
    check('W2 ip per op subset', await countRoutes(ns), ipSubset);
    const del = await timed(() => { for (const r of sub) ip('-n', ns.name, 'route', 'del', `${r.to}/32`, 'via', r.via); });
    steps['W2 add'] = add * (n / ipSubset);
    steps['W2 delete'] = del * (n / ipSubset);
  }
  await ns.delete();
  await settle();
  return steps;
}

// ---- W3 ----------------------------------------------------------------------

/** One namespace with `pairs` veth pairs, host ends over two bridges, IPv6 off (untimed). */
export async function w3Prepare(pairs: number): Promise<Namespace & { name: string }> {
  const ns = await Namespace.create(`w3-${process.pid}-${Date.now()}`) as Namespace & { name: string };
  ip('netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
  const [a, b] = [await ns.links.addBridge({ name: 'brA', up: true }), await ns.links.addBridge({ name: 'brB', up: true })];
  for (let k = 0; k < pairs; k += 500) {
    const chunk = Array.from({ length: Math.min(500, pairs - k) }, (_, j) => k + j);
    const made = await ns.batch((bb) => chunk.forEach((i) => bb.links.addVeth({ name: `h${i}`, peer: { name: `c${i}` } }))) as [Link, Link][];
    await ns.batch((bb) => made.forEach(([h], j) => bb.links.set(h.index, { master: (chunk[j] < pairs / 2 ? a : b).index, up: true })));
  }
  check('W3 links', (await ns.links.list()).length, 2 * pairs + 3);
  return ns;
}

export async function w3(tool: Tool, ns: Namespace & { name: string }, dumps: number, links: number): Promise<Steps> {
  let seconds: number;
  if (tool === 'rtnetlink (batch)' || tool === 'rtnetlink (sequential)') {
    let seen = 0;
    // One untimed round of the same dumps first (ip gets one too; pyroute2 times
    // inside its process): the steady state of a running service. The first round
    // in a process pays V8 compiling the decoder and growing its heap (up to 8
    // mark-compacts, --trace-gc); later rounds none.
    for (let d = 0; d < dumps; d++) await ns.links.list({ statistics: true });
    seconds = await timed(async () => {
      for (let d = 0; d < dumps; d++) {
        for (const l of await ns.links.list({ statistics: true })) {
          if (l.name && l.index && l.mtu && l.mac !== undefined && l.flags >= 0 && l.stats) seen++;
          void l.masterIndex;
        }
      }
    });
    check('W3 links seen', seen, dumps * links);
  } else if (tool === 'ip -batch') {
    ipBatch(Array.from({ length: dumps }, () => 'link show'), ns.name, ['-s']);
    seconds = await timed(() => ipBatch(Array.from({ length: dumps }, () => 'link show'), ns.name, ['-s']));
  } else if (tool === 'ip per op') {
    ip('-s', '-n', ns.name, 'link', 'show');
    seconds = await timed(() => { for (let d = 0; d < dumps; d++) ip('-s', '-n', ns.name, 'link', 'show'); });
  } else {
    const r = py('w3', ns.name, String(dumps));
    check('W3 pyroute2 links seen', r.count ?? -1, dumps * links);
    seconds = r.seconds;
  }
  return { W3: seconds };
}
