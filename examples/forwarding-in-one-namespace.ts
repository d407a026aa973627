// Turn one namespace into a router: net.ipv4.ip_forward = 1 there only,
// then route between two "hosts" through it. Nothing changes in the caller's
// namespace. Run: npm run example -- forwarding-in-one-namespace
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const router = await Namespace.create('ex-fwd-router');
  const left = await Namespace.create('ex-fwd-left');
  const right = await Namespace.create('ex-fwd-right');
  try {
    const [rl, l0] = await router.links.addVeth({ name: 'to-left', peer: { name: 'eth0', namespace: left } });
    const [rr, r0] = await router.links.addVeth({ name: 'to-right', peer: { name: 'eth0', namespace: right } });
    await rl.addresses.add('10.1.0.1/24');
    await rr.addresses.add('10.2.0.1/24');
    await l0.addresses.add('10.1.0.2/24');
    await r0.addresses.add('10.2.0.2/24');
    for (const link of [rl, rr, l0, r0]) await link.setUp();
    await left.routes.add({ to: 'default', via: '10.1.0.1' });
    await right.routes.add({ to: 'default', via: '10.2.0.1' });

    // A TCP server in `right`; can `left` reach it through the router?
    const server = await right.createServer({ port: 7000, host: '10.2.0.2' }, (s) => s.end());
    const reach = () => new Promise<string>((resolve) => {
      const c = left.connect({ port: 7000, host: '10.2.0.2' });
      const timer = setTimeout(() => { c.destroy(); resolve('no answer'); }, 500);
      c.on('connect', () => { clearTimeout(timer); c.destroy(); resolve('connected'); });
      c.on('error', (e) => { clearTimeout(timer); resolve(`error ${(e as NodeJS.ErrnoException).code}`); });
    });
    console.log(`forwarding off: left → 10.2.0.2:7000 ${await reach()}`);

    await router.sysctl.set('net.ipv4.ip_forward', 1);
    await router.sysctl.set('net.ipv4.conf.to-left.rp_filter', 2);   // per-interface ones too
    console.log(`${router}: net.ipv4.ip_forward = ${await router.sysctl.get('net.ipv4.ip_forward')}`);
    console.log(`forwarding on:  left → 10.2.0.2:7000 ${await reach()}`);
    server.close();

    for (const ns of [left, right, Namespace.current()]) {
      console.log(`${ns}: net.ipv4.ip_forward = ${await ns.sysctl.get('net.ipv4.ip_forward')}`);
    }
  } finally {
    await Namespace.deleteMany([left, right, router]);
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
