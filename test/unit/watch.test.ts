// The watcher against fake kernels (test/helpers/fake-kernel.ts): one plays
// the subscribed socket, another the namespace's request connection that
// answers dumps. Checks the reconciliation of a dump with notifications that
// race it, repeats dropped, the bounded queue, ENOBUFS, the two forms, ref.
const sockets: import('../helpers/fake-kernel').FakeKernel[] = [];
jest.mock('../../lib/native', () => ({
  native: {
    netlinkOpen: () => 100,
    NetlinkSocket: function NetlinkSocket() {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { FakeKernel, ack } = require('../helpers/fake-kernel');
      // The subscribed socket answers only the watcher's barriers (NLMSG_NOOP = 1), unless a test says otherwise.
      const k = new FakeKernel((req: { type: number }) => (req.type === 1 ? [ack(req)] : undefined), 5000 + sockets.length);
      sockets.push(k);
      return k;
    },
  },
}));

import { Connection } from '../../lib/connection';
import * as C from '../../lib/netlink/constants';
import type { Namespace } from '../../lib/namespace';
import { ChangeEvent, Watcher, WatchEvent, WatchOptions } from '../../lib/watch';
import { ack, done, FakeKernel, Received, Responder } from '../helpers/fake-kernel';
import { routeMessage, until } from '../helpers/fake-events';

const NEW = C.RTM_NEWROUTE;
const DEL = C.RTM_DELROUTE;
const note = (type: number, to: string, gw: string): Buffer => routeMessage(type, to, gw, { pid: 77 });
const reply = (req: Received, to: string, gw: string): Buffer => routeMessage(NEW, to, gw, { seq: req.seq, pid: req.pid, flags: C.NLM_F_MULTI });

interface Setup { w: Watcher; events: WatchEvent[]; kernel: FakeKernel; requests: FakeKernel }

let watchers: Watcher[] = [];
afterEach(() => { for (const w of watchers) w.close(); watchers = []; sockets.length = 0; });

/** A watcher over a fake namespace whose dumps `respond` answers; events collected through the emitter. */
function setup(respond: Responder, options: WatchOptions, form: 'emitter' | 'none' = 'emitter'): Setup {
  const requests = new FakeKernel(respond, 4242);
  const ns = { fd: 3, id: 'net:[1]', connection: new Connection(-1, { socket: requests }), toString: () => 'fake' } as unknown as Namespace;
  const w = new Watcher([ns], ['route'], options);
  watchers.push(w);
  const events: WatchEvent[] = [];
  if (form === 'emitter') w.on('event', (e: WatchEvent) => events.push(e));
  return { w, events, kernel: sockets[sockets.length - 1], requests };
}

const show = (events: WatchEvent[]): string[] => events.map((e) => (e.type === 'new' || e.type === 'delete')
  ? `${e.type} ${(e as ChangeEvent & { kind: 'route' }).object.to} via ${(e as ChangeEvent & { kind: 'route' }).object.via}` : e.type);

describe('listExisting reconciliation', () => {
  test('a change racing the dump wins over what the dump read, whichever arrives first', async () => {
    let s: Setup | undefined;
    const respond: Responder = (req, k) => {
      // While the kernel prepares the dump: A is deleted and B changes; the
      // dump still shows the old A and B (read before the changes).
      s?.kernel.deliver(Buffer.concat([note(DEL, '10.1.0.0/16', '192.0.2.1'), note(NEW, '10.2.0.0/16', '192.0.2.9')]));
      k.deliverLater(Buffer.concat([reply(req, '10.1.0.0/16', '192.0.2.1'), reply(req, '10.2.0.0/16', '192.0.2.2'), reply(req, '10.3.0.0/16', '192.0.2.3'), done(req)]));
      return undefined;
    };
    s = setup(respond, { listExisting: true });
    await until(() => s!.events.some((e) => e.type === 'synced'), 'synced');
    expect(show(s.events).sort()).toEqual(['new 10.2.0.0/16 via 192.0.2.9', 'new 10.3.0.0/16 via 192.0.2.3', 'synced']);
    expect(s.events[s.events.length - 1].type).toBe('synced');
  });

  test('notifications arriving after the dump: repeats of what it showed are dropped, real changes pass', async () => {
    const s = setup((req) => [reply(req, '10.2.0.0/16', '192.0.2.2'), done(req)], { listExisting: true });
    await until(() => s.events.some((e) => e.type === 'synced'), 'synced');
    // Late: the notification of the change the dump already showed, then a real change, a repeat delete.
    s.kernel.deliver(note(NEW, '10.2.0.0/16', '192.0.2.2'));
    s.kernel.deliver(note(NEW, '10.2.0.0/16', '192.0.2.5'));
    s.kernel.deliver(note(DEL, '10.7.0.0/16', '192.0.2.7'));
    s.kernel.deliver(note(DEL, '10.2.0.0/16', '192.0.2.5'));
    expect(show(s.events)).toEqual(['new 10.2.0.0/16 via 192.0.2.2', 'synced', 'new 10.2.0.0/16 via 192.0.2.5', 'delete 10.2.0.0/16 via 192.0.2.5']);
  });

  test('without a view every notification passes, like ip monitor', async () => {
    const s = setup(() => undefined, {});
    s.kernel.deliver(note(NEW, '10.2.0.0/16', '192.0.2.2'));
    s.kernel.deliver(note(NEW, '10.2.0.0/16', '192.0.2.2'));
    s.kernel.deliver(note(DEL, '10.9.0.0/16', '192.0.2.2'));
    expect(show(s.events)).toEqual(['new 10.2.0.0/16 via 192.0.2.2', 'new 10.2.0.0/16 via 192.0.2.2', 'delete 10.9.0.0/16 via 192.0.2.2']);
    expect(s.requests.received).toHaveLength(0); // no dump without listExisting/resync
  });
});

