// Names for the kernel's numbers, as iproute2 prints and accepts them
// (ip-route(8), ip-rule(8), ip-neighbour(8), ip-link(8)): scopes, route types,
// protocols, tables (also from /etc/iproute2/rt_tables and rt_tables.d/*.conf),
// rule actions, neighbour states and flags, operstates.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as C from './netlink/constants';

/** A two-way map between names and numbers. */
export interface NameTable<T extends string> {
  readonly names: string[];
  number(name: string): number | undefined;
  name(n: number): T | number;
}

function table<T extends string>(entries: [T, number][]): NameTable<T> {
  const byName = new Map<string, number>(entries);
  const byNumber = new Map<number, T>(entries.map(([n, v]) => [v, n]));
  return {
    names: entries.map(([n]) => n),
    number: (name: string): number | undefined => byName.get(name),
    name: (n: number): T | number => byNumber.get(n) ?? n,
  };
}

/** Where iproute2 keeps its name files: $RTNETLINK_IPROUTE2_DIR, else /etc/iproute2. */
export function iproute2Dir(): string {
  return process.env.RTNETLINK_IPROUTE2_DIR || '/etc/iproute2';
}

/**
 * "NUMBER NAME" lines of an iproute2 name file and of FILE.d/*.conf, as
 * iproute2's rtnl_tab_initialize reads them ('#' starts a comment; numbers
 * may be hex). A missing file is simply empty.
 */
export function readNameFile(dir: string, base: string): [string, number][] {
  const out: [string, number][] = [];
  const files = [path.join(dir, base)];
  try {
    const d = path.join(dir, `${base}.d`);
    for (const f of fs.readdirSync(d).sort()) if (f.endsWith('.conf')) files.push(path.join(d, f));
  } catch { /* no .d directory */ }
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^\s*(0x[0-9a-f]+|\d+)\s+([^\s#]+)/i.exec(line);
      if (m) out.push([m[2], Number(m[1])]);
    }
  }
  return out;
}

/** Built-in names plus those of an iproute2 file, read once per directory (reloadNames() forgets). */
function fileTable<T extends string>(builtin: [T, number][], base: string): NameTable<T | (string & {})> {
  let cache: { dir: string; t: NameTable<string> } | undefined;
  const current = (): NameTable<string> => {
    // Read once: process.env costs more than the lookup itself; reloadNames() starts over.
    if (cache === undefined) {
      const dir = iproute2Dir();
      // Built-in names win for their numbers (ip prints 'main' even if a file renames 254).
      const fromFile = readNameFile(dir, base).filter(([, n]) => !builtin.some(([, b]) => b === n));
      cache = { dir, t: table<string>([...builtin, ...fromFile]) };
    }
    return cache.t;
  };
  reloaders.push(() => { cache = undefined; });
  return {
    get names() { return current().names; },
    number: (name) => current().number(name),
    name: (n) => current().name(n) as T | number,
  };
}
const reloaders: (() => void)[] = [];

/** Forgets the name files read so far (after editing rt_tables, or changing $RTNETLINK_IPROUTE2_DIR). */
export function reloadNames(): void {
  for (const r of reloaders) r();
}

export type ScopeName = 'global' | 'site' | 'link' | 'host' | 'nowhere';
export const scopes = table<ScopeName>([
  ['global', C.RT_SCOPE_UNIVERSE], ['site', C.RT_SCOPE_SITE], ['link', C.RT_SCOPE_LINK],
  ['host', C.RT_SCOPE_HOST], ['nowhere', C.RT_SCOPE_NOWHERE],
]);

export type RouteTypeName = 'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast' |
  'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat' | 'xresolve';
export const routeTypes = table<RouteTypeName>([
  ['unicast', C.RTN_UNICAST], ['local', C.RTN_LOCAL], ['broadcast', C.RTN_BROADCAST],
  ['anycast', C.RTN_ANYCAST], ['multicast', C.RTN_MULTICAST], ['blackhole', C.RTN_BLACKHOLE],
  ['unreachable', C.RTN_UNREACHABLE], ['prohibit', C.RTN_PROHIBIT], ['throw', C.RTN_THROW],
  ['nat', C.RTN_NAT], ['xresolve', C.RTN_XRESOLVE],
]);

/** RTPROT_* as iproute2's rt_protos names them, plus any in /etc/iproute2/rt_protos. */
export type ProtocolName = 'unspec' | 'redirect' | 'kernel' | 'boot' | 'static' | 'ra' | 'dhcp' | 'gated' |
  'mrt' | 'zebra' | 'bird' | 'dnrouted' | 'xorp' | 'ntk' | 'keepalived' | 'babel' | 'openr' | 'bgp' |
  'isis' | 'ospf' | 'rip' | 'eigrp' | (string & {});
