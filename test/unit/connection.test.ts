// Connection against a fake kernel (test/helpers/fake-kernel.ts): ACKs,
// errors with ext-ack, multipart dumps, NLM_F_DUMP_INTR, coalescing, window,
// timeouts, aborts, ENOBUFS, notifications and close. No root, no socket.
jest.mock('../../lib/native', () => ({ native: {} })); // the addon is never needed here

import { Connection, DumpInterruptedError } from '../../lib/connection';
import { AbortError, NetlinkError } from '../../lib/errors';
import * as C from '../../lib/netlink/constants';
import { MessageView } from '../../lib/netlink/message';
import { decodeLink, encodeLink } from '../../lib/rtnl/link';
import {
  ack, ackEverything, done, errorReply, FakeKernel, linkPayload, multi, nlmsg, Received, Responder,
} from '../helpers/fake-kernel';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const getLink = (): Buffer => encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, { index: 1 });
const newLink = (name: string): Buffer =>
  encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST | C.NLM_F_CREATE | C.NLM_F_EXCL, { name, linkInfo: { kind: 'bridge' } });
const names = (views: MessageView[]): (string | undefined)[] => views.map((m) => decodeLink(m).name);
const op = { operation: 'link.add', target: 'bridge "br0"' };

let conns: Connection[] = [];
function connect(respond?: Responder, options: ConstructorParameters<typeof Connection>[1] = {}): [Connection, FakeKernel] {
  const kernel = new FakeKernel(respond);
  const conn = new Connection(-1, { ...options, socket: kernel });
  conns.push(conn);
  return [conn, kernel];
}
afterEach(() => {
  for (const c of conns) c.close();
  conns = [];
});

/** The one request the kernel has received so far (waits for the flush). */
async function onlyRequest(kernel: FakeKernel): Promise<Received> {
  await Promise.resolve();
  expect(kernel.received).toHaveLength(1);
  return kernel.received[0];
}

describe('request / ACK', () => {
  test('an ACK resolves the request; the message carries NLM_F_ACK, a seq and our port id', async () => {
    const [conn, kernel] = connect(ackEverything);
    await expect(conn.request(newLink('br0'), op)).resolves.toEqual([]);
    expect(kernel.sends).toHaveLength(1);
    const [req] = kernel.received;
    expect(req.type).toBe(C.RTM_NEWLINK);
    expect(req.flags).toBe(C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_EXCL);
    expect(req.seq).not.toBe(0);
    expect(req.pid).toBe(kernel.portId);
    expect(decodeLink(req.view).name).toBe('br0');
  });

  test('a GET resolves with its single reply, which arrives before the ACK', async () => {
    const [conn] = connect((req) => [nlmsg(C.RTM_NEWLINK, 0, req.seq, req.pid, linkPayload(1, 'lo')), ack(req)]);
    const replies = await conn.request(getLink(), { operation: 'link.get' });
    expect(names(replies)).toEqual(['lo']);
  });

  test('the event loop is held (ref) only while a request is pending', async () => {
    const [conn, kernel] = connect(ackEverything);
    expect(kernel.refd).toBe(false);
    const p = conn.request(newLink('br0'), op);
    expect(kernel.refd).toBe(true);
    await p;
    expect(kernel.refd).toBe(false);
  });
});

