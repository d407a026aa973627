// Typed create options for every link kind `ns.links.add()` makes, and their
// translation (validated before anything is sent) into IFLA_LINKINFO.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import type { LinkInfoMessage } from '../rtnl/link';
import {
  BridgeData, encodeBridgeData, encodeMacvlanData, encodeVlanData, encodeVxlanData, MACVLAN_MODES, MacvlanMode,
  VlanProtocol, VxlanData,
} from '../rtnl/link-kinds';
import { check, checkRange, describe } from '../errors';
import { parseIp } from '../inet';
import type { LinkRef } from './link';

/** What every kind accepts (ip link add NAME [mtu] [address] … [up]). */
export interface CommonLinkOptions {
  name: string;
  mtu?: number;
  mac?: string;
  up?: boolean;
  txqlen?: number;
  alias?: string;
  /** Attach to this bridge (or other master) on creation. */
  master?: LinkRef;
}

/** `ip link add NAME type bridge …`; times in centiseconds as ip-link(8) takes them. */
export interface BridgeOptions extends CommonLinkOptions, Omit<BridgeData, 'other'> {}

/** `ip link add NAME type vxlan id VNI …`. */
export interface VxlanOptions extends CommonLinkOptions {
  vni: number;
  /** Unicast remote VTEP. */
  remote?: string;
  /** Multicast group (needs `dev`). */
  group?: string;
  local?: string;
  /** Underlying device. */
  dev?: LinkRef;
  /** UDP destination port; ip-link(8) and the kernel default to 8472 when absent. */
  dstport?: number;
  ttl?: number;
  tos?: number;
  learning?: boolean;
  /** FDB ageing time, seconds. */
  ageing?: number;
}

/** `ip link add link DEV NAME type vlan id ID [protocol 802.1Q|802.1ad]`. */
export interface VlanOptions extends CommonLinkOptions {
  link: LinkRef;
  id: number;
  protocol?: VlanProtocol;
}

/** `ip link add link DEV NAME type macvlan|macvtap mode MODE`. */
export interface MacvlanOptions extends CommonLinkOptions {
  link: LinkRef;
  mode?: MacvlanMode;
}

/** `ip tuntap add NAME mode tun|tap [user U] [group G] [multi_queue]`: always persistent. */
export interface TunOptions {
  name: string;
  mode: 'tun' | 'tap';
  /** uid allowed to attach; by default only CAP_NET_ADMIN may. */
  owner?: number;
  group?: number;
  multiQueue?: boolean;
  /** IFF_NO_PI is set unless this is true (as `ip tuntap` does unless `pi`). */
  packetInfo?: boolean;
  vnetHdr?: boolean;
}

/** The kinds `ns.links.add()` creates; veth has its own verb (it returns two links). */
export type LinkSpec =
  | ({ kind: 'bridge' } & BridgeOptions)
  | ({ kind: 'vxlan' } & VxlanOptions)
  | ({ kind: 'vlan' } & VlanOptions)
  | ({ kind: 'macvlan' | 'macvtap' } & MacvlanOptions)
  | ({ kind: 'tun' | 'tap' } & Omit<TunOptions, 'mode'> & { mtu?: number; mac?: string; up?: boolean })
  | ({ kind: 'ifb' } & CommonLinkOptions);

export type LinkKindName = LinkSpec['kind'];

function optionalBool(o: Record<string, unknown>, key: string): void {
  if (o[key] !== undefined) check(typeof o[key] === 'boolean', key, o[key], 'expected true or false');
}

function intIn(o: Record<string, unknown>, key: string, min: number, max: number): void {
  const value = o[key];
  if (value === undefined) return;
  check(typeof value === 'number' && Number.isInteger(value), key, value, 'expected an integer');
  checkRange(value >= min && value <= max, key, value, `must be between ${min} and ${max}`);
}

/**
 * IFLA_LINKINFO for `spec` (kind-specific data only; the common attributes are
 * the caller's). `linkIndex` resolves `dev`/`link` references in `ns`.
 */
