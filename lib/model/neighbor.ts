// Neighbours and the bridge forwarding database: the verbs of `ip neigh`
// (ns.neighbors) and `bridge fdb` (ns.fdb), over the one RTM_*NEIGH message
// (<linux/neighbour.h>), with iproute2's defaults (ip/ipneigh.c, bridge/fdb.c).
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeNeighbor, encodeNeighbor, NeighborMessage } from '../rtnl/neighbor';
import { check, checkRange } from '../errors';
import { afOf, Family, familyOfAf, parseIp, parseMac } from '../inet';
import { NEIGHBOR_STATES, NeighborStateName, ProtocolName, protocols } from '../names';
import * as v from '../validate';
import type { CallOptions } from '../connection';
import type { LinkRef } from './link';
import { named } from './route';

/** NTF_* flags as `ip neigh` and `bridge fdb` name them. */
const NEIGHBOR_FLAGS: [string, number][] = [
  ['self', C.NTF_SELF], ['router', C.NTF_ROUTER], ['extern_learn', C.NTF_EXT_LEARNED],
  ['offload', C.NTF_OFFLOADED], ['master', C.NTF_MASTER], ['sticky', C.NTF_STICKY], ['proxy', C.NTF_PROXY],
];

export function neighborStateNames(state: number): NeighborStateName[] {
  return NEIGHBOR_STATES.filter(([, bit]) => state & bit).map(([n]) => n);
}

function stateNumber(name: string, field: string): number {
  const upper = typeof name === 'string' ? name.toUpperCase() : name;
  if (upper === 'NONE') return C.NUD_NONE;
  const found = NEIGHBOR_STATES.find(([n]) => n === upper);
  check(found !== undefined, field, name, `expected one of ${NEIGHBOR_STATES.map(([n]) => n.toLowerCase()).join(', ')}, none`);
  return found[1];
}

// --- ip neigh -------------------------------------------------------------------

export interface Neighbor {
  readonly family: Family;
  /** The neighbour's IP address. */
  readonly to: string;
  readonly dev: number;
  readonly devName?: string;
  /** Link-layer address; absent for INCOMPLETE/FAILED entries and proxies. */
  readonly lladdr?: string;
  /** NUD_* bits, and their names (['REACHABLE'], ['PERMANENT'] …). */
  readonly state: number;
  readonly states: NeighborStateName[];
  readonly router: boolean;
  /** A proxy ARP/NDP entry (`ip neigh add proxy …`). */
  readonly proxy: boolean;
  readonly externLearn: boolean;
  /** NTF_EXT_MANAGED (`managed`): the kernel keeps it resolved. */
  readonly managed: boolean;
  readonly flags: number;
  readonly protocol?: ProtocolName | number;
  readonly probes?: number;
  /** Ages in seconds (NDA_CACHEINFO, USER_HZ ticks / 100). */
  readonly used?: number;
  readonly confirmed?: number;
  readonly updated?: number;
  readonly refcnt?: number;
  readonly raw: NeighborMessage;
  /** The object `ip -j neigh show` prints for this entry. */
  toJSON(): Record<string, unknown>;
}

export interface NeighborSpec {
  /** The neighbour's IP address. */
  to: string;
  dev: LinkRef;
  lladdr?: string;
  /** NUD state; 'permanent' by default like `ip neigh add`. */
  state?: NeighborStateName | Lowercase<NeighborStateName> | 'none';
  router?: boolean;
  /** A proxy entry: answer ARP/NDP for `to` on `dev`. */
  proxy?: boolean;
  externLearn?: boolean;
  managed?: boolean;
  protocol?: ProtocolName | number;
}

export interface NeighborFilter extends CallOptions {
  family?: Family;
  /** Filtered in the kernel (NDA_IFINDEX). */
  dev?: LinkRef;
  /** Only entries of devices enslaved to this master (NDA_MASTER). */
  master?: LinkRef;
  /** List proxy entries instead (`ip neigh show proxy`). */
  proxy?: boolean;
  /** Keep only entries in one of these states; like `ip neigh show`, NOARP and NONE entries are left out unless asked for. */
  states?: (NeighborStateName | 'NONE')[] | 'all';
  names?: boolean;
}

