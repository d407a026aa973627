// Internet access for a "container" namespace, the classic recipe with no
// external binary: a bridge, a veth pair, addresses, a default route,
// ip_forward=1 and a masquerade rule (iptables -t nat -A POSTROUTING -s … -j
// MASQUERADE), plus a published port (docker run -p 8080:80), over nf_tables
// netlink. A third namespace stands in for the internet.
// Run: npm run example -- internet-access
import { Namespace } from '../lib';

/** Connects from `ns` and resolves with what the server says. */
function ask(ns: Namespace, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = ns.connect({ host, port });
    let data = '';
    s.setTimeout(3000, () => s.destroy(new Error(`no answer from ${host}:${port}`)));
    s.on('data', (d) => { data += d; }).on('end', () => resolve(data)).on('error', reject);
  });
}

async function main(): Promise<void> {
  const host = await Namespace.create('ex-inet-host');
  const ctr = await Namespace.create('ex-inet-ctr');
  const internet = await Namespace.create('ex-inet-world');
  try {
    // The host's uplink: 203.0.113.1 faces "the internet" (203.0.113.2).
    const [uplink] = await host.links.addVeth({ name: 'uplink', peer: { name: 'eth0', namespace: internet, up: true } });
    await uplink.addresses.add('203.0.113.1/24');
    await uplink.setUp();
    await (await internet.links.get('eth0')).addresses.add('203.0.113.2/24');

    // docker0-like bridge with the container's veth on it.
    const br = await host.links.addBridge({ name: 'br0', up: true });
    await br.addresses.add('10.100.0.1/24');
    const [vethHost] = await host.links.addVeth({ name: 'veth-ctr', peer: { name: 'eth0', namespace: ctr, up: true } });
    await vethHost.set({ master: br, up: true });
    await (await ctr.links.get('eth0')).addresses.add('10.100.0.2/24');
    await ctr.routes.add({ to: 'default', via: '10.100.0.1' });

    await host.sysctl.set('net.ipv4.ip_forward', 1);
    const masq = await host.nat.masquerade({ source: '10.100.0.0/24', outInterface: 'uplink' });
    const published = await host.nat.publish({ protocol: 'tcp', port: 8080, to: '10.100.0.2:80' });
    for (const e of await host.nat.list()) console.log(`nat ${e.kind} (${e.chain}, handle ${e.handle}): ${JSON.stringify(e.options)}`);

    // Servers that answer with the address they see the client at.
    const world = await internet.createServer({ host: '203.0.113.2', port: 80 }, (s) => s.end(s.remoteAddress ?? '?'));
    const web = await ctr.createServer({ host: '10.100.0.2', port: 80 }, (s) => s.end(s.remoteAddress ?? '?'));
    try {
      console.log(`container → internet: the server sees ${await ask(ctr, '203.0.113.2', 80)} (masqueraded)`);
      console.log(`internet → host:8080 → container:80: the container sees ${await ask(internet, '203.0.113.1', 8080)}`);
    } finally {
      world.close();
      web.close();
    }

    await published.remove();
    await masq.remove();
    console.log(`after remove(): ${(await host.nat.list()).length} rule(s) left`);
  } finally {
    for (const ns of [ctr, internet, host]) await ns.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
