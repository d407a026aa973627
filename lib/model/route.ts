// Route: one routing table entry, and the verbs of `ip route` (ns.routes),
// filling in iproute2's defaults so a call behaves like the command.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeRoute, encodeRoute, NexthopMessage, RouteMessage, ViaMessage } from '../rtnl/route';
import { check, checkRange, describe } from '../errors';
import { afOf, Family, familyOfAf, formatIp, networkOf, parseIp, parsePrefix } from '../inet';
import {
  NameTable, ProtocolName, ROUTE_METRICS, RouteMetricName, RoutePrefName, routePrefs, RouteTypeName, routeTypes,
  ScopeName, scopes, TableName, tables, protocols,
} from '../names';
import * as v from '../validate';
import type { CallOptions } from '../connection';
import type { LinkRef } from './link';

/** Route metrics by `ip route` name; `congctl` is a string, the rest numbers. */
export type RouteMetrics = Partial<Record<Exclude<RouteMetricName, 'congctl'>, number>> & { congctl?: string };

export interface RouteNexthop {
  via?: string;
  dev: number;
  /** Device name, when the route was read with names resolved (list/get). */
  devName?: string;
  weight: number;
  /** RTNH_F_* bits ('onlink', 'dead', 'linkdown' …). */
  flags: number;
}

export interface Route {
  readonly family: Family;
  /** 'default' or 'ADDR/LEN' (host routes print as 'ADDR/32' here, unlike `ip`, to stay unambiguous). */
  readonly to: string;
  /** Source prefix (`ip route … from`), RTA_SRC + rtm_src_len. */
  readonly from?: string;
  /** Gateway of the route's own family (RTA_GATEWAY), or of another (RTA_VIA, e.g. IPv6 for IPv4). */
  readonly via?: string;
  /** Output interface index. */
  readonly dev?: number;
  /** Output interface name, when the route was read with names resolved (list/get). */
  readonly devName?: string;
  /** Preferred source (RTA_PREFSRC). */
  readonly src?: string;
  readonly metric?: number;
  readonly table: TableName | number;
  readonly protocol: ProtocolName | number;
  readonly scope: ScopeName | number;
  readonly type: RouteTypeName | number;
  readonly tos: number;
  /** RTNH_F_* / RTM_F_* bits. */
  readonly flags: number;
  readonly metrics?: RouteMetrics;
  /** Metrics whose value is locked (RTAX_LOCK bits: `mtu lock 1400`). */
  readonly locked?: RouteMetricName[];
  /** IPv6 router preference (RTA_PREF). */
  readonly pref?: RoutePrefName | number;
  /** Nexthop object id (RTA_NH_ID): the route uses `ns.nexthops` entry `nhid`. */
  readonly nhid?: number;
  readonly multipath?: RouteNexthop[];
  /** Seconds until an IPv6 route expires (RTA_EXPIRES). */
  readonly expires?: number;
  readonly mark?: number;
  readonly uid?: number;
  readonly iif?: number;
  readonly raw: RouteMessage;
  /** The object `ip -j route show table all` prints for this route. */
  toJSON(): Record<string, unknown>;
}

export interface RouteNexthopSpec {
  via?: string;
  /** An IPv6 gateway for a hop of an IPv4 route (RTA_VIA), like `nexthop via inet6 ADDR`. */
  viaInet6?: string;
  dev?: LinkRef;
  /** 1..256, like `nexthop … weight N`; 1 by default. */
  weight?: number;
  onlink?: boolean;
}

export interface RouteSpec {
  /** 'default', 'ADDR/LEN' or a bare address (a host route). */
  to: string;
  /** Gateway, of the route's own family. */
  via?: string;
  /** An IPv6 gateway for an IPv4 route (RFC 5549, RTA_VIA), like `ip route add … via inet6 ADDR`. */
  viaInet6?: string;
  dev?: LinkRef;
  src?: string;
  /** Source prefix ('ADDR/LEN'), IPv6 source routing: `ip -6 route add … from`. */
  from?: string;
  metric?: number;
  table?: TableName | number;
  scope?: ScopeName | number;
  type?: RouteTypeName;
  protocol?: ProtocolName | number;
  /** 4 or 6; needed only for 'default' without a `via` to tell the family. */
  family?: Family;
  onlink?: boolean;
  tos?: number;
  metrics?: RouteMetrics;
  /** Metrics to lock (`mtu lock 1400`). */
  lock?: RouteMetricName[];
  /** IPv6 only: RFC 4191 preference. */
  pref?: RoutePrefName;
  /** ECMP: `nexthop via A weight 2 nexthop via B`. */
  nexthops?: RouteNexthopSpec[];
  /** Use a nexthop object (`ip route add … nhid N`). */
  nhid?: number;
  /** IPv6 only: lifetime in seconds (`expires N`). */
  expires?: number;
}

