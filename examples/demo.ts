// The seed topology, built and torn down from one Node process:
//
//   namespace "demo-host": bridge br0 10.100.0.1/24
//     ├─ veth-c1 ── eth0 10.100.0.2/24 in namespace "demo-c1"
//     ├─ veth-c2 ── eth0 10.100.0.3/24 in namespace "demo-c2"
//     └─ veth-c3 ── eth0 10.100.0.4/24 in namespace "demo-c3"
//
// Then a real TCP exchange from demo-c1 to demo-c2 through the bridge, a
// printout of what was built, and removal of everything.
// Run: npm run demo   (inside a throwaway network namespace; see scripts/sandbox.js)
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const host = await Namespace.create('demo-host');
  const containers: Namespace[] = [];
  try {
    const br = await host.links.addBridge({ name: 'br0', up: true });
    await br.addresses.add('10.100.0.1/24');

    for (let i = 1; i <= 3; i++) {
      const ctr = await Namespace.create(`demo-c${i}`);
      containers.push(ctr);
      // The container end is created directly inside the container namespace.
      const [hostEnd, eth0] = await host.links.addVeth({
        name: `veth-c${i}`, peer: { name: 'eth0', namespace: ctr },
      });
      await hostEnd.set({ master: br, up: true });
      await eth0.addresses.add(`10.100.0.${i + 1}/24`);
      await eth0.setUp();
      await ctr.links.set('lo', { up: true });
      await ctr.routes.add({ to: 'default', via: '10.100.0.1' });
    }

    await printTopology(host, containers);
    await tcpExchange(containers[0], containers[1], '10.100.0.3');
  } finally {
    for (const ns of [...containers, host]) await ns.delete();
    console.log(`\nremoved: ${[...containers, host].map((n) => n.name).join(', ')}`);
  }
}

async function printTopology(host: Namespace, containers: Namespace[]): Promise<void> {
  for (const ns of [host, ...containers]) {
    console.log(`\n${ns} (${ns.id})`);
    for (const link of await ns.links.list()) {
      const peer = await link.peer();
      const master = link.masterIndex ? ` master ${(await ns.links.get(link.masterIndex)).name}` : '';
      const where = peer ? ` peer ${peer.name}@${peer.namespace.name}` : '';
      console.log(`  link ${link.index}: ${link.name}${link.kind ? ` (${link.kind})` : ''} ${link.up ? 'UP' : 'DOWN'}${master}${where}`);
      for (const a of await link.addresses.list({ family: 4 })) console.log(`    inet ${a.cidr}`);
    }
    for (const r of await ns.routes.list({ family: 4 })) {
      const dev = r.dev ? ` dev ${(await ns.links.get(r.dev)).name}` : '';
      console.log(`  route ${r.to}${r.via ? ` via ${r.via}` : ''}${dev} proto ${r.protocol} scope ${r.scope}`);
    }
  }
}

async function tcpExchange(from: Namespace, to: Namespace, toAddress: string): Promise<void> {
  const server = await to.createServer({ port: 7000, host: toAddress }, (socket) => {
    socket.once('data', (d) => socket.end(`pong from ${to.name}: ${d}`));
  });
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const client = from.connect({ port: 7000, host: toAddress });
      let text = '';
      client.on('connect', () => client.write(`ping from ${from.name}`));
      client.on('data', (d) => { text += d; });
      client.on('end', () => resolve(text));
      client.on('error', reject);
    });
    console.log(`\nTCP ${from.name} → ${toAddress}:7000 (${to.name}): "${reply}"`);
    if (!reply.startsWith(`pong from ${to.name}`)) throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
  } finally {
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