const HZ = 100; // USER_HZ: NDA_CACHEINFO ages are clock_t

function neighborJson(n: Neighbor): Record<string, unknown> {
  const j: Record<string, unknown> = { dst: n.to, dev: n.devName ?? `if${n.dev}` };
  if (n.lladdr !== undefined) j.lladdr = n.lladdr;
  if (n.router) j.router = null;
  if (n.proxy) j.proxy = null;
  if (n.externLearn) j.extern_learn = null;
  if (n.flags & C.NTF_OFFLOADED) j.offload = null;
  if (n.managed) j.managed = null;
  if (n.raw.protocol !== undefined) j.protocol = String(n.protocol);
  if (n.state) j.state = n.states;
  return j;
}

/** The public Neighbor for a decoded RTM_NEWNEIGH/DELNEIGH of family inet/inet6 (also for notifications). */
export function toNeighbor(m: NeighborMessage, names?: Map<number, string>): Neighbor {
  const ci = m.cacheinfo;
  const n: Neighbor = {
    family: familyOfAf(m.family) ?? 4, to: m.dst ?? '', dev: m.ifindex, devName: names?.get(m.ifindex),
    lladdr: m.lladdr, state: m.state, states: neighborStateNames(m.state),
    router: (m.flags & C.NTF_ROUTER) !== 0, proxy: (m.flags & C.NTF_PROXY) !== 0,
    externLearn: (m.flags & C.NTF_EXT_LEARNED) !== 0, managed: ((m.flagsExt ?? 0) & C.NTF_EXT_MANAGED) !== 0,
    flags: m.flags, protocol: m.protocol === undefined ? undefined : protocols.name(m.protocol), probes: m.probes,
    used: ci && ci.used / HZ, confirmed: ci && ci.confirmed / HZ, updated: ci && ci.updated / HZ, refcnt: ci?.refcnt,
    raw: m,
    toJSON() { return neighborJson(this); },
  };
  for (const k of Object.keys(n) as (keyof Neighbor)[]) if (n[k] === undefined) delete (n as unknown as Record<string, unknown>)[k];
  return n;
}

/** `ip neigh` for one namespace: ns.neighbors. */
export class NeighborTable {
  constructor(private readonly ns: Namespace) {}

  /** `ip neigh add`: fails with EEXIST if the entry exists. */
  add(spec: NeighborSpec, options: CallOptions = {}): Promise<Neighbor> {
    return this.write(C.RTM_NEWNEIGH, C.NLM_F_CREATE | C.NLM_F_EXCL, 'neigh.add', spec, options);
  }
  /** `ip neigh replace`: creates or overwrites. */
  replace(spec: NeighborSpec, options: CallOptions = {}): Promise<Neighbor> {
    return this.write(C.RTM_NEWNEIGH, C.NLM_F_CREATE | C.NLM_F_REPLACE, 'neigh.replace', spec, options);
  }
  /** `ip neigh change`: overwrites an existing entry. */
  change(spec: NeighborSpec, options: CallOptions = {}): Promise<Neighbor> {
    return this.write(C.RTM_NEWNEIGH, C.NLM_F_REPLACE, 'neigh.change', spec, options);
  }
  async delete(spec: Pick<NeighborSpec, 'to' | 'dev' | 'proxy'> | Neighbor, options: CallOptions = {}): Promise<void> {
    const s = 'raw' in spec ? { to: spec.to, dev: spec.dev, proxy: spec.proxy } : spec;
    await this.write(C.RTM_DELNEIGH, 0, 'neigh.delete', s, options);
  }

