// Route: one routing table entry, and the verbs of `ip route` (ns.routes),
// filling in iproute2's defaults so a call behaves like the command.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeRoute, encodeRoute, RouteMessage } from '../rtnl/route';
import { check, describe } from '../errors';
import { afOf, Family, familyOfAf, formatIp, networkOf, parseIp, parsePrefix } from '../inet';
import { protocols, ProtocolName, RouteTypeName, routeTypes, ScopeName, scopes, TableName, tables } from '../names';
import * as v from '../validate';
import type { CallOptions } from '../connection';
import type { LinkRef } from './link';

export interface Route {
  readonly family: Family;
  /** 'default' or 'ADDR/LEN' (host routes print as 'ADDR/32' here, unlike `ip`, to stay unambiguous). */
  readonly to: string;
  readonly via?: string;
  /** Output interface index. */
  readonly dev?: number;
  /** Preferred source (RTA_PREFSRC). */
  readonly src?: string;
  readonly metric?: number;
  readonly table: TableName | number;
  readonly protocol: ProtocolName | number;
  readonly scope: ScopeName | number;
  readonly type: RouteTypeName | number;
  /** RTNH_F_* / RTM_F_* bits. */
  readonly flags: number;
  readonly multipath?: { via?: string; dev: number; weight: number }[];
  readonly raw: RouteMessage;
}

export interface RouteSpec {
  /** 'default', 'ADDR/LEN' or a bare address (a host route). */
  to: string;
  via?: string;
  dev?: LinkRef;
  src?: string;
  metric?: number;
  table?: TableName | number;
  scope?: ScopeName | number;
  type?: RouteTypeName;
  protocol?: ProtocolName | number;
  /** 4 or 6; needed only for 'default' without a `via` to tell the family. */
  family?: Family;
  onlink?: boolean;
}

export interface RouteFilter extends CallOptions {
  /** A table, or 'all'; 'main' by default like `ip route show`. */
  table?: TableName | number | 'all';
  family?: Family;
}

export interface RouteLookup extends CallOptions {
  from?: string;
  iif?: LinkRef;
  oif?: LinkRef;
  mark?: number;
}

function named<T extends string>(value: T | number, map: { number: (n: string) => number | undefined; names: string[] }, field: string, max = 255): number {
  const n = typeof value === 'number' ? value : map.number(value);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) {
    throw new TypeError(`${field}: expected one of ${map.names.join(', ')} or a number 0..${max}, got ${describe(value)}`);
  }
  return n;
}

export function toRoute(m: RouteMessage): Route {
  const family = familyOfAf(m.family) ?? 4;
  const to = m.dst === undefined && m.dstLength === 0 ? 'default' : `${m.dst ?? (family === 4 ? '0.0.0.0' : '::')}/${m.dstLength}`;
  return {
    family, to, via: m.gateway, dev: m.oif, src: m.prefsrc, metric: m.priority,
    table: tables.name(m.table), protocol: protocols.name(m.protocol), scope: scopes.name(m.scope),
    type: routeTypes.name(m.type), flags: m.flags,
    multipath: m.multipath?.map((nh) => ({ via: nh.gateway, dev: nh.index, weight: nh.hops + 1 })),
    raw: m,
  };
}

/** `ip route` for one namespace: ns.routes. */
export class RouteTable {
  constructor(private readonly ns: Namespace) {}

  add(spec: RouteSpec, options: CallOptions = {}): Promise<Route> {
    return this.write(C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_EXCL, 'route.add', spec, options);
  }
  replace(spec: RouteSpec, options: CallOptions = {}): Promise<Route> {
    return this.write(C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_REPLACE, 'route.replace', spec, options);
  }
  async delete(spec: RouteSpec | Route, options: CallOptions = {}): Promise<void> {
    const s: RouteSpec = 'raw' in spec
      ? { to: spec.to, family: spec.family, table: spec.table, via: spec.via, dev: spec.dev, metric: spec.metric,
        type: typeof spec.type === 'string' ? spec.type : undefined }
      : spec;
    await this.write(C.RTM_DELROUTE, 0, 'route.delete', s, options);
  }

  async list(filter: RouteFilter = {}): Promise<Route[]> {
    const out: Route[] = [];
    for await (const r of this.stream(filter)) out.push(r);
    return out;
  }

  /** Streams routes as they are decoded; the kernel filters by table and family (strict checking). */
  async *stream(filter: RouteFilter = {}): AsyncGenerator<Route> {
    if (filter.family !== undefined) check(filter.family === 4 || filter.family === 6, 'family', filter.family, 'expected 4 or 6');
    const table = filter.table === 'all' ? C.RT_TABLE_UNSPEC
      : named(filter.table ?? 'main', tables, 'table', 0xffffffff);
    const req = encodeRoute(C.RTM_GETROUTE, C.NLM_F_REQUEST, {
      family: filter.family ? afOf(filter.family) : C.AF_UNSPEC, dstLength: 0, srcLength: 0, tos: 0,
      table, protocol: 0, scope: 0, type: 0, flags: 0,
    });
    for await (const m of this.ns.connection.dump(req, { operation: 'route.list' }, filter)) {
      const r = decodeRoute(m);
      // Kernels without a table filter for some family still honour it here.
      if (table !== C.RT_TABLE_UNSPEC && r.table !== table) continue;
      yield toRoute(r);
    }
  }

  /** The route the kernel would use for `to`, like `ip route get`. */
  async get(to: string, lookup: RouteLookup = {}): Promise<Route> {
    const dst = parseIp(to, 'to');
    const m: RouteMessage = {
      family: afOf(dst.family), dstLength: dst.family === 4 ? 32 : 128, srcLength: 0, tos: 0,
      table: 0, protocol: 0, scope: 0, type: 0, flags: 0, dst: to,
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
    const [reply] = await this.ns.connection.request(encodeRoute(C.RTM_GETROUTE, C.NLM_F_REQUEST, m),
      { operation: 'route.get', target: `${to} in ${this.ns}` }, lookup);
    return toRoute(decodeRoute(reply));
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
    const family = spec.family ?? via?.family;
    const dst = parsePrefix(spec.to, 'to', family);
    if (via) check(via.family === dst.family, 'via', spec.via, `expected an IPv${dst.family} gateway for ${spec.to}`);
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
    if (via) m.gateway = spec.via;
    if (spec.dev !== undefined) m.oif = await this.ns.linkIndex(spec.dev, 'dev');
    if (spec.src !== undefined) {
      const src = parseIp(spec.src, 'src');
      check(src.family === dst.family, 'src', spec.src, `expected an IPv${dst.family} address`);
      m.prefsrc = spec.src;
    }
    if (spec.metric !== undefined) m.priority = v.u32(spec.metric, 'metric');
    if (!isDelete) {
      // Scope defaults as iproute2 sets them: host for local routes, link for
      // broadcast-like ones and for unicast routes without a gateway.
      if (routeType === C.RTN_LOCAL || routeType === C.RTN_NAT) m.scope = C.RT_SCOPE_HOST;
      else if (routeType === C.RTN_BROADCAST || routeType === C.RTN_MULTICAST || routeType === C.RTN_ANYCAST) m.scope = C.RT_SCOPE_LINK;
      else if (routeType === C.RTN_UNICAST && !via) m.scope = C.RT_SCOPE_LINK;
    }
    if (spec.scope !== undefined) m.scope = named(spec.scope, scopes, 'scope');
    return m;
  }
}
