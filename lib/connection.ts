// One netlink socket: sequence numbers, request → ACK, dumps as streams with
// back-pressure, coalescing of concurrent requests into one sendmsg (and
// corking for batches), timeouts, aborts and notifications. Knows nothing of
// links or routes: callers decode.
import { native, NativeNetlinkSocket } from './native';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR, NLMSG_MIN_TYPE, NLMSG_NOOP, NLMSG_OVERRUN, NETLINK_ROUTE } from './netlink/constants';
import { decodeError, forEachMessage, MessageView, NLMSG_HDRLEN } from './netlink/message';
import { AbortError, NetlinkError } from './errors';

export interface ConnectionOptions {
  /** Netlink protocol; NETLINK_ROUTE by default. */
  protocol?: number;
  /** Receive buffer in bytes (SO_RCVBUFFORCE); 8 MiB by default. */
  receiveBuffer?: number;
  /** Default per-request timeout in ms; 30 s. 0 disables. */
  timeout?: number;
  /** Most requests awaiting their ACK at once; the rest wait their turn. 1024. */
  window?: number;
  /** Use this socket instead of opening one (tests drive a fake kernel through it). */
  socket?: NativeNetlinkSocket;
}

export interface CallOptions {
  /** Per-call timeout in ms (overrides the connection's default). */
  timeout?: number;
  signal?: AbortSignal;
}

/** What a request is, for error messages: 'link.add' and 'veth "v0"'. */
export interface Operation {
  operation: string;
  target?: string;
}

/** A dump that the kernel kept reporting as inconsistent (NLM_F_DUMP_INTR). */
export class DumpInterruptedError extends NetlinkError {
  override readonly name = 'DumpInterruptedError';
  constructor(op: Operation, attempts: number) {
    super(4 /* EINTR */, op);
    this.message = `${op.operation} dump was interrupted by concurrent changes ${attempts} time(s) in a row (NLM_F_DUMP_INTR); its result would be inconsistent`;
  }
}

interface Pending extends Operation {
  seq: number;
  dump: boolean;
  replies: MessageView[];
  deadline: number;
  interrupted: boolean;
  sent: boolean;
  /** Which sendmsg carried it (1, 2, … in send order) and where in it; 0 while unsent. */
  group: number;
  position: number;
  /** Queued while corked (a batch): may be sent without NLM_F_ACK. */
  elidable: boolean;
  /** Sent without NLM_F_ACK: an answer to a later request of its sendmsg confirms it. */
  elided: boolean;
  /**
   * Streaming dumps get messages as they arrive instead of at the end. With
   * `transient`, `m` may live in the reused receive buffer: onMessage must not
   * keep it past its return (it decodes it at once).
   */
  onMessage?: (m: MessageView) => void;
  transient: boolean;
  /**
   * A group (requestGroup): `seq` is its last message's, `first` its first's;
   * every seq in between maps to this Pending. Failures of the others are
   * collected here, and the last one's answer settles the group.
   */
  first?: number;
  failures?: GroupFailure[];
  resolve: (replies: MessageView[]) => void;
  reject: (e: Error) => void;
  cleanup?: () => void;
}

const MAX_SEND_BYTES = 1 << 20; // also the socket's SO_SNDBUF, see open()
const MAX_IOV = 1024;
/**
 * A streaming dump whose consumer has this many messages waiting pauses the
 * socket, and resumes it once they are down to STREAM_LOW_WATER. The kernel
 * then stops producing (dumps are paced by the reader), so a dump of a million
 * routes holds at most about this many decoded-to-be messages in memory, plus
 * the chunk being read (one wake-up: ≤ 1 MiB).
 */
const STREAM_HIGH_WATER = 4096;
/** How often dumpAll sends a dump again that the kernel marked NLM_F_DUMP_INTR. */
const DUMP_ATTEMPTS = 5;