describe('overrun', () => {
  test('ENOBUFS without resync: an overrun event, and the watcher goes on', async () => {
    const s = setup(() => undefined, {});
    s.kernel.fail(105);
    s.kernel.deliver(note(NEW, '10.2.0.0/16', '192.0.2.2'));
    expect(s.events.map((e) => e.type)).toEqual(['overrun', 'new']);
    expect(s.events[0]).toMatchObject({ type: 'overrun', reason: 'socket', resync: false });
  });

  test('ENOBUFS with resync: the differences from what the consumer holds (new, changed, gone)', async () => {
    let state: [string, string][] = [['10.1.0.0/16', '192.0.2.1'], ['10.2.0.0/16', '192.0.2.2']];
    const s = setup((req) => [...state.map(([to, gw]) => reply(req, to, gw)), done(req)], { resync: true });
    await until(() => s.requests.received.length === 1, 'the silent initial dump');
    await new Promise((r) => setImmediate(r));
    expect(s.events).toEqual([]); // resync alone reads the initial state without delivering it
    state = [['10.2.0.0/16', '192.0.2.9'], ['10.3.0.0/16', '192.0.2.3']];
    s.kernel.fail(105);
    await until(() => s.events.some((e) => e.type === 'synced'), 'synced');
    expect(show(s.events)).toEqual(['overrun', 'delete 10.1.0.0/16 via 192.0.2.1', 'new 10.2.0.0/16 via 192.0.2.9', 'new 10.3.0.0/16 via 192.0.2.3', 'synced']);
  });

  test('ENOBUFS during a resync dump starts it over (the overlay would be incomplete)', async () => {
    let s: Setup | undefined;
    let dumps = 0;
    const s2 = setup((req, k) => {
      dumps++;
      if (dumps === 2) s?.kernel.fail(105); // lost notifications while the resync runs
      k.deliverLater(Buffer.concat([reply(req, '10.1.0.0/16', '192.0.2.1'), done(req)]));
      return undefined;
    }, { resync: true, listExisting: true });
    s = s2;
    await until(() => s2.events.filter((e) => e.type === 'synced').length === 1, 'first synced');
    s2.kernel.fail(105);
    await until(() => s2.events.filter((e) => e.type === 'synced').length === 2, 'second synced');
    expect(dumps).toBe(3);
    // Each loss is reported; the second restarts the running dump instead of queueing another.
    expect(show(s2.events)).toEqual(['new 10.1.0.0/16 via 192.0.2.1', 'synced', 'overrun', 'overrun', 'synced']);
    await new Promise((r) => setTimeout(r, 20));
    expect(dumps).toBe(3);
  });

  test('after ENOBUFS, notifications still queued from before the loss do not override the resync dump', async () => {
    // The kernel reports the overrun before the datagrams already queued: a
    // stale "new" whose "delete" was the one dropped arrives after it.
    const s = setup((req) => [reply(req, '10.1.0.0/16', '192.0.2.1'), done(req)], { resync: true, listExisting: true });
    await until(() => s.events.some((e) => e.type === 'synced'), 'synced');
    const barriers = (): number => s.kernel.received.filter((r) => r.type === C.NLMSG_NOOP).length;
    expect(barriers()).toBe(1);
    s.kernel.fail(105);
    s.kernel.deliver(note(NEW, '10.9.0.0/16', '192.0.2.9')); // queued before the loss: older than the resync's dump
    await until(() => s.events.filter((e) => e.type === 'synced').length === 2, 'second synced');
    expect(barriers()).toBe(2);
    expect(show(s.events)).toEqual(['new 10.1.0.0/16 via 192.0.2.1', 'synced', 'overrun', 'synced']);
  });

  test('a barrier whose ACK never comes (dropped while the socket was congested) is sent again', async () => {
    const s = setup((req) => [reply(req, '10.1.0.0/16', '192.0.2.1'), done(req)], { listExisting: true });
    let first = true;
    s.kernel.respond = (req) => {
      if (first) { first = false; return undefined; } // dropped without a report
      return [ack(req)];
    };
    await until(() => s.events.some((e) => e.type === 'synced'), 'synced', 5000);
    expect(s.kernel.received.filter((r) => r.type === C.NLMSG_NOOP)).toHaveLength(2);
    expect(s.requests.received).toHaveLength(1); // the dump waited for the barrier
    expect(show(s.events)).toEqual(['new 10.1.0.0/16 via 192.0.2.1', 'synced']);
  });

  test('a slow iterator: beyond queueLimit events are dropped and counted in one overrun', async () => {
    const s = setup(() => undefined, { queueLimit: 3 }, 'none');
    for (let i = 0; i < 10; i++) s.kernel.deliver(note(NEW, `10.${i}.0.0/16`, '192.0.2.1'));
    const it = s.w[Symbol.asyncIterator]();
    const got: WatchEvent[] = [];
    for (let i = 0; i < 4; i++) got.push((await it.next()).value as WatchEvent);
    expect(show(got)).toEqual(['new 10.0.0.0/16 via 192.0.2.1', 'new 10.1.0.0/16 via 192.0.2.1', 'new 10.2.0.0/16 via 192.0.2.1', 'overrun']);
    expect(got[3]).toMatchObject({ reason: 'queue', lost: 7, resync: false });
  });

  test('a slow iterator with resync: the queue is replaced by the differences, then synced', async () => {
    const kernelState = new Map<string, string>();
    const s = setup((req) => [...[...kernelState].map(([to, gw]) => reply(req, to, gw)), done(req)], { queueLimit: 5, resync: true }, 'none');
    await until(() => s.requests.received.length === 1, 'the initial dump');
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 50; i++) {
      const to = `10.${i % 8}.0.0/16`;
      const gw = `192.0.2.${i}`;
      kernelState.set(to, gw);
      s.kernel.deliver(note(NEW, to, gw));
    }
    const it = s.w[Symbol.asyncIterator]();
    const view = new Map<string, string>();
    for (;;) {
      const e = (await it.next()).value as WatchEvent;
      const r = (e as ChangeEvent & { kind: 'route' }).object;
      if (e.type === 'new') view.set(r.to, r.via as string);
      if (e.type === 'synced') break;
    }
    expect(view).toEqual(kernelState);
    expect((s.w as unknown as { entries: unknown[] }).entries.length).toBe(0);
  });
});

