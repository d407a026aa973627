// Link.toJSON(): the object `ip -j -d link show` prints for the same link
// (iproute2 ip/ipaddress.c print_linkinfo, ip/iplink_*.c print_opt), so code
// that parses `ip -j` can switch to the library without rewriting.
import * as fs from 'node:fs';
import * as C from '../netlink/constants';
import type { LinkMessage } from '../rtnl/link';
import {
  BridgeData, BridgePortData, MacvlanData, TunData, VlanData, VxlanData,
} from '../rtnl/link-kinds';
import { flagNames, LINK_FLAGS, OPER_STATES } from '../names';

/** What a listed link knows about its dump: the other links' names and flags, and whether statistics were asked for. */
export interface LinkNeighbours {
  name(index: number): string | undefined;
  flags(index: number): number | undefined;
  /** Print stats64 (like `ip -s`): only when list({ statistics: true }) asked for them. */
  statistics: boolean;
}

/** ARPHRD_* names as iproute2 lib/ll_types.c prints them (the common ones). */
const LINK_TYPES: Record<number, string> = {
  1: 'ether', 512: 'ppp', 768: 'ipip', 769: 'tunnel6', 772: 'loopback', 776: 'sit', 778: 'gre',
  65534: 'none', 65535: 'void', 823: 'gre6',
};

/** ip prints an index it cannot name as "if<N>" (lib/ll_map.c ll_idx_n2a). */
function nameOf(n: LinkNeighbours | undefined, index: number): string {
  return n?.name(index) ?? `if${index}`;
}

let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;
/** getpwuid/getgrgid as ip uses them for tun owner/group, read from /etc/passwd and /etc/group. */
function idName(file: '/etc/passwd' | '/etc/group', id: number): string | number {
  let map = file === '/etc/passwd' ? users : groups;
  if (!map) {
    map = new Map();
    try {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const [name, , num] = line.split(':');
        if (name && num !== undefined && !map.has(Number(num))) map.set(Number(num), name);
      }
    } catch { /* no file: numbers */ }
    if (file === '/etc/passwd') users = map; else groups = map;
  }
  return map.get(id) ?? id;
}

function bridgeJson(d: BridgeData): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (d.forwardDelay !== undefined) o.forward_delay = d.forwardDelay;
  if (d.helloTime !== undefined) o.hello_time = d.helloTime;
  if (d.maxAge !== undefined) o.max_age = d.maxAge;
  if (d.ageingTime !== undefined) o.ageing_time = d.ageingTime;
  if (d.stp !== undefined) o.stp_state = d.stp ? 1 : 0;
  if (d.priority !== undefined) o.priority = d.priority;
  if (d.vlanFiltering !== undefined) o.vlan_filtering = d.vlanFiltering ? 1 : 0;
  if (d.vlanProtocol !== undefined) o.vlan_protocol = d.vlanProtocol;
  if (d.vlanDefaultPvid !== undefined) o.vlan_default_pvid = d.vlanDefaultPvid;
  if (d.multicastSnooping !== undefined) o.mcast_snooping = d.multicastSnooping ? 1 : 0;
  return o;
}

function vxlanJson(d: VxlanData, n: LinkNeighbours | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (d.vni !== undefined) o.id = d.vni;
  // ip names IPv6 endpoints group6/remote6/local6 (ip/iplink_vxlan.c).
  const v6 = (ip: string) => (ip.includes(':') ? '6' : '');
  if (d.group !== undefined) o[`group${v6(d.group)}`] = d.group;
  if (d.remote !== undefined) o[`remote${v6(d.remote)}`] = d.remote;
  if (d.local !== undefined) o[`local${v6(d.local)}`] = d.local;
  if (d.linkIndex !== undefined && d.linkIndex !== 0) o.link = nameOf(n, d.linkIndex);
  if (d.dstport !== undefined) o.port = d.dstport;
  if (d.learning !== undefined) o.learning = d.learning;
  if (d.ttl !== undefined) o.ttl = d.ttl;
  if (d.ageing !== undefined) o.ageing = d.ageing;
  return o;
}

function vlanJson(d: VlanData): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (d.protocol !== undefined) o.protocol = d.protocol;
  if (d.id !== undefined) o.id = d.id;
  return o;
}

function macvlanJson(d: MacvlanData): Record<string, unknown> {
  return d.mode === undefined ? {} : { mode: d.mode };
}

function tunJson(d: TunData): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (d.mode !== undefined) o.type = d.mode;
  if (d.pi !== undefined) o.pi = d.pi;
  if (d.vnetHdr !== undefined) o.vnet_hdr = d.vnetHdr;
  if (d.multiQueue !== undefined) o.multi_queue = d.multiQueue;
  if (d.numQueues !== undefined) o.numqueues = d.numQueues;
  if (d.numDisabledQueues !== undefined) o.numdisabled = d.numDisabledQueues;
  if (d.persist !== undefined) o.persist = d.persist;
  if (d.owner !== undefined) o.user = idName('/etc/passwd', d.owner);
  if (d.group !== undefined) o.group = idName('/etc/group', d.group);
  return o;
}

