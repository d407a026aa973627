// A fake kernel behind the NativeNetlinkSocket interface (lib/native.ts), in
// the spirit of mdlayher/netlink's nltest: `new Connection(-1, { socket: k })`
// talks to it instead of a real netlink socket. It records every send() (one
// sendmsg: how many messages it carried), and either answers through a
// `respond(request) => replies` function (asynchronously, with setImmediate,
// like a real socket's next poll wake-up) or lets the test push chunks itself.
import type { NativeNetlinkSocket } from '../../lib/native';
import { align4 } from '../../lib/netlink/attributes';
import * as C from '../../lib/netlink/constants';
import { forEachMessage, MessageView } from '../../lib/netlink/message';

/** One request as the fake kernel received it. */
export interface Received {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** The whole message, copied. */
  readonly buf: Buffer;
  readonly view: MessageView;
}

/** Returns the reply messages for one request (joined into one chunk), or none. */
export type Responder = (req: Received, kernel: FakeKernel) => Buffer[] | undefined;

export class FakeKernel implements NativeNetlinkSocket {
  readonly fd = -1;
  /** Every send() call: the messages of each sendmsg, in order. */
  readonly sends: Received[][] = [];
  readonly memberships = new Set<number>();
  closed = false;
  /** Whether the connection currently holds the event loop open (last ref()/unref()). */
  refd = false;
  /** Deliver the replies to all messages of one send() as one chunk (default: one chunk per request). */
  batchReplies = false;
  private onData?: (chunk: Buffer) => void;
  private onError?: (errno: number) => void;

  /**
   * `respond` answers each request; `sendResult` (default: bytes) lets a test
   * make sendmsg fail with -errno.
   */
  constructor(public respond?: Responder, readonly portId = 4242, public sendResult?: number) {}

  /** All requests received so far, flattened. */
  get received(): Received[] { return this.sends.flat(); }

  send(buffers: Buffer[]): number {
    if (this.closed) return -9;
    const batch: Received[] = [];
    let bytes = 0;
    for (const b of buffers) {
      bytes += b.length;
      const copy = Buffer.from(b);
      forEachMessage(copy, (view) => {
        batch.push({ type: view.type, flags: view.flags, seq: view.seq, pid: view.pid, buf: copy.subarray(view.start - 16, view.end), view });
      });
    }
    this.sends.push(batch);
    if (this.sendResult !== undefined) return this.sendResult;
    if (this.respond) {
      const all: Buffer[] = [];
      for (const req of batch) {
        const replies = this.respond(req, this) ?? [];
        if (this.batchReplies) all.push(...replies);
        else if (replies.length > 0) this.deliverLater(Buffer.concat(replies));
      }
      if (all.length > 0) this.deliverLater(Buffer.concat(all));
    }
    return bytes;
  }

  start(onData: (chunk: Buffer) => void, onError: (errno: number) => void): void {
    this.onData = onData;
    this.onError = onError;
  }
  ref(): void { this.refd = true; }
  unref(): void { this.refd = false; }
  close(): void { this.closed = true; }
  addMembership(group: number): number { this.memberships.add(group); return 0; }
  dropMembership(group: number): number { this.memberships.delete(group); return 0; }
  setIntOption(): number { return 0; }

  /** Hands a chunk to the connection now (synchronously, as the poll callback would). */
  deliver(chunk: Buffer): void {
    if (!this.onData) throw new Error('FakeKernel: start() was not called');
    if (!this.closed) this.onData(chunk);
  }
  /** Hands a chunk to the connection on the next turn of the event loop. */
  deliverLater(chunk: Buffer): void {
    setImmediate(() => this.deliver(chunk));
  }
  /** Reports a socket error (errno positive, passed on as -errno like the addon). */
  fail(errno: number): void {
    if (!this.onError) throw new Error('FakeKernel: start() was not called');
    this.onError(-errno);
  }
}

// --- message builders ------------------------------------------------------