export interface RouteFilter extends CallOptions {
  /** A table, or 'all'; 'main' by default like `ip route show`. */
  table?: TableName | number | 'all';
  family?: Family;
  /** Filtered in the kernel (strict checking). */
  protocol?: ProtocolName | number;
  /** Filtered in the kernel (strict checking). */
  type?: RouteTypeName;
  /** Output device, filtered in the kernel (RTA_OIF). */
  dev?: LinkRef;
  /** Resolve device names (devName) with one link dump; true by default. */
  names?: boolean;
}

export interface RouteLookup extends CallOptions {
  from?: string;
  iif?: LinkRef;
  oif?: LinkRef;
  mark?: number;
  tos?: number;
  uid?: number;
  /** IP protocol number and ports, for policy routing on them (`ipproto`, `sport`, `dport`). */
  ipproto?: number;
  sport?: number;
  dport?: number;
  /** Return the matching FIB entry instead of the resolved route (`ip route get fibmatch`). */
  fibmatch?: boolean;
}

/** Resolves a name or number through `map`, naming the field in the error. */
export function named<T extends string>(value: T | number, map: Pick<NameTable<T>, 'number' | 'names'>, field: string, max = 255): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? map.number(value) ?? (/^\d+$/.test(value) ? Number(value) : undefined) : undefined;
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) {
    throw new TypeError(`${field}: expected one of ${map.names.join(', ')} or a number 0..${max}, got ${describe(value)}`);
  }
  return n;
}

const METRIC_NAMES = Object.entries(ROUTE_METRICS) as [RouteMetricName, number][];
const METRIC_BY_NUMBER = new Map(METRIC_NAMES.map(([n, x]) => [x, n]));

/** RTNH_F_* / RTM_F_* as `ip route` prints them (print_rt_flags in ip/iproute.c). */
const ROUTE_FLAG_NAMES: [string, number][] = [
  ['dead', C.RTNH_F_DEAD], ['onlink', C.RTNH_F_ONLINK], ['pervasive', C.RTNH_F_PERVASIVE],
  ['offload', C.RTNH_F_OFFLOAD], ['trap', C.RTNH_F_TRAP], ['notify', C.RTM_F_NOTIFY],
  ['linkdown', C.RTNH_F_LINKDOWN], ['unresolved', C.RTNH_F_UNRESOLVED], ['rt_offload', C.RTM_F_OFFLOAD],
  ['rt_trap', C.RTM_F_TRAP], ['rt_offload_failed', C.RTM_F_OFFLOAD_FAILED],
];
export function routeFlagNames(flags: number): string[] {
  return ROUTE_FLAG_NAMES.filter(([, bit]) => flags & bit).map(([n]) => n);
}

function hostOrPrefix(addr: string | undefined, len: number, family: Family): string {
  const max = family === 4 ? 32 : 128;
  if (addr === undefined) return len === 0 ? 'default' : `0/${len}`;
  return len === max ? addr : `${addr}/${len}`;
}

