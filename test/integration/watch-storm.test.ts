// The storm: 20,000 route adds and 10,000 deletes while a watcher with
// `resync` is consumed slowly (and, separately, through a tiny receive
// buffer). Afterwards the consumer's view, built only from the events it was
// given, equals the kernel's dump (`ip -j route show table all`) exactly.
// WATCH_MEASURE=1 also measures the throughput and the smallest receive buffer
// at which the storm causes no overrun, and prints them.
import { ChangeEvent, Link, Namespace, Route, Watcher } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';
import { until, View } from '../helpers/fake-events';

const ROUTES = 20_000;
const prefix = (i: number): string => `10.${64 + (i >> 8)}.${i & 255}.0/24`;

/** Adds ROUTES routes and deletes every other one, 2,000 requests at a time (they coalesce into few sendmsg). */
async function storm(ns: Namespace, dev: Link): Promise<number> {
  const t0 = Date.now();
  for (let start = 0; start < ROUTES; start += 2000) {
    const ops: Promise<unknown>[] = [];
    for (let i = start; i < start + 2000; i++) ops.push(ns.routes.add({ to: prefix(i), dev }));
    await Promise.all(ops);
    const dels: Promise<unknown>[] = [];
    for (let i = start; i < start + 2000; i += 2) dels.push(ns.routes.delete({ to: prefix(i) }));
    await Promise.all(dels);
  }
  return Date.now() - t0;
}

function kernelRoutes(ns: string): string[] {
  return ipJson<{ dst: string; table?: string }[]>(ns, '-4', 'route', 'show', 'table', 'all')
    .map((r) => `${r.table ?? 'main'} ${r.dst.includes('/') || r.dst === 'default' ? r.dst : `${r.dst}/32`}`).sort();
}
const viewRoutes = (v: View): string[] => v.list('route', (r: Route) => `${r.table} ${r.to}`);

async function setup(scope: ReturnType<typeof useNamespaces>): Promise<{ ns: Namespace & { name: string }; v0: Link }> {
  const ns = await scope.named();
  const far = await scope.anonymous();
  await ns.links.addVeth({ name: 'v0', peer: { name: 'p0', namespace: far, up: true } });
  ipDo(ns.name, 'link', 'set', 'v0', 'addrgenmode', 'none');
  const v0 = await (await ns.links.get('v0')).setUp();
  await v0.addresses.add('10.1.0.1/24');
  return { ns, v0 };
}

/** Consumes `w` into a view (starting from `known`), pausing `pauseMs` after every `every` events. */
function consume(w: Watcher, every: number, pauseMs: number, known: ChangeEvent[] = []): View & { done: Promise<void> } {
  const view = new View() as View & { done: Promise<void> };
  for (const e of known) view.apply(e);
  view.done = (async () => {
    let n = 0;
    for await (const e of w) {
      view.apply(e);
      if (++n % every === 0 && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return view;
}

async function converged(ns: string, v: View): Promise<void> {
  let last = '';
  await until(() => {
    const k = kernelRoutes(ns);
    const ours = viewRoutes(v);
    last = `kernel ${k.length} routes, view ${ours.length}`;
    return JSON.stringify(k) === JSON.stringify(ours);
  }, 'the view to equal the kernel', 30_000, 100).catch((e: Error) => { throw new Error(`${e.message}: ${last}`); });
}

describe('watch storm', () => {
  const scope = useNamespaces();

  test('a slow consumer with resync ends with exactly the kernel routes (queue overrun)', async () => {
    const { ns, v0 } = await setup(scope);
    const w = ns.watch(['route'], { family: 4, resync: true, listExisting: true, queueLimit: 1000 });
    const v = consume(w, 100, 2);
    await until(() => v.synced >= 1, 'the initial listing');
    await storm(ns, v0);
    await converged(ns.name, v);
    expect(viewRoutes(v)).toHaveLength(ROUTES / 2 + 3); // + 10.1.0.0/24 and local 10.1.0.1, 10.1.0.255
    expect(v.overruns).toBeGreaterThan(0); // the consumer really was too slow
    const overruns = v.events.filter((e) => e.type === 'overrun');
    expect(overruns.every((e) => e.type === 'overrun' && e.resync)).toBe(true);
    w.close();
    await v.done;
  });

  test('a 64 KiB receive buffer: the kernel drops events (ENOBUFS), resync repairs the view', async () => {
    const { ns, v0 } = await setup(scope);
    // Without listExisting the consumer is told only of changes: the watcher
    // reads the initial state silently, as the base of later differences. So
    // this consumer lists the routes itself first (nothing changes them before
    // the storm).
    const before = await ns.routes.list({ table: 'all', family: 4 });
    expect(before).toHaveLength(3);
    const w = ns.watch(['route'], { family: 4, resync: true, receiveBuffer: 64 << 10 });
    const v = consume(w, 200, 1, before.map((object) => ({ type: 'new', kind: 'route', object, namespace: ns })));
    await new Promise((r) => setImmediate(r));
    await storm(ns, v0);
    await converged(ns.name, v);
    expect(viewRoutes(v)).toHaveLength(ROUTES / 2 + 3);
    expect(v.events.some((e) => e.type === 'overrun' && e.reason === 'socket')).toBe(true);
    w.close();
    await v.done;
  });

  const measure = process.env.WATCH_MEASURE ? test : test.skip;
  measure('measure: events/s with no loss, smallest receive buffer without overrun', async () => {
    const { ns, v0 } = await setup(scope);
    const run = async (receiveBuffer: number): Promise<{ events: number; overruns: number; ms: number }> => {
      const w = ns.watch(['route'], { family: 4, receiveBuffer, queueLimit: 1 << 30 });
      let events = 0;
      let overruns = 0;
      let last = 0;
      w.on('event', (e) => { if (e.type === 'overrun') overruns++; else { events++; last = Date.now(); } });
      const t0 = Date.now();
      await storm(ns, v0);
      await until(() => events >= ROUTES * 1.5 || overruns > 0, 'all events', 30_000, 5).catch(() => undefined);
      const ms = last - t0;
      w.close();
      ipDo(ns.name, 'route', 'flush', 'root', '10.64.0.0/10');
      ipDo(ns.name, 'route', 'flush', 'root', '10.128.0.0/10');
      return { events, overruns, ms };
    };
    const big = await run(32 << 20);
    const lines = [`storm of ${ROUTES * 1.5} route events with a 32 MiB buffer: ${big.events} events, ${big.overruns} overruns, ${big.ms} ms, ${Math.round(big.events / (big.ms / 1000))} events/s`];
    let lo = 16 << 10;
    let hi = 32 << 20;
    while (hi / lo > 1.15) {
      const mid = Math.round(Math.sqrt(lo * hi));
      const r = await run(mid);
      lines.push(`  receive buffer ${mid} bytes: ${r.overruns > 0 ? 'overrun' : `no overrun (${r.events} events)`}`);
      if (r.overruns > 0) lo = mid;
      else hi = mid;
    }
    lines.push(`smallest receive buffer without overrun: about ${hi} bytes`);
    console.log(lines.join('\n'));
  }, 600_000);
});
