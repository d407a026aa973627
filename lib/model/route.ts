// Route: one routing table entry, and the verbs of `ip route` (ns.routes),
// filling in iproute2's defaults so a call behaves like the command.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeRoute, encodeRoute, ipv4Value, NexthopMessage, RouteMessage, ViaMessage, writeRoute } from '../rtnl/route';
import { MessageWriter } from '../netlink/attributes';
import { check, checkRange, describe, NetlinkError } from '../errors';
import { afOf, Family, familyOfAf, formatIp, networkOf, parseIp, parsePrefix, Prefix } from '../inet';
import {
  NameTable, ProtocolName, ROUTE_METRICS, RouteMetricName, RoutePrefName, routePrefs, RouteTypeName, routeTypes,
  ScopeName, scopes, TableName, tables, protocols,
} from '../names';
import * as v from '../validate';
import type { CallOptions, GroupFailure } from '../connection';
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

export interface RouteBulkOptions extends CallOptions {
  /**
   * 'stop' (default): after a failure nothing more is sent; the routes already
   * sent with it (up to 1,024 per group) are applied and reported, the rest are
   * counted as skipped. 'continue': every route is attempted.
   */
  onError?: 'stop' | 'continue';
  /**
   * addMany only: when any route fails, delete the ones that were added, so
   * nothing of the call remains (compensation, not isolation: others can see
   * the intermediate state). Implies onError 'stop'.
   */
  atomic?: boolean;
}

