// The oracle: iproute2 run as a child process (`ip -j [-n NS] ...`), its JSON
// parsed. Only ever used inside scripts/sandbox.js's private network namespace.
import { execFileSync } from 'node:child_process';
import type { Address, Link, Route } from '../../lib';

/** Runs `ip [-n ns] ARGS...` and returns stdout; throws with ip's stderr on failure. */
export function ipRaw(ns: string | undefined, ...args: string[]): string {
  const argv = ns === undefined ? args : ['-n', ns, ...args];
  try {
    return execFileSync('ip', argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${argv.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** Runs `ip [-n ns] CMD...` for its side effect (ip link add …). */
export function ipDo(ns: string | undefined, ...args: string[]): void {
  ipRaw(ns, ...args);
}

/** Runs `ip -j [-d] [-n ns] ARGS...` and parses the JSON (an empty output is []). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ipJson<T = any>(ns: string | undefined, ...args: string[]): T {
  const out = ipRaw(ns, '-j', ...args).trim();
  return (out === '' ? [] : JSON.parse(out)) as T;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  address?: string;
  broadcast?: string;
  master?: string;
  link?: string;
  link_index?: number;
  link_netnsid?: number;
  txqlen?: number;
  ifalias?: string;
  linkinfo?: { info_kind?: string };
}

export interface IpAddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  address?: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
  nodad?: boolean;
  tentative?: boolean;
  noprefixroute?: boolean;
}

export interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  table?: string;
  prefsrc?: string;
  flags: string[];
}

/** `ip -d -j link show` (details, so linkinfo is present). */
export function ipLinks(ns: string | undefined): IpLink[] {
  return ipJson<IpLink[]>(ns, '-d', 'link', 'show');
}

/** One link by name, or undefined when `ip` says it does not exist. */
export function ipLink(ns: string | undefined, name: string): IpLink | undefined {
  return ipLinks(ns).find((l) => l.ifname === name);
}

/** `ip -j addr show [dev X]`: the addr_info entries, each with the device name. */
export function ipAddrs(ns: string | undefined, dev?: string): (IpAddrInfo & { dev: string; ifindex: number })[] {
  const links = ipJson<{ ifname: string; ifindex: number; addr_info: IpAddrInfo[] }[]>(
    ns, 'addr', 'show', ...(dev ? ['dev', dev] : []));
  return links.flatMap((l) => (l.addr_info ?? []).map((a) => ({ ...a, dev: l.ifname, ifindex: l.ifindex })));
}

/**
 * `ip -d -j [-4|-6] route show table all`, filtered to one table ('main' by
 * default, 'all' for every table). With -d and `table all`, ip prints type,
 * protocol, scope and table on every route.
 */
export function ipRoutes(ns: string | undefined, opts: { family?: 4 | 6; table?: string | number } = {}): IpRoute[] {
  const table = String(opts.table ?? 'main');
  const fams = opts.family ? [opts.family] : [4, 6];
  return fams.flatMap((f) => ipJson<IpRoute[]>(ns, `-${f}`, '-d', 'route', 'show', 'table', 'all'))
    .filter((r) => table === 'all' || r.table === table);
}

/** `ip -j netns list`: names only. */
export function ipNetnsList(): string[] {
  return ipJson<{ name: string }[]>(undefined, 'netns', 'list').map((n) => n.name);
}

// ---- Normalised views: the same fields from the library and from `ip`, so a
// test compares them with one toEqual.

export interface LinkView {
  ifname: string;
  ifindex: number;
  mtu: number;
  address?: string;
  flags: string[];
  operstate: string;
  master?: string;
  link_netnsid?: number;
  info_kind?: string;
  txqlen?: number;
}

/** NO-CARRIER and M-DOWN are ip's own derived words, not IFF_* bits. */
const DERIVED_FLAGS = new Set(['NO-CARRIER', 'M-DOWN']);

export function viewOfIpLink(l: IpLink): LinkView {
  return {
    ifname: l.ifname, ifindex: l.ifindex, mtu: l.mtu, address: l.address,
    flags: l.flags.filter((f) => !DERIVED_FLAGS.has(f)), operstate: l.operstate,
    master: l.master, link_netnsid: l.link_netnsid, info_kind: l.linkinfo?.info_kind, txqlen: l.txqlen,
  };
}

/** `names` maps ifindex → name in the link's namespace (for master). */
export function viewOfLink(l: Link, names: Map<number, string>): LinkView {
  return {
    ifname: l.name, ifindex: l.index, mtu: l.mtu, address: l.mac, flags: l.flagNames, operstate: l.operstate,
    master: l.masterIndex === undefined ? undefined : names.get(l.masterIndex) ?? `#${l.masterIndex}`,
    link_netnsid: l.linkNetnsId, info_kind: l.kind, txqlen: l.txqlen,
  };
}

export interface AddrView {
  dev: string;
  family: 'inet' | 'inet6';
  local: string;
  address?: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
}

export function viewOfIpAddr(a: IpAddrInfo & { dev: string }): AddrView {
  return {
    dev: a.dev, family: a.family, local: a.local, address: a.address, prefixlen: a.prefixlen,
    scope: a.scope, label: a.label, broadcast: a.broadcast,
  };
}

export function viewOfAddress(a: Address, names: Map<number, string>): AddrView {
  return {
    dev: names.get(a.linkIndex) ?? `#${a.linkIndex}`, family: a.family === 4 ? 'inet' : 'inet6',
    local: a.address, address: a.peer, prefixlen: a.prefixLength, scope: String(a.scope),
    label: a.label, broadcast: a.broadcast,
  };
}

export interface RouteView {
  type: string;
  dst: string;
  gateway?: string;
  dev?: string;
  protocol: string;
  scope: string;
  metric?: number;
  table: string;
  prefsrc?: string;
}

export function viewOfIpRoute(r: IpRoute): RouteView {
  return {
    type: r.type ?? 'unicast', dst: r.dst, gateway: r.gateway, dev: r.dev, protocol: r.protocol ?? 'boot',
    scope: r.scope ?? 'global', metric: r.metric, table: r.table ?? 'main', prefsrc: r.prefsrc,
  };
}

/** ip prints host routes without /32 or /128. */
export function viewOfRoute(r: Route, names: Map<number, string>): RouteView {
  const host = r.family === 4 ? '/32' : '/128';
  return {
    type: String(r.type), dst: r.to.endsWith(host) ? r.to.slice(0, -host.length) : r.to, gateway: r.via,
    dev: r.dev === undefined ? undefined : names.get(r.dev) ?? `#${r.dev}`, protocol: String(r.protocol),
    scope: String(r.scope), metric: r.metric, table: String(r.table), prefsrc: r.src,
  };
}

/** Sorts views by their JSON text, so two lists compare regardless of dump order. */
export function sorted<T>(xs: T[]): T[] {
  const key = (x: T) => JSON.stringify(x, Object.keys(x as object).sort());
  return [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** JSON round trip: drops undefined fields so toEqual compares what is present. */
export function plain<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}