  /** One entry, like `ip neigh get ADDR dev DEV` (RTM_GETNEIGH without a dump). */
  async get(to: string, dev: LinkRef, options: CallOptions & { proxy?: boolean } = {}): Promise<Neighbor> {
    const ip = parseIp(to, 'to');
    const ifindex = await this.ns.linkIndex(dev, 'dev');
    const [reply] = await this.ns.connection.request(encodeNeighbor(C.RTM_GETNEIGH, C.NLM_F_REQUEST, {
      family: afOf(ip.family), ifindex, state: 0, flags: options.proxy ? C.NTF_PROXY : 0, type: 0, dst: to,
    }), { operation: 'neigh.get', target: `${to} dev ${dev} in ${this.ns}` }, options);
    return toNeighbor(decodeNeighbor(reply), await this.ns.links.names(options));
  }

  /** `ip neigh show`; the kernel filters by family, device, master and proxy (strict checking). */
  async list(filter: NeighborFilter = {}): Promise<Neighbor[]> {
    if (filter.family !== undefined) check(filter.family === 4 || filter.family === 6, 'family', filter.family, 'expected 4 or 6');
    let stateMask: number | undefined;
    if (filter.states !== undefined && filter.states !== 'all') {
      check(Array.isArray(filter.states), 'states', filter.states, 'expected an array of state names or "all"');
      stateMask = filter.states.reduce((acc, s) => acc | (stateNumber(s, 'states') || 0x10000 /* NONE */), 0);
    }
    const req = encodeNeighbor(C.RTM_GETNEIGH, C.NLM_F_REQUEST | C.NLM_F_DUMP, {
      family: filter.family ? afOf(filter.family) : C.AF_UNSPEC, ifindex: 0, state: 0,
      flags: filter.proxy ? C.NTF_PROXY : 0, type: 0,
      via: filter.dev === undefined ? undefined : await this.ns.linkIndex(filter.dev, 'dev'),
      master: filter.master === undefined ? undefined : await this.ns.linkIndex(filter.master, 'master'),
    });
    const names = filter.names === false ? undefined : await this.ns.links.names(filter);
    const out: Neighbor[] = [];
    for (const msg of await this.ns.connection.dumpAll(req, { operation: 'neigh.list' }, filter)) {
      const m = decodeNeighbor(msg);
      if (m.family !== C.AF_INET && m.family !== C.AF_INET6) continue;
      if (!filter.proxy) {
        if (stateMask !== undefined ? !(m.state & stateMask || (m.state === 0 && stateMask & 0x10000))
          : filter.states !== 'all' && (m.state === C.NUD_NONE || m.state & C.NUD_NOARP)) continue;
      }
      out.push(toNeighbor(m, names));
    }
    return out;
  }

  /**
   * `ip neigh flush`: deletes the listed entries; like ip, PERMANENT and NOARP
   * entries stay unless `states` names them (or is 'all'). Returns how many.
   */
  async flush(filter: NeighborFilter = {}): Promise<number> {
    const entries = (await this.list({ ...filter, names: false }))
      .filter((n) => filter.states !== undefined || !(n.state & (C.NUD_PERMANENT | C.NUD_NOARP)));
    await Promise.all(entries.map((n) => this.delete(n, filter).catch((e: { code?: string }) => {
      if (e.code !== 'ENOENT') throw e; // expired meanwhile
    })));
    return entries.length;
  }

