// The streaming-dump memory check: N routes in one namespace, then
// `for await (const r of ns.routes.stream())` while sampling RSS. The stream
// pauses the socket when its consumer lags (lib/connection.ts), and a netlink
// dump is paced by its reader, so RSS must stay flat whatever N is. The
// routes are added by this process; the dump is measured in a fresh child
// process (`node dist/bench/memory.js NS N`), so that nothing the adding left
// on the heap hides what the dump costs.
import { spawnSync } from 'node:child_process';
import { Namespace } from '../lib';
import { settle } from './util';

export interface MemoryResult { routes: number; rssBeforeMiB: number; rssPeakGrowthMiB: number; seconds: number }

const mib = (n: number): number => Math.round((n / (1 << 20)) * 10) / 10;

export async function memoryBench(n: number): Promise<MemoryResult> {
  const ns = await Namespace.create(`mem-${process.pid}`);
  const [r0, p0] = await ns.links.addVeth({ name: 'r0', peer: { name: 'p0' } });
  await r0.addresses.add('10.0.0.1/8');
  await p0.setUp();
  await r0.setUp();
  for (let k = 0; k < n; k += 50_000) {
    const m = Math.min(50_000, n - k);
    await ns.batch((b) => {
      for (let j = 0; j < m; j++) {
        const i = k + j;
        b.routes.add({ to: `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, via: '10.0.0.2' });
      }
    });
  }
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, ns.name as string, String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory: the streaming child failed: ${r.stderr}`);
  const { before, peak, seconds, count } = JSON.parse(r.stdout) as { before: number; peak: number; seconds: number; count: number };
  if (count !== n) throw new Error(`memory: streamed ${count} routes, expected ${n}`);
  await ns.delete();
  await settle();
  return { routes: n, rssBeforeMiB: mib(before), rssPeakGrowthMiB: mib(peak - before), seconds };
}

/** The child: stream every route of namespace `name`, sampling RSS. */
async function child(name: string): Promise<void> {
  const ns = await Namespace.open(name);
  await ns.links.list(); // open the connection first: its buffers are not the dump's
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  let count = 0;
  const t0 = Date.now();
  for await (const r of ns.routes.stream()) {
    if (r.via === '10.0.0.2') count++;
    if ((count & 1023) === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  console.log(JSON.stringify({ before, peak, seconds: (Date.now() - t0) / 1000, count }));
  ns.close();
}

if (require.main === module) {
  child(process.argv[2]).catch((e) => { console.error(e); process.exit(1); });
}
