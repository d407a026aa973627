// Streaming dumps hold memory constant: a consumer that stalls pauses the real
// socket (the kernel's dump then waits too), and what the process buffers stays
// bounded. The 1,000,000-route RSS check lives in the benchmark
// (bench/memory.ts, `npm run bench`), too slow for this suite.
import { Namespace } from '../../lib';
import { Connection } from '../../lib/connection';
import { native, NativeNetlinkSocket } from '../../lib/native';
import { RouteTable } from '../../lib/model/route';
import { useNamespaces } from '../helpers/ns';

const N = 60_000;

describe('streaming dump back-pressure (real socket)', () => {
  const scope = useNamespaces();

  it(`a stalled consumer of a ${N.toLocaleString('en-US')}-route dump pauses reading and buffers a bounded amount`, async () => {
    const ns = await scope.named();
    const [r0, p0] = await ns.links.addVeth({ name: 'r0', peer: { name: 'p0' } });
    await r0.addresses.add('10.0.0.1/8');
    await p0.setUp();
    await r0.setUp();
    for (let k = 0; k < N; k += 20_000) {
      await ns.batch((b) => { for (let i = k; i < k + 20_000; i++) b.routes.add({ to: `11.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, via: '10.0.0.2' }); });
    }

    // A connection of our own over a real socket whose pause/resume we count.
    const fd = native.netlinkOpen(ns.fd, 0, 8 << 20, 1 << 20);
    const real = new native.NetlinkSocket(fd);
    const calls: string[] = [];
    const spy: NativeNetlinkSocket = {
      get fd() { return real.fd; },
      get portId() { return real.portId; },
      send: (b) => real.send(b),
      start: (d, e) => real.start(d, e),
      ref: () => real.ref(),
      unref: () => real.unref(),
      close: () => real.close(),
      addMembership: (g) => real.addMembership(g),
      dropMembership: (g) => real.dropMembership(g),
      setIntOption: (l, n, v) => real.setIntOption(l, n, v),
      pause: () => { calls.push('pause'); real.pause?.(); },
      resume: () => { calls.push('resume'); return real.resume?.() ?? 0; },
    };
    const conn = new Connection(-1, { socket: spy });
    const view = Object.create(ns, { connection: { value: conn } }) as Namespace;
    try {
      let seen = 0;
      let stalledGrowth = 0;
      for await (const r of new RouteTable(view).stream()) {
        if (r.via === '10.0.0.2') seen++;
        if (seen === 1) {
          const before = process.memoryUsage().arrayBuffers;
          await new Promise((res) => setTimeout(res, 400)); // the kernel would fill us up meanwhile if it could
          stalledGrowth = process.memoryUsage().arrayBuffers - before;
        }
      }
      expect(seen).toBe(N);
      expect(calls[0]).toBe('pause');
      expect(calls.filter((c) => c === 'pause').length).toBe(calls.filter((c) => c === 'resume').length);
      // Everything (~4 MB of route messages) would be here without back-pressure;
      // with it, at most the high-water mark's worth plus one wake-up's chunk.
      expect(stalledGrowth).toBeLessThan(3 << 20);
    } finally {
      conn.close();
    }

    // The same dump over the reused receive buffer (what ns.connection does):
    // every wake-up is read into one Buffer and only its length crosses;
    // routes are decoded from it before the next wake-up may overwrite it.
    const fd2 = native.netlinkOpen(ns.fd, 0, 8 << 20, 1 << 20);
    const real2 = new native.NetlinkSocket(fd2);
    const chunks = { length: 0, buffer: 0 };
    let pauses = 0;
    const shared: NativeNetlinkSocket = {
      get fd() { return real2.fd; },
      get portId() { return real2.portId; },
      start: ((d: (c: Buffer | number) => void, e: (errno: number) => void, arena: Buffer) => real2.start((c: Buffer | number) => {
        chunks[typeof c === 'number' ? 'length' : 'buffer']++;
        d(c);
      }, e, arena)) as NativeNetlinkSocket['start'],
      pause: () => { pauses++; real2.pause?.(); },
      resume: () => real2.resume?.() ?? 0,
      send: (b) => real2.send(b),
      ref: () => real2.ref(),
      unref: () => real2.unref(),
      close: () => real2.close(),
      addMembership: (g) => real2.addMembership(g),
      dropMembership: (g) => real2.dropMembership(g),
      setIntOption: (l, n, v) => real2.setIntOption(l, n, v),
    };
    const conn2 = new Connection(-1, { socket: shared });
    try {
      const view2 = Object.create(ns, { connection: { value: conn2 } }) as Namespace;
      const seen = new Set<string>();
      for await (const r of new RouteTable(view2).stream({ names: false })) {
        if (r.via === '10.0.0.2') seen.add(r.to);
      }
      expect(seen.size).toBe(N); // nothing overwritten before it was decoded
      expect(chunks.buffer).toBe(0);
      expect(chunks.length).toBeGreaterThan(1);
      expect(pauses).toBeGreaterThanOrEqual(chunks.length - 1); // paused after each wake-up that brought routes
    } finally {
      conn2.close();
    }
  });
});