export const protocols = fileTable<ProtocolName>([
  ['unspec', C.RTPROT_UNSPEC], ['redirect', C.RTPROT_REDIRECT], ['kernel', C.RTPROT_KERNEL],
  ['boot', C.RTPROT_BOOT], ['static', C.RTPROT_STATIC], ['gated', C.RTPROT_GATED], ['ra', C.RTPROT_RA],
  ['mrt', C.RTPROT_MRT], ['zebra', C.RTPROT_ZEBRA], ['bird', C.RTPROT_BIRD], ['dnrouted', C.RTPROT_DNROUTED],
  ['xorp', C.RTPROT_XORP], ['ntk', C.RTPROT_NTK], ['dhcp', C.RTPROT_DHCP], ['keepalived', C.RTPROT_KEEPALIVED],
  ['babel', C.RTPROT_BABEL], ['openr', C.RTPROT_OPENR], ['bgp', C.RTPROT_BGP], ['isis', C.RTPROT_ISIS],
  ['ospf', C.RTPROT_OSPF], ['rip', C.RTPROT_RIP], ['eigrp', C.RTPROT_EIGRP],
], 'rt_protos');

/** Routing tables: the reserved ones, plus the names of /etc/iproute2/rt_tables and rt_tables.d/*.conf. */
export type TableName = 'main' | 'local' | 'default' | 'unspec' | (string & {});
export const tables = fileTable<TableName>([
  ['unspec', C.RT_TABLE_UNSPEC], ['default', C.RT_TABLE_DEFAULT], ['main', C.RT_TABLE_MAIN], ['local', C.RT_TABLE_LOCAL],
], 'rt_tables');

/** FR_ACT_* as `ip rule` names them (<linux/fib_rules.h>). */
export type RuleActionName = 'lookup' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';
export const ruleActions = table<RuleActionName>([
  ['lookup', C.FR_ACT_TO_TBL], ['goto', C.FR_ACT_GOTO], ['nop', C.FR_ACT_NOP],
  ['blackhole', C.FR_ACT_BLACKHOLE], ['unreachable', C.FR_ACT_UNREACHABLE], ['prohibit', C.FR_ACT_PROHIBIT],
]);

/** NUD_* states as `ip neigh` prints them (upper case in its output, lower case accepted). */
export type NeighborStateName = 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'NOARP' | 'PERMANENT';
export const NEIGHBOR_STATES: [NeighborStateName, number][] = [
  ['INCOMPLETE', C.NUD_INCOMPLETE], ['REACHABLE', C.NUD_REACHABLE], ['STALE', C.NUD_STALE],
  ['DELAY', C.NUD_DELAY], ['PROBE', C.NUD_PROBE], ['FAILED', C.NUD_FAILED], ['NOARP', C.NUD_NOARP],
  ['PERMANENT', C.NUD_PERMANENT],
];

/** IPv6 route preference (RTA_PREF, RFC 4191) as `ip -6 route … pref` names it. */
export type RoutePrefName = 'low' | 'medium' | 'high';
export const routePrefs = table<RoutePrefName>([
  ['low', C.ICMPV6_ROUTER_PREF_LOW], ['medium', C.ICMPV6_ROUTER_PREF_MEDIUM], ['high', C.ICMPV6_ROUTER_PREF_HIGH],
]);

/** RTAX_* route metrics by the names `ip route` uses (<linux/rtnetlink.h>). */
export const ROUTE_METRICS = {
  mtu: C.RTAX_MTU, window: C.RTAX_WINDOW, rtt: C.RTAX_RTT, rttvar: C.RTAX_RTTVAR,
  ssthresh: C.RTAX_SSTHRESH, cwnd: C.RTAX_CWND, advmss: C.RTAX_ADVMSS, reordering: C.RTAX_REORDERING,
  hoplimit: C.RTAX_HOPLIMIT, initcwnd: C.RTAX_INITCWND, features: C.RTAX_FEATURES, rto_min: C.RTAX_RTO_MIN,
  initrwnd: C.RTAX_INITRWND, quickack: C.RTAX_QUICKACK, congctl: C.RTAX_CC_ALGO,
  fastopen_no_cookie: C.RTAX_FASTOPEN_NO_COOKIE,
} as const;
export type RouteMetricName = keyof typeof ROUTE_METRICS;

/** IF_OPER_* from <linux/if.h>, named as `ip link` prints them. */
export type OperState = 'UNKNOWN' | 'NOTPRESENT' | 'DOWN' | 'LOWERLAYERDOWN' | 'TESTING' | 'DORMANT' | 'UP';
export const OPER_STATES: OperState[] = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

/** IFF_* flags as `ip link` prints them, in its order. */
export const LINK_FLAGS: [string, number][] = [
  ['LOOPBACK', C.IFF_LOOPBACK], ['BROADCAST', C.IFF_BROADCAST], ['POINTOPOINT', C.IFF_POINTOPOINT],
  ['MULTICAST', C.IFF_MULTICAST], ['NOARP', C.IFF_NOARP], ['ALLMULTI', C.IFF_ALLMULTI],
  ['PROMISC', C.IFF_PROMISC], ['MASTER', C.IFF_MASTER], ['SLAVE', C.IFF_SLAVE],
  ['DEBUG', C.IFF_DEBUG], ['DYNAMIC', C.IFF_DYNAMIC], ['AUTOMEDIA', C.IFF_AUTOMEDIA],
  ['PORTSEL', C.IFF_PORTSEL], ['NOTRAILERS', C.IFF_NOTRAILERS], ['UP', C.IFF_UP],
  ['LOWER_UP', C.IFF_LOWER_UP], ['DORMANT', C.IFF_DORMANT], ['ECHO', C.IFF_ECHO],
];

export function flagNames(flags: number, known: [string, number][]): string[] {
  return known.filter(([, bit]) => flags & bit).map(([n]) => n);
}