/** `ip -j route` JSON for a route (print_route in ip/iproute.c, without -d). */
function routeJson(r: Route): Record<string, unknown> {
  const m = r.raw;
  const j: Record<string, unknown> = {};
  const dev = (index: number, name?: string) => name ?? `if${index}`;
  if (m.type !== C.RTN_UNICAST) j.type = String(r.type);
  j.dst = hostOrPrefix(m.dst, m.dstLength, r.family);
  if (m.src !== undefined || m.srcLength) j.from = hostOrPrefix(m.src, m.srcLength, r.family);
  if (m.nhId !== undefined) j.nhid = m.nhId;
  if (m.tos) j.tos = `0x${m.tos.toString(16).padStart(2, '0')}`;
  if (m.gateway !== undefined) j.gateway = m.gateway;
  if (m.via !== undefined) j.via = { family: m.via.family === C.AF_INET6 ? 'inet6' : m.via.family === C.AF_INET ? 'inet' : m.via.family, host: m.via.address };
  if (m.oif !== undefined) j.dev = dev(m.oif, r.devName);
  if (m.table !== C.RT_TABLE_MAIN) j.table = String(r.table);
  if (!(m.flags & C.RTM_F_CLONED)) {
    if (m.protocol !== C.RTPROT_BOOT) j.protocol = String(r.protocol);
    if (m.scope !== C.RT_SCOPE_UNIVERSE) j.scope = String(r.scope);
  }
  if (m.prefsrc !== undefined) j.prefsrc = m.prefsrc;
  if (m.priority !== undefined) j.metric = m.priority;
  j.flags = routeFlagNames(m.flags);
  if (m.mark !== undefined) j.mark = m.mark;
  if (m.uid !== undefined) j.uid = m.uid;
  if (m.flags & C.RTM_F_CLONED) j.cache = [];
  const expires = cacheExpires(m);
  if (expires !== undefined && (r.family === 6 || m.flags & C.RTM_F_CLONED)) j.expires = expires;
  if (r.metrics && Object.keys(r.metrics).length) {
    const mj: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(r.metrics)) mj[name === 'congctl' ? 'congestion' : name] = value;
    j.metrics = [mj];
  }
  if (m.iif !== undefined) j.iif = `if${m.iif}`;
  if (r.multipath) {
    j.nexthops = r.multipath.map((nh) => ({
      ...(nh.via !== undefined ? { gateway: nh.via } : {}), dev: dev(nh.dev, nh.devName), weight: nh.weight,
      flags: routeFlagNames(nh.flags),
    }));
  }
  if (m.pref !== undefined) j.pref = String(r.pref);
  return j;
}

/**
 * Seconds until expiry from RTA_CACHEINFO (struct rta_cacheinfo, rta_expires in
 * clock_t at byte 8): the kernel reports a route's lifetime there, never in
 * RTA_EXPIRES, which only sets it.
 */
function cacheExpires(m: RouteMessage): number | undefined {
  const ci = m.unknown?.find((a) => (a.type & C.NLA_TYPE_MASK) === C.RTA_CACHEINFO);
  if (!ci || ci.data.length < 12) return undefined;
  const ticks = ci.data.readInt32LE(8);
  return ticks === 0 ? undefined : Math.trunc(ticks / 100);
}

/** The public Route for a decoded RTM_NEWROUTE/DELROUTE (also for notifications); `names` maps ifindex → name. */
export function toRoute(m: RouteMessage, names?: Map<number, string>): Route {
  const family = familyOfAf(m.family) ?? 4;
  const to = m.dst === undefined && m.dstLength === 0 ? 'default' : `${m.dst ?? (family === 4 ? '0.0.0.0' : '::')}/${m.dstLength}`;
  let metrics: RouteMetrics | undefined;
  let locked: RouteMetricName[] | undefined;
  if (m.metrics) {
    metrics = {};
    for (const [k, value] of Object.entries(m.metrics)) {
      const n = Number(k);
      if (n === C.RTAX_LOCK && typeof value === 'number') {
        locked = METRIC_NAMES.filter(([, bit]) => value & (1 << bit)).map(([name]) => name);
        continue;
      }
      const name = METRIC_BY_NUMBER.get(n);
      if (name) (metrics as Record<string, unknown>)[name] = value;
    }
  }
  // Only the defined fields become properties, in this order. (Deleting the
  // undefined ones afterwards turned every Route into a slow dictionary-mode
  // object: a third of the time of a 10,000-route dump.)
  const r: Record<string, unknown> = { family, to };
  const put = (k: string, v: unknown): void => { if (v !== undefined) r[k] = v; };
  put('from', m.src !== undefined || m.srcLength ? `${m.src ?? (family === 4 ? '0.0.0.0' : '::')}/${m.srcLength}` : undefined);
  put('via', m.gateway ?? m.via?.address);
  put('dev', m.oif);
  put('devName', m.oif === undefined ? undefined : names?.get(m.oif));
  put('src', m.prefsrc);
  put('metric', m.priority);
  put('table', tables.name(m.table));
  put('protocol', protocols.name(m.protocol));
  put('scope', scopes.name(m.scope));
  put('type', routeTypes.name(m.type));
  put('tos', m.tos);
  put('flags', m.flags);
  put('metrics', metrics);
  put('locked', locked);
  put('pref', m.pref === undefined ? undefined : routePrefs.name(m.pref));
  put('nhid', m.nhId);
  put('multipath', m.multipath?.map((nh) => ({
    via: nh.gateway ?? nh.via?.address, dev: nh.index, devName: names?.get(nh.index), weight: nh.hops + 1, flags: nh.flags,
  })));
  put('expires', m.expires ?? cacheExpires(m));
  put('mark', m.mark);
  put('uid', m.uid);
  put('iif', m.iif);
  r.raw = m;
  r.toJSON = routeToJSON;
  return r as unknown as Route;
}

