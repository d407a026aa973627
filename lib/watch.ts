// Change events, `ip monitor` in-process: one netlink socket per namespace
// subscribed to RTNLGRP_* groups, notifications decoded into the objects the
// list calls return. Optional initial listing and resynchronisation after
// overrun (both reconciled against a dump so nothing is missed or repeated),
// a bounded queue for slow consumers, an async-iterator and an EventEmitter form.
import { EventEmitter } from 'node:events';
import type { Namespace } from './namespace';
import { Connection } from './connection';
import * as C from './netlink/constants';
import { MessageView } from './netlink/message';
import { RawAttribute } from './netlink/attributes';
import { decodeLink, encodeLink, LinkMessage } from './rtnl/link';
import { decodeNsid } from './rtnl/nsid';
import { decodeAddress, encodeAddress } from './rtnl/address';
import { decodeRoute, encodeRoute } from './rtnl/route';
import { Link } from './model/link';
import { Address, toAddress } from './model/address';
import { Route, toRoute } from './model/route';
import { decodeNeighbor, encodeNeighbor } from './rtnl/neighbor';
import { decodeRule, encodeRule } from './rtnl/rule';
import { decodeNexthop, encodeNexthop } from './rtnl/nexthop';
import { Neighbor, toNeighbor } from './model/neighbor';
import { Rule, toRule } from './model/rule';
import { Nexthop, toNexthop } from './model/nexthop';
import { AbortError, check, describe, NetlinkError } from './errors';
import { afOf, Family } from './inet';

export type WatchKind = 'link' | 'address' | 'route' | 'neighbor' | 'rule' | 'nexthop';
export interface WatchObjects { link: Link; address: Address; route: Route; neighbor: Neighbor; rule: Rule; nexthop: Nexthop }

/** An object appeared or changed ('new') or went away ('delete') in `namespace`. */
export type ChangeEvent = {
  [K in WatchKind]: { readonly type: 'new' | 'delete'; readonly kind: K; readonly object: WatchObjects[K]; readonly namespace: Namespace }
}[WatchKind];

/**
 * Events were lost: the kernel could not queue them (`reason: 'socket'`,
 * ENOBUFS) or the consumer fell `queueLimit` events behind (`'queue'`). With
 * `resync` a `synced` event follows once the differences have been queued.
 */
export interface OverrunEvent {
  readonly type: 'overrun';
  readonly namespace: Namespace;
  readonly reason: 'socket' | 'queue';
  /** Events dropped from the queue (reason 'queue'); unknown for 'socket'. */
  lost?: number;
  readonly resync: boolean;
}

/** The events delivered so far describe the kernel's state (after `listExisting` and after each resync). */
export interface SyncedEvent { readonly type: 'synced'; readonly namespace: Namespace }

export type WatchEvent = ChangeEvent | OverrunEvent | SyncedEvent;

export interface WatchOptions {
  /** Deliver the current state first (as 'new' events, then 'synced'), then changes. */
  listExisting?: boolean;
  /** After an overrun, re-dump and deliver the differences (new/delete/changed). */
  resync?: boolean;
  /** Only IPv4 or IPv6 addresses, routes, neighbours, rules, nexthops (links and nexthop groups are delivered regardless). */
  family?: Family;
  /** Only this link (an index or a Link): the link itself, its addresses and neighbours, routes and nexthops through it (rules are delivered regardless). */
  link?: number | Link;
  /** SO_RCVBUF of each watching socket in bytes; 8 MiB by default. */
  receiveBuffer?: number;
  /** Most live events queued for a slow iterator before overrun; 10,000 by default. */
  queueLimit?: number;
  signal?: AbortSignal;
  /** Keep the process alive while watching (by default an idle watcher does not). */
  keepAlive?: boolean;
}

interface Filter { family?: Family; link?: number }

/** Everything the watcher knows about one kind: adding a kind is one entry here. */
interface KindSpec<T> {
  newType: number;
  delType: number;
  groups(f: Filter): number[];
  dumpRequests(f: Filter): Buffer[];
  /** undefined: not an object of this kind (e.g. AF_BRIDGE port messages on the link group). */
  decode(m: MessageView, ns: Namespace): T | undefined;
  /** The kernel's identity of the object: a later message with the same key replaces it. */
  key(o: T): string;
  /** Compared to tell a real change from a repeat; leaves out counters and timers. */
  state(o: T): string;
  matches(o: T, f: Filter): boolean;
}

/** JSON that also takes bigints (FRA_TUN_ID). */
const stringify = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
const byFamily = (f: Filter, v4: number, v6: number): number[] => [...(f.family !== 6 ? [v4] : []), ...(f.family !== 4 ? [v6] : [])];
const familyOk = (family: Family | undefined, f: Filter): boolean => f.family === undefined || family === undefined || family === f.family;

const withoutTypes = (attrs: RawAttribute[] | undefined, types: number[]): RawAttribute[] | undefined =>
  attrs?.filter((a) => !types.includes(a.type));

