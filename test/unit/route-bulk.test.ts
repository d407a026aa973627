// routes.addMany/deleteMany against the fake kernel: the bulk encoding equals
// the per-route encoding byte for byte, groups carry one ACK request, failures
// map back to their index, validation names the index before anything is sent,
// stop/continue/atomic bookkeeping. No root, no socket.
jest.mock('../../lib/native', () => ({ native: {} }));

import { isIPv4 } from 'node:net';
import { Connection } from '../../lib/connection';
import * as C from '../../lib/netlink/constants';
import { decodeRoute, ipv4Value } from '../../lib/rtnl/route';
import type { Namespace } from '../../lib/namespace';
import { RouteSpec, RouteTable } from '../../lib/model/route';
import { ack, errorReply, FakeKernel, Received, Responder } from '../helpers/fake-kernel';

let conns: Connection[] = [];
afterEach(() => { for (const c of conns) c.close(); conns = []; });

const LINKS: Record<string, number> = { eth0: 2, eth1: 3 };

/** Just enough of a Namespace for RouteTable: a connection and link lookups. */
function fakeNamespace(respond: Responder): [RouteTable, FakeKernel] {
  const kernel = new FakeKernel(respond);
  kernel.batchReplies = true;
  const conn = new Connection(-1, { socket: kernel });
  conns.push(conn);
  const ns = {
    connection: conn,
    toString: () => 'namespace "fake"',
    linkIndex: async (ref: string | number, field: string) => {
      if (typeof ref === 'number') return ref;
      if (LINKS[ref] === undefined) throw new Error(`${field}: no link "${ref}"`);
      return LINKS[ref];
    },
  } as unknown as Namespace;
  return [new RouteTable(ns), kernel];
}

/** Answers as the kernel does: an error whenever `fails` says so, an ACK only when asked. */
const kernelLike = (fails: (req: Received) => number = () => 0): Responder => (req) => {
  const errno = fails(req);
  if (errno) return [errorReply(req, errno, { extAck: 'refused' })];
  return req.flags & C.NLM_F_ACK ? [ack(req)] : [];
};

/** The message without what the connection fills in at send time (seq, pid, NLM_F_ACK). */
function normalised(r: Received): string {
  const b = Buffer.from(r.buf);
  b.writeUInt16LE(b.readUInt16LE(6) & ~C.NLM_F_ACK, 6);
  b.fill(0, 8, 16);
  return b.toString('hex');
}

const dstOf = (r: Received): string | undefined => decodeRoute(r.view).dst;
const hosts = (n: number): RouteSpec[] => Array.from({ length: n }, (_, i) => ({ to: `10.9.${i >> 8}.${i & 255}`, via: '10.0.0.2' }));

const VARIED: RouteSpec[] = [
  { to: '10.1.2.3', via: '10.0.0.2' },
  { to: '10.1.2.3/24', via: '10.0.0.2', metric: 100, table: 100 }, // host bits cleared
  { to: '0.0.0.0/0', via: '10.0.0.1', dev: 'eth0' },
  { to: 'default', via: '10.0.0.1', table: 'main', protocol: 'static' },
  { to: '10.8.0.0/16', dev: 2 },
  { to: '192.168.0.0/16', type: 'blackhole' },
  { to: '10.2.0.0/16', via: '10.0.0.2', metrics: { mtu: 1400 }, lock: ['mtu'], onlink: true, src: '10.0.0.1' },
  { to: '10.3.0.0/16', nexthops: [{ via: '10.0.0.2', weight: 2, dev: 'eth1' }, { via: '10.0.0.3' }] },
  { to: '2001:db8::1', via: 'fe80::1', dev: 'eth0' },
  { to: '2001:db8::/48', via: '2001:db8::ffff', pref: 'high', expires: 60 },
  { to: 'default', family: 6, dev: 'eth0' },
  { to: '10.4.0.0/16', viaInet6: 'fe80::1', dev: 'eth0' },
  { to: '255.255.255.255', via: '10.0.0.2' },
];