function routeToJSON(this: Route): Record<string, unknown> { return routeJson(this); }

/** `ip route` for one namespace: ns.routes. */
export class RouteTable {
  constructor(private readonly ns: Namespace) {}

  /** `ip route add`: fails with EEXIST if the route exists. */
  add(spec: RouteSpec, options: CallOptions = {}): Promise<Route> {
    return this.write(C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_EXCL, 'route.add', spec, options);
  }
  /** `ip route replace`: creates or overwrites. */
  replace(spec: RouteSpec, options: CallOptions = {}): Promise<Route> {
    return this.write(C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_REPLACE, 'route.replace', spec, options);
  }
  /** `ip route change`: overwrites an existing route (ENOENT if none). */
  change(spec: RouteSpec, options: CallOptions = {}): Promise<Route> {
    return this.write(C.RTM_NEWROUTE, C.NLM_F_REPLACE, 'route.change', spec, options);
  }
  /** `ip route append`: adds after existing routes of the same prefix (IPv6: adds a multipath leg). */
  append(spec: RouteSpec, options: CallOptions = {}): Promise<Route> {
    return this.write(C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_APPEND, 'route.append', spec, options);
  }
  /** `ip route prepend`: adds before existing routes of the same prefix. */
  prepend(spec: RouteSpec, options: CallOptions = {}): Promise<Route> {
    return this.write(C.RTM_NEWROUTE, C.NLM_F_CREATE, 'route.prepend', spec, options);
  }
  async delete(spec: RouteSpec | Route, options: CallOptions = {}): Promise<void> {
    const s: RouteSpec = 'raw' in spec
      ? { to: spec.to, family: spec.family, table: spec.table, via: spec.raw.gateway, viaInet6: spec.raw.via?.address, dev: spec.dev, metric: spec.metric,
        type: typeof spec.type === 'string' ? spec.type : undefined, tos: spec.tos || undefined,
        from: spec.from, protocol: spec.protocol }
      : spec;
    await this.write(C.RTM_DELROUTE, 0, 'route.delete', s, options);
  }

  /** `ip route flush`: deletes every route the filter lists; returns how many. */
  async flush(filter: RouteFilter = {}): Promise<number> {
    const routes = await this.list({ ...filter, names: false });
    await Promise.all(routes.map((r) => this.delete(r, filter).catch((e: { code?: string }) => {
      if (e.code !== 'ESRCH' && e.code !== 'ENOENT') throw e; // gone meanwhile (e.g. with its device)
    })));
    return routes.length;
  }

  async list(filter: RouteFilter = {}): Promise<Route[]> {
    const out: Route[] = [];
    for await (const r of this.stream(filter)) out.push(r);
    return out;
  }

