// Link: a snapshot of one network interface plus the verbs that change it,
// and LinkTable (ns.links): list, get, create (veth, bridge) and delete.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeLink, decodeLinkName, encodeLink, LinkMessage, LinkStats } from '../rtnl/link';
import { check, checkRange, describe, NetlinkError, NotFoundError } from '../errors';
import { parseMac } from '../inet';
import { flagNames, LINK_FLAGS, OPER_STATES, OperState } from '../names';
import * as v from '../validate';
import type { CallOptions } from '../connection';
import { LinkAddresses } from './address';
import type { RawAttribute } from '../netlink/attributes';
import {
  BridgeData, BridgePortData, decodeBridgeData, decodeBridgePortData, decodeMacvlanData, decodeTunData,
  decodeVlanData, decodeVxlanData, encodeBridgePortData, MacvlanData, TunData, VlanData, VxlanData,
} from '../rtnl/link-kinds';
import { BridgeOptions, kindInfo, LinkSpec, tunFlags, TunOptions } from './link-kinds';
import { DecodedKinds, linkJson, LinkNeighbours } from './link-json';
import { native } from '../native';

export type { BridgeOptions } from './link-kinds';
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
  /**
   * Move to another namespace (the link gets a new snapshot there): a Namespace,
   * or like `ip link set … netns` an open namespace fd or a process id.
   */
  namespace?: Namespace | { fd: number } | { pid: number };
  txqlen?: number;
  /** IFLA_IFALIAS; '' removes it. */
  alias?: string;
  /** Link-layer broadcast address (`ip link set … broadcast`). */
  broadcast?: string;
  /** IFF_PROMISC (`promisc on|off`). */
  promisc?: boolean;
  /** false sets IFF_NOARP (`arp off`). */
  arp?: boolean;
  /** IFF_MULTICAST (`multicast on|off`). */
  multicast?: boolean;
  /** IFF_ALLMULTI (`allmulticast on|off`). */
  allmulti?: boolean;
  /** Device group (`group N`); 0 is "default". */
  group?: number;
  /** IFLA_CARRIER (`carrier on|off`); only drivers with ndo_change_carrier accept it (not veth). */
  carrier?: boolean;
  /** Bridge port options (`type bridge_slave …`); the link must be a bridge port. */
  bridgePort?: BridgePortData;
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

export interface ListOptions extends CallOptions {
  /** Include 64-bit statistics (the kernel skips computing them otherwise). */
  statistics?: boolean;
}

/**
 * A snapshot of one link. Its fields read the decoded message (`raw`) rather
 * than copy it: a list of thousands of links keeps one object per link, not
 * two (the copies were a fifth of a 4,000-link dump's memory, and the garbage
 * collector's work grows with it).
 */
export class Link {
  /** The decoded message, for everything not lifted into a field. */
  readonly raw: LinkMessage;
  /** Names and flags of the other links of the same dump, for toJSON (absent for get()). */
  readonly #neighbours?: LinkNeighbours;

  constructor(readonly namespace: Namespace, m: LinkMessage, neighbours?: LinkNeighbours) {
    this.raw = m;
    this.#neighbours = neighbours;
  }