const KINDS: { [K in WatchKind]: KindSpec<WatchObjects[K]> } = {
  link: {
    newType: C.RTM_NEWLINK, delType: C.RTM_DELLINK,
    groups: () => [C.RTNLGRP_LINK],
    dumpRequests: () => [encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, { extMask: C.RTEXT_FILTER_SKIP_STATS })],
    // The link group also carries AF_BRIDGE messages about bridge ports; a
    // DELLINK of that family means "left the bridge", not "deleted".
    decode: (m, ns) => {
      const l = decodeLink(m);
      return (l.family ?? 0) === C.AF_UNSPEC ? new Link(ns, l) : undefined;
    },
    key: (l) => `${l.index}`,
    state: (l) => stringify({ ...l.raw, stats64: undefined, unknown: withoutTypes(l.raw.unknown, [C.IFLA_STATS, C.IFLA_AF_SPEC]) }),
    matches: (l, f) => f.link === undefined || l.index === f.link,
  },
  address: {
    newType: C.RTM_NEWADDR, delType: C.RTM_DELADDR,
    groups: (f) => byFamily(f, C.RTNLGRP_IPV4_IFADDR, C.RTNLGRP_IPV6_IFADDR),
    dumpRequests: (f) => [encodeAddress(C.RTM_GETADDR, C.NLM_F_REQUEST, {
      family: f.family ? afOf(f.family) : C.AF_UNSPEC, prefixLength: 0, index: f.link ?? 0,
    })],
    decode: (m) => toAddress(decodeAddress(m)),
    key: (a) => `${a.family} ${a.linkIndex} ${a.cidr} ${a.peer ?? ''}`,
    // Lifetimes count down; they are not a change of the address.
    state: (a) => stringify({ ...a, validLifetime: undefined, preferredLifetime: undefined }),
    matches: (a, f) => (f.family === undefined || a.family === f.family) && (f.link === undefined || a.linkIndex === f.link),
  },
  route: {
    newType: C.RTM_NEWROUTE, delType: C.RTM_DELROUTE,
    groups: (f) => byFamily(f, C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV6_ROUTE),
    dumpRequests: (f) => [encodeRoute(C.RTM_GETROUTE, C.NLM_F_REQUEST, {
      family: f.family ? afOf(f.family) : C.AF_UNSPEC, dstLength: 0, srcLength: 0, tos: 0,
      table: C.RT_TABLE_UNSPEC, protocol: 0, scope: 0, type: 0, flags: 0,
    })],
    decode: (m) => toRoute(decodeRoute(m)),
    // What makes two routes distinct to the kernel: table, prefix, (IPv6) source
    // prefix, TOS and metric (ip-route(8): "the key of a route").
    key: (r) => `${r.family} ${r.raw.table} ${r.to} from ${r.raw.src ?? ''}/${r.raw.srcLength} tos ${r.raw.tos} metric ${r.metric ?? 0}`,
    state: (r) => stringify({ ...r.raw, unknown: withoutTypes(r.raw.unknown, [C.RTA_CACHEINFO]) }),
    matches: (r, f) => (f.family === undefined || r.family === f.family)
      && (f.link === undefined || r.dev === f.link || (r.multipath ?? []).some((nh) => nh.dev === f.link)),
  },
  neighbor: {
    newType: C.RTM_NEWNEIGH, delType: C.RTM_DELNEIGH,
    groups: () => [C.RTNLGRP_NEIGH],
    // A plain dump leaves out proxy entries (NTF_PROXY asks for them alone); notifications carry both.
    dumpRequests: (f) => [0, C.NTF_PROXY].map((flags) => encodeNeighbor(C.RTM_GETNEIGH, C.NLM_F_REQUEST, {
      family: f.family ? afOf(f.family) : C.AF_UNSPEC, ifindex: 0, state: 0, flags, type: 0,
    })),
    // The neighbour group also carries the bridge FDB (AF_BRIDGE), which is not
    // `ip neigh`. NOARP entries (multicast, broadcast) are created without a
    // notification, so no watcher could track them; `ip neigh show` hides them too.
    decode: (m) => {
      const n = decodeNeighbor(m);
      if (n.family !== C.AF_INET && n.family !== C.AF_INET6) return undefined;
      return n.state & C.NUD_NOARP ? undefined : toNeighbor(n);
    },
    key: (n) => `${n.family} ${n.dev} ${n.to}${n.proxy ? ' proxy' : ''}`,
    // Ages and reference counts tick; they are not a change of the entry.
    state: (n) => stringify({ ...n.raw, cacheinfo: undefined, probes: undefined }),
    matches: (n, f) => familyOk(n.family, f) && (f.link === undefined || n.dev === f.link),
  },
  rule: {
    newType: C.RTM_NEWRULE, delType: C.RTM_DELRULE,
    groups: (f) => byFamily(f, C.RTNLGRP_IPV4_RULE, C.RTNLGRP_IPV6_RULE),
    dumpRequests: (f) => [encodeRule(C.RTM_GETRULE, C.NLM_F_REQUEST, {
      family: f.family ? afOf(f.family) : C.AF_UNSPEC, dstLength: 0, srcLength: 0, tos: 0, table: 0, action: 0, flags: 0,
    })],
    // An AF_UNSPEC dump also lists the multicast-routing rules (RTNL_FAMILY_IPMR/IP6MR), which `ip rule` does not.
    decode: (m) => {
      const r = decodeRule(m);
      return r.family === C.AF_INET || r.family === C.AF_INET6 ? toRule(r) : undefined;
    },
    // A rule has no id: the kernel tells rules apart by all their fields (rule_exists in net/core/fib_rules.c).
    key: (r) => stringify(r.raw),
    state: (r) => stringify(r.raw),
    matches: (r, f) => familyOk(r.family, f),
  },
  nexthop: {
    newType: C.RTM_NEWNEXTHOP, delType: C.RTM_DELNEXTHOP,
    groups: () => [C.RTNLGRP_NEXTHOP],
    dumpRequests: () => [encodeNexthop(C.RTM_GETNEXTHOP, C.NLM_F_REQUEST, { family: C.AF_UNSPEC, scope: 0, protocol: 0, flags: 0 })],
    decode: (m) => toNexthop(decodeNexthop(m)),
    key: (n) => `${n.id}`,
    state: (n) => stringify(n.raw),
    matches: (n, f) => familyOk(n.family, f) && (f.link === undefined || n.dev === f.link),
  },
};