  /**
   * Streams routes as they are decoded. With strict checking the kernel filters
   * by family, table, protocol, type and output device (ip_valid_fib_dump_req);
   * each is checked again here for kernels that ignore one.
   */
  async *stream(filter: RouteFilter = {}): AsyncGenerator<Route> {
    if (filter.family !== undefined) check(filter.family === 4 || filter.family === 6, 'family', filter.family, 'expected 4 or 6');
    const table = filter.table === 'all' ? C.RT_TABLE_UNSPEC
      : named(filter.table ?? 'main', tables, 'table', 0xffffffff);
    const protocol = filter.protocol === undefined ? 0 : named(filter.protocol, protocols, 'protocol');
    const type = filter.type === undefined ? 0 : named(filter.type, routeTypes, 'type');
    const oif = filter.dev === undefined ? undefined : await this.ns.linkIndex(filter.dev, 'dev');
    const req = encodeRoute(C.RTM_GETROUTE, C.NLM_F_REQUEST, {
      family: filter.family ? afOf(filter.family) : C.AF_UNSPEC, dstLength: 0, srcLength: 0, tos: 0,
      table, protocol, scope: 0, type, flags: 0, oif,
    });
    const names = filter.names === false ? undefined : await this.linkNames(filter);
    // Decoded as they arrive: the receive buffer is reused (constant memory).
    for await (const r of this.ns.connection.dump(req, { operation: 'route.list' }, filter, decodeRoute)) {
      if (table !== C.RT_TABLE_UNSPEC && r.table !== table) continue;
      if (protocol && r.protocol !== protocol) continue;
      if (type && r.type !== type) continue;
      if (oif !== undefined && r.oif !== oif && !r.multipath?.some((nh) => nh.index === oif)) continue;
      yield toRoute(r, names);
    }
  }

  /** The route the kernel would use for `to`, like `ip route get`. */
  async get(to: string, lookup: RouteLookup = {}): Promise<Route> {
    const dst = parseIp(to, 'to');
    const m: RouteMessage = {
      family: afOf(dst.family), dstLength: dst.family === 4 ? 32 : 128, srcLength: 0, tos: 0,
      table: 0, protocol: 0, scope: 0, type: 0, flags: lookup.fibmatch ? C.RTM_F_FIB_MATCH : 0, dst: to,
    };
    if (lookup.from !== undefined) {
      const src = parseIp(lookup.from, 'from');
      check(src.family === dst.family, 'from', lookup.from, `expected an IPv${dst.family} address like "to"`);
      m.src = lookup.from;
      m.srcLength = dst.family === 4 ? 32 : 128;
    }
    if (lookup.iif !== undefined) m.iif = await this.ns.linkIndex(lookup.iif, 'iif');
    if (lookup.oif !== undefined) m.oif = await this.ns.linkIndex(lookup.oif, 'oif');
    if (lookup.mark !== undefined) m.mark = v.u32(lookup.mark, 'mark');
    if (lookup.tos !== undefined) m.tos = u8(lookup.tos, 'tos');
    if (lookup.uid !== undefined) m.uid = v.u32(lookup.uid, 'uid');
    if (lookup.ipproto !== undefined) m.ipProto = u8(lookup.ipproto, 'ipproto');
    if (lookup.sport !== undefined) m.sport = port(lookup.sport, 'sport');
    if (lookup.dport !== undefined) m.dport = port(lookup.dport, 'dport');
    const [reply] = await this.ns.connection.request(encodeRoute(C.RTM_GETROUTE, C.NLM_F_REQUEST, m),
      { operation: 'route.get', target: `${to} in ${this.ns}` }, lookup);
    return toRoute(decodeRoute(reply), await this.linkNames(lookup));
  }

  private async linkNames(options: CallOptions): Promise<Map<number, string>> {
    return new Map((await this.ns.links.list(options)).map((l) => [l.index, l.name]));
  }

  private async write(type: number, flags: number, operation: string, spec: RouteSpec, options: CallOptions): Promise<Route> {
    const m = await this.message(type, spec);
    const target = `${spec.to}${spec.via ? ` via ${spec.via}` : ''} in ${this.ns}`;
    await this.ns.connection.request(encodeRoute(type, C.NLM_F_REQUEST | flags, m), { operation, target }, options);
    return toRoute(m);
  }

