// Nexthop objects (`ip nexthop`, ns.nexthops): single nexthops, multipath
// groups with weights, resilient groups and their buckets (<linux/nexthop.h>,
// ip/ipnexthop.c). Routes refer to them with `routes.add({ nhid })`.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeNexthop, encodeNexthop, NexthopMessage } from '../rtnl/nexthop';
import { check, checkRange, NotFoundError } from '../errors';
import { afOf, Family, familyOfAf, parseIp } from '../inet';
import { ProtocolName, protocols, scopes, ScopeName } from '../names';
import type { CallOptions } from '../connection';
import type { LinkRef } from './link';
import { named, routeFlagNames } from './route';

const HZ = 100; // USER_HZ: the kernel reports resilient-group timers as clock_t

export interface NexthopGroupMember {
  id: number;
  /** 1..256 (the wire carries weight - 1). */
  weight: number;
}

export interface ResilientOptions {
  /** Number of hash buckets (default 128). */
  buckets?: number;
  /** Seconds a bucket must be idle before it may move (default 120). */
  idleTimer?: number;
  /** Seconds the group may stay unbalanced before buckets move regardless (0: never). */
  unbalancedTimer?: number;
}

export interface Nexthop {
  readonly id: number;
  /** 4 or 6 for single nexthops; undefined for groups. */
  readonly family?: Family;
  readonly via?: string;
  readonly dev?: number;
  readonly devName?: string;
  readonly blackhole: boolean;
  readonly fdb: boolean;
  readonly group?: NexthopGroupMember[];
  readonly type?: 'mpath' | 'resilient' | number;
  readonly resilient?: Required<ResilientOptions> & { unbalancedTime: number };
  readonly protocol: ProtocolName | number;
  readonly scope: ScopeName | number;
  /** RTNH_F_* bits (onlink, dead, linkdown …). */
  readonly flags: number;
  readonly raw: NexthopMessage;
  /** The object `ip -j nexthop show` prints for this nexthop. */
  toJSON(): Record<string, unknown>;
}

export interface NexthopSpec {
  /** 1..2^32-1; omitted, the kernel picks one (read back from its echo). */
  id?: number;
  via?: string;
  dev?: LinkRef;
  onlink?: boolean;
  blackhole?: boolean;
  /** A nexthop for bridge FDB entries (VXLAN), `ip nexthop add … fdb`. */
  fdb?: boolean;
  /** 4 or 6 for a nexthop without a gateway; 4 by default like ip. */
  family?: Family;
  /** Members of a group: ids (weight 1) or { id, weight }. */
  group?: (number | { id: number; weight?: number })[];
  /** 'mpath' (hash-threshold, default) or 'resilient'. */
  type?: 'mpath' | 'resilient';
  resilient?: ResilientOptions;
  protocol?: ProtocolName | number;
}

export interface NexthopFilter extends CallOptions {
  /** Only nexthops using this device (NHA_OIF), filtered in the kernel. */
  dev?: LinkRef;
  /** Only groups (NHA_GROUPS). */
  groups?: boolean;
  /** Only nexthops whose device is enslaved to this master (NHA_MASTER). */
  master?: LinkRef;
  /** Only FDB nexthops (NHA_FDB). */
  fdb?: boolean;
  family?: Family;
  names?: boolean;
}

export interface NexthopBucket {
  /** The resilient group. */
  readonly id: number;
  readonly index: number;
  /** Seconds since the bucket last carried traffic. */
  readonly idleTime: number;
  /** The member nexthop the bucket maps to. */
  readonly nhid: number;
  readonly raw: NexthopMessage;
  toJSON(): Record<string, unknown>;
}

function nexthopJson(n: Nexthop): Record<string, unknown> {
  const m = n.raw;
  const j: Record<string, unknown> = { id: n.id };
  if (n.group) {
    j.group = n.group.map((g) => (g.weight > 1 ? { id: g.id, weight: g.weight } : { id: g.id }));
    if (m.groupType === C.NEXTHOP_GRP_TYPE_RES) {
      j.type = 'resilient';
      const r = n.resilient;
      if (r) j.resilient_args = { buckets: r.buckets, idle_timer: r.idleTimer, unbalanced_timer: r.unbalancedTimer, unbalanced_time: r.unbalancedTime };
    }
  }
  if (n.blackhole) j.blackhole = null;
  if (n.via !== undefined) j.gateway = n.via;
  if (n.dev !== undefined) {
    j.dev = n.devName ?? `if${n.dev}`;
    j.scope = String(n.scope);
  }
  j.flags = routeFlagNames(m.flags);
  if (m.protocol !== C.RTPROT_UNSPEC) j.protocol = String(n.protocol);
  if (n.fdb) j.fdb = null;
  return j;
}