describe('errors', () => {
  test('an error with ext-ack TLVs rejects with a NetlinkError naming errno, code, operation, target and reason', async () => {
    const [conn] = connect((req) => [errorReply(req, 17, { extAck: 'Link already exists', offset: 36 })]);
    const e = await conn.request(newLink('br0'), op).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toMatchObject({
      errno: 17, code: 'EEXIST', operation: 'link.add', target: 'bridge "br0"',
      extAck: 'Link already exists', extAckOffset: 36,
    });
    expect((e as Error).message).toBe('link.add bridge "br0" failed: EEXIST: Link already exists');
  });

  test('an uncapped error (whole request echoed) finds the TLVs after the echo', async () => {
    const [conn] = connect((req) => [errorReply(req, 22, { extAck: 'mtu greater than device maximum', capped: false })]);
    await expect(conn.request(newLink('br0'), op)).rejects.toMatchObject({
      errno: 22, code: 'EINVAL', extAck: 'mtu greater than device maximum',
    });
  });

  test('an error without TLVs still rejects with the errno', async () => {
    const [conn] = connect((req) => [errorReply(req, 19)]);
    const e = (await conn.request(newLink('br0'), op).catch((x: unknown) => x)) as NetlinkError;
    expect(e.code).toBe('ENODEV');
    expect(e.extAck).toBeUndefined();
  });

  test('a failing sendmsg rejects the requests it carried', async () => {
    const [conn, kernel] = connect(undefined);
    kernel.sendResult = -90; // EMSGSIZE
    await expect(conn.request(newLink('br0'), op)).rejects.toMatchObject({ errno: 90, code: 'EMSGSIZE', extAck: 'sendmsg failed' });
  });
});