/** One nlmsg: header + payload, padded to 4 bytes (nlmsg_len is unpadded). */
export function nlmsg(type: number, flags: number, seq: number, pid: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const len = 16 + payload.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt32LE(len, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(seq >>> 0, 8);
  out.writeUInt32LE(pid >>> 0, 12);
  payload.copy(out, 16);
  return out;
}

/** One attribute, padded. */
export function nlattr(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(align4(4 + value.length));
  out.writeUInt16LE(4 + value.length, 0);
  out.writeUInt16LE(type, 2);
  value.copy(out, 4);
  return out;
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
}

export function cstring(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);
}

/** The ACK the kernel sends with NETLINK_CAP_ACK: error 0 and the request's header only. */
export function ack(req: Received, portId = req.pid): Buffer {
  const payload = Buffer.alloc(4 + 16);
  payload.writeInt32LE(0, 0);
  req.buf.copy(payload, 4, 0, 16);
  return nlmsg(C.NLMSG_ERROR, C.NLM_F_CAPPED, req.seq, portId, payload);
}

export interface ErrorOptions {
  /** NLMSGERR_ATTR_MSG */
  extAck?: string;
  /** NLMSGERR_ATTR_OFFS */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE */
  missingType?: number;
  /** Echo only the request's header (NLM_F_CAPPED); default true, as with NETLINK_CAP_ACK. */
  capped?: boolean;
}

/** An NLMSG_ERROR with -errno, the echoed request and ext-ack TLVs (NLM_F_ACK_TLVS). */
export function errorReply(req: Received, errno: number, o: ErrorOptions = {}): Buffer {
  const capped = o.capped ?? true;
  const echoed = capped ? req.buf.subarray(0, 16) : req.buf;
  const tlvs: Buffer[] = [];
  if (o.extAck !== undefined) tlvs.push(nlattr(C.NLMSGERR_ATTR_MSG, cstring(o.extAck)));
  if (o.offset !== undefined) tlvs.push(nlattr(C.NLMSGERR_ATTR_OFFS, u32(o.offset)));
  if (o.missingType !== undefined) tlvs.push(nlattr(C.NLMSGERR_ATTR_MISS_TYPE, u32(o.missingType)));
  const err = Buffer.alloc(4);
  err.writeInt32LE(-errno, 0);
  const padded = Buffer.alloc(align4(echoed.length));
  echoed.copy(padded);
  let flags = tlvs.length > 0 ? C.NLM_F_ACK_TLVS : 0;
  if (capped) flags |= C.NLM_F_CAPPED;
  return nlmsg(C.NLMSG_ERROR, flags, req.seq, req.pid, Buffer.concat([err, padded, ...tlvs]));
}

/** One dump reply: `payload` (family header + attributes) with NLM_F_MULTI. */
export function multi(req: Received, type: number, payload: Buffer, extraFlags = 0): Buffer {
  return nlmsg(type, C.NLM_F_MULTI | extraFlags, req.seq, req.pid, payload);
}

/** NLMSG_DONE ending a dump; a non-zero `errno` is the dump's own failure. */
export function done(req: Received, errno = 0, extraFlags = 0, extAck?: string): Buffer {
  const err = Buffer.alloc(4);
  err.writeInt32LE(-errno, 0);
  const parts: Buffer[] = [err];
  let flags = C.NLM_F_MULTI | extraFlags;
  if (extAck !== undefined) {
    // With ext-ack the kernel lays DONE out like nlmsgerr: error, echoed header, TLVs.
    parts.push(req.buf.subarray(0, 16), nlattr(C.NLMSGERR_ATTR_MSG, cstring(extAck)));
    flags |= C.NLM_F_ACK_TLVS | C.NLM_F_CAPPED;
  }
  return nlmsg(C.NLMSG_DONE, flags, req.seq, req.pid, Buffer.concat(parts));
}

/** A minimal RTM_NEWLINK payload (ifinfomsg + IFLA_IFNAME) for dump/notification replies. */
export function linkPayload(index: number, name: string): Buffer {
  const ifi = Buffer.alloc(16);
  ifi.writeInt32LE(index, 4);
  return Buffer.concat([ifi, nlattr(C.IFLA_IFNAME, cstring(name))]);
}

/** A responder that ACKs every request and ends every dump with an empty DONE. */
export const ackEverything: Responder = (req) =>
  (req.flags & C.NLM_F_DUMP) === C.NLM_F_DUMP ? [done(req)] : [ack(req)];
