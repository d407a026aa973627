// A TCP server and a UDP socket listening inside a namespace while this
// process stays in its own; clients connect from a second namespace.
// Run: npm run example -- server-in-namespace
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const a = await Namespace.create('ex-srv-a');
  const b = await Namespace.create('ex-srv-b');
  try {
    const [ea, eb] = await a.links.addVeth({ name: 'eth0', peer: { name: 'eth0', namespace: b } });
    await ea.addresses.add('10.250.0.1/24');
    await eb.addresses.add('10.250.0.2/24');
    await ea.setUp();
    await eb.setUp();

    const server = await a.createServer({ port: 8080, host: '10.250.0.1' }, (s) => s.end('hello from ex-srv-a\n'));
    const reply = await new Promise<string>((resolve, reject) => {
      let text = '';
      const c = b.connect({ port: 8080, host: '10.250.0.1' });
      c.on('data', (d) => { text += d; }).on('end', () => resolve(text)).on('error', reject);
    });
    console.log(`TCP: ${reply.trim()}`);
    server.close();

    const udpA = await a.createUdpSocket({ type: 'udp4', port: 5353, address: '10.250.0.1' });
    const udpB = await b.createUdpSocket({ type: 'udp4' });
    const got = new Promise<string>((resolve) => udpA.once('message', (m, from) => resolve(`${m} from ${from.address}`)));
    udpB.send('ping', 5353, '10.250.0.1');
    console.log(`UDP: ${await got}`);
    udpA.close();
    udpB.close();
  } finally {
    await b.delete();
    await a.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