describe('dumps', () => {
  test('dumpAll collects a multipart dump split over several chunks, in order', async () => {
    const [conn, kernel] = connect();
    const result = conn.dumpAll(getLink(), { operation: 'link.list' });
    const req = await onlyRequest(kernel);
    expect(req.flags & C.NLM_F_DUMP).toBe(C.NLM_F_DUMP);
    expect(req.flags & C.NLM_F_ACK).toBe(0);
    kernel.deliver(Buffer.concat([multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo')), multi(req, C.RTM_NEWLINK, linkPayload(2, 'a'))]));
    await tick();
    kernel.deliver(multi(req, C.RTM_NEWLINK, linkPayload(3, 'b')));
    await tick();
    kernel.deliver(Buffer.concat([multi(req, C.RTM_NEWLINK, linkPayload(4, 'c')), done(req)]));
    expect(names(await result)).toEqual(['lo', 'a', 'b', 'c']);
  });

  test('one dump at a time: a second waits for the first\'s NLMSG_DONE (the kernel would answer EBUSY), requests behind it keep their order', async () => {
    const [conn, kernel] = connect();
    const first = conn.dumpAll(getLink(), { operation: 'link.list' });
    const second = conn.dumpAll(getLink(), { operation: 'link.list' });
    const add = conn.request(newLink('x'), op);
    const req = await onlyRequest(kernel); // the second dump and the request behind it are held back
    kernel.deliver(multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo')));
    await tick();
    expect(kernel.received).toHaveLength(1);
    kernel.deliver(done(req));
    expect(names(await first)).toEqual(['lo']);
    await tick();
    expect(kernel.received.map((r) => r.type)).toEqual([C.RTM_GETLINK, C.RTM_GETLINK, C.RTM_NEWLINK]);
    const [, req2, req3] = kernel.received;
    kernel.deliver(Buffer.concat([multi(req2, C.RTM_NEWLINK, linkPayload(2, 'a')), done(req2), errorReply(req3, 0)]));
    expect(names(await second)).toEqual(['a']);
    await add;
  });

  test('a dump given up on (aborted) still holds the socket until the kernel ends it', async () => {
    const [conn, kernel] = connect();
    const ac = new AbortController();
    const first = conn.dumpAll(getLink(), { operation: 'link.list' }, { signal: ac.signal });
    const req = await onlyRequest(kernel);
    ac.abort();
    await expect(first).rejects.toMatchObject({ code: 'ABORT_ERR' });
    const second = conn.dumpAll(getLink(), { operation: 'link.list' });
    await tick();
    expect(kernel.received).toHaveLength(1); // the kernel's dump is still running
    kernel.deliver(Buffer.concat([multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo')), done(req)]));
    await tick();
    expect(kernel.received).toHaveLength(2);
    const req2 = kernel.received[1];
    kernel.deliver(Buffer.concat([multi(req2, C.RTM_NEWLINK, linkPayload(2, 'a')), done(req2)]));
    expect(names(await second)).toEqual(['a']);
  });

  test('dump() yields each message as its chunk arrives', async () => {
    const [conn, kernel] = connect();
    const it = conn.dump(getLink(), { operation: 'link.list' })[Symbol.asyncIterator]();
    const first = it.next();
    const req = await onlyRequest(kernel);
    kernel.deliver(multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo')));
    const r1 = await first; // resolves before anything else was sent
    expect(r1.done).toBe(false);
    expect(decodeLink(r1.value as MessageView).name).toBe('lo');
    const second = it.next();
    kernel.deliver(Buffer.concat([multi(req, C.RTM_NEWLINK, linkPayload(2, 'a')), done(req)]));
    expect(decodeLink((await second).value as MessageView).name).toBe('a');
    expect((await it.next()).done).toBe(true);
  });

  test('breaking out of dump() early ignores the rest of it and later requests still work', async () => {
    const [conn, kernel] = connect();
    const notified: MessageView[] = [];
    conn.onNotification((m) => notified.push(m));
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const m of conn.dump(getLink(), { operation: 'link.list' })) {
        seen.push(decodeLink(m).name ?? '');
        break;
      }
    })();
    const dumpReq = await onlyRequest(kernel);
    kernel.deliver(Buffer.concat([multi(dumpReq, C.RTM_NEWLINK, linkPayload(1, 'lo')), multi(dumpReq, C.RTM_NEWLINK, linkPayload(2, 'a'))]));
    await consumer;
    expect(seen).toEqual(['lo']);
    // The rest of the abandoned dump arrives and is dropped quietly.
    kernel.deliver(Buffer.concat([multi(dumpReq, C.RTM_NEWLINK, linkPayload(3, 'b')), done(dumpReq)]));
    kernel.respond = ackEverything;
    await expect(conn.request(newLink('br0'), op)).resolves.toEqual([]);
    const dumpAgain = conn.dumpAll(getLink(), { operation: 'link.list' });
    await expect(dumpAgain).resolves.toEqual([]);
    expect(notified).toEqual([]);
  });

  test('dumpAll retries a dump interrupted by NLM_F_DUMP_INTR and returns the consistent result', async () => {
    let attempt = 0;
    const [conn, kernel] = connect((req) => {
      attempt++;
      if (attempt <= 2) {
        return [multi(req, C.RTM_NEWLINK, linkPayload(1, `stale${attempt}`), C.NLM_F_DUMP_INTR), done(req, 0, C.NLM_F_DUMP_INTR)];
      }
      return [multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo')), multi(req, C.RTM_NEWLINK, linkPayload(2, 'a')), done(req)];
    });
    const replies = await conn.dumpAll(getLink(), { operation: 'link.list' });
    expect(names(replies)).toEqual(['lo', 'a']);
    expect(kernel.received).toHaveLength(3);
    expect(new Set(kernel.received.map((r) => r.seq)).size).toBe(3);
  });

  test('dumpAll gives up with DumpInterruptedError after 5 interrupted attempts', async () => {
    const [conn, kernel] = connect((req) => [
      multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo'), C.NLM_F_DUMP_INTR), done(req, 0, C.NLM_F_DUMP_INTR),
    ]);
    const e = await conn.dumpAll(getLink(), { operation: 'link.list' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DumpInterruptedError);
    expect(e).toBeInstanceOf(NetlinkError);
    expect((e as DumpInterruptedError).code).toBe('EINTR');
    expect((e as Error).message).toMatch(/link\.list dump was interrupted .* 5 time/);
    expect(kernel.received).toHaveLength(5);
  });

  test('an interrupted streaming dump yields what came and then throws DumpInterruptedError', async () => {
    const [conn] = connect((req) => [
      multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo'), C.NLM_F_DUMP_INTR), done(req, 0, C.NLM_F_DUMP_INTR),
    ]);
    const seen: string[] = [];
    const run = async (): Promise<void> => {
      for await (const m of conn.dump(getLink(), { operation: 'link.list' })) seen.push(decodeLink(m).name ?? '');
    };
    await expect(run()).rejects.toBeInstanceOf(DumpInterruptedError);
    expect(seen).toEqual(['lo']);
  });

  test('NLMSG_DONE carrying a negative error rejects the dump (with its ext-ack text)', async () => {
    const [conn] = connect((req) => [multi(req, C.RTM_NEWLINK, linkPayload(1, 'lo')), done(req, 16, 0, 'dump not supported')]);
    await expect(conn.dumpAll(getLink(), { operation: 'link.list' })).rejects.toMatchObject({
      errno: 16, code: 'EBUSY', operation: 'link.list', extAck: 'dump not supported',
    });
  });

  test('NLMSG_DONE with a bare negative error (no TLVs) rejects too', async () => {
    const [conn] = connect((req) => [done(req, 22)]);
    const e = (await conn.dumpAll(getLink(), { operation: 'link.list' }).catch((x: unknown) => x)) as NetlinkError;
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('EINVAL');
    expect(e.extAck).toBeUndefined();
  });
});

describe('coalescing and window', () => {
  test('500 requests issued in one tick go out in ONE sendmsg, with unique seqs, and all resolve', async () => {
    const [conn, kernel] = connect(ackEverything);
    const all = Array.from({ length: 500 }, (_, i) => conn.request(newLink(`l${i}`), op));
    await Promise.all(all);
    expect(kernel.sends).toHaveLength(1);
    expect(kernel.sends[0]).toHaveLength(500);
    const seqs = kernel.received.map((r) => r.seq);
    expect(new Set(seqs).size).toBe(500);
    expect(seqs).not.toContain(0);
    // Sent in the order they were issued.
    expect(kernel.received.map((r) => decodeLink(r.view).name)).toEqual(Array.from({ length: 500 }, (_, i) => `l${i}`));
  });

  test('window 100: 100 in flight at most, the rest sent as ACKs come back', async () => {
    let acked = 0;
    let maxInFlight = 0;
    const [conn, kernel] = connect((req) => {
      maxInFlight = Math.max(maxInFlight, kernel.received.length - acked);
      acked++;
      return [ack(req)];
    }, { window: 100 });
    kernel.batchReplies = true; // all ACKs of one sendmsg arrive in one chunk
    await Promise.all(Array.from({ length: 500 }, (_, i) => conn.request(newLink(`l${i}`), op)));
    expect(kernel.sends.map((s) => s.length)).toEqual([100, 100, 100, 100, 100]);
    expect(maxInFlight).toBeLessThanOrEqual(100);
  });

  test('window 1 with one ACK per chunk: strictly one request at a time', async () => {
    const [conn, kernel] = connect(ackEverything, { window: 1 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => conn.request(newLink(`l${i}`), op)));
    expect(kernel.sends.map((s) => s.length)).toEqual([1, 1, 1, 1, 1]);
  });

  test('sequence numbers stay unique across many rounds', async () => {
    const [conn, kernel] = connect(ackEverything);
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 50 }, () => conn.request(newLink('x'), op)));
    }
    const seqs = kernel.received.map((r) => r.seq);
    expect(seqs).toHaveLength(500);
    expect(new Set(seqs).size).toBe(500);
  });
});

describe('timeouts and aborts', () => {
  test('a request the kernel never answers rejects with ETIMEDOUT', async () => {
    const [conn] = connect(undefined);
    const started = Date.now();
    const e = await conn.request(newLink('br0'), op, { timeout: 150 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbortError);
    expect(e).toMatchObject({ code: 'ETIMEDOUT', operation: 'link.add' });
    expect((e as Error).message).toContain('timed out');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(2000);
  });

  test('the connection-wide timeout applies when the call gives none', async () => {
    const [conn] = connect(undefined, { timeout: 100 });
    await expect(conn.request(newLink('br0'), op)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  test('AbortSignal aborts with ABORT_ERR; a late ACK for that seq is ignored and the window slot is freed', async () => {
    const [conn, kernel] = connect(undefined, { window: 1 });
    const notified: MessageView[] = [];
    conn.onNotification((m) => notified.push(m));
    const ac = new AbortController();
    const aborted = conn.request(newLink('a'), op, { signal: ac.signal });
    const first = await onlyRequest(kernel);
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', operation: 'link.add' });
    kernel.respond = ackEverything;
    const next = conn.request(newLink('b'), op); // window 1: only sent because the aborted one left it
    kernel.deliver(ack(first)); // late ACK for the aborted request
    await expect(next).resolves.toEqual([]);
    expect(kernel.received.map((r) => decodeLink(r.view).name)).toEqual(['a', 'b']);
    expect(notified).toEqual([]);
  });

  test('aborting before the flush means the request is never sent', async () => {
    const [conn, kernel] = connect(ackEverything);
    const ac = new AbortController();
    const p = conn.request(newLink('a'), op, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await tick();
    expect(kernel.sends).toEqual([]);
  });

  test('an already aborted signal rejects at once', async () => {
    const [conn, kernel] = connect(ackEverything);
    const ac = new AbortController();
    ac.abort();
    await expect(conn.request(newLink('a'), op, { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(kernel.sends).toEqual([]);
  });
});

describe('socket errors, notifications and close', () => {
  test('ENOBUFS rejects pending non-dump requests, notifies onSocketError, and leaves dumps running', async () => {
    const [conn, kernel] = connect(undefined);
    const socketErrors: NetlinkError[] = [];
    conn.onSocketError((e) => socketErrors.push(e));
    const a = conn.request(newLink('a'), op).catch((x: unknown) => x);
    const b = conn.request(newLink('b'), op).catch((x: unknown) => x);
    const d = conn.dumpAll(getLink(), { operation: 'link.list' });
    await Promise.resolve();
    const dumpReq = kernel.received[2];
    kernel.fail(105);
    for (const e of [await a, await b]) {
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e).toMatchObject({ errno: 105, code: 'ENOBUFS', operation: 'link.add' });
    }
    expect(socketErrors).toHaveLength(1);
    expect(socketErrors[0]).toMatchObject({ errno: 105, code: 'ENOBUFS', operation: 'netlink.receive' });
    kernel.deliver(Buffer.concat([multi(dumpReq, C.RTM_NEWLINK, linkPayload(1, 'lo')), done(dumpReq)]));
    expect(names(await d)).toEqual(['lo']);
  });

  test('other socket errors reach onSocketError but leave requests pending', async () => {
    const [conn, kernel] = connect(undefined);
    const socketErrors: NetlinkError[] = [];
    conn.onSocketError((e) => socketErrors.push(e));
    const p = conn.request(newLink('a'), op);
    const req = await onlyRequest(kernel);
    kernel.fail(90); // EMSGSIZE: a truncated datagram
    expect(socketErrors.map((e) => e.code)).toEqual(['EMSGSIZE']);
    kernel.deliver(ack(req));
    await expect(p).resolves.toEqual([]);
  });

  test('messages with seq 0 (multicast) go to notification handlers, until unsubscribed', async () => {
    const [conn, kernel] = connect(ackEverything);
    const got: string[] = [];
    const off = conn.onNotification((m) => {
      expect(m.type).toBe(C.RTM_NEWLINK);
      got.push(decodeLink(m).name ?? '');
    });
    kernel.deliver(Buffer.concat([nlmsg(C.RTM_NEWLINK, 0, 0, 0, linkPayload(7, 'n1')), nlmsg(C.RTM_NEWLINK, 0, 0, 0, linkPayload(8, 'n2'))]));
    expect(got).toEqual(['n1', 'n2']);
    off();
    kernel.deliver(nlmsg(C.RTM_NEWLINK, 0, 0, 0, linkPayload(9, 'n3')));
    expect(got).toEqual(['n1', 'n2']);
  });

  test('a message answering no pending request (unknown seq) is a notification too', () => {
    const [conn, kernel] = connect(ackEverything);
    const got: number[] = [];
    conn.onNotification((m) => got.push(m.seq));
    kernel.deliver(nlmsg(C.RTM_NEWLINK, 0, 12345, 0, linkPayload(7, 'n1')));
    expect(got).toEqual([12345]);
  });

  test('close() rejects sent and unsent requests, closes the socket, and refuses new ones', async () => {
    const [conn, kernel] = connect(undefined, { window: 1 });
    const sent = conn.request(newLink('a'), op).catch((x: unknown) => x);
    const queued = conn.request(newLink('b'), op).catch((x: unknown) => x);
    await Promise.resolve();
    expect(kernel.received).toHaveLength(1);
    conn.close();
    expect(kernel.closed).toBe(true);
    expect(conn.isClosed).toBe(true);
    for (const e of [await sent, await queued]) expect(e).toMatchObject({ errno: 9, code: 'EBADF', operation: 'link.add' });
    await expect(conn.request(newLink('c'), op)).rejects.toMatchObject({ code: 'EBADF' });
    expect(kernel.received).toHaveLength(1);
  });

  test('addMembership / dropMembership reach the socket', () => {
    const [conn, kernel] = connect();
    conn.addMembership(C.RTNLGRP_LINK);
    expect([...kernel.memberships]).toEqual([C.RTNLGRP_LINK]);
    conn.dropMembership(C.RTNLGRP_LINK);
    expect([...kernel.memberships]).toEqual([]);
  });
});

describe('ACK elision (batches: only the last request of each sendmsg asks for an ACK)', () => {
  /** Issues `n` requests the way a batch does: corked, then flushed together. */
  function corked<T>(conn: Connection, issue: () => T): T {
    conn.cork();
    const out = issue();
    conn.uncork();
    return out;
  }
  /** Answers as the kernel does: an error whenever `fails` says so, an ACK only when asked (NLM_F_ACK). */
  const kernelLike = (fails: (req: Received) => number = () => 0): Responder => (req) => {
    if ((req.flags & C.NLM_F_DUMP) === C.NLM_F_DUMP) return [done(req)];
    const errno = fails(req);
    if (errno) return [errorReply(req, errno, { extAck: 'no way' })];
    return req.flags & C.NLM_F_ACK ? [ack(req)] : [];
  };
  const nameOf = (r: Received): string | undefined => decodeLink(r.view).name;

  test('concurrent single calls (not corked) keep one ACK each', async () => {
    const [conn, kernel] = connect(kernelLike());
    await Promise.all(Array.from({ length: 3 }, (_, i) => conn.request(newLink(`l${i}`), op)));
    expect(kernel.sends).toHaveLength(1);
    expect(kernel.received.map((r) => Boolean(r.flags & C.NLM_F_ACK))).toEqual([true, true, true]);
  });

  test('requests sent together: only the last carries NLM_F_ACK; its ACK resolves all of them', async () => {
    const [conn, kernel] = connect(kernelLike());
    kernel.batchReplies = true;
    await Promise.all(corked(conn, () => Array.from({ length: 5 }, (_, i) => conn.request(newLink(`l${i}`), op))));
    expect(kernel.sends).toHaveLength(1);
    expect(kernel.received.map((r) => Boolean(r.flags & C.NLM_F_ACK))).toEqual([false, false, false, false, true]);
  });

  test('an error in the middle rejects that request alone; the ones before and after resolve', async () => {
    const [conn, kernel] = connect(kernelLike((r) => (nameOf(r) === 'l2' ? 17 : 0)));
    kernel.batchReplies = true;
    const out = await Promise.allSettled(corked(conn, () => Array.from({ length: 5 }, (_, i) => conn.request(newLink(`l${i}`), { operation: 'link.add', target: `l${i}` }))));
    expect(out.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((out[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'EEXIST', target: 'l2', extAck: 'no way' });
  });

  test('the error of an elided request confirms the requests before it at once', async () => {
    const [conn, kernel] = connect(undefined);
    const out = corked(conn, () => Array.from({ length: 3 }, (_, i) => conn.request(newLink(`l${i}`), op).then(() => 'ok', (e: NetlinkError) => e.code)));
    await Promise.resolve();
    const [, b, c] = kernel.received;
    kernel.deliver(errorReply(b, 22));
    expect(await out[0]).toBe('ok');
    expect(await out[1]).toBe('EINVAL');
    let third = 'pending';
    void out[2].then((x) => { third = x; });
    await tick();
    expect(third).toBe('pending'); // nothing has answered for the last one yet
    kernel.deliver(ack(c));
    expect(await out[2]).toBe('ok');
  });

  test('a GET sent with writes gets its reply; the last ACK completes it', async () => {
    const [conn, kernel] = connect((req) => {
      if (req.type === C.RTM_GETLINK) return [nlmsg(C.RTM_NEWLINK, 0, req.seq, req.pid, linkPayload(1, 'lo'))];
      return req.flags & C.NLM_F_ACK ? [ack(req)] : [];
    });
    kernel.batchReplies = true;
    const [got] = await Promise.all(corked(conn, () => [conn.request(getLink(), op), conn.request(newLink('a'), op)]));
    expect(names(got)).toEqual(['lo']);
    expect(kernel.received.map((r) => Boolean(r.flags & C.NLM_F_ACK))).toEqual([false, true]);
  });

  test('a dump is never elided and never confirms: writes around it keep their own answers', async () => {
    const [conn, kernel] = connect(kernelLike());
    kernel.batchReplies = true;
    await Promise.all(corked(conn, () => [
      conn.request(newLink('a'), op), conn.dumpAll(getLink(), { operation: 'link.list' }), conn.request(newLink('b'), op),
    ]));
    expect(kernel.received.map((r) => [nameOf(r) ?? 'dump', Boolean(r.flags & C.NLM_F_ACK)]))
      .toEqual([['a', false], ['dump', false], ['b', true]]);
  });

  test('the last request aborted before its ACK: the late ACK still confirms the ones before it', async () => {
    const [conn, kernel] = connect(undefined);
    const ac = new AbortController();
    const [a, b] = corked(conn, () => [conn.request(newLink('a'), op), conn.request(newLink('b'), op, { signal: ac.signal })]);
    await Promise.resolve();
    ac.abort();
    await expect(b).rejects.toMatchObject({ code: 'ABORT_ERR' });
    kernel.deliver(ack(kernel.received[1]));
    await expect(a).resolves.toEqual([]);
  });

  test('ENOBUFS rejects every unconfirmed elided request; an ACK after it confirms nothing', async () => {
    const [conn, kernel] = connect(undefined);
    const all = corked(conn, () => Array.from({ length: 3 }, (_, i) => conn.request(newLink(`l${i}`), op).then(() => 'ok', (e: NetlinkError) => e.code)));
    await Promise.resolve();
    kernel.fail(105);
    kernel.deliver(ack(kernel.received[2]));
    expect(await Promise.all(all)).toEqual(['ENOBUFS', 'ENOBUFS', 'ENOBUFS']);
  });

  test('sendmsgs are confirmed in order: an answer in a later sendmsg confirms an earlier one', async () => {
    const [conn, kernel] = connect(undefined, { window: 2 });
    const all = corked(conn, () => Array.from({ length: 4 }, (_, i) => conn.request(newLink(`l${i}`), op).then(() => 'ok')));
    await Promise.resolve();
    expect(kernel.sends.map((s) => s.length)).toEqual([2]);
    kernel.deliver(ack(kernel.sends[0][1])); // frees the window: the next two go out
    await Promise.resolve();
    expect(kernel.sends.map((s) => s.length)).toEqual([2, 2]);
    kernel.deliver(ack(kernel.sends[1][1]));
    expect(await Promise.all(all)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
