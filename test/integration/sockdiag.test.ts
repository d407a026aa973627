// ns.sockets() (NETLINK_SOCK_DIAG inside the namespace) against `ss -tunaHe`
// run inside it by `ip netns exec`; port isolation between namespaces; TCP and
// UDP over IPv4 and IPv6 between namespaces with the in-namespace sockets.
import { once } from 'node:events';
import * as http from 'node:http';
import type { Server, Socket } from 'node:net';
import type { Socket as UdpSocket } from 'node:dgram';
import { Namespace, SocketInfo } from '../../lib';
import { ipRaw } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

/** `ss -tunaHe` inside NAME: "proto state local peer ino:N" per socket, sorted. */
function ssIn(name: string): string[] {
  return ipRaw(undefined, 'netns', 'exec', name, 'ss', '-tunaHe').split('\n').filter(Boolean)
    .map((l) => l.trim().split(/\s+/)).map((f) => [f[0], f[1], f[4], f[5], f.find((x) => x.startsWith('ino:'))].join(' ')).sort();
}

/** Our sockets written as ss writes them (iproute2 misc/ss.c inet_addr_print: '*' for any/port 0, [v6]). */
function asSs(list: SocketInfo[]): string[] {
  const ep = (s: SocketInfo, address: string, port: number) => {
    const host = s.family === 6 ? (address === '::' && !s.v6only ? '*' : `[${address}]`) : address;
    return `${host}:${port === 0 ? '*' : port}`;
  };
  return list.map((s) => [s.protocol, s.state, ep(s, s.local.address, s.local.port),
    ep(s, s.remote.address, s.remote.port), `ino:${s.inode}`].join(' ')).sort();
}

async function loUp(ns: Namespace): Promise<void> {
  await (await ns.links.get('lo')).setUp();
}

describe('ns.sockets()', () => {
  const scope = useNamespaces();
  const closers: (() => void)[] = [];
  afterEach(() => { for (const c of closers.splice(0)) c(); });
  const keep = <T extends Server | Socket | UdpSocket>(x: T): T => {
    closers.push(() => ('destroy' in x ? x.destroy() : x.close()));
    return x;
  };

  it('lists what ss -tuna lists inside the namespace: TCP listen/established, UDP unconnected/connected, v4 and v6', async () => {
    const ns = await scope.named();
    await loUp(ns);
    expect(await ns.sockets()).toEqual([]);
    keep(await ns.createServer({ port: 8080, host: '127.0.0.1' }, (s) => keep(s)));
    const client = keep(ns.connect({ port: 8080, host: '127.0.0.1' }));
    await once(client, 'connect');
    keep(await ns.createServer({ port: 8081, host: '::' }));
    keep(await ns.createServer({ port: 8082, host: '::1' }));
    keep(await ns.createUdpSocket({ type: 'udp4', port: 5353 }));
    const u6 = keep(await ns.createUdpSocket({ type: 'udp6', port: 5354, address: '::1' }));
    u6.connect(9, '::1');
    await once(u6, 'connect');

    const ours = await ns.sockets();
    expect(asSs(ours)).toEqual(ssIn(ns.name));
    expect(ours).toHaveLength(7);
    const listener = ours.find((s) => s.state === 'LISTEN' && s.local.port === 8080);
    expect(listener).toMatchObject({ protocol: 'tcp', family: 4, local: { address: '127.0.0.1', port: 8080 }, remote: { address: '0.0.0.0', port: 0 }, uid: 0 });
    expect(listener?.inode).toBeGreaterThan(0);
    expect(ours.filter((s) => s.state === 'ESTAB' && s.protocol === 'tcp')).toHaveLength(2);
    expect(ours.find((s) => s.protocol === 'udp' && s.family === 6)).toMatchObject({ state: 'ESTAB', local: { address: '::1', port: 5354 }, remote: { address: '::1', port: 9 } });
    expect(ours.find((s) => s.local.port === 8082)).toMatchObject({ state: 'LISTEN', remote: { address: '::' }, v6only: true });
    expect(ours.find((s) => s.local.port === 8081)).toMatchObject({ family: 6, local: { address: '::' }, v6only: false });
    expect(listener?.v6only).toBeUndefined();

    // Filters ask the kernel for less.
    expect(asSs(await ns.sockets({ protocol: 'udp' }))).toEqual(ssIn(ns.name).filter((l) => l.startsWith('udp ')));
    expect((await ns.sockets({ family: 6 })).map((s) => s.local.port).sort()).toEqual([5354, 8081, 8082]);
    expect((await ns.sockets({ protocol: ['tcp'], family: 4 })).every((s) => s.protocol === 'tcp' && s.family === 4)).toBe(true);
  });

  it('port isolation: the same port bound in two namespaces, each listing only its own socket; the caller sees neither', async () => {
    const a = await scope.named();
    const b = await scope.named();
    await loUp(a);
    await loUp(b);
    keep(await a.createServer({ port: 7000, host: '0.0.0.0' }, (s) => s.end('a\n')));
    keep(await b.createServer({ port: 7000, host: '0.0.0.0' }, (s) => s.end('b\n')));
    const [la] = await a.sockets({ protocol: 'tcp' });
    const [lb] = await b.sockets({ protocol: 'tcp' });
    expect(la).toMatchObject({ state: 'LISTEN', local: { address: '0.0.0.0', port: 7000 } });
    expect(lb).toMatchObject({ state: 'LISTEN', local: { address: '0.0.0.0', port: 7000 } });
    expect(la.inode).not.toBe(lb.inode);
    expect(asSs([la])).toEqual(ssIn(a.name));
    expect(asSs([lb])).toEqual(ssIn(b.name));
    const host = await Namespace.current().sockets();
    expect(host.some((s) => s.inode === la.inode || s.inode === lb.inode)).toBe(false);
    // Each namespace's 127.0.0.1:7000 is its own server.
    for (const [ns, expected] of [[a, 'a\n'], [b, 'b\n']] as const) {
      const c = keep(ns.connect({ port: 7000, host: '127.0.0.1' }));
      let text = '';
      c.setEncoding('utf8').on('data', (d: string) => { text += d; });
      await once(c, 'end');
      expect(text).toBe(expected);
    }
  });

  it('bad filters are refused before anything is sent', async () => {
    const ns = await scope.anonymous();
    await expect(ns.sockets({ protocol: 'sctp' as never })).rejects.toThrow(/protocol: expected 'tcp' or 'udp', got "sctp"/);
    await expect(ns.sockets({ family: 5 as never })).rejects.toThrow(/family: expected 4 or 6, got 5/);
  });
});

