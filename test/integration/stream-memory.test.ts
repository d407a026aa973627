// Streaming dumps hold memory constant: a consumer that stalls pauses the real
// socket (the kernel's dump then waits too), and what the process buffers stays
// bounded. The 1,000,000-route RSS check lives in the benchmark
// (bench/memory.ts, `npm run bench`), too slow for this suite.
import { RouteTable } from '../../lib/model/route';
import { useNamespaces } from '../helpers/ns';
import { spySocket, viewThrough } from '../helpers/spy-socket';

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

    // A connection of our own over a real socket whose pause/resume we count
    // (each wake-up handed over as a Buffer).
    const { socket, calls } = spySocket(ns, { shared: false });
    const { view, conn } = viewThrough(ns, socket);
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
      const flow = calls.filter((c) => c === 'pause' || c === 'resume'); // (the link-name list before it reads ahead)
      expect(flow[0]).toBe('pause');
      expect(flow.filter((c) => c === 'pause').length).toBe(flow.filter((c) => c === 'resume').length);
      // Everything (~4 MB of route messages) would be here without back-pressure;
      // with it, at most the high-water mark's worth plus one wake-up's chunk.
      expect(stalledGrowth).toBeLessThan(3 << 20);
    } finally {
      conn.close();
    }

    // The same dump over the reused receive buffer (what ns.connection does):
    // every wake-up is read into one Buffer and only its length crosses;
    // routes are decoded from it before the next wake-up may overwrite it.
    const { socket: shared, calls: calls2, chunks } = spySocket(ns);
    const { view: view2, conn: conn2 } = viewThrough(ns, shared);
    try {
      const seen = new Set<string>();
      for await (const r of new RouteTable(view2).stream({ names: false })) {
        if (r.via === '10.0.0.2') seen.add(r.to);
      }
      expect(seen.size).toBe(N); // nothing overwritten before it was decoded
      expect(chunks.buffer).toBe(0);
      expect(chunks.length).toBeGreaterThan(1);
      expect(calls2.filter((c) => c === 'pause').length).toBeGreaterThanOrEqual(chunks.length - 1); // paused after each wake-up that brought routes
    } finally {
      conn2.close();
    }
  });
});
