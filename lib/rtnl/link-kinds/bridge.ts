// IFLA_INFO_DATA for kind "bridge": IFLA_BR_* (<linux/if_link.h>, ip-link(8) "type bridge").
import { RawAttribute } from '../../netlink/attributes';
import * as C from '../../netlink/constants';
import { AttrReader, be16, flag, u16, u32 } from './attrs';

export type VlanProtocol = '802.1Q' | '802.1ad';

export function vlanProtocolNumber(p: VlanProtocol): number {
  return p === '802.1ad' ? C.ETH_P_8021AD : C.ETH_P_8021Q;
}
export function vlanProtocolName(n: number): VlanProtocol | number {
  return n === C.ETH_P_8021AD ? '802.1ad' : n === C.ETH_P_8021Q ? '802.1Q' : n;
}

/**
 * Bridge settings. Times are in centiseconds (the kernel's clock_t with
 * USER_HZ = 100), exactly the numbers `ip link ... type bridge forward_delay 500`
 * takes and `ip -d link` prints.
 */
export interface BridgeData {
  /** STP on (IFLA_BR_STP_STATE). */
  stp?: boolean;
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  /** Bridge priority, 0..65535 (STP bridge id). */
  priority?: number;
  vlanFiltering?: boolean;
  vlanProtocol?: VlanProtocol | number;
  /** Default PVID for new ports (0 = none). */
  vlanDefaultPvid?: number;
  multicastSnooping?: boolean;
  /** IFLA_BR_* attributes not decoded above. */
  other?: RawAttribute[];
}

export function encodeBridgeData(d: BridgeData): RawAttribute[] {
  const out: RawAttribute[] = [];
  if (d.forwardDelay !== undefined) out.push(u32(C.IFLA_BR_FORWARD_DELAY, d.forwardDelay));
  if (d.helloTime !== undefined) out.push(u32(C.IFLA_BR_HELLO_TIME, d.helloTime));
  if (d.maxAge !== undefined) out.push(u32(C.IFLA_BR_MAX_AGE, d.maxAge));
  if (d.ageingTime !== undefined) out.push(u32(C.IFLA_BR_AGEING_TIME, d.ageingTime));
  if (d.stp !== undefined) out.push(u32(C.IFLA_BR_STP_STATE, d.stp ? 1 : 0));
  if (d.priority !== undefined) out.push(u16(C.IFLA_BR_PRIORITY, d.priority));
  if (d.vlanFiltering !== undefined) out.push(flag(C.IFLA_BR_VLAN_FILTERING, d.vlanFiltering));
  if (d.vlanProtocol !== undefined) {
    out.push(be16(C.IFLA_BR_VLAN_PROTOCOL, typeof d.vlanProtocol === 'number' ? d.vlanProtocol : vlanProtocolNumber(d.vlanProtocol)));
  }
  if (d.vlanDefaultPvid !== undefined) out.push(u16(C.IFLA_BR_VLAN_DEFAULT_PVID, d.vlanDefaultPvid));
  if (d.multicastSnooping !== undefined) out.push(flag(C.IFLA_BR_MCAST_SNOOPING, d.multicastSnooping));
  return out.concat(d.other ?? []);
}

export function decodeBridgeData(list: readonly RawAttribute[]): BridgeData {
  const r = new AttrReader(list);
  const stp = r.u32(C.IFLA_BR_STP_STATE);
  const proto = r.be16(C.IFLA_BR_VLAN_PROTOCOL);
  const d: BridgeData = {
    stp: stp === undefined ? undefined : stp !== 0,
    forwardDelay: r.u32(C.IFLA_BR_FORWARD_DELAY),
    helloTime: r.u32(C.IFLA_BR_HELLO_TIME),
    maxAge: r.u32(C.IFLA_BR_MAX_AGE),
    ageingTime: r.u32(C.IFLA_BR_AGEING_TIME),
    priority: r.u16(C.IFLA_BR_PRIORITY),
    vlanFiltering: r.bool(C.IFLA_BR_VLAN_FILTERING),
    vlanProtocol: proto === undefined ? undefined : vlanProtocolName(proto),
    vlanDefaultPvid: r.u16(C.IFLA_BR_VLAN_DEFAULT_PVID),
    multicastSnooping: r.bool(C.IFLA_BR_MCAST_SNOOPING),
  };
  const other = r.rest();
  if (other.length) d.other = other;
  return d;
}
