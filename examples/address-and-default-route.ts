// Give a namespace an address and a default route, then ask the kernel which
// route it would use: ip addr add / ip route add default via / ip route get.
// Run: npm run example -- address-and-default-route
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const router = await Namespace.create('ex-router');
  const ctr = await Namespace.create('ex-ctr');
  try {
    const [gw, eth0] = await router.links.addVeth({ name: 'veth-ctr', peer: { name: 'eth0', namespace: ctr } });
    await gw.addresses.add('10.200.0.1/24');
    await gw.setUp();
    await eth0.addresses.add('10.200.0.2/24');
    await eth0.addresses.add('fd00:200::2/64', { nodad: true });
    await eth0.setUp();
    await ctr.routes.add({ to: 'default', via: '10.200.0.1' });

    for (const a of await ctr.addresses.list({ link: eth0 })) console.log(`addr ${a.cidr} scope ${a.scope}`);
    for (const r of await ctr.routes.list()) console.log(`route ${r.to}${r.via ? ` via ${r.via}` : ''} dev ${r.dev}`);
    const chosen = await ctr.routes.get('192.0.2.10');
    console.log(`route get 192.0.2.10 → via ${chosen.via} dev ${chosen.dev} src ${chosen.src}`);
  } finally {
    await ctr.delete();
    await router.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
