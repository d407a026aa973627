// A bridge with two "containers" plugged into it, like the docker0 model:
// ip link add br0 type bridge; ip link set vethN master br0 …
// Run: npm run example -- bridge-with-containers
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const host = await Namespace.create('ex-bridge-host');
  const ctrs = [await Namespace.create('ex-ctr-a'), await Namespace.create('ex-ctr-b')];
  try {
    const br = await host.links.addBridge({ name: 'br0', up: true });
    for (const [i, ctr] of ctrs.entries()) {
      const [hostEnd] = await host.links.addVeth({ name: `veth${i}`, peer: { name: 'eth0', namespace: ctr } });
      await hostEnd.set({ master: br, up: true });
    }
    const ports = (await host.links.list()).filter((l) => l.masterIndex === br.index);
    console.log(`${br.name} ports: ${ports.map((p) => p.name).join(', ')}`);
  } finally {
    for (const ns of [...ctrs, host]) await ns.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