describe('routes.addMany / deleteMany', () => {
  test('the bulk encoding equals routes.add / routes.delete byte for byte', async () => {
    const [table, kernel] = fakeNamespace(kernelLike());
    for (const s of VARIED) await table.add(s);
    const single = kernel.received.map(normalised);
    kernel.sends.length = 0;
    expect(await table.addMany(VARIED)).toEqual({ ok: VARIED.length, errors: [], skipped: 0, undone: 0 });
    expect(kernel.received.map(normalised)).toEqual(single);

    kernel.sends.length = 0;
    for (const s of VARIED) await table.delete(s);
    const singleDelete = kernel.received.map(normalised);
    kernel.sends.length = 0;
    await table.deleteMany(VARIED);
    expect(kernel.received.map(normalised)).toEqual(singleDelete);
    expect(kernel.received.every((r) => r.type === C.RTM_DELROUTE)).toBe(true);
  });

  test('groups of 1,024 per sendmsg, only the last of each asking for an ACK, in order', async () => {
    const [table, kernel] = fakeNamespace(kernelLike());
    const rs = hosts(2500);
    expect(await table.addMany(rs, { onError: 'continue' })).toMatchObject({ ok: 2500, errors: [] });
    expect(kernel.received.map(dstOf)).toEqual(rs.map((r) => r.to));
    const groups = kernel.received.reduce<number[]>((acc, r, i) => (r.flags & C.NLM_F_ACK ? [...acc, i] : acc), []);
    expect(groups).toEqual([1023, 2047, 2499]);
    expect(new Set(kernel.received.map((r) => r.seq)).size).toBe(2500);
    expect(kernel.received.every((r) => r.pid === 4242)).toBe(true);
  });

  test("'continue': every route is sent; failures come back with their index and the kernel's error", async () => {
    const bad = new Set(['10.9.0.5', '10.9.5.220', '10.9.9.195']); // indices 5, 1500, 2499 (the last, ACK-carrying one)
    const [table, kernel] = fakeNamespace(kernelLike((r) => (bad.has(dstOf(r) ?? '') ? 17 : 0)));
    const r = await table.addMany(hosts(2500), { onError: 'continue' });
    expect(kernel.received).toHaveLength(2500);
    expect(r.ok).toBe(2497);
    expect(r.skipped).toBe(0);
    expect(r.errors.map((e) => e.index)).toEqual([5, 1500, 2499]);
    expect(r.errors[1].error).toMatchObject({ code: 'EEXIST', errno: 17, operation: 'route.add', extAck: 'refused', target: 'routes[1500] 10.9.5.220 via 10.0.0.2 in namespace "fake"' });
    expect(r.errors[1].error.message).toBe('route.add routes[1500] 10.9.5.220 via 10.0.0.2 in namespace "fake" failed: EEXIST: refused');
  });

  test("'stop' (default): groups after a failure are not sent and are counted as skipped", async () => {
    const [table, kernel] = fakeNamespace(kernelLike((r) => (dstOf(r) === '10.9.4.20' ? 17 : 0))); // index 1044, in the second group
    const r = await table.addMany(hosts(4000));
    expect(kernel.received).toHaveLength(2048);
    expect(r).toMatchObject({ ok: 2047, skipped: 4000 - 2048 });
    expect(r.errors.map((e) => e.index)).toEqual([1044]);
  });

  test('atomic: a failure deletes the routes that were added', async () => {
    const [table, kernel] = fakeNamespace(kernelLike((r) => (r.type === C.RTM_NEWROUTE && dstOf(r) === '10.9.0.7' ? 17 : 0)));
    const rs = hosts(10);
    const r = await table.addMany(rs, { atomic: true });
    expect(r).toMatchObject({ ok: 0, skipped: 0, undone: 9 });
    expect(r.errors.map((e) => e.index)).toEqual([7]);
    const deleted = kernel.received.filter((x) => x.type === C.RTM_DELROUTE).map(dstOf);
    expect(deleted).toEqual(rs.filter((_, i) => i !== 7).map((x) => x.to));
  });

  test('validation names the index and field, and nothing is sent', async () => {
    const [table, kernel] = fakeNamespace(kernelLike());
    const rs: RouteSpec[] = hosts(50);
    rs[42] = { to: '10.0.0.0/8', via: '10.0.0.256' };
    await expect(table.addMany(rs)).rejects.toThrow(/^routes\[42\]\.via: not a valid IPv4 or IPv6 address, got "10\.0\.0\.256"$/);
    rs[42] = { to: '10.0.0.0/40', via: '10.0.0.1' };
    await expect(table.addMany(rs)).rejects.toThrow(/^routes\[42\]\.to: prefix length must be 0\.\.32/);
    rs[42] = { to: '10.0.0.0/8', dev: 'nope' };
    await expect(table.addMany(rs)).rejects.toThrow(/^routes\[42\]\.dev: no link "nope"$/);
    (rs as unknown[])[42] = null;
    await expect(table.addMany(rs)).rejects.toThrow(/^routes\[42\]: expected \{ to, via\?, dev\? … \}, got null$/);
    await expect(table.addMany('x' as never)).rejects.toThrow(/^routes: expected an array/);
    await expect(table.addMany(hosts(2), { onError: 'skip' as never })).rejects.toThrow(/^onError:/);
    expect(() => table.deleteMany(hosts(2), { atomic: true })).toThrow(/^atomic: only addMany/);
    expect(kernel.received).toHaveLength(0);
  });

  test('a group the connection fails as a whole (aborted, closed) rejects the call', async () => {
    const [table, kernel] = fakeNamespace(kernelLike());
    await expect(table.addMany(hosts(3), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    kernel.respond = () => undefined; // never answers
    const pending = table.addMany(hosts(3000), { onError: 'continue' });
    await new Promise((r) => setImmediate(r));
    conns[0].close();
    await expect(pending).rejects.toMatchObject({ code: 'EBADF' });
  });

  test('an empty array sends nothing', async () => {
    const [table, kernel] = fakeNamespace(kernelLike());
    expect(await table.addMany([])).toEqual({ ok: 0, errors: [], skipped: 0, undone: 0 });
    expect(kernel.sends).toHaveLength(0);
  });

  test('ipv4Value accepts exactly what isIPv4 accepts', () => {
    const cases = ['0.0.0.0', '10.0.0.1', '255.255.255.255', '256.0.0.1', '01.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', '',
      '1.2.3.04', '0.0.0.00', '1.2.3.', '.1.2.3', '1000.1.1.1', '::1', '1.2.3.a', '99.199.249.250'];
    for (const c of cases) {
      expect([c, ipv4Value(c) >= 0]).toEqual([c, isIPv4(c)]);
    }
    expect(ipv4Value('10.1.2.3')).toBe(0x0a010203);
  });
});