/** The public Nexthop for a decoded RTM_NEWNEXTHOP/DELNEXTHOP (also for notifications). */
export function toNexthop(m: NexthopMessage, names?: Map<number, string>): Nexthop {
  const r = m.resGroup;
  const n: Nexthop = {
    id: m.id ?? 0, family: m.group ? undefined : familyOfAf(m.family), via: m.gateway, dev: m.oif,
    devName: m.oif === undefined ? undefined : names?.get(m.oif),
    blackhole: m.blackhole === true, fdb: m.fdb === true,
    group: m.group?.map((g) => ({ id: g.id, weight: g.weight + 1 + ((g.resvd1 ?? 0) << 8) })),
    type: m.groupType === undefined ? (m.group ? 'mpath' : undefined)
      : m.groupType === C.NEXTHOP_GRP_TYPE_MPATH ? 'mpath' : m.groupType === C.NEXTHOP_GRP_TYPE_RES ? 'resilient' : m.groupType,
    resilient: r && {
      buckets: r.buckets ?? 0, idleTimer: (r.idleTimer ?? 0) / HZ, unbalancedTimer: (r.unbalancedTimer ?? 0) / HZ,
      unbalancedTime: Number(r.unbalancedTime ?? 0n) / HZ,
    },
    protocol: protocols.name(m.protocol), scope: scopes.name(m.scope), flags: m.flags, raw: m,
    toJSON() { return nexthopJson(this); },
  };
  for (const k of Object.keys(n) as (keyof Nexthop)[]) if (n[k] === undefined) delete (n as unknown as Record<string, unknown>)[k];
  return n;
}

/** A decoded RTM_NEWNEXTHOPBUCKET as a bucket of a resilient group. */
export function toNexthopBucket(m: NexthopMessage): NexthopBucket {
  const b = m.bucket ?? {};
  return {
    id: m.id ?? 0, index: b.index ?? 0, idleTime: Number(b.idleTime ?? 0n) / HZ, nhid: b.nhId ?? 0, raw: m,
    toJSON() { return { id: this.id, bucket: { index: this.index, idle_time: this.idleTime, nhid: this.nhid }, flags: routeFlagNames(m.flags) }; },
  };
}

/** `ip nexthop` for one namespace: ns.nexthops. */
export class NexthopTable {
  constructor(private readonly ns: Namespace) {}

  /** `ip nexthop add`: EEXIST if the id is taken. */
  add(spec: NexthopSpec, options: CallOptions = {}): Promise<Nexthop> {
    return this.write(C.NLM_F_CREATE | C.NLM_F_EXCL, 'nexthop.add', spec, options);
  }
  /** `ip nexthop replace`: creates, or changes a nexthop in place (routes using it follow). */
  replace(spec: NexthopSpec, options: CallOptions = {}): Promise<Nexthop> {
    return this.write(C.NLM_F_CREATE | C.NLM_F_REPLACE, 'nexthop.replace', spec, options);
  }
  /** `ip nexthop del id N`: routes using it go too. */
  async delete(id: number | Nexthop, options: CallOptions = {}): Promise<void> {
    const n = typeof id === 'number' ? nhId(id, 'id') : id.id;
    await this.ns.connection.request(encodeNexthop(C.RTM_DELNEXTHOP, C.NLM_F_REQUEST, { family: C.AF_UNSPEC, scope: 0, protocol: 0, flags: 0, id: n }),
      { operation: 'nexthop.delete', target: `id ${n} in ${this.ns}` }, options);
  }