function bridgePortJson(d: BridgePortData): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (d.state !== undefined) o.state = d.state;
  if (d.priority !== undefined) o.priority = d.priority;
  if (d.cost !== undefined) o.cost = d.cost;
  if (d.hairpin !== undefined) o.hairpin = d.hairpin;
  if (d.guard !== undefined) o.guard = d.guard;
  if (d.learning !== undefined) o.learning = d.learning;
  if (d.flood !== undefined) o.flood = d.flood;
  if (d.mcastFlood !== undefined) o.mcast_flood = d.mcastFlood;
  if (d.bcastFlood !== undefined) o.bcast_flood = d.bcastFlood;
  if (d.isolated !== undefined) o.isolated = d.isolated;
  return o;
}

export interface DecodedKinds {
  bridge?: BridgeData;
  vxlan?: VxlanData;
  vlan?: VlanData;
  macvlan?: MacvlanData;
  tun?: TunData;
  bridgePort?: BridgePortData;
}

/** The `ip -j -d link show` object for one link. */
export function linkJson(m: LinkMessage, k: DecodedKinds, n: LinkNeighbours | undefined): Record<string, unknown> {
  const flags = m.flags ?? 0;
  const o: Record<string, unknown> = { ifindex: m.index ?? 0 };
  let mDown = false;
  if (m.link !== undefined) {
    if (m.link === 0) o.link = null;
    else if (m.linkNetnsId !== undefined) o.link_index = m.link;
    else {
      o.link = nameOf(n, m.link);
      const f = n?.flags(m.link);
      mDown = !((f ?? 0) & C.IFF_UP);
    }
  }
  o.ifname = m.name ?? '';
  const names = flagNames(flags, LINK_FLAGS);
  if (flags & C.IFF_UP && !(flags & C.IFF_RUNNING)) names.unshift('NO-CARRIER');
  if (mDown) names.push('M-DOWN');
  o.flags = names;
  if (m.mtu !== undefined) o.mtu = m.mtu;
  if (m.qdisc !== undefined) o.qdisc = m.qdisc;
  if (m.master !== undefined) o.master = nameOf(n, m.master);
  o.operstate = OPER_STATES[m.operstate ?? 0] ?? 'UNKNOWN';
  if (m.linkmode !== undefined) o.linkmode = m.linkmode === 1 ? 'DORMANT' : 'DEFAULT';
  if (m.group !== undefined) o.group = m.group === 0 ? 'default' : String(m.group);
  if (m.txqlen !== undefined) o.txqlen = m.txqlen;
  if (m.type !== undefined) o.link_type = LINK_TYPES[m.type] ?? `[${m.type}]`;
  if (m.mac !== undefined) o.address = m.mac;
  if (m.broadcast !== undefined) o.broadcast = m.broadcast;
  if (m.permanentMac !== undefined && m.permanentMac !== m.mac) o.permaddr = m.permanentMac;
  if (m.linkNetnsId !== undefined) o.link_netnsid = m.linkNetnsId;
  if (m.promiscuity !== undefined) o.promiscuity = m.promiscuity;
  if (m.minMtu !== undefined) o.min_mtu = m.minMtu;
  if (m.maxMtu !== undefined) o.max_mtu = m.maxMtu;
  const info = m.linkInfo;
  if (info !== undefined && (info.kind !== undefined || info.slaveKind !== undefined)) {
    const li: Record<string, unknown> = {};
    if (info.kind !== undefined) li.info_kind = info.kind;
    const data = k.bridge ? bridgeJson(k.bridge) : k.vxlan ? vxlanJson(k.vxlan, n) : k.vlan ? vlanJson(k.vlan)
      : k.macvlan ? macvlanJson(k.macvlan) : k.tun ? tunJson(k.tun) : undefined;
    if (data !== undefined) li.info_data = data;
    if (info.slaveKind !== undefined) li.info_slave_kind = info.slaveKind;
    if (k.bridgePort) li.info_slave_data = bridgePortJson(k.bridgePort);
    o.linkinfo = li;
  }
  if (m.numTxQueues !== undefined) o.num_tx_queues = m.numTxQueues;
  if (m.numRxQueues !== undefined) o.num_rx_queues = m.numRxQueues;
  if (m.alias !== undefined) o.ifalias = m.alias;
  if (m.altNames !== undefined && m.altNames.length) o.altnames = m.altNames;
  const s = m.stats64;
  if (s !== undefined && n?.statistics) {
    o.stats64 = {
      rx: {
        bytes: s.rxBytes, packets: s.rxPackets, errors: s.rxErrors, dropped: s.rxDropped,
        over_errors: s.rxOverErrors, multicast: s.multicast,
        ...(s.rxNohandler ? { nohandler: s.rxNohandler } : {}),
      },
      tx: {
        bytes: s.txBytes, packets: s.txPackets, errors: s.txErrors, dropped: s.txDropped,
        carrier_errors: s.txCarrierErrors, collisions: s.collisions,
      },
    };
  }
  return o;
}
