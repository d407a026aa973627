// `ip monitor` and `ip netns monitor` in-process: prints every change of
// links, addresses, routes, neighbours, rules and nexthops the way `ip monitor`
// does ("Deleted …" for removals), plus named namespaces coming and going.
//
// Run: npm run example -- monitor            (a demo: makes changes in a fresh namespace and prints them)
//      node dist/examples/monitor.js NAME     (watches the named namespace until Ctrl-C)
import { ChangeEvent, Namespace, watchNamespaces, WatchEvent } from '../lib';

const names = new Map<number, string>(); // ifindex → name, learnt from link events
const dev = (i?: number): string => (i === undefined ? '' : ` dev ${names.get(i) ?? `if${i}`}`);

/** One event as `ip monitor` prints it. */
export function format(e: WatchEvent): string {
  if (e.type === 'overrun') return `# overrun (${e.reason}${e.lost ? `, ${e.lost} events lost` : ''})${e.resync ? ': resynchronising' : ''}`;
  if (e.type === 'synced') return `# in sync with ${e.namespace}`;
  return (e.type === 'delete' ? 'Deleted ' : '') + describe(e);
}

function describe(e: ChangeEvent): string {
  switch (e.kind) {
    case 'link': {
      const l = e.object;
      if (e.type === 'new') names.set(l.index, l.name);
      return `${l.index}: ${l.name}: <${l.flagNames.join(',')}> mtu ${l.mtu} state ${l.operstate}${l.kind ? ` ${l.kind}` : ''}`
        + (l.mac ? `\n    link/ether ${l.mac}` : '');
    }
    case 'address': {
      const a = e.object;
      return `${a.linkIndex}: ${names.get(a.linkIndex) ?? ''}    ${a.family === 4 ? 'inet' : 'inet6'} ${a.cidr}`
        + `${a.broadcast ? ` brd ${a.broadcast}` : ''} scope ${a.scope}${a.label ? ` ${a.label}` : ''}`;
    }
    case 'route': {
      const r = e.object;
      const type = r.type === 'unicast' ? '' : `${r.type} `;
      return `${type}${r.to.replace(/\/(32|128)$/, '')}${r.via ? ` via ${r.via}` : ''}${dev(r.dev)}`
        + `${r.table !== 'main' ? ` table ${r.table}` : ''} proto ${r.protocol} scope ${r.scope}`
        + `${r.src ? ` src ${r.src}` : ''}${r.metric ? ` metric ${r.metric}` : ''}`;
    }
    case 'neighbor': {
      const n = e.object;
      return `${n.to}${dev(n.dev)}${n.lladdr ? ` lladdr ${n.lladdr}` : ''}${n.router ? ' router' : ''} ${n.states.join(',')}`;
    }
    case 'rule': {
      const r = e.object;
      return `${r.priority}:\tfrom ${r.from}${r.to !== 'all' ? ` to ${r.to}` : ''} lookup ${r.table}`;
    }
    case 'nexthop': {
      const n = e.object;
      return `id ${n.id}${n.group ? ` group ${n.group.map((g) => g.id).join('/')}` : ''}${n.via ? ` via ${n.via}` : ''}${dev(n.dev)}`
        + `${n.blackhole ? ' blackhole' : ''} scope ${n.scope} proto ${n.protocol}`;
    }
  }
}

async function watchForever(name: string): Promise<void> {
  const ns = await Namespace.open(name);
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  const w = ns.watch(['link', 'address', 'route', 'neighbor', 'rule', 'nexthop'],
    { listExisting: true, resync: true, keepAlive: true, signal: ac.signal });
  try {
    for await (const e of w) console.log(format(e));
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  }
}

async function demo(): Promise<void> {
  // `ip netns monitor`: named namespaces appearing and disappearing.
  const netns = watchNamespaces();
  netns.on('event', (e: { type: string; name: string }) => console.log(`[netns] ${e.type === 'new' ? 'add' : 'delete'} ${e.name}`));

  const ns = await Namespace.create('ex-monitor');
  const w = ns.watch(['link', 'address', 'route', 'neighbor', 'rule', 'nexthop'], { listExisting: true, resync: true });
  const printed = (async () => { for await (const e of w) console.log(format(e)); })();
  try {
    const lo = await ns.links.get('lo');
    await lo.setUp();
    const br = await ns.links.addBridge({ name: 'br0', up: true });
    await br.addresses.add('10.50.0.1/24');
    await br.addresses.add('fd50::1/64', { nodad: true });
    await ns.routes.add({ to: '10.60.0.0/16', via: '10.50.0.2' });
    await ns.neighbors.add({ to: '10.50.0.2', dev: br, lladdr: '02:00:00:00:00:02' });
    await ns.rules.add({ priority: 1000, from: '10.70.0.0/16', table: 100 });
    await ns.nexthops.add({ id: 7, via: '10.50.0.3', dev: br });
    await ns.routes.delete({ to: '10.60.0.0/16' });
    await br.delete(); // its addresses, routes, neighbours and nexthop go with it
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    w.close();
    await printed;
    await ns.delete();
    await new Promise((r) => setTimeout(r, 50));
    netns.close();
  }
}

if (require.main === module) {
  const name = process.argv[2];
  (name ? watchForever(name) : demo()).catch((e) => { console.error(e); process.exitCode = 1; });
}