  private async write(type: number, flags: number, operation: string, spec: NeighborSpec, options: CallOptions): Promise<Neighbor> {
    check(typeof spec === 'object' && spec !== null, 'neighbor', spec, 'expected { to, dev, lladdr? … }');
    const ip = parseIp(spec.to, 'to');
    check(spec.dev !== undefined, 'dev', spec.dev, 'a neighbour entry needs a device');
    const m: NeighborMessage = {
      family: afOf(ip.family), ifindex: await this.ns.linkIndex(spec.dev, 'dev'),
      state: spec.state === undefined ? C.NUD_PERMANENT : stateNumber(spec.state, 'state'),
      flags: (spec.router ? C.NTF_ROUTER : 0) | (spec.proxy ? C.NTF_PROXY : 0) | (spec.externLearn ? C.NTF_EXT_LEARNED : 0),
      type: 0, dst: spec.to,
    };
    if (spec.lladdr !== undefined) m.lladdr = formatLladdr(spec.lladdr, 'lladdr');
    if (spec.managed) m.flagsExt = C.NTF_EXT_MANAGED;
    if (spec.protocol !== undefined) m.protocol = named(spec.protocol, protocols, 'protocol');
    const target = `${spec.to} dev ${typeof spec.dev === 'object' ? spec.dev.name : spec.dev} in ${this.ns}`;
    await this.ns.connection.request(encodeNeighbor(type, C.NLM_F_REQUEST | flags, m), { operation, target }, options);
    return toNeighbor(m);
  }
}

/** Link-layer addresses: a MAC, or any colon-separated bytes (e.g. an IPv4 address of a tunnel as 4 bytes). */
function formatLladdr(text: unknown, field: string): string {
  check(typeof text === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){0,31}$/i.test(text), field, text,
    'expected a link-layer address such as "02:00:00:00:00:01"');
  return text.toLowerCase();
}

// --- bridge fdb -----------------------------------------------------------------

export interface FdbEntry {
  readonly mac: string;
  /** The port (or VXLAN device) the entry belongs to. */
  readonly dev: number;
  readonly devName?: string;
  /** The bridge (NDA_MASTER) of a master entry. */
  readonly master?: number;
  readonly masterName?: string;
  /** VXLAN remote. */
  readonly dst?: string;
  readonly vni?: number;
  readonly port?: number;
  readonly vlan?: number;
  readonly srcVni?: number;
  /** VXLAN: the remote's outgoing device (NDA_IFINDEX). */
  readonly via?: number;
  readonly nhid?: number;
  /** 'permanent' (NUD_PERMANENT), 'static' (NUD_NOARP), 'stale', or '' for a learned (reachable) entry. */
  readonly state: 'permanent' | 'static' | 'stale' | '' | number;
  readonly self: boolean;
  readonly sticky: boolean;
  readonly externLearn: boolean;
  readonly flags: number;
  readonly raw: NeighborMessage;
  /** The object `bridge -j fdb show` prints for this entry. */
  toJSON(): Record<string, unknown>;
}

export interface FdbSpec {
  mac: string;
  /** A bridge port or a VXLAN device. */
  dev: LinkRef;
  /** Put the entry in the device itself (`self`, the default for VXLAN) or its bridge (`master`). */
  self?: boolean;
  master?: boolean;
  /** 'permanent' (the default, as for `bridge fdb add`), 'static' or 'dynamic'. */
  state?: 'permanent' | 'static' | 'dynamic';
  sticky?: boolean;
  externLearn?: boolean;
  vlan?: number;
  /** VXLAN remote IP, VNI, UDP port, source VNI and outgoing device. */
  dst?: string;
  vni?: number;
  port?: number;
  srcVni?: number;
  via?: LinkRef;
  nhid?: number;
}

export interface FdbFilter extends CallOptions {
  /** Entries of this bridge's ports (`bridge fdb show br BR`), filtered in the kernel. */
  bridge?: LinkRef;
  /** Entries of this port/device (`brport`/`dev`), filtered in the kernel. */
  dev?: LinkRef;
  names?: boolean;
}

function fdbState(state: number): FdbEntry['state'] {
  if (state & C.NUD_PERMANENT) return 'permanent';
  if (state & C.NUD_NOARP) return 'static';
  if (state & C.NUD_STALE) return 'stale';
  if (state & C.NUD_REACHABLE) return '';
  return state;
}