const BY_TYPE = new Map<number, { kind: WatchKind; spec: KindSpec<any> }>();
for (const kind of Object.keys(KINDS) as WatchKind[]) {
  const spec = KINDS[kind] as KindSpec<any>;
  BY_TYPE.set(spec.newType, { kind, spec });
  BY_TYPE.set(spec.delType, { kind, spec });
}

/**
 * The kernel's identity of an event's object within its namespace and kind
 * (a link's index; an address's link, prefix and peer; a route's table,
 * prefix, source, TOS and metric): a consumer keeping a view keys it by this.
 */
export function objectKey(e: ChangeEvent): string {
  return `${e.kind} ${(KINDS[e.kind] as KindSpec<any>).key(e.object)}`;
}

/** The kinds `watch` understands. */
export const watchKinds = Object.keys(KINDS) as WatchKind[];

// --- a bounded event stream with both forms -----------------------------------

const PUSH_EVENTS = new Set(['event', 'new', 'delete', 'overrun', 'synced']);

/**
 * The consumer side shared by every watcher: a queue drained either by one
 * async iterator (pull) or, as soon as a listener for 'event' (or an event
 * type) is added, synchronously into the listeners (push). Use one form per
 * watcher. Closing ends the iterator and releases the source.
 */
export abstract class EventStream<E extends { type: string }> extends EventEmitter implements AsyncIterable<E> {
  protected readonly queue: E[] = [];
  private waiters: { resolve: (r: IteratorResult<E>) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private iterating = false;
  private push = false;
  private closedFlag = false;
  private readonly unlisten: (() => void) | undefined;

  constructor(signal: AbortSignal | undefined, private readonly what: string) {
    super();
    this.on('newListener', (name: string | symbol) => {
      if (typeof name !== 'string' || !PUSH_EVENTS.has(name) || this.push) return;
      if (this.iterating) throw new TypeError(`${what}: this watcher is being iterated; listen to a watcher or iterate it, not both`);
      this.push = true;
      queueMicrotask(() => this.pump());
    });
    if (signal) {
      const onAbort = () => this.fail(new AbortError(`${what} aborted`, 'ABORT_ERR', what));
      if (signal.aborted) queueMicrotask(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  get closed(): boolean { return this.closedFlag; }

  [Symbol.asyncIterator](): AsyncIterator<E> {
    if (this.push) throw new TypeError(`${this.what}: this watcher has listeners; listen to a watcher or iterate it, not both`);
    if (this.iterating) throw new TypeError(`${this.what}: a watcher can be iterated only once`);
    this.iterating = true;
    return {
      next: () => this.next(),
      return: async () => { this.close(); return { done: true, value: undefined }; },
    };
  }

  /** Stops watching: closes the socket(s); a waiting iterator finishes. Idempotent. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.unlisten?.();
    this.release();
    this.queue.length = 0;
    const failure = this.failure;
    for (const w of this.waiters.splice(0)) {
      if (failure) w.reject(failure);
      else w.resolve({ done: true, value: undefined });
    }
    this.emit('close');
  }

  /** Ends the stream with an error: the iterator throws it, listeners get 'error'. */
  protected fail(e: Error): void {
    if (this.closedFlag) return;
    if (this.push) {
      this.close();
      this.emit('error', e);
      return;
    }
    this.failure = e;
    if (this.waiters.length > 0) this.close();
    else { this.closedFlag = true; this.unlisten?.(); this.release(); this.queue.length = 0; }
  }

  /** Hands queued events to a waiting iterator or to the listeners. */
  protected pump(): void {
    if (this.push) {
      for (let e = this.take(); e && !this.closedFlag; e = this.take()) {
        this.emit('event', e);
        this.emit(e.type, e);
      }
      return;
    }
    while (this.waiters.length > 0) {
      const e = this.take();
      if (!e) break;
      (this.waiters.shift() as { resolve: (r: IteratorResult<E>) => void }).resolve({ done: false, value: e });
    }
  }

  /** The next event to deliver, or undefined; subclasses may skip queued entries. */
  protected take(): E | undefined { return this.queue.shift(); }
  /** Releases sockets / watches. Called once. */
  protected abstract release(): void;

  private next(): Promise<IteratorResult<E>> {
    const e = this.closedFlag ? undefined : this.take();
    if (e) return Promise.resolve({ done: false, value: e });
    if (this.failure) {
      const f = this.failure;
      this.failure = undefined;
      return Promise.reject(f);
    }
    if (this.closedFlag) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}

// --- the watcher ----------------------------------------------------------------

interface Entry { key: string; state: string; event: ChangeEvent }

/**
 * What a sync hands the consumer: nothing (the initial read behind `resync`
 * alone: the view simply starts as the kernel's state), the difference
 * (routes re-read after a link went down), or the difference and 'synced'.
 */
type SyncMode = 'silent' | 'diff' | 'announce';
const strongest = (a: SyncMode, b: SyncMode): SyncMode => (a === 'announce' || b === 'announce' ? 'announce' : a === 'diff' || b === 'diff' ? 'diff' : 'silent');

/** NLMSG_NOOP with NLM_F_REQUEST: the kernel only ACKs it (netlink_rcv_skb skips control messages). */
function barrier(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(16, 0);
  b.writeUInt16LE(C.NLMSG_NOOP, 4);
  b.writeUInt16LE(C.NLM_F_REQUEST, 6);
  return b;
}

function replaceAll<T>(list: T[], keep: T[]): void {
  list.length = 0;
  for (const x of keep) list.push(x); // not push(...keep): tens of thousands of arguments
}

/** One namespace's subscribed socket and, when a view is kept, what the consumer has been given. */
class Source {
  /** key → last delivered object (listExisting / resync only). */
  readonly view: Map<string, Entry> | undefined;
  /** Kinds being re-read; their notifications wait in `touched` meanwhile. */
  syncing = new Set<WatchKind>();
  touched = new Map<string, Entry>();
  /** Asked for while a sync ran: sync these next, in the strongest mode asked. */
  again = new Set<WatchKind>();
  modeAgain: SyncMode = 'silent';
  /** Links last seen down (a re-read of silently flushed kinds happens once per going down). */
  readonly down = new Set<number>();
  /** The running sync's mode; an ENOBUFS meanwhile can raise it. */
  mode: SyncMode = 'silent';
  /** Notifications were dropped while a sync ran: its overlay is incomplete, start over. */
  lostDuringSync = false;
  constructor(readonly ns: Namespace, readonly conn: Connection, keepView: boolean) {
    this.view = keepView ? new Map() : undefined;
  }
}

interface Queued { source: Source; event: WatchEvent; live: boolean }

/**
 * Watches one or more namespaces. Iterate it (`for await`) or listen to it
 * (`.on('event', …)`, or `.on('new' | 'delete' | 'overrun' | 'synced', …)`).
 */
export class Watcher extends EventStream<WatchEvent> {
  private readonly sources: Source[] = [];
  private readonly kinds: Set<WatchKind>;
  private readonly filter: Filter;
  private readonly resync: boolean;
  private readonly limit: number;
  private readonly entries: Queued[] = [];
  private liveQueued = 0;

  constructor(namespaces: Namespace[], kinds: WatchKind[], private readonly options: WatchOptions = {}) {
    super(options.signal, 'watch');
    check(Array.isArray(kinds) && kinds.length > 0, 'kinds', kinds, `expected a non-empty array of ${watchKinds.join(', ')}`);
    for (const k of kinds) check(watchKinds.includes(k), 'kinds', k, `expected one of ${watchKinds.join(', ')}`);
    check(namespaces.length > 0, 'namespaces', namespaces, 'expected at least one namespace');
    if (options.family !== undefined) check(options.family === 4 || options.family === 6, 'family', options.family, 'expected 4 or 6');
    const link = options.link instanceof Link ? options.link.index : options.link;
    if (link !== undefined) check(Number.isInteger(link) && (link as number) > 0, 'link', options.link, 'expected an ifindex or a Link (resolve names with ns.links.get first)');
    if (options.link instanceof Link && namespaces.length > 1) {
      throw new TypeError(`link: a Link filter names one namespace's link; got ${namespaces.length} namespaces`);
    }
    const limit = options.queueLimit ?? 10_000;
    check(Number.isInteger(limit) && limit > 0, 'queueLimit', options.queueLimit, 'expected a positive integer');
    this.kinds = new Set(kinds);
    this.filter = { family: options.family, link };
    this.resync = options.resync ?? false;
    this.limit = limit;
    const keepView = (options.listExisting ?? false) || this.resync;
    try {
      for (const ns of namespaces) {
        // Its own socket: notifications caused by a request carry that request's
        // seq, so a socket that also sends requests could take them for replies.
        const conn = new Connection(ns.fd, { receiveBuffer: options.receiveBuffer });
        const s = new Source(ns, conn, keepView);
        this.sources.push(s);
        conn.onNotification((m) => this.notification(s, m));
        conn.onSocketError((e) => this.socketError(s, e));
        if (options.keepAlive) conn.setKeepAlive(true);
        // Subscribe before any dump is requested: every change after this
        // point reaches the socket (or is reported as lost), which is what the
        // reconciliation in sync() relies on.
        const groups = new Set<number>();
        for (const k of this.kinds) for (const g of KINDS[k].groups(this.filter)) groups.add(g);
        if (keepView && (this.kinds.has('route') || this.kinds.has('nexthop'))) {
          groups.add(C.RTNLGRP_LINK); // to notice silent flushes (see reread)
          if (this.kinds.has('route')) groups.add(C.RTNLGRP_IPV4_IFADDR);
        }
        for (const g of groups) conn.addMembership(g);
      }
    } catch (e) {
      for (const s of this.sources) s.conn.close();
      throw e;
    }
    // A resync needs to know what the consumer was given, so with `resync`
    // alone the initial state is read too, but not delivered.
    if (keepView) for (const s of this.sources) this.sync(s, [...this.kinds], options.listExisting ? 'announce' : 'silent');
  }

  /** The namespaces watched. */
  get namespaces(): Namespace[] { return this.sources.map((s) => s.ns); }

  protected release(): void {
    for (const s of this.sources) s.conn.close();
    this.entries.length = 0;
    this.liveQueued = 0;
  }

  protected override take(): WatchEvent | undefined {
    for (;;) {
      const q = this.entries.shift();
      if (!q) return undefined;
      if (q.live) this.liveQueued--;
      const e = q.event;
      const view = q.source.view;
      if (!view || (e.type !== 'new' && e.type !== 'delete')) return e;
      // The view is what the consumer holds: an event that would not change it
      // is a repeat (a notification for a change the dump already showed).
      const spec = KINDS[e.kind] as KindSpec<any>;
      const key = `${e.kind} ${spec.key(e.object)}`;
      if (e.type === 'delete') {
        if (!view.delete(key)) continue;
        return e;
      }
      const state = spec.state(e.object);
      if (view.get(key)?.state === state) continue;
      view.set(key, { key, state, event: e });
      return e;
    }
  }

  private enqueue(source: Source, event: WatchEvent, live: boolean): void {
    this.entries.push({ source, event, live });
    if (live) this.liveQueued++;
  }

  private notification(s: Source, m: MessageView): void {
    if (this.closed) return;
    const hit = BY_TYPE.get(m.type);
    if (!hit) return;
    let object: unknown;
    try {
      object = hit.spec.decode(m, s.ns);
    } catch (e) {
      return this.fail(e as Error);
    }
    if (object === undefined) return;
    if (!this.kinds.has(hit.kind)) { // subscribed only to notice silent flushes
      this.reread(s, { type: m.type === hit.spec.newType ? 'new' : 'delete', kind: hit.kind, object, namespace: s.ns } as ChangeEvent);
      return;
    }
    if (!hit.spec.matches(object, this.filter)) return;
    const event = { type: m.type === hit.spec.newType ? 'new' : 'delete', kind: hit.kind, object, namespace: s.ns } as ChangeEvent;
    if (s.syncing.has(hit.kind)) {
      const key = `${hit.kind} ${hit.spec.key(object)}`;
      s.touched.delete(key); // keep arrival order: the last word goes last
      s.touched.set(key, { key, state: '', event });
      return;
    }
    if (this.liveQueued >= this.limit) return this.queueOverrun(s);
    this.enqueue(s, event, true);
    this.reread(s, event);
    this.pump();
  }

  /**
   * The kernel removes some objects without a notification: IPv4 routes
   * through a link that goes down or away and the prefix route of a deleted
   * IPv4 address (fib_flush, net/ipv4/fib_frontend.c), and nexthops of a link
   * that goes down or away (nexthop_flush_dev → remove_nexthop without
   * nlinfo, net/ipv4/nexthop.c). When a view is kept, such a change re-reads
   * those kinds and delivers the difference.
   */
  private reread(s: Source, e: ChangeEvent): void {
    if (!s.view) return;
    let linkGone = false;
    if (e.kind === 'link') {
      const i = e.object.index;
      if (e.type === 'delete') { linkGone = true; s.down.delete(i); }
      else if (e.object.up) s.down.delete(i);
      else if (!s.down.has(i)) { linkGone = true; s.down.add(i); }
    }
    const kinds: WatchKind[] = [];
    if (this.kinds.has('route') && (linkGone || (e.kind === 'address' && e.type === 'delete' && e.object.family === 4))) kinds.push('route');
    if (this.kinds.has('nexthop') && linkGone) kinds.push('nexthop');
    if (kinds.length > 0) this.sync(s, kinds, 'diff');
  }

  /** The consumer is `queueLimit` events behind: drop, report, and resync if asked. */
  private queueOverrun(s: Source): void {
    if (this.resync) {
      // Everything queued is superseded by the differences the resync will queue.
      let dropped = 0;
      const keep = this.entries.filter((q) => {
        const change = q.event.type === 'new' || q.event.type === 'delete';
        if (change) dropped++;
        return !change;
      });
      replaceAll(this.entries, keep);
      this.liveQueued = 0;
      for (const src of this.sources) {
        this.enqueue(src, { type: 'overrun', namespace: src.ns, reason: 'queue', lost: src === s ? dropped + 1 : 0, resync: true }, false);
        this.sync(src, [...this.kinds], 'announce');
      }
    } else {
      const last = this.entries[this.entries.length - 1];
      if (last?.event.type === 'overrun' && last.event.reason === 'queue' && last.source === s) last.event.lost = (last.event.lost ?? 0) + 1;
      else this.enqueue(s, { type: 'overrun', namespace: s.ns, reason: 'queue', lost: 1, resync: false }, false);
    }
    this.pump();
  }

  private socketError(s: Source, e: NetlinkError): void {
    if (this.closed) return;
    // ENOBUFS: the kernel dropped notifications; EMSGSIZE: one was truncated.
    if (e.code !== 'ENOBUFS' && e.code !== 'EMSGSIZE') return this.fail(e);
    const covered = s.syncing.size === this.kinds.size; // a full sync is running: its restart covers the loss
    if (s.syncing.size > 0) s.lostDuringSync = true;
    const last = this.entries[this.entries.length - 1];
    const repeated = last?.event.type === 'overrun' && last.event.reason === 'socket' && last.source === s;
    if (!repeated) this.enqueue(s, { type: 'overrun', namespace: s.ns, reason: 'socket', resync: this.resync }, false);
    if (this.resync && covered) s.mode = 'announce';
    else if (this.resync) this.sync(s, [...this.kinds], 'announce');
    this.pump();
  }

  /**
   * Reads `kinds` afresh and queues the difference from what the consumer holds.
   *
   * The socket was subscribed before the dump is requested (on the namespace's
   * request connection), so every change made after the subscription arrives
   * as a notification. While the dump runs, notifications of these kinds are
   * kept in `touched` (the last one per key). When it ends, the new state is
   * the dump overlaid with `touched`: a key that changed during the dump takes
   * the value of its last notification, whichever arrived first — the dump
   * may have read the object before or after the change; the notification is
   * always the later truth. Notifications still in flight when the dump ends
   * are live events; those that only repeat what the dump showed are dropped
   * at delivery by comparison with the view. Notifications lost during the
   * dump (ENOBUFS) or an interrupted dump (NLM_F_DUMP_INTR) start it over.
   *
   * "The notification is the later truth" holds only for notifications queued
   * on the watching socket after the dump was requested. Those already queued
   * are older, and after an overrun they are older than the loss: recvmsg
   * reports the socket error (ENOBUFS) before the datagrams still queued
   * (sock_error() first in __skb_try_recv_datagram, net/core/datagram.c), so
   * a stale "new X" whose "delete X" was dropped arrives after the overrun and
   * would override the dump for good. So each round first sends a barrier on
   * the watching socket itself (NLMSG_NOOP with NLM_F_ACK: the kernel queues
   * the ACK behind everything already queued) and forgets the syncing kinds'
   * notifications read until its ACK has been handled; only then is the dump
   * requested, so what is forgotten is older than the dump.
   * The ACK can be lost without a report: after an overrun the kernel drops
   * everything for the socket, reporting only the first drop, until its
   * queue has been read empty (NETLINK_S_CONGESTED: netlink_overrun,
   * netlink_rcv_wake, net/netlink/af_netlink.c). So an unanswered barrier is
   * sent again, waiting longer each time. An ACK that arrives proves the
   * socket was not congested when it was queued, so any later drop is reported.
   */
  private sync(s: Source, kinds: WatchKind[], mode: SyncMode): void {
    if (s.syncing.size > 0) {
      for (const k of kinds) s.again.add(k);
      s.modeAgain = strongest(s.modeAgain, mode);
      return;
    }
    s.syncing = new Set(kinds);
    s.touched = new Map();
    s.mode = mode;
    void this.runSync(s);
  }

  private async runSync(s: Source): Promise<void> {
    const view = s.view as Map<string, Entry>;
    let failures = 0;
    let wait = 200;
    while (s.syncing.size > 0) {
      try {
        const early = await s.conn.request(barrier(), { operation: 'watch.barrier', target: `in ${s.ns}` }, { timeout: wait });
        // A notification that happens to carry the barrier's seq is taken for its reply: handle it here.
        for (const m of early) this.notification(s, m);
      } catch (e) {
        if (this.closed) return;
        // The ACK was lost (ENOBUFS) or dropped silently (see above): the dump to come covers the loss.
        const code = (e as { code?: string }).code;
        if (code === 'ETIMEDOUT') wait = Math.min(wait * 2, 5000);
        else if (code !== 'ENOBUFS' && ++failures >= 5) return this.fail(e as Error);
        continue;
      }
      wait = 200;
      if (this.closed) return;
      s.lostDuringSync = false;
      s.touched = new Map();
      const fresh = new Map<string, Entry>();
      try {
        for (const kind of s.syncing) {
          const spec = KINDS[kind] as KindSpec<any>;
          const replies: MessageView[] = [];
          for (const req of spec.dumpRequests(this.filter)) {
            for (const m of await s.ns.connection.dumpAll(req, { operation: `watch.${kind}`, target: `in ${s.ns}` })) replies.push(m);
            if (this.closed) return;
          }
          for (const m of replies) {
            const o = spec.decode(m, s.ns);
            if (o === undefined || !spec.matches(o, this.filter)) continue;
            const key = `${kind} ${spec.key(o)}`;
            fresh.set(key, { key, state: '', event: { type: 'new', kind, object: o, namespace: s.ns } as ChangeEvent });
          }
        }
      } catch (e) {
        if (this.closed) return;
        if (++failures >= 5) return this.fail(e as Error);
        s.touched = new Map();
        continue;
      }
      if (s.lostDuringSync) { s.touched = new Map(); continue; }
      for (const [key, t] of s.touched) {
        fresh.delete(key);
        if (t.event.type === 'new') fresh.set(key, t);
      }
      // Queued changes of these kinds from this namespace are superseded by the difference.
      const keep = this.entries.filter((q) => q.source !== s || !(q.event.type === 'new' || q.event.type === 'delete') || !s.syncing.has(q.event.kind));
      replaceAll(this.entries, keep);
      this.liveQueued = this.entries.reduce((n, q) => n + (q.live ? 1 : 0), 0);
      const mode = s.mode;
      for (const [key, old] of view) {
        if (!s.syncing.has(old.event.kind) || fresh.has(key)) continue;
        if (mode === 'silent') view.delete(key);
        else this.enqueue(s, { ...old.event, type: 'delete' } as ChangeEvent, false);
      }
      for (const [key, e] of fresh) {
        const state = (KINDS[e.event.kind] as KindSpec<any>).state(e.event.object);
        if (view.get(key)?.state === state) continue;
        if (mode === 'silent') view.set(key, { key, state, event: e.event });
        else this.enqueue(s, e.event, false);
      }
      if (mode === 'announce') this.enqueue(s, { type: 'synced', namespace: s.ns }, false);
      s.syncing = s.again;
      s.again = new Set();
      s.mode = s.modeAgain;
      s.modeAgain = 'silent';
      s.touched = new Map();
      failures = 0;
      this.pump();
    }
  }
}

/**
 * Watches `namespaces` (one socket each) for changes of `kinds`. Each event
 * names its namespace.
 */
export function watch(namespaces: Namespace | Namespace[], kinds: WatchKind[], options: WatchOptions = {}): Watcher {
  const list = Array.isArray(namespaces) ? namespaces : [namespaces];
  for (const ns of list) if (typeof ns?.fd !== 'number') throw new TypeError(`namespaces: expected Namespace handles, got ${describe(ns)}`);
  return new Watcher(list, kinds, options);
}

// --- every namespace from one socket (NETLINK_LISTEN_ALL_NSID) --------------------

/**
 * A change seen by `watchAll`. `nsid` is the id of the namespace it happened
 * in, as seen from the watched namespace; undefined for the watched namespace
 * itself (its notifications carry no nsid). `namespace` is that namespace when
 * it is the watched one, an open handle or a named namespace; when the nsid
 * names none of those the event still comes, with `namespace` undefined and a
 * link event's object the decoded message (a `Link` needs its namespace).
 */
export type AllNamespacesChangeEvent =
  | (ChangeEvent & { readonly nsid: number | undefined })
  | {
    [K in WatchKind]: {
      readonly type: 'new' | 'delete'; readonly kind: K; readonly namespace: undefined; readonly nsid: number;
      readonly object: K extends 'link' ? LinkMessage : WatchObjects[K];
    }
  }[WatchKind];

/** Events were lost (see OverrunEvent); `namespace` is the watched one: the loss may be of any namespace's events. */
export type AllNamespacesEvent = AllNamespacesChangeEvent | OverrunEvent;

/** `watchAll` takes the options of `watch` except those that need a dump of every namespace, and a link filter (ifindexes are per namespace). */
export type WatchAllOptions = Omit<WatchOptions, 'listExisting' | 'resync' | 'link'>;

/**
 * One socket in `host` with NETLINK_LISTEN_ALL_NSID (man 7 netlink): it gets
 * the notifications of `host` and of every namespace that has an nsid in
 * `host` (`host.nsids.set(other)`, or assigned by the kernel when a link
 * crosses between them). A namespace without an nsid in `host` is not seen:
 * the kernel skips it (peernet_has_id in do_one_broadcast,
 * net/netlink/af_netlink.c); an nsid assigned later makes its later changes
 * visible. The origin's nsid arrives with each datagram as a cmsg and is
 * resolved with `host.resolveNsid`, once per nsid (RTM_DELNSID/RTM_NEWNSID in
 * `host` forget the cached answer); events are delivered in arrival order.
 */
export class AllNamespacesWatcher extends EventStream<AllNamespacesEvent> {
  private readonly conn: Connection;
  private readonly kinds: Set<WatchKind>;
  private readonly filter: Filter;
  private readonly limit: number;
  /** Notifications waiting, in order, for their nsid to be resolved. */
  private readonly waiting: { m: MessageView; nsid: number }[] = [];
  private readonly origins = new Map<number, Namespace | undefined>();
  private resolving = false;

  constructor(readonly host: Namespace, kinds: WatchKind[], options: WatchAllOptions = {}) {
    super(options.signal, 'watchAll');
    for (const name of ['listExisting', 'resync', 'link'] as const) {
      const value = (options as WatchOptions)[name];
      if (value !== undefined && value !== false) {
        throw new TypeError(`${name}: watchAll does not support ${name} (got ${describe(value)}); watch each namespace with watch() for that`);
      }
    }
    check(Array.isArray(kinds) && kinds.length > 0, 'kinds', kinds, `expected a non-empty array of ${watchKinds.join(', ')}`);
    for (const k of kinds) check(watchKinds.includes(k), 'kinds', k, `expected one of ${watchKinds.join(', ')}`);
    if (options.family !== undefined) check(options.family === 4 || options.family === 6, 'family', options.family, 'expected 4 or 6');
    const limit = options.queueLimit ?? 10_000;
    check(Number.isInteger(limit) && limit > 0, 'queueLimit', options.queueLimit, 'expected a positive integer');
    this.kinds = new Set(kinds);
    this.filter = { family: options.family };
    this.limit = limit;
    const conn = new Connection(host.fd, { receiveBuffer: options.receiveBuffer });
    try {
      conn.listenAllNamespaces();
      const groups = new Set<number>([C.RTNLGRP_NSID]);
      for (const k of this.kinds) for (const g of KINDS[k].groups(this.filter)) groups.add(g);
      for (const g of groups) conn.addMembership(g);
    } catch (e) {
      conn.close();
      throw e;
    }
    this.conn = conn;
    conn.onNotification((m, nsid) => this.notification(m, nsid ?? -1));
    conn.onSocketError((e) => this.socketError(e));
    if (options.keepAlive) conn.setKeepAlive(true);
  }

  protected release(): void {
    this.conn.close();
    this.waiting.length = 0;
  }

  private notification(m: MessageView, nsid: number): void {
    if (this.closed) return;
    if (m.type === C.RTM_NEWNSID || m.type === C.RTM_DELNSID) {
      // An id of `host` changed: what it named is no longer known.
      if (nsid === -1) { const id = decodeNsid(m).nsid; if (id !== undefined) this.origins.delete(id); }
      return;
    }
    const hit = BY_TYPE.get(m.type);
    if (!hit || !this.kinds.has(hit.kind)) return;
    if (this.queue.length + this.waiting.length >= this.limit) return this.queueOverrun();
    this.waiting.push({ m, nsid });
    this.drain();
  }

  /** Decodes waiting notifications in order, resolving one unknown nsid at a time. */
  private drain(): void {
    while (this.waiting.length > 0 && !this.closed) {
      const { m, nsid } = this.waiting[0];
      if (nsid !== -1 && !this.origins.has(nsid)) {
        if (!this.resolving) void this.resolve(nsid);
        return;
      }
      this.waiting.shift();
      const ns = nsid === -1 ? this.host : this.origins.get(nsid);
      try {
        const e = this.decode(m, nsid, ns);
        if (e) this.queue.push(e);
      } catch (e) {
        return this.fail(e as Error);
      }
    }
    this.pump();
  }

  private async resolve(nsid: number): Promise<void> {
    this.resolving = true;
    let ns: Namespace | undefined;
    try {
      ns = await this.host.resolveNsid(nsid);
    } catch {
      ns = undefined; // not an open handle nor a named namespace: delivered with namespace undefined
    }
    this.resolving = false;
    this.origins.set(nsid, ns);
    this.drain();
  }

  private decode(m: MessageView, nsid: number, ns: Namespace | undefined): AllNamespacesChangeEvent | undefined {
    const hit = BY_TYPE.get(m.type) as { kind: WatchKind; spec: KindSpec<any> };
    const type = m.type === hit.spec.newType ? 'new' : 'delete';
    const origin = nsid === -1 ? undefined : nsid;
    if (!ns && hit.kind === 'link') {
      const l = decodeLink(m);
      if ((l.family ?? 0) !== C.AF_UNSPEC) return undefined;
      return { type, kind: 'link', object: l, namespace: undefined, nsid };
    }
    // decode() uses the namespace only to make a Link; the other kinds ignore it.
    const object = hit.spec.decode(m, ns as Namespace);
    if (object === undefined || !hit.spec.matches(object, this.filter)) return undefined;
    return { type, kind: hit.kind, object, namespace: ns, nsid: origin } as AllNamespacesChangeEvent;
  }

  private queueOverrun(): void {
    const last = this.queue[this.queue.length - 1];
    if (last?.type === 'overrun' && last.reason === 'queue') last.lost = (last.lost ?? 0) + 1;
    else this.queue.push({ type: 'overrun', namespace: this.host, reason: 'queue', lost: 1, resync: false });
    this.pump();
  }

  private socketError(e: NetlinkError): void {
    if (this.closed) return;
    if (e.code !== 'ENOBUFS' && e.code !== 'EMSGSIZE') return this.fail(e);
    const last = this.queue[this.queue.length - 1];
    if (!(last?.type === 'overrun' && last.reason === 'socket')) this.queue.push({ type: 'overrun', namespace: this.host, reason: 'socket', resync: false });
    this.pump();
  }
}

/** Watches `host` and every namespace with an nsid in `host` on one socket (see AllNamespacesWatcher). */
export function watchAll(host: Namespace, kinds: WatchKind[], options: WatchAllOptions = {}): AllNamespacesWatcher {
  if (typeof host?.fd !== 'number') throw new TypeError(`host: expected a Namespace handle, got ${describe(host)}`);
  return new AllNamespacesWatcher(host, kinds, options);
}
