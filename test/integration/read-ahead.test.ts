// Read-ahead (native/socket.cc): while a dump is collected, a libuv pool thread
// reads the next burst of datagrams as JS decodes the last. The dump must stay
// exactly what the kernel sent, pause() must still hold data back, and a
// socket closed mid-burst must reject the dump and release its fd.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Namespace } from '../../lib';
import { Connection } from '../../lib/connection';
import { ipJson } from '../helpers/ip';
import { uniqueName } from '../helpers/ns';
import { spySocket, viewThrough } from '../helpers/spy-socket';

const PAIRS = 500; // 1,000 links of ~1.3 KB each: more than one 1 MiB burst
const ROUTES = 60_000; // ~3.6 MB of route messages: several bursts

describe('read-ahead of collected dumps', () => {
  let ns: Namespace & { name: string };

  // One namespace of 1,000 links for all three tests (made once: ~1 s).
  afterAll(() => ns?.delete());
  beforeAll(async () => {
    ns = await Namespace.create(uniqueName('ra')) as Namespace & { name: string };
    for (let k = 0; k < PAIRS; k += 250) {
      await ns.batch((b) => { for (let i = k; i < k + 250; i++) b.links.addVeth({ name: `h${i}`, peer: { name: `c${i}` } }); });
    }
    // Routes for a stream that pauses after every wake-up (a decoding stream).
    const h0 = await ns.links.set('h0', { up: true });
    await ns.links.set('c0', { up: true });
    await h0.addresses.add('10.0.0.1/16');
    const r = await ns.routes.addMany(Array.from({ length: ROUTES }, (_, i) => ({ to: `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, via: '10.0.0.2' })));
    expect(r.errors).toEqual([]);
  });

  it('a dump of many bursts arrives whole and in order, reading ahead only while it is collected', async () => {
    const { socket, calls } = spySocket(ns);
    const { view, conn } = viewThrough(ns, socket);
    try {
      const ours = (await view.links.list({ statistics: true })).map((l) => [l.index, l.name, l.mac]);
      const theirs = ipJson<{ ifindex: number; ifname: string; address: string }[]>(ns.name, 'link', 'show')
        .map((l) => [l.ifindex, l.ifname, l.address]);
      expect(ours).toHaveLength(2 * PAIRS + 1);
      expect(ours).toEqual(theirs);
      expect(calls).toEqual(['readAhead true', 'readAhead false']);
      // Two dumps at once (the kernel runs one per socket: the second waits for
      // the first's NLMSG_DONE); read-ahead stays on until the last is collected.
      calls.length = 0;
      const [a, b] = await Promise.all([view.links.list(), view.links.list({ statistics: true })]);
      expect(a.map((l) => l.name)).toEqual(b.map((l) => l.name));
      expect(a).toHaveLength(2 * PAIRS + 1);
      expect(calls).toEqual(['readAhead true', 'readAhead false']);
    } finally {
      conn.close();
    }
  });

  it('a paused stream and a collected dump on one connection both get every message', async () => {
    // routes.stream() pauses reading after every wake-up until its routes are
    // decoded. A list started meanwhile turns read-ahead on (its own dump waits
    // for the stream's): bursts read ahead while the stream is paused are held
    // and handed over after resume().
    const routes = ns.routes.stream({ table: 'main' })[Symbol.asyncIterator]();
    let streamed = 0;
    let r = await routes.next(); // the stream's dump runs; reading is paused
    const listing = ns.links.list();
    for (; !r.done; r = await routes.next()) {
      if (r.value.via === '10.0.0.2') streamed++;
      // Stalls keep reading paused while a burst started earlier comes back.
      if (streamed % 5_000 === 1) await new Promise((res) => setTimeout(res, 30));
    }
    expect(await listing).toHaveLength(2 * PAIRS + 1);
    expect(streamed).toBe(ROUTES);
    const shown = execFileSync('ip', ['-n', ns.name, 'route', 'show', 'table', 'main'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(shown.split('\n').filter((l) => l.includes('via 10.0.0.2 '))).toHaveLength(ROUTES);
  });

  it('closing the socket during a dump rejects it and releases the fd', async () => {
    let conn: Connection | undefined;
    const { socket } = spySocket(ns, { onData: () => conn?.close() });
    const fd = socket.fd;
    let view: Namespace;
    ({ view, conn } = viewThrough(ns, socket));
    await expect(view.links.list()).rejects.toMatchObject({ code: 'EBADF' });
    const open = (): boolean => { try { return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:'); } catch { return false; } };
    for (let i = 0; i < 100 && open(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(open()).toBe(false);
  });
});