function fdbJson(e: FdbEntry): Record<string, unknown> {
  const m = e.raw;
  const j: Record<string, unknown> = { mac: e.mac, ifname: e.devName ?? `if${e.dev}` };
  if (m.dst !== undefined) j.dst = m.dst;
  if (m.vlan !== undefined) j.vlan = m.vlan;
  if (m.port !== undefined) j.port = m.port;
  if (m.vni !== undefined) j.vni = m.vni;
  if (m.srcVni !== undefined) j.src_vni = m.srcVni;
  if (m.via !== undefined) j.via = `if${m.via}`;
  if (m.nhId !== undefined) j.nhid = m.nhId;
  if (m.linkNetnsId !== undefined) j.linkNetNsId = m.linkNetnsId;
  j.flags = NEIGHBOR_FLAGS.filter(([n, bit]) => n !== 'proxy' && m.flags & bit).map(([n]) => n);
  if (m.master !== undefined) j.master = e.masterName ?? `if${m.master}`;
  if (m.state) j.state = typeof e.state === 'number' ? `state=${e.state.toString(16)}` : e.state;
  return j;
}

/** The public FdbEntry for a decoded AF_BRIDGE RTM_NEWNEIGH/DELNEIGH (also for notifications). */
export function toFdbEntry(m: NeighborMessage, names?: Map<number, string>): FdbEntry {
  const e: FdbEntry = {
    mac: m.lladdr ?? '', dev: m.ifindex, devName: names?.get(m.ifindex), master: m.master,
    masterName: m.master === undefined ? undefined : names?.get(m.master),
    dst: m.dst, vni: m.vni, port: m.port, vlan: m.vlan, srcVni: m.srcVni, via: m.via, nhid: m.nhId,
    state: fdbState(m.state), self: (m.flags & C.NTF_SELF) !== 0, sticky: (m.flags & C.NTF_STICKY) !== 0,
    externLearn: (m.flags & C.NTF_EXT_LEARNED) !== 0, flags: m.flags, raw: m,
    toJSON() { return fdbJson(this); },
  };
  for (const k of Object.keys(e) as (keyof FdbEntry)[]) if (e[k] === undefined) delete (e as unknown as Record<string, unknown>)[k];
  return e;
}

/** `bridge fdb` for one namespace: ns.fdb. */
export class FdbTable {
  constructor(private readonly ns: Namespace) {}

  /** `bridge fdb add`. */
  add(spec: FdbSpec, options: CallOptions = {}): Promise<FdbEntry> {
    return this.write(C.RTM_NEWNEIGH, C.NLM_F_CREATE | C.NLM_F_EXCL, 'fdb.add', spec, options);
  }
  /** `bridge fdb append`: another remote for the same MAC (VXLAN head-end replication). */
  append(spec: FdbSpec, options: CallOptions = {}): Promise<FdbEntry> {
    return this.write(C.RTM_NEWNEIGH, C.NLM_F_CREATE | C.NLM_F_APPEND, 'fdb.append', spec, options);
  }
  /** `bridge fdb replace`. */
  replace(spec: FdbSpec, options: CallOptions = {}): Promise<FdbEntry> {
    return this.write(C.RTM_NEWNEIGH, C.NLM_F_CREATE | C.NLM_F_REPLACE, 'fdb.replace', spec, options);
  }
  /** `bridge fdb del`. */
  async delete(spec: FdbSpec | FdbEntry, options: CallOptions = {}): Promise<void> {
    const s: FdbSpec = 'raw' in spec
      ? {
        mac: spec.mac, dev: spec.dev, self: spec.self, master: !spec.self, vlan: spec.vlan, dst: spec.dst, vni: spec.vni,
        port: spec.port, srcVni: spec.srcVni, via: spec.via,
      }
      : spec;
    await this.write(C.RTM_DELNEIGH, 0, 'fdb.delete', s, options);
  }