  /** `ip nexthop get id N`. */
  async get(id: number, options: CallOptions = {}): Promise<Nexthop> {
    const n = nhId(id, 'id');
    try {
      const [reply] = await this.ns.connection.request(encodeNexthop(C.RTM_GETNEXTHOP, C.NLM_F_REQUEST, { family: C.AF_UNSPEC, scope: 0, protocol: 0, flags: 0, id: n }),
        { operation: 'nexthop.get', target: `id ${n} in ${this.ns}` }, options);
      return toNexthop(decodeNexthop(reply), await this.ns.links.names(options));
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') throw new NotFoundError(2, { operation: 'nexthop.get', target: `id ${n} in ${this.ns}`, what: `nexthop id ${n} in ${this.ns}` });
      throw e;
    }
  }

  /** `ip nexthop show [dev D] [groups] [master M] [fdb]`, filtered in the kernel. */
  async list(filter: NexthopFilter = {}): Promise<Nexthop[]> {
    if (filter.family !== undefined) check(filter.family === 4 || filter.family === 6, 'family', filter.family, 'expected 4 or 6');
    const m: NexthopMessage = { family: filter.family ? afOf(filter.family) : C.AF_UNSPEC, scope: 0, protocol: 0, flags: 0 };
    if (filter.dev !== undefined) m.oif = await this.ns.linkIndex(filter.dev, 'dev');
    if (filter.master !== undefined) m.master = await this.ns.linkIndex(filter.master, 'master');
    if (filter.groups) m.groups = true;
    if (filter.fdb) m.fdb = true;
    const names = filter.names === false ? undefined : await this.ns.links.names(filter);
    return (await this.ns.connection.dumpAll(encodeNexthop(C.RTM_GETNEXTHOP, C.NLM_F_REQUEST | C.NLM_F_DUMP, m), { operation: 'nexthop.list' }, filter))
      .map((r) => toNexthop(decodeNexthop(r), names));
  }

  /** `ip nexthop bucket show id N`: the buckets of a resilient group. */
  async buckets(id: number, options: CallOptions = {}): Promise<NexthopBucket[]> {
    const n = nhId(id, 'id');
    const req = encodeNexthop(C.RTM_GETNEXTHOPBUCKET, C.NLM_F_REQUEST | C.NLM_F_DUMP, { family: C.AF_UNSPEC, scope: 0, protocol: 0, flags: 0, id: n });
    return (await this.ns.connection.dumpAll(req, { operation: 'nexthop.buckets', target: `id ${n} in ${this.ns}` }, options))
      .map((r) => toNexthopBucket(decodeNexthop(r)));
  }

  /** `ip nexthop flush`: deletes every nexthop (groups first, so members are not in use); returns how many. */
  async flush(filter: NexthopFilter = {}): Promise<number> {
    const all = await this.list({ ...filter, names: false });
    const groups = all.filter((n) => n.group);
    await Promise.all(groups.map((n) => this.delete(n, filter)));
    await Promise.all(all.filter((n) => !n.group).map((n) => this.delete(n, filter).catch((e: { code?: string }) => {
      if (e.code !== 'ENOENT') throw e;
    })));
    return all.length;
  }

  private async write(flags: number, operation: string, spec: NexthopSpec, options: CallOptions): Promise<Nexthop> {
    const m = await this.message(spec);
    const target = `${m.id ? `id ${m.id}` : '(new id)'} in ${this.ns}`;
    // NLM_F_ECHO: the kernel sends the nexthop back, with the id it chose when none was given.
    const replies = await this.ns.connection.request(encodeNexthop(C.RTM_NEWNEXTHOP, C.NLM_F_REQUEST | C.NLM_F_ECHO | flags, m), { operation, target }, options);
    const echo = replies.find((r) => r.type === C.RTM_NEWNEXTHOP);
    return toNexthop(echo ? decodeNexthop(echo) : m);
  }

