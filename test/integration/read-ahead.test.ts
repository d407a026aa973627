// Read-ahead (native/socket.cc): while a dump is collected, a libuv pool thread
// reads the next burst of datagrams as JS decodes the last. The dump must stay
// exactly what the kernel sent, pause() must still hold data back, and a
// socket closed mid-burst must reject the dump and release its fd.
import fs from 'node:fs';
import { Namespace } from '../../lib';
import { Connection } from '../../lib/connection';
import { native, NativeNetlinkSocket } from '../../lib/native';
import { ipJson } from '../helpers/ip';
import { uniqueName } from '../helpers/ns';

const PAIRS = 500; // 1,000 links of ~1.3 KB each: more than one 1 MiB burst

/** A real socket in `ns` whose setReadAhead calls (and, optionally, data) are seen. */
function spySocket(ns: Namespace, calls: string[], onFirstData?: () => void): NativeNetlinkSocket {
  const real = new native.NetlinkSocket(native.netlinkOpen(ns.fd, 0, 8 << 20, 1 << 20));
  let seen = false;
  return {
    get fd() { return real.fd; },
    get portId() { return real.portId; },
    send: (b) => real.send(b),
    start: ((onData: (chunk: Buffer | number) => void, onError: (errno: number) => void, shared: Buffer) =>
      real.start((chunk: Buffer | number) => {
        if (!seen && onFirstData) { seen = true; onFirstData(); }
        onData(chunk);
      }, onError, shared)) as NativeNetlinkSocket['start'],
    ref: () => real.ref(),
    unref: () => real.unref(),
    close: () => real.close(),
    addMembership: (g) => real.addMembership(g),
    dropMembership: (g) => real.dropMembership(g),
    setIntOption: (l, n, v) => real.setIntOption(l, n, v),
    pause: () => real.pause?.(),
    resume: () => real.resume?.() ?? 0,
    setReadAhead: (on) => { calls.push(`readAhead ${on}`); real.setReadAhead?.(on); },
  };
}

describe('read-ahead of collected dumps', () => {
  let ns: Namespace & { name: string };

  // One namespace of 1,000 links for all three tests (made once: ~1 s).
  afterAll(() => ns?.delete());
  beforeAll(async () => {
    ns = await Namespace.create(uniqueName('ra')) as Namespace & { name: string };
    for (let k = 0; k < PAIRS; k += 250) {
      await ns.batch((b) => { for (let i = k; i < k + 250; i++) b.links.addVeth({ name: `h${i}`, peer: { name: `c${i}` } }); });
    }
  });

  it('a dump of many bursts arrives whole and in order, reading ahead only while it is collected', async () => {
    const calls: string[] = [];
    const conn = new Connection(-1, { socket: spySocket(ns, calls) });
    const view = Object.create(ns, { connection: { value: conn } }) as Namespace;
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
    let streamed = 0;
    const stream = (async () => {
      for await (const l of ns.links.stream()) {
        streamed++;
        if (streamed === 1) await new Promise((r) => setTimeout(r, 100)); // paused meanwhile
        void l;
      }
    })();
    const [listed] = await Promise.all([ns.links.list(), stream]);
    expect(listed).toHaveLength(2 * PAIRS + 1);
    expect(streamed).toBe(2 * PAIRS + 1);
  });

  it('closing the socket during a dump rejects it and releases the fd', async () => {
    const calls: string[] = [];
    let conn: Connection | undefined;
    const socket = spySocket(ns, calls, () => conn?.close());
    const fd = socket.fd;
    conn = new Connection(-1, { socket });
    const view = Object.create(ns, { connection: { value: conn } }) as Namespace;
    await expect(view.links.list()).rejects.toMatchObject({ code: 'EBADF' });
    const open = (): boolean => { try { return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:'); } catch { return false; } };
    for (let i = 0; i < 100 && open(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(open()).toBe(false);
  });
});
