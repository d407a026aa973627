// An HTTP server listening inside a namespace while this process stays in
// its own; a client in another namespace talks to it over a veth pair, IPv4
// and IPv6. Run: npm run example -- http-server-in-namespace
import * as http from 'node:http';
import { Namespace } from '../lib';

function get(client: Namespace, host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Node's http client whose connection is a socket made inside `client`.
    http.get({ host, port, path, createConnection: () => client.connect({ host, port }) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve(`${res.statusCode} ${body}`));
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  const srv = await Namespace.create('ex-http-srv');
  const cli = await Namespace.create('ex-http-cli');
  try {
    const [a, b] = await srv.links.addVeth({ name: 'eth0', peer: { name: 'eth0', namespace: cli } });
    await a.addresses.add('10.80.0.1/24');
    await a.addresses.add('fd00:80::1/64', { nodad: true });
    await b.addresses.add('10.80.0.2/24');
    await b.addresses.add('fd00:80::2/64', { nodad: true });
    await a.setUp();
    await b.setUp();

    const server = http.createServer((req, res) => res.end(`hello from ${srv} to ${req.socket.remoteAddress}, you asked for ${req.url}`));
    await srv.createServer({ port: 8080, host: '::', server });   // '::' takes IPv4 too
    console.log(`listening in ${srv}:`, (await srv.sockets({ protocol: 'tcp' })).map((s) => `${s.state} [${s.local.address}]:${s.local.port}`));

    console.log(await get(cli, '10.80.0.1', 8080, '/v4'));
    console.log(await get(cli, 'fd00:80::1', 8080, '/v6'));
    console.log(`this process's namespace has nothing on 8080: ${!(await Namespace.current().sockets()).some((s) => s.local.port === 8080)}`);
    server.close();
  } finally {
    await cli.delete();
    await srv.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
