// Link: a snapshot of one network interface plus the verbs that change it,
// and LinkTable (ns.links): list, get, create (veth, bridge) and delete.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeLink, encodeLink, LinkMessage, LinkStats } from '../rtnl/link';
import { check, describe, NetlinkError, NotFoundError } from '../errors';
import { parseMac } from '../inet';
import { flagNames, LINK_FLAGS, OPER_STATES, OperState } from '../names';
import * as v from '../validate';
import type { CallOptions } from '../connection';
import { LinkAddresses } from './address';
import { deleteLinksOrThrow } from './teardown';

/** A link as the caller names it: a Link, its name, or its index. */
export type LinkRef = Link | string | number;

export interface LinkSettings {
  up?: boolean;
  mtu?: number;
  name?: string;
  mac?: string;
  /** Attach to a bridge (Link, name or index in the same namespace); null detaches. */
  master?: LinkRef | null;
  /** Move to another namespace (the link gets a new snapshot there). */
  namespace?: Namespace;
  txqlen?: number;
  alias?: string;
}

export interface VethPeerOptions {
  name: string;
  /** Where the peer is created; defaults to this namespace. */
  namespace?: Namespace;
  mtu?: number;
  mac?: string;
  up?: boolean;
}

export interface VethOptions {
  name: string;
  peer: VethPeerOptions;
  mtu?: number;
  mac?: string;
  up?: boolean;
}

export interface BridgeOptions {
  name: string;
  mtu?: number;
  mac?: string;
  up?: boolean;
}

export interface ListOptions extends CallOptions {
  /** Include 64-bit statistics (the kernel skips computing them otherwise). */
  statistics?: boolean;
}

export class Link {
  readonly index: number;
  readonly name: string;
  readonly mtu: number;
  readonly mac?: string;
  readonly broadcast?: string;
  /** IFF_* bits; see `flagNames`. */
  readonly flags: number;
  readonly operstate: OperState;
  /** IFLA_INFO_KIND: 'veth', 'bridge' … ; undefined for physical devices and lo. */
  readonly kind?: string;
  /** ifindex of the bridge (or other master) this link is attached to. */
  readonly masterIndex?: number;
  /** IFLA_LINK: for a veth, the peer's ifindex in the namespace `linkNetnsId` names. */
  readonly linkIndex?: number;
  /** The id this namespace uses for the namespace holding the peer (absent: same namespace). */
  readonly linkNetnsId?: number;
  readonly txqlen?: number;
  readonly group?: number;
  readonly alias?: string;
  readonly carrier?: boolean;
  readonly stats?: LinkStats;
  /** The decoded message, for everything not lifted into a field. */
  readonly raw: LinkMessage;

  constructor(readonly namespace: Namespace, m: LinkMessage) {
    this.raw = m;
    this.index = m.index ?? 0;
    this.name = m.name ?? '';
    this.mtu = m.mtu ?? 0;
    this.mac = m.mac;
    this.broadcast = m.broadcast;
    this.flags = m.flags ?? 0;
    this.operstate = OPER_STATES[m.operstate ?? 0] ?? 'UNKNOWN';
    this.kind = m.linkInfo?.kind;
    this.masterIndex = m.master;
    this.linkIndex = m.link;
    this.linkNetnsId = m.linkNetnsId;
    this.txqlen = m.txqlen;
    this.group = m.group;
    this.alias = m.alias;
    this.carrier = m.carrier === undefined ? undefined : m.carrier !== 0;
    this.stats = m.stats64;
  }

  /** Administratively up (IFF_UP). */
  get up(): boolean { return (this.flags & C.IFF_UP) !== 0; }
  /** Flag names as `ip link` prints them: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']. */
  get flagNames(): string[] { return flagNames(this.flags, LINK_FLAGS); }

  /** This link's addresses: add, list, delete, flush. */
  get addresses(): LinkAddresses { return new LinkAddresses(this.namespace, this.index); }