  /** The rtmsg + attributes `ip route add/del` would send (ip/iproute.c iproute_modify). */
  private async message(type: number, spec: RouteSpec): Promise<RouteMessage> {
    check(typeof spec === 'object' && spec !== null, 'route', spec, 'expected { to, via?, dev? … }');
    const via = spec.via === undefined ? undefined : parseIp(spec.via, 'via');
    if (spec.family !== undefined) check(spec.family === 4 || spec.family === 6, 'family', spec.family, 'expected 4 or 6');
    const firstHop = spec.nexthops?.find((nh) => nh?.via !== undefined)?.via;
    const family = spec.family ?? via?.family ?? (spec.viaInet6 !== undefined ? 4 : undefined) ?? (typeof firstHop === 'string' ? parseIp(firstHop, 'nexthops[].via').family : undefined);
    const dst = parsePrefix(spec.to, 'to', family);
    const isDelete = type === C.RTM_DELROUTE;
    const routeType = spec.type === undefined ? (isDelete ? C.RTN_UNSPEC : C.RTN_UNICAST) : named(spec.type, routeTypes, 'type');
    const m: RouteMessage = {
      family: afOf(dst.family), dstLength: dst.prefixLength, srcLength: 0, tos: 0,
      table: spec.table === undefined ? C.RT_TABLE_MAIN : named(spec.table, tables, 'table', 0xffffffff),
      protocol: spec.protocol !== undefined ? named(spec.protocol, protocols, 'protocol') : isDelete ? 0 : C.RTPROT_BOOT,
      scope: isDelete ? C.RT_SCOPE_NOWHERE : C.RT_SCOPE_UNIVERSE,
      type: routeType, flags: spec.onlink ? C.RTNH_F_ONLINK : 0,
    };
    if (dst.prefixLength > 0) m.dst = formatIp(networkOf(dst));
    if (via) {
      check(via.family === dst.family, 'via', spec.via, `expected an IPv${dst.family} gateway for ${spec.to} (an IPv6 one for IPv4 goes in viaInet6)`);
      m.gateway = spec.via;
    }
    if (spec.viaInet6 !== undefined) {
      check(!via, 'viaInet6', spec.viaInet6, 'give via or viaInet6, not both');
      m.via = viaInet6(spec.viaInet6, 'viaInet6', dst.family);
    }
    if (spec.dev !== undefined) m.oif = await this.ns.linkIndex(spec.dev, 'dev');
    if (spec.src !== undefined) {
      const src = parseIp(spec.src, 'src');
      check(src.family === dst.family, 'src', spec.src, `expected an IPv${dst.family} address`);
      m.prefsrc = spec.src;
    }
    if (spec.from !== undefined) {
      const from = parsePrefix(spec.from, 'from', dst.family);
      check(from.family === dst.family, 'from', spec.from, `expected an IPv${dst.family} prefix`);
      m.srcLength = from.prefixLength;
      if (from.prefixLength > 0) m.src = formatIp(networkOf(from));
    }
    if (spec.metric !== undefined) m.priority = v.u32(spec.metric, 'metric');
    if (spec.tos !== undefined) m.tos = u8(spec.tos, 'tos');
    if (spec.metrics !== undefined || spec.lock !== undefined) m.metrics = metricsOf(spec);
    if (spec.pref !== undefined) {
      check(dst.family === 6, 'pref', spec.pref, 'route preference is for IPv6 routes only');
      m.pref = named(spec.pref, routePrefs, 'pref');
    }
    if (spec.expires !== undefined) {
      check(dst.family === 6, 'expires', spec.expires, 'expiry is for IPv6 routes only');
      m.expires = v.u32(spec.expires, 'expires');
    }
    if (spec.nhid !== undefined) {
      checkRange(Number.isInteger(spec.nhid) && spec.nhid > 0 && spec.nhid <= 0xffffffff, 'nhid', spec.nhid, 'nexthop ids are 1..4294967295');
      check(!via && !m.via && spec.dev === undefined && spec.nexthops === undefined, 'nhid', spec.nhid, 'a route with a nexthop object takes no via, dev or nexthops');
      m.nhId = spec.nhid;
    }
    if (spec.nexthops !== undefined) {
      check(Array.isArray(spec.nexthops) && spec.nexthops.length > 0, 'nexthops', spec.nexthops, 'expected a non-empty array of { via?, dev?, weight? }');
      check(!via, 'via', spec.via, 'give the gateways inside nexthops, not both');
      m.multipath = [];
      for (const [i, nh] of spec.nexthops.entries()) m.multipath.push(await this.hop(nh, i, dst.family));
    }
    if (!isDelete) {
      // Scope defaults as iproute2 sets them: host for local routes, link for
      // broadcast-like ones and for unicast routes without a gateway.
      const gatewayless = !via && !m.via && !m.multipath && m.nhId === undefined;
      if (routeType === C.RTN_LOCAL || routeType === C.RTN_NAT) m.scope = C.RT_SCOPE_HOST;
      else if (routeType === C.RTN_BROADCAST || routeType === C.RTN_MULTICAST || routeType === C.RTN_ANYCAST) m.scope = C.RT_SCOPE_LINK;
      else if (routeType === C.RTN_UNICAST && gatewayless) m.scope = C.RT_SCOPE_LINK;
    }
    if (spec.scope !== undefined) m.scope = named(spec.scope, scopes, 'scope');
    return m;
  }