  get index(): number { return this.raw.index ?? 0; }
  get name(): string { return this.raw.name ?? ''; }
  get mtu(): number { return this.raw.mtu ?? 0; }
  get mac(): string | undefined { return this.raw.mac; }
  get broadcast(): string | undefined { return this.raw.broadcast; }
  /** IFF_* bits; see `flagNames`. */
  get flags(): number { return this.raw.flags ?? 0; }
  get operstate(): OperState { return OPER_STATES[this.raw.operstate ?? 0] ?? 'UNKNOWN'; }
  /** IFLA_INFO_KIND: 'veth', 'bridge' … ; undefined for physical devices and lo. */
  get kind(): string | undefined { return this.raw.linkInfo?.kind; }
  /** ifindex of the bridge (or other master) this link is attached to. */
  get masterIndex(): number | undefined { return this.raw.master; }
  /** IFLA_LINK: for a veth, the peer's ifindex in the namespace `linkNetnsId` names. */
  get linkIndex(): number | undefined { return this.raw.link; }
  /** The id this namespace uses for the namespace holding the peer (absent: same namespace). */
  get linkNetnsId(): number | undefined { return this.raw.linkNetnsId; }
  get txqlen(): number | undefined { return this.raw.txqlen; }
  get group(): number | undefined { return this.raw.group; }
  get alias(): string | undefined { return this.raw.alias; }
  get carrier(): boolean | undefined { return this.raw.carrier === undefined ? undefined : this.raw.carrier !== 0; }
  /** 64-bit counters (as `ip -s link` and /proc/net/dev; the kernel always sends them). */
  get stats(): LinkStats | undefined { return this.raw.stats64; }
  /** Alternative names (`ip link property add … altname`). */
  get altNames(): string[] { return this.raw.altNames ?? []; }
  /** How many times promiscuous mode was requested (IFLA_PROMISCUITY). */
  get promiscuity(): number | undefined { return this.raw.promiscuity; }
  get qdisc(): string | undefined { return this.raw.qdisc; }
  get minMtu(): number | undefined { return this.raw.minMtu; }
  get maxMtu(): number | undefined { return this.raw.maxMtu; }
  get permanentMac(): string | undefined { return this.raw.permanentMac; }
  get numTxQueues(): number | undefined { return this.raw.numTxQueues; }
  get numRxQueues(): number | undefined { return this.raw.numRxQueues; }