  /** Changes settings in one request; resolves with a fresh snapshot (in the new namespace if moved). */
  set(settings: LinkSettings, options?: CallOptions): Promise<Link> {
    return this.namespace.links.set(this, settings, options);
  }
  setUp(options?: CallOptions): Promise<Link> { return this.set({ up: true }, options); }
  setDown(options?: CallOptions): Promise<Link> { return this.set({ up: false }, options); }
  moveTo(namespace: Namespace, options?: CallOptions): Promise<Link> { return this.set({ namespace }, options); }
  delete(options?: CallOptions): Promise<void> { return this.namespace.links.delete(this, options); }
  /** A fresh snapshot of the same link. */
  refresh(options?: CallOptions): Promise<Link> { return this.namespace.links.get(this.index, options); }

  /**
   * The other end of a veth pair, in whatever namespace holds it — the answer
   * to "which host interface is my eth0@if8?". Undefined for links without a peer.
   */
  async peer(options?: CallOptions): Promise<Link | undefined> {
    if (this.linkIndex === undefined || this.linkIndex === 0 || this.kind !== 'veth') return undefined;
    const where = this.linkNetnsId === undefined ? this.namespace : await this.namespace.resolveNsid(this.linkNetnsId);
    return where.links.get(this.linkIndex, options);
  }

  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = {
      ifindex: this.index, ifname: this.name, flags: this.flagNames, mtu: this.mtu,
      operstate: this.operstate,
    };
    if (this.raw.group !== undefined) o.group = this.raw.group === 0 ? 'default' : this.raw.group;
    if (this.txqlen !== undefined) o.txqlen = this.txqlen;
    if (this.mac !== undefined) o.address = this.mac;
    if (this.broadcast !== undefined) o.broadcast = this.broadcast;
    if (this.kind !== undefined) o.linkinfo = { info_kind: this.kind };
    if (this.linkNetnsId !== undefined) o.link_netnsid = this.linkNetnsId;
    if (this.masterIndex !== undefined) o.master = this.masterIndex;
    return o;
  }
}

/** Link operations of one namespace: `ns.links`. */
export class LinkTable {
  constructor(private readonly ns: Namespace) {}