  /** `bridge fdb show [br BR] [brport DEV]`. */
  async list(filter: FdbFilter = {}): Promise<FdbEntry[]> {
    const req = encodeNeighbor(C.RTM_GETNEIGH, C.NLM_F_REQUEST | C.NLM_F_DUMP, {
      family: C.AF_BRIDGE, ifindex: filter.dev === undefined ? 0 : await this.ns.linkIndex(filter.dev, 'dev'),
      state: 0, flags: 0, type: 0,
      master: filter.bridge === undefined ? undefined : await this.ns.linkIndex(filter.bridge, 'bridge'),
    });
    const names = filter.names === false ? undefined : await this.ns.links.names(filter);
    return (await this.ns.connection.dumpAll(req, { operation: 'fdb.list' }, filter))
      .map((msg) => decodeNeighbor(msg)).filter((m) => m.family === C.AF_BRIDGE).map((m) => toFdbEntry(m, names));
  }

  private async write(type: number, flags: number, operation: string, spec: FdbSpec, options: CallOptions): Promise<FdbEntry> {
    check(typeof spec === 'object' && spec !== null, 'fdb', spec, 'expected { mac, dev, … }');
    const mac = parseMac(spec.mac, 'mac');
    check(spec.dev !== undefined, 'dev', spec.dev, 'an FDB entry needs a device');
    // bridge/fdb.c: NUD_NOARP to start with; `permanent` (also the default)
    // adds NUD_PERMANENT, `static` NUD_REACHABLE, `dynamic` is NUD_REACHABLE alone.
    const state = spec.state === undefined || spec.state === 'permanent' ? C.NUD_NOARP | C.NUD_PERMANENT
        : spec.state === 'static' ? C.NUD_NOARP | C.NUD_REACHABLE
          : spec.state === 'dynamic' ? C.NUD_REACHABLE : undefined;
    check(state !== undefined, 'state', spec.state, 'expected "permanent", "static" or "dynamic"');
    // bridge/fdb.c: neither self nor master means self.
    let flags8 = (spec.self ? C.NTF_SELF : 0) | (spec.master ? C.NTF_MASTER : 0);
    if (!flags8) flags8 = C.NTF_SELF;
    if (spec.sticky) flags8 |= C.NTF_STICKY;
    if (spec.externLearn) flags8 |= C.NTF_EXT_LEARNED;
    const m: NeighborMessage = {
      family: C.AF_BRIDGE, ifindex: await this.ns.linkIndex(spec.dev, 'dev'), state: type === C.RTM_DELNEIGH ? 0 : state,
      flags: flags8, type: 0, lladdr: [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    };
    if (spec.dst !== undefined) m.dst = parseIp(spec.dst, 'dst') && spec.dst;
    if (spec.vlan !== undefined) {
      checkRange(Number.isInteger(spec.vlan) && spec.vlan >= 1 && spec.vlan <= 4094, 'vlan', spec.vlan, 'VLAN ids are 1..4094');
      m.vlan = spec.vlan;
    }
    if (spec.port !== undefined) {
      checkRange(Number.isInteger(spec.port) && spec.port >= 0 && spec.port <= 65535, 'port', spec.port, 'ports are 0..65535');
      m.port = spec.port;
    }
    if (spec.vni !== undefined) {
      checkRange(Number.isInteger(spec.vni) && spec.vni >= 0 && spec.vni < 1 << 24, 'vni', spec.vni, 'VNIs are 0..16777215');
      m.vni = spec.vni;
    }
    if (spec.srcVni !== undefined) {
      checkRange(Number.isInteger(spec.srcVni) && spec.srcVni >= 0 && spec.srcVni < 1 << 24, 'srcVni', spec.srcVni, 'VNIs are 0..16777215');
      m.srcVni = spec.srcVni;
    }
    if (spec.via !== undefined) m.via = await this.ns.linkIndex(spec.via, 'via');
    if (spec.nhid !== undefined) m.nhId = v.u32(spec.nhid, 'nhid');
    const target = `${spec.mac} dev ${typeof spec.dev === 'object' ? spec.dev.name : spec.dev} in ${this.ns}`;
    await this.ns.connection.request(encodeNeighbor(type, C.NLM_F_REQUEST | flags, m), { operation, target }, options);
    return toFdbEntry(m);
  }
}