  /** One `nexthop via A dev D weight W onlink` of a multipath route (struct rtnexthop). */
  private async hop(nh: RouteNexthopSpec, i: number, family: Family): Promise<NexthopMessage> {
    const field = `nexthops[${i}]`;
    check(typeof nh === 'object' && nh !== null, field, nh, 'expected { via?, dev?, weight? }');
    check(nh.via !== undefined || nh.viaInet6 !== undefined || nh.dev !== undefined, field, nh, 'a nexthop needs a via or a dev');
    const weight = nh.weight ?? 1;
    checkRange(Number.isInteger(weight) && weight >= 1 && weight <= 256, `${field}.weight`, weight, 'weights are 1..256');
    const out: NexthopMessage = { flags: nh.onlink ? C.RTNH_F_ONLINK : 0, hops: weight - 1, index: 0 };
    if (nh.dev !== undefined) out.index = await this.ns.linkIndex(nh.dev, `${field}.dev`);
    if (nh.via !== undefined) {
      const gw = parseIp(nh.via, `${field}.via`);
      check(gw.family === family, `${field}.via`, nh.via, `expected an IPv${family} gateway (an IPv6 one for IPv4 goes in viaInet6)`);
      out.gateway = nh.via;
    }
    if (nh.viaInet6 !== undefined) out.via = viaInet6(nh.viaInet6, `${field}.viaInet6`, family);
    return out;
  }
}

/** RFC 5549: an IPv6 next hop for an IPv4 route travels as RTA_VIA (struct rtvia). */
function viaInet6(text: string, field: string, family: Family): ViaMessage {
  check(parseIp(text, field).family === 6, field, text, 'expected an IPv6 address');
  check(family === 4, field, text, 'an IPv6 route takes its gateway in via');
  return { family: C.AF_INET6, address: text };
}

function metricsOf(spec: RouteSpec): Record<number, number | string> {
  const out: Record<number, number | string> = {};
  const given = spec.metrics ?? {};
  check(typeof given === 'object' && given !== null, 'metrics', given, 'expected { mtu?, advmss?, window?, initcwnd? … }');
  let lock = 0;
  for (const name of spec.lock ?? []) {
    const n = (ROUTE_METRICS as Record<string, number>)[name];
    check(n !== undefined, 'lock', name, `expected a metric name (${METRIC_NAMES.map(([x]) => x).join(', ')})`);
    lock |= 1 << n;
  }
  if (lock) out[C.RTAX_LOCK] = lock >>> 0;
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const n = (ROUTE_METRICS as Record<string, number>)[name];
    check(n !== undefined, 'metrics', name, `unknown metric; expected one of ${METRIC_NAMES.map(([x]) => x).join(', ')}`);
    if (n === C.RTAX_CC_ALGO) {
      check(typeof value === 'string' && value.length > 0 && value.length < 16, 'metrics.congctl', value, 'expected a congestion control name such as "cubic"');
      out[n] = value;
    } else {
      out[n] = v.u32(value, `metrics.${name}`);
    }
  }
  return out;
}

function u8(value: unknown, field: string): number {
  check(typeof value === 'number' && Number.isInteger(value), field, value, 'expected an integer');
  checkRange(value >= 0 && value <= 255, field, value, 'must be between 0 and 255');
  return value;
}

function port(value: unknown, field: string): number {
  check(typeof value === 'number' && Number.isInteger(value), field, value, 'expected a port number');
  checkRange(value >= 0 && value <= 65535, field, value, 'ports are 0..65535');
  return value;
}
