// Concurrency and lifetime: many namespaces used from many concurrent
// operations, namespaces deleted and sockets closed while requests and dumps
// are in flight, and worker threads loading the (context-aware) addon at the
// same time. Every promise settles, nothing crashes, and afterwards no fd is
// left open and every thread is back to the count and namespace it had.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Namespace, NetlinkError } from '../../lib';
import { ipLinks, ipRoutes } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/helpers/ts-register.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function threads(): Map<string, string> {
  const out = new Map<string, string>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try { out.set(tid, fs.readlinkSync(`/proc/self/task/${tid}/ns/net`)); } catch { /* exited */ }
  }
  return out;
}
const fds = (): string[] => fs.readdirSync('/proc/self/fd').map((fd) => {
  try { return `${fd}:${fs.readlinkSync(`/proc/self/fd/${fd}`)}`; } catch { return `${fd}:closed`; }
});

/** Resolves with every outcome, or rejects if any promise is still pending after `ms`. */
async function allSettle<T>(ps: Promise<T>[], ms: number): Promise<PromiseSettledResult<T>[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`promises still pending after ${ms} ms`)), ms); });
  try {
    return await Promise.race([Promise.allSettled(ps), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A worker that loads the library and the addon, makes a namespace with a bridge, and reports. */
function libraryWorker(id: number, rounds: number): Worker {
  return new Worker(`
    require(${JSON.stringify(REGISTER)});
    const { parentPort } = require('node:worker_threads');
    const { Namespace } = require(${JSON.stringify(path.join(ROOT, 'lib'))});
    (async () => {
      const seen = [];
      for (let i = 0; i < ${rounds}; i++) {
        const ns = await Namespace.create();
        await ns.links.addBridge({ name: 'wbr${id}', up: true });
        await Promise.all(Array.from({ length: 20 }, (_, k) => ns.routes.add({ to: '10.${id}.' + k + '.0/24', dev: 'wbr${id}' })));
        seen.push((await ns.routes.list()).length);
        ns.close();
      }
      parentPort.postMessage(seen);
    })().catch((e) => { parentPort.postMessage(String(e && e.stack || e)); });`, { eval: true });
}

describe('stress', () => {
  const scope = useNamespaces();

  test('many namespaces, many concurrent operations, deletes and closes mid-flight, worker threads; nothing leaks', async () => {
    const home = fs.readlinkSync('/proc/self/ns/net');
    // Warm-up: addon, libuv pool, the current namespace's handle.
    (await Namespace.create()).close();
    await Namespace.current().links.list();
    await sleep(50);
    const threadsBefore = threads();
    const fdsBefore = fds();

    // 1. Twelve namespaces (four named, for ip), each with a bridge and 50 routes added concurrently.
    const named = await Promise.all([0, 1, 2, 3].map(() => scope.named()));
    const anon = await Promise.all(Array.from({ length: 8 }, () => Namespace.create()));
    const all = [...named, ...anon];
    await Promise.all(all.map((ns) => ns.links.addBridge({ name: 'sbr', up: true })));
    const adds = all.flatMap((ns, i) => Array.from({ length: 50 }, (_, k) =>
      ns.routes.add({ to: `10.${i}.${k}.0/24`, dev: 'sbr' })));
    const workers = [libraryWorker(1, 3), libraryWorker(2, 3), libraryWorker(3, 3)];
    const workerResults = workers.map((w) => new Promise<unknown>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    }));
    const settled = await allSettle(adds, 30_000);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    for (const ns of named) expect(ipRoutes(ns.name, { family: 4, table: 'main' }).filter((r) => r.dev === 'sbr').length).toBe(50);
    for (const ns of anon) expect((await ns.routes.list()).filter((r) => r.dev !== undefined).length).toBeGreaterThanOrEqual(50);

    // 2. A namespace deleted while 300 requests are in flight: every one settles, as success or NetlinkError.
    const victim = named[0];
    const inFlight = Array.from({ length: 300 }, (_, k) => victim.routes.add({ to: `10.${200 + (k >> 8)}.${k & 255}.0/24`, dev: 'sbr' }));
    const deleting = victim.delete();
    const outcomes = await allSettle<unknown>([...inFlight, deleting], 30_000);
    for (const o of outcomes.slice(0, -1)) {
      if (o.status === 'rejected') expect([String(o.reason), o.reason instanceof NetlinkError]).toEqual([String(o.reason), true]);
    }
    expect(outcomes[outcomes.length - 1].status).toBe('fulfilled');

    // 3. Connections closed in the middle of dumps: no dump is silently cut short, collected dumps reject.
    const dumper = named[1];
    await dumper.batch((b) => { for (let k = 0; k < 2000; k++) b.routes.add({ to: `10.${100 + (k >> 8)}.${k & 255}.0/24`, dev: 'sbr' }); });
    const full = (await dumper.routes.list({ table: 'main' })).length;
    let streamed = 0;
    const streaming = (async () => {
      for await (const r of dumper.routes.stream({ table: 'main' })) {
        void r;
        if (++streamed === 100) dumper.connection.close();
      }
    })();
    const [streamOutcome] = await allSettle([streaming], 10_000);
    expect(streamed).toBeGreaterThanOrEqual(100);
    // Either the close cut the dump and the stream says so, or the whole dump had already arrived: never a silent cut.
    expect(streamOutcome.status === 'rejected' ? 'cut, with an error' : streamed === full ? 'complete' : `silently cut at ${streamed} of ${full}`)
      .toMatch(/^(cut, with an error|complete)$/);
    const other = named[2];
    const listing = other.routes.list({ table: 'main' });
    other.connection.close();
    const [listOutcome] = await allSettle([listing], 10_000);
    expect(listOutcome.status).toBe('rejected');
    expect((listOutcome as PromiseRejectedResult).reason).toBeInstanceOf(NetlinkError);

    // 4. Workers: each loaded the addon in its own context and did real work; one terminated mid-work.
    const doomed = libraryWorker(9, 50);
    await sleep(100);
    await doomed.terminate();
    const results = await allSettle(workerResults, 30_000);
    for (const r of results) expect(r).toEqual({ status: 'fulfilled', value: [expect.any(Number), expect.any(Number), expect.any(Number)] });
    for (const r of results) for (const n of (r as PromiseFulfilledResult<number[]>).value) expect(n).toBeGreaterThanOrEqual(20);
    await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('exit', resolve); if (w.threadId < 0) resolve(null); })));

    // Close and delete everything, let the kernel and libuv settle, then count.
    for (const ns of anon) ns.close();
    for (const ns of named.slice(1)) await ns.delete();
    expect(ipLinks(undefined).some((l) => l.ifname === 'sbr')).toBe(false);
    await sleep(200);
    const threadsAfter = threads();
    for (const [tid, ns] of threadsAfter) expect([tid, ns]).toEqual([tid, home]);
    expect(threadsAfter.size).toBeLessThanOrEqual(threadsBefore.size);
    expect(fds()).toEqual(fdsBefore);
  });
});
