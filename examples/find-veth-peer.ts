// "My container's eth0 shows as eth0@if8 — which host interface is that?"
// link.peer() follows IFLA_LINK and IFLA_LINK_NETNSID to the other end,
// in whatever namespace it lives.
// Run: npm run example -- find-veth-peer
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const host = await Namespace.create('ex-peer-host');
  const ctr = await Namespace.create('ex-peer-ctr');
  try {
    for (let i = 0; i < 3; i++) await host.links.addVeth({ name: `decoy${i}`, peer: { name: `decoy${i}p` } });
    await host.links.addVeth({ name: 'veth7f3a', peer: { name: 'eth0', namespace: ctr } });

    // Seen from inside the container only:
    const eth0 = await ctr.links.get('eth0');
    console.log(`in ${ctr}: eth0@if${eth0.linkIndex} (link-netnsid ${eth0.linkNetnsId})`);
    const peer = await eth0.peer();
    console.log(`its peer: ${peer?.name} (index ${peer?.index}) in ${peer?.namespace}`);
  } finally {
    await ctr.delete();
    await host.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