describe('forms and lifetime', () => {
  test('iterate or listen, not both', () => {
    const s = setup(() => undefined, {});
    expect(() => s.w[Symbol.asyncIterator]()).toThrow(/listen to a watcher or iterate it, not both/);
    const t = setup(() => undefined, {}, 'none');
    t.w[Symbol.asyncIterator]();
    expect(() => t.w[Symbol.asyncIterator]()).toThrow(/only once/);
    expect(() => t.w.on('event', () => undefined)).toThrow(/being iterated/);
  });

  test('an idle watcher does not hold the event loop unless keepAlive; close() closes its socket', () => {
    const idle = setup(() => undefined, {});
    expect(idle.kernel.refd).toBe(false);
    const kept = setup(() => undefined, { keepAlive: true });
    expect(kept.kernel.refd).toBe(true);
    expect(kept.kernel.memberships).toEqual(new Set([C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV6_ROUTE]));
    kept.w.close();
    expect(kept.kernel.closed).toBe(true);
  });

  test('bad options are refused naming the field', () => {
    const requests = new FakeKernel(undefined, 1);
    const ns = { fd: 3, connection: new Connection(-1, { socket: requests }) } as unknown as Namespace;
    expect(() => new Watcher([ns], ['routes' as never])).toThrow(/kinds: expected one of link, address, route/);
    expect(() => new Watcher([ns], ['route'], { family: 5 as never })).toThrow(/family/);
    expect(() => new Watcher([ns], ['route'], { link: 'eth0' as never })).toThrow(/link: expected an ifindex or a Link/);
    expect(() => new Watcher([ns], ['route'], { queueLimit: 0 })).toThrow(/queueLimit/);
  });
});