/** How dumpAll turns each reply into what it returns. */
export interface ReplyDecoder<T> {
  decode(m: MessageView): T;
  /**
   * The results reference the message's bytes (lazily decoded fields): each
   * wake-up's bytes are then copied out of the reused receive buffer first.
   * false: `decode` copies what it keeps, and nothing is copied.
   */
  keepsBytes: boolean;
}

/** The Buffer each wake-up is read into (≤ 64 datagrams of ≤ 32 KiB each, see native/socket.cc). */
const RECEIVE_ARENA = 1 << 20;
const STREAM_LOW_WATER = 1024;

/** A message of a group (requestGroup) that the kernel refused: its index in the group and the error. */
export interface GroupFailure {
  index: number;
  error: NetlinkError;
}

/**
 * `nsid`: with `listenAllNamespaces()`, the namespace the message came from as
 * its nsid in this socket's namespace, or -1 for this socket's own namespace
 * (no NETLINK_LISTEN_ALL_NSID cmsg); undefined otherwise.
 */
export type NotificationHandler = (m: MessageView, nsid?: number) => void;

export class Connection {
  private readonly socket: NativeNetlinkSocket;
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly pending = new Map<number, Pending>();
  // A queue as array + head index: Array#shift is O(n) once V8 cannot trim in place.
  private outbox: { buf: Buffer; p: Pending }[] = [];
  private outHead = 0;
  private flushScheduled = false;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly defaultTimeout: number;
  private readonly window: number;
  private closed = false;
  private readonly notificationHandlers = new Set<NotificationHandler>();
  private readonly errorHandlers = new Set<(e: NetlinkError) => void>();
  private keepAlive = false;
  private corks = 0;
  private pausers = 0;
  private readonly requestObservers = new Set<() => void>();

  /** Opens a socket inside the namespace `nsFd` (-1: this process's namespace). */
  constructor(nsFd: number, options: ConnectionOptions = {}) {
    if (options.socket) {
      this.socket = options.socket;
    } else {
      const fd = native.netlinkOpen(nsFd, options.protocol ?? NETLINK_ROUTE,
        options.receiveBuffer ?? 8 << 20, MAX_SEND_BYTES + (64 << 10));
      if (fd < 0) throw new NetlinkError(-fd, { operation: 'netlink.open' });
      this.socket = new native.NetlinkSocket(fd);
    }
    this.defaultTimeout = options.timeout ?? 30_000;
    this.window = options.window ?? 1024;
    // The receive arena, reused by every wake-up (see receive()); a socket
    // that ignores it hands over Buffers as before.
    const arena = Buffer.allocUnsafeSlow(RECEIVE_ARENA);
    this.socket.start((chunk: Buffer | number, origins?: Int32Array) => this.receive(typeof chunk === 'number' ? arena.subarray(0, chunk) : chunk, typeof chunk === 'number', origins),
      (errno) => this.socketError(-errno), arena);
    this.socket.unref();
  }

  get portId(): number { return this.socket.portId; }

  /** Sends one request (NLM_F_ACK is added) and resolves with its replies once ACKed. */
  request(msg: Buffer, op: Operation, options: CallOptions = {}): Promise<MessageView[]> {
    msg.writeUInt16LE(msg.readUInt16LE(6) | NLM_F_ACK, 6);
    return this.enqueue(msg, op, false, options);
  }

  /**
   * Sends pre-encoded requests (`msgs[offsets[i]…]`, in order, nlmsg_len set;
   * seq, pid and NLM_F_ACK are filled in here) as one unit of one sendmsg,
   * with ACK elision inside it: only the last one asks for an ACK; the kernel
   * answers the others only if they fail (see "ACK elision" below). Resolves,
   * once the last one is answered, with the failures by index; no Promise or
   * record per message. Keep a group within the send buffer (≤ 1 MiB) and its
   * possible failure answers within the receive buffer (a few thousand).
   */
  requestGroup(msgs: Buffer, offsets: ArrayLike<number>, op: Operation, options: CallOptions = {}): Promise<GroupFailure[]> {
    return this.requestGroupWithReplies(msgs, offsets, op, options).then((r) => r.failures);
  }

