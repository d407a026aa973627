// Create a veth pair whose second end is born inside another namespace,
// like `ip link add veth-blue type veth peer name eth0 netns blue`.
// Run: npm run example -- veth-into-namespace
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const host = await Namespace.create('ex-host');
  const blue = await Namespace.create('ex-blue');
  try {
    const [hostEnd, eth0] = await host.links.addVeth({
      name: 'veth-blue', peer: { name: 'eth0', namespace: blue }, up: true,
    });
    console.log(`${host}: ${hostEnd.name} (index ${hostEnd.index})`);
    console.log(`${blue}: ${eth0.name} (index ${eth0.index}), mac ${eth0.mac}`);
    console.log(`links in ${blue}:`, (await blue.links.list()).map((l) => l.name).join(', '));
  } finally {
    await blue.delete();
    await host.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