  /** The nhmsg + NHA_* `ip nexthop add` sends (ipnexthop_modify). */
  private async message(spec: NexthopSpec): Promise<NexthopMessage> {
    check(typeof spec === 'object' && spec !== null, 'nexthop', spec, 'expected { id?, via?, dev?, group? … }');
    if (spec.family !== undefined) check(spec.family === 4 || spec.family === 6, 'family', spec.family, 'expected 4 or 6');
    const m: NexthopMessage = { family: C.AF_INET, scope: 0, protocol: C.RTPROT_UNSPEC, flags: spec.onlink ? C.RTNH_F_ONLINK : 0 };
    if (spec.id !== undefined) m.id = nhId(spec.id, 'id');
    if (spec.protocol !== undefined) m.protocol = named(spec.protocol, protocols, 'protocol');
    if (spec.group !== undefined) {
      check(Array.isArray(spec.group) && spec.group.length > 0, 'group', spec.group, 'expected a non-empty array of ids or { id, weight }');
      check(spec.via === undefined && spec.dev === undefined && !spec.blackhole && !spec.onlink, 'group', spec.group,
        'a group takes no via, dev, blackhole or onlink of its own');
      m.family = C.AF_UNSPEC;
      m.group = spec.group.map((g, i) => {
        const entry = typeof g === 'number' ? { id: g } : g;
        check(typeof entry === 'object' && entry !== null, `group[${i}]`, g, 'expected an id or { id, weight }');
        const weight = entry.weight ?? 1;
        checkRange(Number.isInteger(weight) && weight >= 1 && weight <= 256, `group[${i}].weight`, weight, 'weights are 1..256');
        return { id: nhId(entry.id, `group[${i}].id`), weight: weight - 1 };
      });
      const type = spec.type ?? (spec.resilient ? 'resilient' : 'mpath');
      check(type === 'mpath' || type === 'resilient', 'type', spec.type, 'expected "mpath" or "resilient"');
      if (type === 'resilient') {
        m.groupType = C.NEXTHOP_GRP_TYPE_RES;
        const r = spec.resilient ?? {};
        m.resGroup = {};
        if (r.buckets !== undefined) {
          checkRange(Number.isInteger(r.buckets) && r.buckets >= 1 && r.buckets <= 0xffff, 'resilient.buckets', r.buckets, 'buckets are 1..65535');
          m.resGroup.buckets = r.buckets;
        }
        if (r.idleTimer !== undefined) m.resGroup.idleTimer = seconds(r.idleTimer, 'resilient.idleTimer');
        if (r.unbalancedTimer !== undefined) m.resGroup.unbalancedTimer = seconds(r.unbalancedTimer, 'resilient.unbalancedTimer');
      } else {
        check(spec.resilient === undefined, 'resilient', spec.resilient, 'resilient options need type "resilient"');
      }
      if (spec.fdb) m.fdb = true;
      return m;
    }
    check(spec.type === undefined && spec.resilient === undefined, 'type', spec.type ?? spec.resilient, 'only groups have a type');
    if (spec.blackhole) {
      check(spec.via === undefined && spec.dev === undefined, 'blackhole', spec.blackhole, 'a blackhole nexthop takes no via or dev');
      m.blackhole = true;
      if (spec.family === 6) m.family = C.AF_INET6;
      return m;
    }
    check(spec.via !== undefined || spec.dev !== undefined, 'nexthop', spec, 'expected a via, a dev, blackhole or a group');
    if (spec.via !== undefined) {
      const gw = parseIp(spec.via, 'via');
      if (spec.family !== undefined) check(gw.family === spec.family, 'via', spec.via, `expected an IPv${spec.family} gateway`);
      m.family = afOf(gw.family);
      m.gateway = spec.via;
    } else if (spec.family === 6) {
      m.family = C.AF_INET6;
    }
    if (spec.dev !== undefined) m.oif = await this.ns.linkIndex(spec.dev, 'dev');
    if (spec.fdb) {
      check(spec.dev === undefined, 'fdb', spec.fdb, 'an FDB nexthop takes a gateway but no dev');
      m.fdb = true;
    }
    return m;
  }
}

function nhId(value: unknown, field: string): number {
  check(typeof value === 'number' && Number.isInteger(value), field, value, 'expected a nexthop id');
  checkRange(value >= 1 && value <= 0xffffffff, field, value, 'nexthop ids are 1..4294967295');
  return value;
}

function seconds(value: unknown, field: string): number {
  check(typeof value === 'number' && Number.isFinite(value), field, value, 'expected seconds');
  checkRange(value >= 0 && value * HZ <= 0xffffffff, field, value, 'must be 0 or more seconds');
  return Math.round(value * HZ);
}