  /**
   * requestGroup, also resolving with the other messages the kernel sent back
   * to the group's sequence numbers (NLM_F_ECHO copies, e.g. nf_tables rules
   * with their handles), in arrival order.
   */
  requestGroupWithReplies(msgs: Buffer, offsets: ArrayLike<number>, op: Operation, options: CallOptions = {}): Promise<{ failures: GroupFailure[]; replies: MessageView[] }> {
    if (offsets.length === 0) return Promise.resolve({ failures: [], replies: [] });
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[i];
      const flags = msgs.readUInt16LE(at + 6);
      msgs.writeUInt16LE(i === offsets.length - 1 ? flags | NLM_F_ACK : flags & ~NLM_F_ACK, at + 6);
    }
    const failures: GroupFailure[] = [];
    return this.enqueue(msgs, op, false, options, undefined, false, { offsets, failures }).then((replies) => ({ failures, replies }));
  }

  /** Sends a dump request and resolves with every reply, retrying NLM_F_DUMP_INTR a few times. */
  dumpAll(msg: Buffer, op: Operation, options?: CallOptions): Promise<MessageView[]>;
  /**
   * With a decoder, each reply is decoded as it arrives and only what it
   * returns is kept, not a MessageView per reply (for a dump of thousands,
   * thousands of objects fewer for the garbage collector to move).
   */
  dumpAll<T>(msg: Buffer, op: Operation, options: CallOptions, decoder: ReplyDecoder<T>): Promise<T[]>;
  async dumpAll<T>(msg: Buffer, op: Operation, options: CallOptions = {}, decoder?: ReplyDecoder<T>): Promise<(T | MessageView)[]> {
    // While a dump is collected, the socket reads ahead on a pool thread: the
    // kernel builds the next part of the dump while this thread decodes the
    // last (native/socket.cc, "Read-ahead").
    if (this.readAheads++ === 0) this.socket.setReadAhead?.(true);
    try {
      return await this.collect(msg, op, options, decoder);
    } finally {
      if (--this.readAheads === 0 && !this.closed) this.socket.setReadAhead?.(false);
    }
  }

  private readAheads = 0;

  private async collect<T>(msg: Buffer, op: Operation, options: CallOptions, decoder?: ReplyDecoder<T>): Promise<(T | MessageView)[]> {
    for (let i = 1; ; i++) {
      try {
        if (!decoder) return await this.enqueue(Buffer.from(msg), op, true, options);
        const out: T[] = [];
        let failure: unknown;
        await this.enqueue(Buffer.from(msg), op, true, options, (m) => {
          if (failure !== undefined) return;
          try {
            out.push(decoder.decode(m));
          } catch (e) {
            failure = e;
          }
        }, !decoder.keepsBytes);
        if (failure !== undefined) throw failure;
        return out;
      } catch (e) {
        if (!(e instanceof DumpInterruptedError) || i >= DUMP_ATTEMPTS) throw e instanceof DumpInterruptedError ? new DumpInterruptedError(op, i) : e;
      }
    }
  }

  /**
   * Streams a dump's replies as they arrive. An interrupted dump (NLM_F_DUMP_INTR)
   * cannot be retried without repeating what was already yielded, so the stream
   * ends with DumpInterruptedError instead.
   */
  dump(msg: Buffer, op: Operation, options?: CallOptions): AsyncGenerator<MessageView>;
  /**
   * With `decode`, the stream yields what `decode` returns, and the messages
   * stay in the reused receive buffer until decoded: reading pauses after each
   * wake-up that brought some and resumes once the consumer has decoded them
   * all. `decode` must copy what it keeps. A long dump thus allocates no
   * receive chunks, and each decoded object is made just before it is
   * consumed, so it dies young (a million routes: no growth of the old heap).
   */
  dump<T>(msg: Buffer, op: Operation, options: CallOptions, decode: (m: MessageView) => T): AsyncGenerator<T>;
  async *dump<T>(msg: Buffer, op: Operation, options: CallOptions = {}, decode?: (m: MessageView) => T): AsyncGenerator<T | MessageView> {
    // Without decode: the messages (on stable chunks), paused above the high water.
    const queue: MessageView[] = [];
    // With decode: where each message starts in `chunk`, the receive buffer of
    // the one wake-up they came in (reading pauses until they are decoded).
    const offsets: number[] = [];
    let chunk: Buffer | undefined;
    let head = 0;
    let wake: (() => void) | undefined;
    let done = false;
    let failure: Error | undefined;
    let pausing = false;
    const finished = this.enqueue(msg, op, true, options, decode === undefined
      ? (m) => {
        queue.push(m);
        if (!pausing && queue.length - head >= STREAM_HIGH_WATER) {
          pausing = true;
          this.pauseReading();
        }
        wake?.();
      }
      : (m) => {
        chunk = m.buf;
        offsets.push(m.start - NLMSG_HDRLEN);
        if (!pausing) {
          pausing = true;
          this.pauseReading();
        }
        wake?.();
      }, decode !== undefined);
    finished.then(() => { done = true; wake?.(); }, (e: Error) => { failure = e; done = true; wake?.(); });
    try {
      for (;;) {
        if (decode) {
          while (head < offsets.length) {
            const value = decode(viewAt(chunk as Buffer, offsets[head++]));
            if (head === offsets.length) {
              offsets.length = 0;
              head = 0;
              chunk = undefined;
              if (pausing) {
                pausing = false;
                this.resumeReading();
              }
            }
            yield value;
          }
        } else {
          while (head < queue.length) {
            const m = queue[head];
            queue[head++] = undefined as unknown as MessageView; // let the chunk go once consumed
            if (head === queue.length) { queue.length = 0; head = 0; }
            if (pausing && queue.length - head <= STREAM_LOW_WATER) {
              pausing = false;
              this.resumeReading();
            }
            yield m;
          }
        }
        if (done) break;
        await new Promise<void>((r) => { wake = r; });
        wake = undefined;
      }
      if (failure) throw failure;
    } finally {
      if (pausing) this.resumeReading();
      if (!done) this.abandon(msg.readUInt32LE(8));
    }
  }


  /**
   * Holds back sending until uncork(): requests issued meanwhile (over several
   * microtasks) leave together, in issue order, in as few sendmsg calls as the
   * window allows. Batches use it; nests.
   */
  cork(): void {
    this.corks++;
  }
  uncork(): void {
    if (this.corks > 0 && --this.corks === 0) this.scheduleFlush();
  }

  /** Calls `h` each time a request or dump is queued (batches sequence their operations by it). */
  onRequest(h: () => void): () => void {
    this.requestObservers.add(h);
    return () => this.requestObservers.delete(h);
  }

  /** Multicast notifications (seq 0) and anything not answering a request. */
  onNotification(h: NotificationHandler): () => void {
    this.notificationHandlers.add(h);
    return () => this.notificationHandlers.delete(h);
  }
  /** Socket-level errors such as ENOBUFS (the kernel dropped messages for us). */
  onSocketError(h: (e: NetlinkError) => void): () => void {
    this.errorHandlers.add(h);
    return () => this.errorHandlers.delete(h);
  }

  /**
   * NETLINK_LISTEN_ALL_NSID: the socket's groups then also carry the
   * notifications of every namespace that has an nsid in this socket's
   * namespace, and notification handlers get each message's nsid.
   */
  listenAllNamespaces(): void {
    if (!this.socket.setListenAllNsid) throw new TypeError('listenAllNamespaces: this socket cannot report nsids');
    const r = this.socket.setListenAllNsid(true);
    if (r < 0) throw new NetlinkError(-r, { operation: 'netlink.listenAllNsid' });
  }

  addMembership(group: number): void {
    const r = this.socket.addMembership(group);
    if (r < 0) throw new NetlinkError(-r, { operation: 'netlink.subscribe', target: `group ${group}` });
  }
  dropMembership(group: number): void {
    const r = this.socket.dropMembership(group);
    if (r < 0) throw new NetlinkError(-r, { operation: 'netlink.unsubscribe', target: `group ${group}` });
  }

  /** Keeps the event loop alive even with nothing pending (event watchers that want it). */
  setKeepAlive(on: boolean): void {
    this.keepAlive = on;
    this.updateRef();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.pending.values()]) {
      this.settle(p, new NetlinkError(9 /* EBADF */, { ...p, extAck: 'connection closed before the kernel answered' }));
    }
    const unsent = this.outbox.slice(this.outHead);
    this.outbox = [];
    this.outHead = 0;
    for (const { p } of unsent) {
      p.reject(new NetlinkError(9, { ...p, extAck: 'connection closed before the request was sent' }));
    }
    this.stopSweeper();
    this.socket.close();
  }

  get isClosed(): boolean { return this.closed; }

  // --- internals ----------------------------------------------------------

  private enqueue(msg: Buffer, op: Operation, dump: boolean, options: CallOptions,
    onMessage?: (m: MessageView) => void, transient?: boolean,
    group?: { offsets: ArrayLike<number>; failures: GroupFailure[] }): Promise<MessageView[]> {
    if (this.closed) return Promise.reject(new NetlinkError(9, { ...op, extAck: 'connection is closed' }));
    if (options.signal?.aborted) return Promise.reject(new AbortError(`${op.operation} aborted`, 'ABORT_ERR', op.operation));
    if (dump) msg.writeUInt16LE(msg.readUInt16LE(6) | NLM_F_DUMP, 6);
    const first = group ? this.reserveSeqs(group.offsets.length) : undefined;
    const seq = group ? (first as number) + group.offsets.length - 1 : this.nextSeq();
    if (group) {
      const pid = this.socket.portId;
      for (let i = 0; i < group.offsets.length; i++) {
        msg.writeUInt32LE((first as number) + i, group.offsets[i] + 8);
        msg.writeUInt32LE(pid, group.offsets[i] + 12);
      }
    } else {
      msg.writeUInt32LE(seq, 8);
      msg.writeUInt32LE(this.socket.portId, 12);
    }
    const timeout = options.timeout ?? this.defaultTimeout;
    return new Promise<MessageView[]>((resolve, reject) => {
      const p: Pending = {
        operation: op.operation, target: op.target, seq, dump, replies: [], interrupted: false, sent: false,
        group: 0, position: 0, elidable: this.corks > 0 && !group, elided: false, onMessage, transient: transient === true, resolve, reject,
        deadline: timeout > 0 ? Date.now() + timeout : Infinity, first, failures: group?.failures,
      };
      const signal = options.signal;
      if (signal) {
        const onAbort = () => this.settle(p, new AbortError(`${op.operation} aborted`, 'ABORT_ERR', op.operation));
        signal.addEventListener('abort', onAbort, { once: true });
        p.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(seq, p);
      if (first !== undefined) for (let s = first; s !== seq; s++) this.pending.set(s, p);
      this.outbox.push({ buf: msg, p });
      this.startSweeper();
      this.updateRef();
      this.scheduleFlush();
      for (const h of this.requestObservers) h();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.corks > 0) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Streams hold reading while their consumer lags; reading resumes when none does. */
  private pauseReading(): void {
    if (this.pausers++ === 0) this.socket.pause?.();
  }
  private resumeReading(): void {
    if (this.pausers > 0 && --this.pausers === 0 && !this.closed) {
      const r = this.socket.resume?.() ?? 0;
      if (r < 0) this.socketError(-r);
    }
  }

  /** `n` consecutive free sequence numbers (no wrap through 0); returns the first. */
  private reserveSeqs(n: number): number {
    for (;;) {
      let first = (this.seq + 1) >>> 0;
      if (first === 0 || first + n > 0xffffffff) first = 1;
      let s = first;
      while (s < first + n && !this.pending.has(s)) s++;
      this.seq = s;
      if (s === first + n) return first;
    }
  }

  private nextSeq(): number {
    do {
      this.seq = (this.seq + 1) >>> 0;
    } while (this.seq === 0 || this.pending.has(this.seq));
    return this.seq;
  }

  private inFlight = 0;

  /** Sends queued requests, many per sendmsg, keeping at most `window` unanswered. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.corks > 0) return;
    this.sendQueued();
    if (this.outHead === this.outbox.length) {
      this.outbox = [];
      this.outHead = 0;
    } else if (this.outHead > 1024 && this.outHead * 2 > this.outbox.length) {
      this.outbox = this.outbox.slice(this.outHead);
      this.outHead = 0;
    }
  }

  private sendQueued(): void {
    while (this.outHead < this.outbox.length && this.inFlight < this.window && !this.closed) {
      const bufs: Buffer[] = [];
      const sent: Pending[] = [];
      let bytes = 0;
      while (this.outHead < this.outbox.length && bufs.length < MAX_IOV && this.inFlight + bufs.length < this.window) {
        const next = this.outbox[this.outHead];
        if (this.pending.get(next.p.seq) !== next.p) { this.outHead++; continue; } // aborted before sending
        if (bufs.length > 0 && bytes + next.buf.length > MAX_SEND_BYTES) break;
        // One dump at a time per socket: the kernel answers a second with EBUSY
        // while one runs (netlink_dump_start). Later requests wait in order.
        if (next.p.dump) {
          if (this.dumpSeq !== undefined) break;
          this.dumpSeq = next.p.seq;
        }
        this.outHead++;
        bufs.push(next.buf);
        sent.push(next.p);
        bytes += next.buf.length;
      }
      if (bufs.length === 0) break;
      this.inFlight += sent.length;
      const group = ++this.groups;
      let last = -1; // the last request (not dump) of this sendmsg keeps its NLM_F_ACK
      for (let i = 0; i < sent.length; i++) {
        const p = sent[i];
        p.sent = true;
        p.group = group;
        p.position = i;
        if (!p.dump) last = i;
      }
      for (let i = 0; i < last; i++) {
        const p = sent[i];
        if (p.dump || !p.elidable) continue;
        const b = bufs[i];
        b.writeUInt16LE(b.readUInt16LE(6) & ~NLM_F_ACK, 6);
        p.elided = true;
        this.elided.push(p);
      }
      const r = this.socket.send(bufs);
      if (r < 0) {
        if (sent.some((p) => p.seq === this.dumpSeq)) this.dumpSeq = undefined;
        for (const p of sent) this.settle(p, new NetlinkError(-r, { ...p, extAck: 'sendmsg failed' }));
      }
    }
  }

  /**
   * The sequence number of the dump the kernel is running on this socket, until
   * its NLMSG_DONE (or error) arrives — even if its caller gave up on it.
   */
  private dumpSeq: number | undefined;

  /**
   * One wake-up's datagrams. With `reused`, `chunk` is the receive arena, which
   * the next wake-up overwrites: a message that outlives this call (a reply
   * kept for dumpAll or a request, a notification, a streaming dump without a
   * decoder) is moved to a copy of the chunk, made once per wake-up and only
   * when needed. Decoding streams copy nothing.
   */
  private receive(chunk: Buffer, reused = false, origins?: Int32Array): void {
    // origins: (offset, nsid) per datagram, in order; a message's nsid is its datagram's.
    let origin = 0;
    const nsidAt = (start: number): number | undefined => {
      if (!origins) return undefined;
      while (origin + 2 < origins.length && origins[origin + 2] <= start) origin += 2;
      return origins[origin + 1];
    };
    let stable: Buffer | undefined = reused ? undefined : chunk;
    const keep = (m: MessageView): MessageView => {
      if (stable === chunk) return m;
      stable ??= Buffer.from(chunk);
      return { type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, buf: stable, start: m.start, end: m.end };
    };
    forEachMessage(chunk, (m) => {
      if (m.seq === this.dumpSeq && (m.type === NLMSG_DONE || m.type === NLMSG_ERROR)) this.dumpSeq = undefined;
      const p = this.pending.get(m.seq);
      if (!p || m.seq === 0 || m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) {
        const anchor = m.seq === 0 ? undefined : this.orphanAnchors.get(m.seq);
        if (anchor) {
          // The answer to an ACKed request that was settled early (aborted, timed out).
          if (m.type === NLMSG_ERROR) this.orphanAnchors.delete(m.seq);
          return this.confirmBefore(anchor[0], anchor[1]);
        }
        if ((m.type >= NLMSG_MIN_TYPE || m.seq === 0) && this.notificationHandlers.size > 0) {
          const kept = keep(m);
          const nsid = nsidAt(m.start);
          for (const h of this.notificationHandlers) h(kept, nsid);
        }
        return;
      }
      // Any answer to a request (not a dump) means the kernel has processed
      // every request sent before it: see confirmBefore().
      if (!p.dump && this.elidedHead < this.elided.length) this.confirmBefore(p.group, p.position);
      if (p.failures && m.type === NLMSG_ERROR) {
        // A message of a group: only failures answer, except the last one.
        const e = decodeError(m);
        if (e.errno !== 0) {
          (p.failures as GroupFailure[]).push({ index: (m.seq - (p.first as number)) >>> 0, error: this.kernelError(p, e.errno, e.message, e.offset) });
        }
        if (m.seq === p.seq) this.settle(p);
        return;
      }
      if (m.flags & NLM_F_DUMP_INTR) p.interrupted = true;
      if (m.type === NLMSG_ERROR) {
        const e = decodeError(m);
        if (e.errno === 0) return this.settle(p);
        return this.settle(p, this.kernelError(p, e.errno, e.message, e.offset));
      }
      if (m.type === NLMSG_DONE) {
        // The DONE of a dump carries the dump's own result (and maybe ext-ack TLVs).
        const errno = m.end - m.start >= 4 ? -m.buf.readInt32LE(m.start) : 0;
        if (errno > 0) {
          const msgView = { ...m, type: NLMSG_ERROR };
          const detail = m.end - m.start >= 4 + NLMSG_HDRLEN ? safeDecodeError(msgView) : undefined;
          return this.settle(p, this.kernelError(p, errno, detail?.message, detail?.offset));
        }
        if (p.interrupted) return this.settle(p, new DumpInterruptedError(p, 1));
        return this.settle(p);
      }
      if (p.onMessage) p.onMessage(p.transient ? m : keep(m));
      else p.replies.push(keep(m));
      if (!p.dump && !(m.flags & NLM_F_MULTI)) return; // a single reply; its ACK (or a later request's answer) follows
    });
    this.flush();
  }

  // ACK elision (for requests queued while corked: batches). The kernel
  // handles the messages of one sendmsg in order,
  // synchronously, inside that sendmsg (netlink_rcv_skb), and it always answers
  // a failure, NLM_F_ACK or not (`if (nlh->nlmsg_flags & NLM_F_ACK || err)
  // netlink_ack(...)`, net/netlink/af_netlink.c); answers reach our receive
  // queue in that order. So only the last request of each sendmsg asks for an
  // ACK, and an answer to a request proves that every earlier request, of its
  // sendmsg and of earlier ones, that has not answered with an error succeeded.
  // Only batches elide: concurrent single calls keep one ACK each, which also
  // paces them (a storm of them elided floods event watchers' sockets faster
  // than they read; see docs/architecture.md).
  // Dumps are never elided and never confirm anything: their replies continue
  // at recvmsg time. If the receive queue overflows (ENOBUFS) an answer may be
  // lost: every unconfirmed request is rejected (socketError).
  private groups = 0;
  /** Elided requests awaiting confirmation, in send order (array + head). */
  private elided: Pending[] = [];
  private elidedHead = 0;
  /** seq → [group, position] of ACKed requests settled before their answer came. */
  private readonly orphanAnchors = new Map<number, [number, number]>();

  /** Resolves every elided request sent before position `position` of sendmsg `group`. */
  private confirmBefore(group: number, position: number): void {
    const q = this.elided;
    let h = this.elidedHead;
    while (h < q.length) {
      const e = q[h];
      if (e.group > group || (e.group === group && e.position >= position)) break;
      q[h++] = undefined as unknown as Pending;
      this.settle(e); // no-op if it was settled already (its error came, or it was aborted)
    }
    if (h === q.length) {
      this.elided = [];
      this.elidedHead = 0;
    } else {
      this.elidedHead = h;
    }
  }

  private kernelError(p: Pending, errno: number, extAck?: string, offset?: number): NetlinkError {
    return new NetlinkError(errno, { operation: p.operation, target: p.target, extAck, extAckOffset: offset });
  }

  private settle(p: Pending, error?: Error): void {
    if (this.pending.get(p.seq) !== p) return;
    this.pending.delete(p.seq);
    if (p.first !== undefined) for (let s = p.first; s !== p.seq; s++) this.pending.delete(s);
    if (p.sent && !p.elided && !p.dump && error && !(error instanceof NetlinkError) && this.elidedHead < this.elided.length) {
      // Aborted or timed out before its answer: that answer still confirms the requests before it.
      this.orphanAnchors.set(p.seq, [p.group, p.position]);
    }
    if (p.sent) this.inFlight--; // unsent ones are skipped by flush()
    p.cleanup?.();
    if (error) p.reject(error);
    else p.resolve(p.replies);
    if (this.pending.size === 0) this.stopSweeper();
    this.updateRef();
  }

  /** A streaming dump whose consumer stopped: ignore the rest of its replies. */
  private abandon(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    p.onMessage = () => undefined;
    p.resolve = () => undefined;
    p.reject = () => undefined;
  }

  private socketError(errno: number): void {
    const e = new NetlinkError(errno, {
      operation: 'netlink.receive',
      extAck: errno === 105 /* ENOBUFS */ ? 'the kernel dropped messages because the receive buffer was full' : undefined,
    });
    // ENOBUFS means replies may be lost: no pending ACK can be trusted to arrive,
    // and no elided request can be confirmed any more.
    if (errno === 105) {
      this.elided = [];
      this.elidedHead = 0;
      this.orphanAnchors.clear();
      for (const p of [...this.pending.values()]) {
        if (p.dump) continue; // a dump in progress is paced by the kernel and not lost
        this.settle(p, new NetlinkError(105, { ...p, extAck: 'the answer was lost: the socket receive buffer overflowed (the request may have taken effect)' }));
      }
    }
    for (const h of this.errorHandlers) h(e);
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const p of [...this.pending.values()]) {
        if (p.deadline <= now) this.settle(p, new AbortError(`${p.operation}${p.target ? ' ' + p.target : ''} timed out waiting for the kernel`, 'ETIMEDOUT', p.operation));
      }
    }, 100);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private refd = false;
  private updateRef(): void {
    const want = !this.closed && (this.keepAlive || this.pending.size > 0);
    if (want === this.refd) return;
    this.refd = want;
    if (want) this.socket.ref();
    else this.socket.unref();
  }
}

/** The message whose header starts at `off` (a streaming dump's queued offset). */
function viewAt(buf: Buffer, off: number): MessageView {
  return {
    type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6), seq: buf.readUInt32LE(off + 8), pid: buf.readUInt32LE(off + 12),
    buf, start: off + NLMSG_HDRLEN, end: off + buf.readUInt32LE(off),
  };
}

function safeDecodeError(m: MessageView): { message?: string; offset?: number } | undefined {
  try {
    return decodeError(m);
  } catch {
    return undefined;
  }
}