/** What addMany/deleteMany did: counts and the failures by index; no object per route. */
export interface RouteBulkResult {
  /** Routes applied (and, for atomic calls, still in place). */
  ok: number;
  /** Routes the kernel refused, by their index in the array given, in order. */
  errors: GroupFailure[];
  /** Routes never sent because an earlier one failed (onError 'stop'). */
  skipped: number;
  /** atomic: routes that were added and then deleted again because of a failure. */
  undone: number;
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
  // The fields every route has a use for sit in one literal, in one order, even
  // when undefined: one allocation and one shape per Route. The rarer ones are
  // added only when defined. (Deleting undefined fields instead turned every
  // Route into a slow dictionary-mode object: a third of a 10,000-route dump.)
  const r: Record<string, unknown> = {
    family, to,
    from: m.src !== undefined || m.srcLength ? `${m.src ?? (family === 4 ? '0.0.0.0' : '::')}/${m.srcLength}` : undefined,
    via: m.gateway ?? m.via?.address, dev: m.oif, devName: m.oif === undefined ? undefined : names?.get(m.oif),
    src: m.prefsrc, metric: m.priority, table: tables.name(m.table), protocol: protocols.name(m.protocol),
    scope: scopes.name(m.scope), type: routeTypes.name(m.type), tos: m.tos, flags: m.flags, raw: m, toJSON: routeToJSON,
  };
  const put = (k: string, v: unknown): void => { if (v !== undefined) r[k] = v; };
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
    await this.write(C.RTM_DELROUTE, 0, 'route.delete', deleteSpec(spec), options);
  }

  /**
   * Adds many routes (`ip route add` each) with one encoding pass into one
   * buffer and groups of up to 1,024 routes per sendmsg, only the last of each
   * group asking for an ACK. Every spec is validated before anything is sent
   * (errors name the index: `routes[42].via: …`). Resolves with counts and the
   * kernel's refusals by index — it does not throw for them; check
   * `errors.length`. No Route objects are made.
   */
  addMany(specs: readonly RouteSpec[], options: RouteBulkOptions = {}): Promise<RouteBulkResult> {
    return this.bulk(C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_EXCL, 'route.add', specs, options);
  }

  /** Deletes many routes (specs or Routes a list returned) like addMany; `atomic` is not available. */
  deleteMany(specs: readonly (RouteSpec | Route)[], options: RouteBulkOptions = {}): Promise<RouteBulkResult> {
    if (options.atomic) throw new TypeError('atomic: only addMany can be atomic (a deleted route cannot be restored from a spec)');
    return this.bulk(C.RTM_DELROUTE, 0, 'route.delete', specs, options);
  }

  /**
   * Validates and encodes every spec into one buffer (one MessageWriter), then
   * sends groups of GROUP messages through Connection.requestGroup, at most
   * GROUPS_IN_FLIGHT at a time (bounded failure answers in the receive buffer).
   */
  private async bulk(type: number, flags: number, operation: string, specs: readonly (RouteSpec | Route)[],
    options: RouteBulkOptions): Promise<RouteBulkResult> {
    check(Array.isArray(specs), 'routes', specs, 'expected an array of route specs');
    const onError = options.onError ?? 'stop';
    check(onError === 'stop' || onError === 'continue', 'onError', onError, "expected 'stop' or 'continue'");
    const stop = onError === 'stop' || options.atomic === true;
    const { buf, offsets } = await this.encodeMany(type, flags, specs);
    const n = specs.length;
    const errors: GroupFailure[] = [];
    const conn = this.ns.connection;
    const op = { operation, target: `${n} routes in ${this.ns}` };
    let sent = 0;
    let failed = false;
    let fatal: unknown; // the connection failed a whole group (closed, ENOBUFS, timeout, abort)
    const inFlight = new Set<Promise<void>>();
    while (sent < n && !(stop && failed) && fatal === undefined) {
      const from = sent;
      const to = Math.min(n, from + GROUP);
      const base = offsets[from];
      const rel = offsets.slice(from, to);
      for (let i = 0; i < rel.length; i++) rel[i] -= base;
      const group = conn.requestGroup(buf.subarray(base, to < n ? offsets[to] : buf.length), rel, op, options).then((f) => {
        for (const e of f) {
          // The same error, naming the route: `route.add routes[42] 10.1.0.42 via 10.0.0.2 in … failed: EEXIST`.
          const i = e.index + from;
          const s = specs[i];
          const target = `routes[${i}] ${s.to}${s.via !== undefined ? ` via ${s.via}` : ''} in ${this.ns}`;
          errors.push({ index: i, error: new NetlinkError(e.error.errno, { operation, target, extAck: e.error.extAck, extAckOffset: e.error.extAckOffset }) });
        }
        if (f.length) failed = true;
      }, (e: unknown) => { fatal ??= e; });
      sent = to;
      const tracked = group.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= (stop ? 1 : GROUPS_IN_FLIGHT)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (fatal !== undefined) throw fatal;
    errors.sort((a, b) => a.index - b.index);
    const result: RouteBulkResult = { ok: sent - errors.length, errors, skipped: n - sent, undone: 0 };
    if (options.atomic && errors.length > 0 && result.ok > 0) {
      const refused = new Set(errors.map((e) => e.index));
      const added: RouteSpec[] = [];
      for (let i = 0; i < sent; i++) if (!refused.has(i)) added.push(specs[i] as RouteSpec);
      const undo = await this.bulk(C.RTM_DELROUTE, 0, 'route.delete', added, { ...options, atomic: false, onError: 'continue' });
      if (undo.errors.length) {
        throw new AggregateError(undo.errors.map((e) => e.error),
          `route.add: ${errors.length} route(s) failed (first: routes[${errors[0].index}]: ${errors[0].error.message}) and ${undo.errors.length} of the ${added.length} added could not be deleted again`);
      }
      result.undone = undo.ok;
      result.ok = 0;
    }
    return result;
  }

  /** Every spec as a message in one buffer; validation errors name `routes[i]`. */
  private async encodeMany(type: number, flags: number, specs: readonly (RouteSpec | Route)[]): Promise<{ buf: Buffer; offsets: Int32Array }> {
    // Devices first, each distinct one looked up once.
    const devs = new Map<LinkRef, number>();
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i];
      if (typeof s !== 'object' || s === null) continue; // reported below
      const refs: [LinkRef | undefined, string][] = [[s.dev, 'dev']];
      if ('nexthops' in s && Array.isArray(s.nexthops)) s.nexthops.forEach((nh, k) => refs.push([nh?.dev, `nexthops[${k}].dev`]));
      for (const [ref, field] of refs) {
        if (ref === undefined || devs.has(ref)) continue;
        devs.set(ref, await this.ns.linkIndex(ref, `routes[${i}].${field}`));
      }
    }
    const dev = (ref: LinkRef): number => devs.get(ref) as number;
    const w = new MessageWriter(type, C.NLM_F_REQUEST | flags, Math.max(256, specs.length * 64));
    const offsets = new Int32Array(specs.length);
    for (let i = 0; i < specs.length; i++) {
      let m: RouteMessage;
      try {
        const s = specs[i];
        m = routeMessage(type, type === C.RTM_DELROUTE ? deleteSpec(s) : s as RouteSpec, dev);
      } catch (e) {
        if (e instanceof Error) e.message = `routes[${i}]${e.message.startsWith('route: ') ? e.message.slice(5) : `.${e.message}`}`;
        throw e;
      }
      if (i > 0) offsets[i] = w.next(type, C.NLM_F_REQUEST | flags);
      writeRoute(w, type, m);
    }
    return { buf: w.finish(), offsets };
  }

  /** `ip route flush`: deletes every route the filter lists; returns how many. */
  async flush(filter: RouteFilter = {}): Promise<number> {
    const routes = await this.list({ ...filter, names: false });
    await Promise.all(routes.map((r) => this.delete(r, filter).catch((e: { code?: string }) => {
      if (e.code !== 'ESRCH' && e.code !== 'ENOENT') throw e; // gone meanwhile (e.g. with its device)
    })));
    return routes.length;
  }

  /** Every matching route, collected from one dumpAll (no async iteration per route); stream() for constant memory. */
  async list(filter: RouteFilter = {}): Promise<Route[]> {
    const { req, keep } = await this.dumpRequest(filter);
    const names = filter.names === false ? undefined : await this.ns.links.names(filter);
    // decodeRoute copies what it keeps: decoded straight from the receive buffer.
    const routes = await this.ns.connection.dumpAll(req, { operation: 'route.list' }, filter, {
      decode: (m) => { const r = decodeRoute(m); return keep(r) ? toRoute(r, names) : undefined; }, keepsBytes: false,
    });
    return routes.filter((r): r is Route => r !== undefined);
  }

  /**
   * Streams routes as they are decoded. With strict checking the kernel filters
   * by family, table, protocol, type and output device (ip_valid_fib_dump_req);
   * each is checked again here for kernels that ignore one.
   */
  async *stream(filter: RouteFilter = {}): AsyncGenerator<Route> {
    const { req, keep } = await this.dumpRequest(filter);
    const names = filter.names === false ? undefined : await this.ns.links.names(filter);
    // Decoded as they arrive: the receive buffer is reused (constant memory).
    for await (const r of this.ns.connection.dump(req, { operation: 'route.list' }, filter, decodeRoute)) {
      if (keep(r)) yield toRoute(r, names);
    }
  }

  /** The RTM_GETROUTE dump request of a filter, and the same filter applied here. */
  private async dumpRequest(filter: RouteFilter): Promise<{ req: Buffer; keep: (r: RouteMessage) => boolean }> {
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
    const keep = (r: RouteMessage): boolean => (table === C.RT_TABLE_UNSPEC || r.table === table) &&
      (!protocol || r.protocol === protocol) && (!type || r.type === type) &&
      (oif === undefined || r.oif === oif || r.multipath?.some((nh) => nh.index === oif) === true);
    return { req, keep };
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
    return toRoute(decodeRoute(reply), await this.ns.links.names(lookup));
  }

  private async write(type: number, flags: number, operation: string, spec: RouteSpec, options: CallOptions): Promise<Route> {
    const m = await this.message(type, spec);
    const target = `${spec.to}${spec.via ? ` via ${spec.via}` : ''} in ${this.ns}`;
    await this.ns.connection.request(encodeRoute(type, C.NLM_F_REQUEST | flags, m), { operation, target }, options);
    return toRoute(m);
  }

  /** routeMessage, then the devices looked up (so every other field is checked first). */
  private async message(type: number, spec: RouteSpec): Promise<RouteMessage> {
    const m = routeMessage(type, spec, () => 0);
    if (spec.dev !== undefined) m.oif = await this.ns.linkIndex(spec.dev, 'dev');
    if (m.multipath) {
      for (const [i, nh] of (spec.nexthops as RouteNexthopSpec[]).entries()) {
        if (nh.dev !== undefined) m.multipath[i].index = await this.ns.linkIndex(nh.dev, `nexthops[${i}].dev`);
      }
    }
    return m;
  }
}