  async list(options: ListOptions = {}): Promise<Link[]> {
    const req = encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, {
      extMask: C.RTEXT_FILTER_SKIP_STATS & (options.statistics ? 0 : ~0),
    });
    const replies = await this.ns.connection.dumpAll(req, { operation: 'link.list' }, options);
    return replies.map((m) => new Link(this.ns, decodeLink(m)));
  }

  /** Streams links as the kernel sends them, decoded one at a time. */
  async *stream(options: ListOptions = {}): AsyncGenerator<Link> {
    const req = encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, {
      extMask: C.RTEXT_FILTER_SKIP_STATS & (options.statistics ? 0 : ~0),
    });
    for await (const m of this.ns.connection.dump(req, { operation: 'link.list' }, options)) {
      yield new Link(this.ns, decodeLink(m));
    }
  }

  /** One link by name or index; NotFoundError when there is none. */
  async get(ref: LinkRef, options: CallOptions = {}): Promise<Link> {
    const m: LinkMessage = { extMask: C.RTEXT_FILTER_SKIP_STATS };
    if (ref instanceof Link) m.index = this.sameNamespace(ref, 'link').index;
    else if (typeof ref === 'number') m.index = v.ifindex(ref, 'link');
    else m.name = v.linkName(ref, 'link');
    const what = `link ${typeof ref === 'object' ? ref.name : describe(ref)} in ${this.ns}`;
    try {
      const [reply] = await this.ns.connection.request(encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, m),
        { operation: 'link.get', target: what }, options);
      return new Link(this.ns, decodeLink(reply));
    } catch (e) {
      throw notFound(e, what);
    }
  }

  /** Like get(), but undefined instead of NotFoundError. */
  async find(ref: LinkRef, options?: CallOptions): Promise<Link | undefined> {
    try {
      return await this.get(ref, options);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /**
   * Creates a veth pair in one request; the peer is created directly in
   * `peer.namespace` (IFLA_NET_NS_FD inside VETH_INFO_PEER), so it never
   * appears in this namespace. Resolves with [this end, the peer].
   */
  async addVeth(o: VethOptions, options: CallOptions = {}): Promise<[Link, Link]> {
    check(typeof o === 'object' && o !== null, 'options', o, 'expected { name, peer: { name } }');
    check(typeof o.peer === 'object' && o.peer !== null, 'peer', o.peer, 'expected { name, namespace? }');
    const peerNs = o.peer.namespace ?? this.ns;
    check(isNamespace(peerNs), 'peer.namespace', o.peer.namespace, 'expected a Namespace');
    const peer: LinkMessage = { ...linkBasics(o.peer, 'peer.'), };
    // The kernel cannot open the peer inside the RTM_NEWLINK that creates it
    // (veth_open finds no peer yet: ENOTCONN, for `ip ... peer name X up` too),
    // so the peer is brought up by a second request once the pair exists.
    const peerUp = o.peer.up === true;
    if (peerUp) { delete peer.flags; delete peer.change; }
    if (peerNs !== this.ns) peer.netnsFd = peerNs.fd;
    const m: LinkMessage = { ...linkBasics(o, ''), linkInfo: { kind: 'veth', peer } };
    const target = `veth "${o.name}" peer "${o.peer.name}"${peerNs !== this.ns ? ` in ${peerNs}` : ''}`;
    await this.ns.connection.request(
      encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST | C.NLM_F_CREATE | C.NLM_F_EXCL, m),
      { operation: 'link.add', target }, options);
    if (peerUp) await peerNs.links.set(o.peer.name, { up: true }, options);
    return Promise.all([this.get(o.name, options), peerNs.links.get(o.peer.name, options)]);
  }

  async addBridge(o: BridgeOptions, options: CallOptions = {}): Promise<Link> {
    check(typeof o === 'object' && o !== null, 'options', o, 'expected { name }');
    const m: LinkMessage = { ...linkBasics(o, ''), linkInfo: { kind: 'bridge' } };
    await this.ns.connection.request(
      encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST | C.NLM_F_CREATE | C.NLM_F_EXCL, m),
      { operation: 'link.add', target: `bridge "${o.name}"` }, options);
    return this.get(o.name, options);
  }

  /** Deletes one link, or many in one kernel unregister (see model/teardown.ts). */
  async delete(ref: LinkRef | LinkRef[], options: CallOptions = {}): Promise<void> {
    if (Array.isArray(ref)) return deleteLinksOrThrow(this.ns, ref, options);
    const m = this.refMessage(ref, 'link');
    const what = `link ${typeof ref === 'object' ? ref.name : describe(ref)} in ${this.ns}`;
    try {
      await this.ns.connection.request(encodeLink(C.RTM_DELLINK, C.NLM_F_REQUEST, m),
        { operation: 'link.delete', target: what }, options);
    } catch (e) {
      throw notFound(e, what);
    }
  }

  /** Applies settings in one RTM_NEWLINK; see Link.set. */
  async set(ref: LinkRef, s: LinkSettings, options: CallOptions = {}): Promise<Link> {
    check(typeof s === 'object' && s !== null, 'settings', s, 'expected an object');
    const m = this.refMessage(ref, 'link');
    const named = ref instanceof Link ? ref.name : undefined;
    if (s.up !== undefined) {
      check(typeof s.up === 'boolean', 'up', s.up, 'expected true or false');
      m.flags = s.up ? C.IFF_UP : 0;
      m.change = C.IFF_UP;
    }
    if (s.mtu !== undefined) m.mtu = v.mtu(s.mtu, 'mtu');
    if (s.name !== undefined) m.name = v.linkName(s.name, 'name');
    if (s.mac !== undefined) { parseMac(s.mac, 'mac'); m.mac = s.mac.toLowerCase(); }
    if (s.txqlen !== undefined) m.txqlen = v.u32(s.txqlen, 'txqlen');
    if (s.alias !== undefined) { check(typeof s.alias === 'string', 'alias', s.alias, 'expected a string'); m.alias = s.alias; }
    if (s.master !== undefined) {
      m.master = s.master === null ? 0 : s.master instanceof Link
        ? this.sameNamespace(s.master, 'master').index
        : typeof s.master === 'number' ? v.ifindex(s.master, 'master') : (await this.get(s.master, options)).index;
    }
    const target = s.namespace;
    if (target !== undefined) check(isNamespace(target), 'namespace', target, 'expected a Namespace');
    if (target !== undefined && target !== this.ns) m.netnsFd = target.fd;
    const what = `link ${named ?? describe(ref)} in ${this.ns}`;
    // The index may change in the new namespace; the name is what survives the move.
    const movedName = m.name ?? named ?? (typeof ref === 'string' ? ref : undefined);
    if (m.netnsFd !== undefined && movedName === undefined) {
      throw new TypeError(`link: moving link ${describe(ref)} by index needs its name (pass the Link or set name) to find it again`);
    }
    try {
      await this.ns.connection.request(encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST, m),
        { operation: 'link.set', target: what }, options);
    } catch (e) {
      throw notFound(e, what);
    }
    if (target !== undefined && target !== this.ns) {
      return target.links.get(movedName as string, options);
    }
    return this.get(m.index !== undefined && m.index !== 0 ? m.index : (m.name ?? (ref as string)), options);
  }

  private refMessage(ref: LinkRef, field: string): LinkMessage {
    if (ref instanceof Link) return { index: this.sameNamespace(ref, field).index };
    if (typeof ref === 'number') return { index: v.ifindex(ref, field) };
    if (typeof ref === 'string') return { name: v.linkName(ref, field) };
    throw new TypeError(`${field}: expected a Link, an interface name or an index, got ${describe(ref)}`);
  }

  private sameNamespace(link: Link, field: string): Link {
    if (!link.namespace.equals(this.ns)) {
      throw new TypeError(`${field}: link "${link.name}" belongs to ${link.namespace}, not ${this.ns}`);
    }
    return link;
  }
}

