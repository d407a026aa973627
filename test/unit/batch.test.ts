// Batches and streaming back-pressure against the fake kernel: order on the
// wire, windows, stop/continue/atomic bookkeeping, corking, and pause/resume
// of a socket whose streaming consumer lags. No root, no socket.
jest.mock('../../lib/native', () => ({ native: {} }));

import { batch, BatchError } from '../../lib/batch';
import { Connection } from '../../lib/connection';
import * as C from '../../lib/netlink/constants';
import { decodeRoute } from '../../lib/rtnl/route';
import type { Namespace } from '../../lib/namespace';
import { RouteTable } from '../../lib/model/route';
import { ack, done, errorReply, FakeKernel, multi, Received, Responder } from '../helpers/fake-kernel';
import { encodeRoute } from '../../lib/rtnl/route';

let conns: Connection[] = [];
afterEach(() => { for (const c of conns) c.close(); conns = []; });

/** Just enough of a Namespace for RouteTable and batch(): a connection. */
function fakeNamespace(respond: Responder, socket?: FakeKernel): [Namespace, FakeKernel] {
  const kernel = socket ?? new FakeKernel(respond);
  kernel.batchReplies = true;
  const conn = new Connection(-1, { socket: kernel });
  conns.push(conn);
  const ns = {
    connection: conn,
    toString: () => 'namespace "fake"',
  } as unknown as Namespace;
  Object.defineProperty(ns, 'routes', { get: () => new RouteTable(ns) });
  return [ns, kernel];
}

const dstOf = (r: Received): string | undefined => decodeRoute(r.view).dst;
const routes = (n: number): { to: string; via: string }[] => Array.from({ length: n }, (_, i) => ({ to: `10.9.${i >> 8}.${i & 255}`, via: '10.0.0.2' }));

describe('batch', () => {
  test('sends in order, a window per sendmsg, and resolves with every result in order', async () => {
    const [ns, kernel] = fakeNamespace((req) => [ack(req)]);
    const rs = routes(2500);
    const results = await batch(ns, (b) => { for (const r of rs) b.routes.add(r); }, { window: 1000 }) as { to: string }[];
    expect(results.map((r) => r.to)).toEqual(rs.map((r) => `${r.to}/32`));
    expect(kernel.received.map(dstOf)).toEqual(rs.map((r) => r.to));
    expect(kernel.sends[0]).toHaveLength(1000); // the first window in one sendmsg
    expect(kernel.sends.length).toBeLessThanOrEqual(6);
  });

  test("'stop' sends nothing after the first failure and marks the rest skipped", async () => {
    const [ns, kernel] = fakeNamespace((req) => [dstOf(req) === '10.9.0.2' ? errorReply(req, 17, { extAck: 'exists' }) : ack(req)]);
    const e = await batch(ns, (b) => routes(6).forEach((r) => b.routes.add(r)), { window: 2 }).catch((x: unknown) => x) as BatchError;
    expect(e).toBeInstanceOf(BatchError);
    expect(e.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'skipped', 'skipped']);
    expect(kernel.received.map(dstOf)).toEqual(['10.9.0.0', '10.9.0.1', '10.9.0.2', '10.9.0.3']);
    expect(e.message).toMatch(/1 of 6 operations failed \(first: #2: .*EEXIST: exists\); 2 skipped/);
  });

  test("'continue' attempts everything and reports each failure with its index", async () => {
    const [ns] = fakeNamespace((req) => [/\.[13]$/.test(dstOf(req) ?? '') ? errorReply(req, 101) : ack(req)]);
    const e = await batch(ns, (b) => routes(5).forEach((r) => b.routes.add(r)), { onError: 'continue' }).catch((x: unknown) => x) as BatchError;
    expect(e.errors.map((x) => x.index)).toEqual([1, 3]);
    expect(e.results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });

  test('atomic: the successful adds are deleted again, newest first', async () => {
    const [ns, kernel] = fakeNamespace((req) => [dstOf(req) === '10.9.0.2' && req.type === C.RTM_NEWROUTE ? errorReply(req, 17) : ack(req)]);
    const e = await batch(ns, (b) => routes(3).forEach((r) => b.routes.add(r)), { atomic: true, window: 1 }).catch((x: unknown) => x) as BatchError;
    expect(e.undone).toBe(true);
    const deletes = kernel.received.filter((r) => r.type === C.RTM_DELROUTE).map(dstOf);
    expect(deletes).toEqual(['10.9.0.1', '10.9.0.0']);
  });

  test('validation errors throw before anything is sent', async () => {
    const [ns, kernel] = fakeNamespace((req) => [ack(req)]);
    await expect(batch(ns, (b) => { b.routes.add({ to: '10.9.0.1', via: '10.0.0.2' }); b.routes.delete({ to: '10.9.0.1' }); }, { atomic: true }))
      .rejects.toThrow(/routes\.delete\(.*\) cannot be undone/);
    await expect(batch(ns, [['routes.add', { to: '10.9.0.1' }]], { window: 0 })).rejects.toThrow(/window: expected a positive integer/);
    await expect(batch(ns, 'x' as never)).rejects.toThrow(/expected a function/);
    expect(kernel.sends).toHaveLength(0);
  });

  test('an aborted signal stops starting operations', async () => {
    const [ns, kernel] = fakeNamespace((req) => [ack(req)]);
    const ac = new AbortController();
    ac.abort();
    const e = await batch(ns, (b) => routes(3).forEach((r) => b.routes.add(r)), { signal: ac.signal }).catch((x: unknown) => x) as BatchError;
    expect(e.results.map((r) => r.status)).toEqual(['rejected', 'skipped', 'skipped']);
    expect(kernel.sends).toHaveLength(0);
  });
});

describe('streaming back-pressure', () => {
  /** A fake kernel that also records pause()/resume(), like the native socket has them. */
  class PausableKernel extends FakeKernel {
    calls: string[] = [];
    pause(): void { this.calls.push('pause'); }
    resume(): number { this.calls.push('resume'); return 0; }
  }

  test('a lagging consumer pauses the socket; catching up resumes it; ending early resumes it too', async () => {
    const k = new PausableKernel();
    const conn = new Connection(-1, { socket: k });
    conns.push(conn);
    const req = encodeRoute(C.RTM_GETROUTE, C.NLM_F_REQUEST, { family: C.AF_INET, dstLength: 0, srcLength: 0, tos: 0, table: 254, protocol: 0, scope: 0, type: 0, flags: 0 });
    const it = conn.dump(req, { operation: 'route.list' });
    const first = it.next();
    await Promise.resolve();
    const r = k.received[0];
    const payload = encodeRoute(C.RTM_NEWROUTE, 0, { family: C.AF_INET, dstLength: 32, srcLength: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0, dst: '10.0.0.1' }).subarray(16);
    // 5,000 messages arrive while the consumer has taken none: above the high-water mark (4,096).
    k.deliver(Buffer.concat(Array.from({ length: 5000 }, () => multi(r, C.RTM_NEWROUTE, payload))));
    expect(k.calls).toEqual(['pause']);
    await first;
    for (let i = 1; i < 3990; i++) await it.next(); // down to ≤ 1,024 waiting
    expect(k.calls).toEqual(['pause', 'resume']);
    k.deliver(Buffer.concat([...Array.from({ length: 4000 }, () => multi(r, C.RTM_NEWROUTE, payload)), done(r)]));
    expect(k.calls).toEqual(['pause', 'resume', 'pause']);
    await it.return(undefined); // the consumer stops: reading must not stay paused
    expect(k.calls).toEqual(['pause', 'resume', 'pause', 'resume']);
  });
});