const IPV4 = { family: 4 as const };

/**
 * 'A.B.C.D' or 'A.B.C.D/LEN' (canonical dotted quad, as parsePrefix accepts
 * it) without regex or Buffers, with the network address as text; undefined
 * for anything else, which parsePrefix then handles (and reports).
 */
function ipv4Prefix(to: unknown): { family: 4; prefixLength: number; network: string } | undefined {
  if (typeof to !== 'string') return undefined;
  const slash = to.indexOf('/');
  const addr = slash < 0 ? to : to.slice(0, slash);
  const v = ipv4Value(addr);
  if (v < 0) return undefined;
  let len = 32;
  if (slash >= 0) {
    const t = to.slice(slash + 1);
    if (!/^\d{1,3}$/.test(t) || Number(t) > 32) return undefined;
    len = Number(t);
  }
  if (len === 32) return { family: 4, prefixLength: 32, network: addr };
  const n = len === 0 ? 0 : (v & (-1 << (32 - len))) >>> 0;
  return { family: 4, prefixLength: len, network: `${n >>> 24}.${n >>> 16 & 255}.${n >>> 8 & 255}.${n & 255}` };
}

const GROUP = 1024;
const GROUPS_IN_FLIGHT = 4;

/** The spec `delete` sends for a Route a list returned (its identity), or the spec itself. */
function deleteSpec(spec: RouteSpec | Route): RouteSpec {
  return typeof spec === 'object' && spec !== null && 'raw' in spec
    ? { to: spec.to, family: spec.family, table: spec.table, via: spec.raw.gateway, viaInet6: spec.raw.via?.address, dev: spec.dev, metric: spec.metric,
      type: typeof spec.type === 'string' ? spec.type : undefined, tos: spec.tos || undefined,
      from: spec.from, protocol: spec.protocol }
    : spec;
}

