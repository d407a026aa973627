// Thread and fd hygiene (DESIGN.md §2): after thousands of namespace-crossing
// operations every thread of this process is still in the namespace it started
// in, and every fd the library opened has been closed.
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Namespace } from '../../lib';

/** tid → readlink /proc/self/task/TID/ns/net, for the threads alive now. */
function threadNamespaces(): Map<string, string> {
  const out = new Map<string, string>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      out.set(tid, fs.readlinkSync(`/proc/self/task/${tid}/ns/net`));
    } catch {
      // the thread exited between readdir and readlink
    }
  }
  return out;
}

function openFds(): string[] {
  // The fd readdir itself uses is in both counts alike.
  return fs.readdirSync('/proc/self/fd');
}

function describeFds(fds: string[]): string[] {
  return fds.map((fd) => {
    try {
      return `${fd} → ${fs.readlinkSync(`/proc/self/fd/${fd}`)}`;
    } catch {
      return `${fd} → (closed)`;
    }
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leaks', () => {
  it('2,000+ namespace-crossing operations leave threads in place and no fd open', async () => {
    const home = fs.readlinkSync('/proc/self/ns/net');
    expect(Namespace.current().id).toBe(home);

    // Warm-up: loads the addon and lets Node and libuv start what they start once.
    {
      const a = await Namespace.create();
      const b = await Namespace.create();
      await a.links.addVeth({ name: 'w0', peer: { name: 'w1', namespace: b } });
      await b.links.list();
      a.close();
      b.close();
    }
    await sleep(50);
    const threadsBefore = threadNamespaces();
    for (const [tid, ns] of threadsBefore) expect([tid, ns]).toEqual([tid, home]);
    const fdsBefore = openFds();

    let ops = 0;
    const rounds = 200;
    const parallel = 10;
    const started = Date.now();
    const round = async (i: number): Promise<void> => {
      const a = await Namespace.create(); ops++;
      const b = await Namespace.create(); ops++;
      // First use opens each connection inside its namespace (a short-lived thread each).
      expect((await a.links.list()).map((l) => l.name)).toEqual(['lo']); ops++;
      expect((await b.links.list()).map((l) => l.name)).toEqual(['lo']); ops++;
      const [x, y] = await a.links.addVeth({ name: `x${i}`, peer: { name: `y${i}`, namespace: b } }); ops++;
      expect(y.namespace).toBe(b);
      expect(x.linkNetnsId).toBe(await a.nsidOf(b)); ops++;
      const p = await y.peer(); ops++;
      expect([p!.index, p!.namespace]).toEqual([x.index, a]);
      await x.setUp(); ops++;
      // Move b's end back across into a, then list both sides.
      const moved = await y.moveTo(a); ops++;
      expect(moved.namespace).toBe(a);
      expect((await a.links.list()).length).toBe(3); ops++;
      expect((await b.links.list()).length).toBe(1); ops++;
      a.close(); ops++;
      b.close(); ops++;
    };
    for (let i = 0; i < rounds; i += parallel) {
      await Promise.all(Array.from({ length: parallel }, (_, k) => round(i + k)));
    }
    const elapsed = Date.now() - started;
    expect(ops).toBeGreaterThanOrEqual(2000);

    // Every thread alive now — old or new — is in the namespace the process started in.
    const threadsAfter = threadNamespaces();
    for (const [tid, ns] of threadsAfter) expect([tid, ns]).toEqual([tid, home]);
    expect(fs.readlinkSync('/proc/self/ns/net')).toBe(home);
    // The short-lived threads are gone: no more threads than before.
    expect(threadsAfter.size).toBeLessThanOrEqual(threadsBefore.size);

    // Every fd opened along the way was closed explicitly (no waiting for GC).
    // A socket's fd is closed in its uv_poll close callback, a loop turn after
    // close(), or — closed while a dump's read-ahead burst was on a libuv pool
    // thread — when that burst returns: let the loop turn for up to a second
    // (no GC involved), then compare.
    let fdsAfter = openFds();
    for (let i = 0; i < 100 && fdsAfter.length > fdsBefore.length; i++) {
      await sleep(10);
      fdsAfter = openFds();
    }
    const extra = fdsAfter.filter((fd) => !fdsBefore.includes(fd));
    expect(describeFds(extra)).toEqual([]);
    expect(fdsAfter.length).toBe(fdsBefore.length);
    // eslint-disable-next-line no-console
    console.log(`leaks: ${ops} operations in ${elapsed} ms, ${threadsAfter.size} threads, ${fdsAfter.length} fds`);
  }, 60000);

  it('handles dropped without close() have their namespace fds and netlink sockets reclaimed by the GC', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const beforeFds = openFds();
    const before = beforeFds.length;
    for (let i = 0; i < 50; i++) await (await Namespace.create()).links.list();
    // Up to 50 namespace fds and 50 netlink sockets, none closed by us (a GC may already have run).
    expect(openFds().length).toBeGreaterThan(before + 50);
    // Loop on what matters, not on the count: jest may close fds of its own meanwhile.
    const ours = () => describeFds(openFds().filter((fd) => !beforeFds.includes(fd)))
      .filter((d) => d.includes('net:[') || d.includes('socket:['));
    for (let i = 0; i < 50 && ours().length > 0; i++) {
      gc();
      await sleep(20);
    }
    const left = describeFds(openFds().filter((fd) => !beforeFds.includes(fd)));
    expect(left.filter((d) => d.includes('net:['))).toEqual([]); // namespace fds
    expect(left.filter((d) => d.includes('socket:['))).toEqual([]); // their connections' netlink sockets
    expect(openFds().length).toBeLessThanOrEqual(before);
  });
});