  /** console.log / util.inspect: the fields, not the message they are read from. */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return {
      index: this.index, name: this.name, kind: this.kind, mtu: this.mtu, mac: this.mac, flags: this.flagNames,
      operstate: this.operstate, masterIndex: this.masterIndex, linkIndex: this.linkIndex, linkNetnsId: this.linkNetnsId,
      namespace: String(this.namespace),
    };
  }

  // Kind-specific data is decoded on first read (a dump of 4,000 links rarely
  // reads any of it; a bridge port alone carries ~40 attributes).
  #kinds?: DecodedKinds;
  private decodedKinds(): DecodedKinds {
    if (this.#kinds) return this.#kinds;
    const k: DecodedKinds = {};
    const info = this.raw.linkInfo;
    const data = info?.data;
    if (data) {
      switch (info.kind) {
        case 'bridge': k.bridge = decodeBridgeData(data); break;
        case 'vxlan': k.vxlan = decodeVxlanData(data); break;
        case 'vlan': k.vlan = decodeVlanData(data); break;
        case 'macvlan': case 'macvtap': k.macvlan = decodeMacvlanData(data); break;
        case 'tun': k.tun = decodeTunData(data); break;
      }
    }
    if (info?.slaveKind === 'bridge' && info.slaveData) k.bridgePort = decodeBridgePortData(info.slaveData);
    this.#kinds = k;
    return k;
  }
  /** Kind-specific settings, decoded for the kinds the library knows. */
  get bridge(): BridgeData | undefined { return this.decodedKinds().bridge; }
  get vxlan(): VxlanData | undefined { return this.decodedKinds().vxlan; }
  get vlan(): VlanData | undefined { return this.decodedKinds().vlan; }
  /** For kinds macvlan and macvtap. */
  get macvlan(): MacvlanData | undefined { return this.decodedKinds().macvlan; }
  /** For tun and tap devices (kind "tun"). */
  get tun(): TunData | undefined { return this.decodedKinds().tun; }
  /** Bridge port options when this link is a bridge port (IFLA_INFO_SLAVE_DATA). */
  get bridgePort(): BridgePortData | undefined { return this.decodedKinds().bridgePort; }
  /** IFLA_INFO_DATA as the kernel sent it (kept raw for every kind, known or not). */
  get kindData(): RawAttribute[] | undefined { return this.raw.linkInfo?.data; }

  /** Administratively up (IFF_UP). */
  get up(): boolean { return (this.flags & C.IFF_UP) !== 0; }
  /** Flag names as `ip link` prints them: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']. */
  get flagNames(): string[] { return flagNames(this.flags, LINK_FLAGS); }
  get promisc(): boolean { return (this.flags & C.IFF_PROMISC) !== 0; }
  /** ARP on (IFF_NOARP clear). */
  get arp(): boolean { return (this.flags & C.IFF_NOARP) === 0; }
  get multicast(): boolean { return (this.flags & C.IFF_MULTICAST) !== 0; }
  get allmulti(): boolean { return (this.flags & C.IFF_ALLMULTI) !== 0; }
  /** Lower layer up (IFF_LOWER_UP): the carrier `ip link` reports. */
  get lowerUp(): boolean { return (this.flags & C.IFF_LOWER_UP) !== 0; }

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
  /** `ip link property add dev X altname NAME`. */
  addAltName(name: string, options?: CallOptions): Promise<Link> { return this.namespace.links.altName('add', this, name, options); }
  /** `ip link property del dev X altname NAME`. */
  deleteAltName(name: string, options?: CallOptions): Promise<Link> { return this.namespace.links.altName('delete', this, name, options); }

  /**
   * The other end of a veth pair, in whatever namespace holds it — the answer
   * to "which host interface is my eth0@if8?". Undefined for links without a peer.
   */
  async peer(options?: CallOptions): Promise<Link | undefined> {
    if (this.linkIndex === undefined || this.linkIndex === 0 || this.kind !== 'veth') return undefined;
    const where = this.linkNetnsId === undefined ? this.namespace : await this.namespace.resolveNsid(this.linkNetnsId);
    return where.links.get(this.linkIndex, options);
  }

  /**
   * The object `ip -j -d link show` prints for this link (plus `stats64` like
   * `ip -s -j` when statistics were asked for). Master and lower-link names
   * come from the same list(); a snapshot from get() prints them as ip does for
   * an index it cannot name: "if<N>".
   */
  toJSON(): Record<string, unknown> {
    return linkJson(this.raw, this.decodedKinds(), this.#neighbours);
  }
}

/** Link operations of one namespace: `ns.links`. */
export class LinkTable {
  constructor(private readonly ns: Namespace) {}

  async list(options: ListOptions = {}): Promise<Link[]> {
    const req = encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, {
      extMask: C.RTEXT_FILTER_SKIP_STATS & (options.statistics ? 0 : ~0),
    });
    const messages = await this.ns.connection.dumpAll(req, { operation: 'link.list' }, options, { decode: decodeLink, keepsBytes: true });
    let byIndex: Map<number, LinkMessage> | undefined; // only toJSON() asks
    const neighbour = (i: number): LinkMessage | undefined => (byIndex ??= new Map(messages.map((m) => [m.index ?? 0, m]))).get(i);
    const neighbours: LinkNeighbours = {
      name: (i) => neighbour(i)?.name, flags: (i) => neighbour(i)?.flags, statistics: options.statistics === true,
    };
    return messages.map((m) => new Link(this.ns, m, neighbours));
  }

  /**
   * ifindex → name of every link: what routes, neighbours and nexthops print for
   * their devices. One dump without statistics, decoding nothing but the names.
   */
  async names(options: CallOptions = {}): Promise<Map<number, string>> {
    const req = encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, { extMask: C.RTEXT_FILTER_SKIP_STATS });
    return new Map(await this.ns.connection.dumpAll(req, { operation: 'link.list' }, options, { decode: decodeLinkName, keepsBytes: false }));
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
    // Longer than IFNAMSIZ: only an alternative name can be that long (ALTIFNAMSIZ 128).
    else if (typeof ref === 'string' && Buffer.byteLength(ref) > 15 && Buffer.byteLength(ref) <= 127) m.altName = ref;
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

  /** `ip link add NAME type bridge …`: same as add({ kind: 'bridge', … }). */
  addBridge(o: BridgeOptions, options: CallOptions = {}): Promise<Link> {
    check(typeof o === 'object' && o !== null, 'options', o, 'expected { name }');
    return this.add({ ...o, kind: 'bridge' }, options);
  }

  /**
   * Creates a link of any kind but veth (see addVeth), like `ip link add NAME
   * type KIND …`: bridge, vxlan, vlan, macvlan, macvtap, ifb, and tun/tap
   * (persistent, made through /dev/net/tun like `ip tuntap add`).
   * Everything is validated before the request is sent.
   */
  async add(spec: LinkSpec, options: CallOptions = {}): Promise<Link> {
    check(typeof spec === 'object' && spec !== null, 'options', spec, 'expected { kind, name, … }');
    if (spec.kind === 'tun' || spec.kind === 'tap') return this.addTun({ ...spec, mode: spec.kind }, options);
    return this.addNetlinkKind(spec as Exclude<LinkSpec, { kind: 'tun' | 'tap' }>, options);
  }

  private async addNetlinkKind(spec: Exclude<LinkSpec, { kind: 'tun' | 'tap' }>, options: CallOptions): Promise<Link> {
    const m: LinkMessage = { ...linkBasics(spec, ''), ...commonExtras(spec) };
    const alias = m.alias;
    delete m.alias;
    m.linkInfo = await kindInfo(this.ns, spec);
    if (spec.master !== undefined) m.master = await this.ns.linkIndex(spec.master, 'master');
    if (spec.kind === 'vlan' || spec.kind === 'macvlan' || spec.kind === 'macvtap') m.link = await this.ns.linkIndex(spec.link, 'link');
    await this.ns.connection.request(
      encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST | C.NLM_F_CREATE | C.NLM_F_EXCL, m),
      { operation: 'link.add', target: `${spec.kind} "${spec.name}" in ${this.ns}` }, options);
    // The kernel applies IFLA_IFALIAS only when changing a link (do_setlink), not on creation.
    if (alias !== undefined) return this.set(spec.name, { alias }, options);
    return this.get(spec.name, options);
  }

  /**
   * A persistent tun or tap device, like `ip tuntap add NAME mode tap user U
   * group G multi_queue`: /dev/net/tun is opened on a short-lived thread inside
   * this namespace (TUNSETIFF, TUNSETOWNER, TUNSETGROUP, TUNSETPERSIST). Delete
   * it with link.delete().
   */
  async addTun(o: TunOptions & { mtu?: number; mac?: string; up?: boolean }, options: CallOptions = {}): Promise<Link> {
    check(typeof o === 'object' && o !== null, 'options', o, 'expected { name, mode }');
    const basics = linkBasics(o, '');
    const flags = tunFlags(o);
    const r = native.tunCreate(this.ns.fd, basics.name as string, flags, o.owner ?? -1, o.group ?? -1);
    if (r < 0) {
      throw new NetlinkError(-r, { operation: 'link.add', target: `${o.mode} "${o.name}" in ${this.ns} (/dev/net/tun)` });
    }
    const rest: LinkSettings = {};
    if (basics.mtu !== undefined) rest.mtu = basics.mtu;
    if (basics.mac !== undefined) rest.mac = basics.mac;
    if (o.up !== undefined) rest.up = o.up;
    return Object.keys(rest).length ? this.set(o.name, rest, options) : this.get(o.name, options);
  }

  /** RTM_NEWLINKPROP / RTM_DELLINKPROP with IFLA_PROP_LIST { IFLA_ALT_IFNAME }. */
  async altName(op: 'add' | 'delete', ref: LinkRef, name: string, options: CallOptions = {}): Promise<Link> {
    const m = this.refMessage(ref, 'link');
    // ALTIFNAMSIZ is 128 with the NUL (<linux/if.h>).
    check(typeof name === 'string', 'altName', name, 'expected a string');
    checkRange(name.length > 0 && Buffer.byteLength(name) <= 127, 'altName', name, 'alternative names are 1 to 127 bytes long');
    m.altNames = [name];
    const what = `link ${typeof ref === 'object' ? ref.name : describe(ref)} in ${this.ns}`;
    try {
      await this.ns.connection.request(
        encodeLink(op === 'add' ? C.RTM_NEWLINKPROP : C.RTM_DELLINKPROP, C.NLM_F_REQUEST | (op === 'add' ? C.NLM_F_CREATE | C.NLM_F_EXCL | C.NLM_F_APPEND : 0), m),
        { operation: `link.altname.${op}`, target: `${what} altname "${name}"` }, options);
    } catch (e) {
      throw notFound(e, what);
    }
    return this.get(m.index ?? name, options);
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
    m.flags = 0;
    m.change = 0;
    for (const [key, bit, on] of FLAG_SETTINGS) {
      const value = s[key];
      if (value === undefined) continue;
      check(typeof value === 'boolean', key, value, 'expected true or false');
      if (value === on) m.flags |= bit;
      m.change |= bit;
    }
    if (m.change === 0) { delete m.flags; delete m.change; }
    if (s.broadcast !== undefined) { parseMac(s.broadcast, 'broadcast'); m.broadcast = s.broadcast.toLowerCase(); }
    if (s.group !== undefined) m.group = v.u32(s.group, 'group');
    if (s.carrier !== undefined) {
      check(typeof s.carrier === 'boolean', 'carrier', s.carrier, 'expected true or false');
      m.carrier = s.carrier ? 1 : 0;
    }
    if (s.bridgePort !== undefined) m.linkInfo = { kind: 'bridge_slave', slaveData: bridgePortData(s.bridgePort) };
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
    let target = s.namespace as Namespace | undefined;
    if (s.namespace !== undefined && !isNamespace(s.namespace)) {
      // `netns PID` / `netns FD`: the request carries them as given; a handle
      // opened on the same namespace finds the link there afterwards.
      const { Namespace: Ns } = await import('../namespace');
      const byPid = s.namespace as { pid?: unknown; fd?: unknown };
      if (byPid.pid !== undefined) {
        check(Number.isInteger(byPid.pid) && (byPid.pid as number) > 0, 'namespace.pid', byPid.pid, 'expected a process id');
        m.netnsPid = byPid.pid as number;
        target = await Ns.fromPid(m.netnsPid);
      } else {
        check(Number.isInteger(byPid.fd) && (byPid.fd as number) >= 0, 'namespace', s.namespace, 'expected a Namespace, { fd } or { pid }');
        m.netnsFd = byPid.fd as number;
        target = await Ns.open(`/proc/self/fd/${m.netnsFd}`);
      }
    } else if (target !== undefined && target !== this.ns) m.netnsFd = target.fd;
    const what = `link ${named ?? describe(ref)} in ${this.ns}`;
    // The index may change in the new namespace; the name is what survives the move.
    const movedName = m.name ?? named ?? (typeof ref === 'string' ? ref : undefined);
    if ((m.netnsFd !== undefined || m.netnsPid !== undefined) && movedName === undefined) {
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

/** LinkSettings that are IFF_* bits: [setting, bit, the value that sets the bit]. */
const FLAG_SETTINGS: ['up' | 'promisc' | 'arp' | 'multicast' | 'allmulti', number, boolean][] = [
  ['up', C.IFF_UP, true], ['promisc', C.IFF_PROMISC, true], ['arp', C.IFF_NOARP, false],
  ['multicast', C.IFF_MULTICAST, true], ['allmulti', C.IFF_ALLMULTI, true],
];

function bridgePortData(p: BridgePortData): RawAttribute[] {
  check(typeof p === 'object' && p !== null, 'bridgePort', p, 'expected an object of bridge port options');
  for (const key of ['learning', 'flood', 'mcastFlood', 'bcastFlood', 'hairpin', 'isolated', 'guard'] as const) {
    if (p[key] !== undefined) check(typeof p[key] === 'boolean', `bridgePort.${key}`, p[key], 'expected true or false');
  }
  if (p.cost !== undefined) v.u32(p.cost, 'bridgePort.cost');
  if (p.priority !== undefined) {
    check(Number.isInteger(p.priority), 'bridgePort.priority', p.priority, 'expected an integer');
    checkRange(p.priority >= 0 && p.priority <= 63, 'bridgePort.priority', p.priority, 'port priority is 0..63');
  }
  if (p.state !== undefined) {
    check(['disabled', 'listening', 'learning', 'forwarding', 'blocking'].includes(p.state as string), 'bridgePort.state', p.state,
      'expected disabled, listening, learning, forwarding or blocking');
  }
  return encodeBridgePortData(p);
}

/** txqlen and alias as given at creation. */
function commonExtras(o: { txqlen?: number; alias?: string }): LinkMessage {
  const m: LinkMessage = {};
  if (o.txqlen !== undefined) m.txqlen = v.u32(o.txqlen, 'txqlen');
  if (o.alias !== undefined) { check(typeof o.alias === 'string', 'alias', o.alias, 'expected a string'); m.alias = o.alias; }
  return m;
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