describe('in-namespace sockets over IPv6 and UDP, and an HTTP server', () => {
  const scope = useNamespaces();

  async function pair(): Promise<[Namespace, Namespace]> {
    const a = await scope.anonymous();
    const b = await scope.anonymous();
    const [ea, eb] = await a.links.addVeth({ name: 'eth0', peer: { name: 'eth0', namespace: b } });
    await ea.addresses.add('fd00:77::1/64', { nodad: true });
    await eb.addresses.add('fd00:77::2/64', { nodad: true });
    await ea.addresses.add('10.77.0.1/24');
    await eb.addresses.add('10.77.0.2/24');
    await ea.setUp();
    await eb.setUp();
    return [a, b];
  }

  it('TCP over IPv6 and UDP over IPv6 between two namespaces', async () => {
    const [a, b] = await pair();
    const server = await a.createServer({ port: 9000, host: 'fd00:77::1' }, (s) => s.end(`hi ${s.remoteAddress}\n`));
    try {
      const c = b.connect({ port: 9000, host: 'fd00:77::1' });
      let text = '';
      c.setEncoding('utf8').on('data', (d: string) => { text += d; });
      await once(c, 'end');
      expect(text).toBe('hi fd00:77::2\n');
    } finally {
      server.close();
    }
    const ua = await a.createUdpSocket({ type: 'udp6', port: 9001, address: 'fd00:77::1' });
    const ub = await b.createUdpSocket({ type: 'udp6' });
    try {
      const got = once(ua, 'message');
      ub.send('ping6', 9001, 'fd00:77::1');
      const [msg, from] = (await got) as [Buffer, { address: string }];
      expect(String(msg)).toBe('ping6');
      expect(from.address).toBe('fd00:77::2');
      expect((await b.sockets({ protocol: 'udp', family: 6 }))[0]).toMatchObject({ state: 'UNCONN', local: { address: '::' } });
    } finally {
      ua.close();
      ub.close();
    }
  });

  it('an http.Server listens inside a namespace (options.server); the process stays in its own', async () => {
    const [a, b] = await pair();
    const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
    const errors: Error[] = [];
    server.on('error', (e) => errors.push(e)); // the caller's listeners survive listen
    const listening = await a.createServer({ port: 8080, host: '10.77.0.1', server });
    try {
      expect(listening).toBe(server);
      expect(server.listeners('error')).toHaveLength(1);
      // Node's http client in b: its connection is a socket made inside b.
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ host: '10.77.0.1', port: 8080, path: '/x', createConnection: () => b.connect({ port: 8080, host: '10.77.0.1' }) }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('hello /x');
      expect((await a.sockets({ protocol: 'tcp' })).find((s) => s.state === 'LISTEN')).toMatchObject({ local: { address: '10.77.0.1', port: 8080 } });
      expect(errors).toEqual([]);
    } finally {
      server.close();
    }
  });
});