export async function kindInfo(ns: Namespace, spec: LinkSpec): Promise<LinkInfoMessage> {
  const o = spec as unknown as Record<string, unknown>;
  switch (spec.kind) {
    case 'bridge': {
      for (const k of ['forwardDelay', 'helloTime', 'maxAge', 'ageingTime']) intIn(o, k, 0, 0xffffffff);
      intIn(o, 'priority', 0, 65535);
      intIn(o, 'vlanDefaultPvid', 0, 4094);
      for (const k of ['stp', 'vlanFiltering', 'multicastSnooping']) optionalBool(o, k);
      if (spec.vlanProtocol !== undefined) {
        check(spec.vlanProtocol === '802.1Q' || spec.vlanProtocol === '802.1ad', 'vlanProtocol', spec.vlanProtocol, 'expected "802.1Q" or "802.1ad"');
      }
      const data = encodeBridgeData(spec);
      return data.length ? { kind: 'bridge', data } : { kind: 'bridge' };
    }
    case 'vxlan': {
      check(spec.vni !== undefined, 'vni', spec.vni, 'a vxlan needs a VNI (0..16777215)');
      intIn(o, 'vni', 0, 0xffffff);
      intIn(o, 'dstport', 0, 65535);
      intIn(o, 'ttl', 0, 255);
      intIn(o, 'tos', 0, 255);
      intIn(o, 'ageing', 0, 0xffffffff);
      optionalBool(o, 'learning');
      check(spec.remote === undefined || spec.group === undefined, 'group', spec.group, 'give either remote or group, not both');
      if (spec.remote !== undefined) {
        const ip = parseIp(spec.remote, 'remote');
        check(!isMulticast(ip.bytes), 'remote', spec.remote, 'expected a unicast address (use group for multicast)');
      }
      if (spec.group !== undefined) {
        const ip = parseIp(spec.group, 'group');
        check(isMulticast(ip.bytes), 'group', spec.group, 'expected a multicast address (use remote for unicast)');
      }
      if (spec.local !== undefined) parseIp(spec.local, 'local');
      const d: VxlanData = {
        vni: spec.vni, remote: spec.remote, group: spec.group, local: spec.local, dstport: spec.dstport,
        ttl: spec.ttl, tos: spec.tos, learning: spec.learning, ageing: spec.ageing,
      };
      if (spec.dev !== undefined) d.linkIndex = await ns.linkIndex(spec.dev, 'dev');
      return { kind: 'vxlan', data: encodeVxlanData(d) };
    }
    case 'vlan': {
      check(spec.id !== undefined, 'id', spec.id, 'a vlan needs an id (0..4095)');
      intIn(o, 'id', 0, 4095);
      if (spec.protocol !== undefined) {
        check(spec.protocol === '802.1Q' || spec.protocol === '802.1ad', 'protocol', spec.protocol, 'expected "802.1Q" or "802.1ad"');
      }
      check(spec.link !== undefined, 'link', spec.link, 'a vlan needs its underlying link');
      return { kind: 'vlan', data: encodeVlanData({ id: spec.id, protocol: spec.protocol }) };
    }
    case 'macvlan': case 'macvtap': {
      if (spec.mode !== undefined) {
        check(MACVLAN_MODES.some(([m]) => m === spec.mode), 'mode', spec.mode,
          `expected one of ${MACVLAN_MODES.map(([m]) => m).join(', ')}`);
      }
      check(spec.link !== undefined, 'link', spec.link, `a ${spec.kind} needs its underlying link`);
      const data = encodeMacvlanData({ mode: spec.mode });
      return data.length ? { kind: spec.kind, data } : { kind: spec.kind };
    }
    case 'ifb':
      return { kind: 'ifb' };
    default:
      throw new TypeError(`kind: expected one of bridge, vxlan, vlan, macvlan, macvtap, tun, tap, ifb (veth: links.addVeth), got ${describe((spec as { kind: unknown }).kind)}`);
  }
}

/** IFF_* flags for TUNSETIFF (<linux/if_tun.h>), after checking the tun options. */
export function tunFlags(o: TunOptions): number {
  check(o.mode === 'tun' || o.mode === 'tap', 'mode', o.mode, 'expected "tun" or "tap"');
  const r = o as unknown as Record<string, unknown>;
  for (const k of ['multiQueue', 'packetInfo', 'vnetHdr']) optionalBool(r, k);
  intIn(r, 'owner', 0, 0x7fffffff);
  intIn(r, 'group', 0, 0x7fffffff);
  let flags = o.mode === 'tun' ? C.IFF_TUN : C.IFF_TAP;
  if (!o.packetInfo) flags |= C.IFF_NO_PI;
  if (o.multiQueue) flags |= C.IFF_MULTI_QUEUE;
  if (o.vnetHdr) flags |= C.IFF_VNET_HDR;
  return flags;
}

function isMulticast(ip: Uint8Array): boolean {
  return ip.length === 4 ? (ip[0] & 0xf0) === 0xe0 : ip[0] === 0xff;
}