/** Duck-typed: link.ts cannot import Namespace at runtime (namespace.ts imports this module). */
function isNamespace(x: unknown): x is Namespace {
  const n = x as Namespace;
  return typeof x === 'object' && x !== null && typeof n.equals === 'function' && typeof n.ino === 'number' && 'links' in n;
}

function linkBasics(o: { name: string; mtu?: number; mac?: string; up?: boolean }, prefix: string): LinkMessage {
  const m: LinkMessage = { name: v.linkName(o.name, `${prefix}name`) };
  if (o.mtu !== undefined) m.mtu = v.mtu(o.mtu, `${prefix}mtu`);
  if (o.mac !== undefined) { parseMac(o.mac, `${prefix}mac`); m.mac = o.mac.toLowerCase(); }
  if (o.up !== undefined) {
    check(typeof o.up === 'boolean', `${prefix}up`, o.up, 'expected true or false');
    m.flags = o.up ? C.IFF_UP : 0;
    m.change = C.IFF_UP;
  }
  return m;
}

/** ENODEV from the kernel on a lookup means "no such link": say which. */
export function notFound(e: unknown, what: string): unknown {
  if (e instanceof NetlinkError && (e.code === 'ENODEV' || e.code === 'ENOENT') && !(e instanceof NotFoundError)) {
    return new NotFoundError(e.errno, { operation: e.operation, target: e.target, extAck: e.extAck, what });
  }
  return e;
}
