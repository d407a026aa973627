// Names for the kernel's numbers, as iproute2 prints and accepts them
// (ip-route(8), ip-link(8)): scopes, route types, protocols, tables, operstates.
import * as C from './netlink/constants';

function table<T extends string>(entries: [T, number][]) {
  const byName = new Map<string, number>(entries);
  const byNumber = new Map<number, T>(entries.map(([n, v]) => [v, n]));
  return {
    names: entries.map(([n]) => n),
    number: (name: string): number | undefined => byName.get(name),
    name: (n: number): T | number => byNumber.get(n) ?? n,
  };
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

export type ProtocolName = 'redirect' | 'kernel' | 'boot' | 'static' | 'ra' | 'dhcp';
export const protocols = table<ProtocolName>([
  ['redirect', C.RTPROT_REDIRECT], ['kernel', C.RTPROT_KERNEL], ['boot', C.RTPROT_BOOT],
  ['static', C.RTPROT_STATIC], ['ra', C.RTPROT_RA], ['dhcp', C.RTPROT_DHCP],
]);

export type TableName = 'main' | 'local' | 'default';
export const tables = table<TableName>([
  ['default', C.RT_TABLE_DEFAULT], ['main', C.RT_TABLE_MAIN], ['local', C.RT_TABLE_LOCAL],
]);

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