/**
 * The rtmsg + attributes `ip route add/del` would send (ip/iproute.c
 * iproute_modify), validating every field; `dev` gives the index of a device
 * reference (looked up beforehand: this is synchronous, for bulk encoding).
 */
function routeMessage(type: number, spec: RouteSpec, dev: (ref: LinkRef) => number): RouteMessage {
  check(typeof spec === 'object' && spec !== null, 'route', spec, 'expected { to, via?, dev? … }');
  const via = spec.via === undefined ? undefined
    : typeof spec.via === 'string' && ipv4Value(spec.via) >= 0 ? IPV4 : parseIp(spec.via, 'via');
  if (spec.family !== undefined) check(spec.family === 4 || spec.family === 6, 'family', spec.family, 'expected 4 or 6');
  const firstHop = spec.nexthops?.find((nh) => nh?.via !== undefined)?.via;
  const family = spec.family ?? via?.family ?? (spec.viaInet6 !== undefined ? 4 : undefined) ?? (typeof firstHop === 'string' ? parseIp(firstHop, 'nexthops[].via').family : undefined);
  const fast = family === 6 ? undefined : ipv4Prefix(spec.to);
  const dst = fast ?? parsePrefix(spec.to, 'to', family);
  const isDelete = type === C.RTM_DELROUTE;
  const routeType = spec.type === undefined ? (isDelete ? C.RTN_UNSPEC : C.RTN_UNICAST) : named(spec.type, routeTypes, 'type');
  const m: RouteMessage = {
    family: afOf(dst.family), dstLength: dst.prefixLength, srcLength: 0, tos: 0,
    table: spec.table === undefined ? C.RT_TABLE_MAIN : named(spec.table, tables, 'table', 0xffffffff),
    protocol: spec.protocol !== undefined ? named(spec.protocol, protocols, 'protocol') : isDelete ? 0 : C.RTPROT_BOOT,
    scope: isDelete ? C.RT_SCOPE_NOWHERE : C.RT_SCOPE_UNIVERSE,
    type: routeType, flags: spec.onlink ? C.RTNH_F_ONLINK : 0,
  };
  if (dst.prefixLength > 0) m.dst = fast ? fast.network : formatIp(networkOf(dst as Prefix));
  if (via) {
    check(via.family === dst.family, 'via', spec.via, `expected an IPv${dst.family} gateway for ${spec.to} (an IPv6 one for IPv4 goes in viaInet6)`);
    m.gateway = spec.via;
  }
  if (spec.viaInet6 !== undefined) {
    check(!via, 'viaInet6', spec.viaInet6, 'give via or viaInet6, not both');
    m.via = viaInet6(spec.viaInet6, 'viaInet6', dst.family);
  }
  if (spec.dev !== undefined) m.oif = dev(spec.dev);
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
    for (const [i, nh] of spec.nexthops.entries()) m.multipath.push(hop(nh, i, dst.family, dev));
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
function hop(nh: RouteNexthopSpec, i: number, family: Family, dev: (ref: LinkRef) => number): NexthopMessage {
  const field = `nexthops[${i}]`;
  check(typeof nh === 'object' && nh !== null, field, nh, 'expected { via?, dev?, weight? }');
  check(nh.via !== undefined || nh.viaInet6 !== undefined || nh.dev !== undefined, field, nh, 'a nexthop needs a via or a dev');
  const weight = nh.weight ?? 1;
  checkRange(Number.isInteger(weight) && weight >= 1 && weight <= 256, `${field}.weight`, weight, 'weights are 1..256');
  const out: NexthopMessage = { flags: nh.onlink ? C.RTNH_F_ONLINK : 0, hops: weight - 1, index: 0 };
  if (nh.dev !== undefined) out.index = dev(nh.dev);
  if (nh.via !== undefined) {
    const gw = parseIp(nh.via, `${field}.via`);
    check(gw.family === family, `${field}.via`, nh.via, `expected an IPv${family} gateway (an IPv6 one for IPv4 goes in viaInet6)`);
    out.gateway = nh.via;
  }
  if (nh.viaInet6 !== undefined) out.via = viaInet6(nh.viaInet6, `${field}.viaInet6`, family);
  return out;
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
