// IFLA_INFO_SLAVE_DATA of a bridge port: IFLA_BRPORT_* (<linux/if_link.h>,
// ip-link(8) "type bridge_slave"). The same attributes as IFLA_PROTINFO of `bridge link`.
import { RawAttribute } from '../../netlink/attributes';
import * as C from '../../netlink/constants';
import { AttrReader, flag, u16, u32, u8 } from './attrs';

/** STP port states (BR_STATE_* in <linux/if_bridge.h>), as `ip -d link` prints them. */
export type BridgePortState = 'disabled' | 'listening' | 'learning' | 'forwarding' | 'blocking';
export const BRIDGE_PORT_STATES: BridgePortState[] = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

export interface BridgePortData {
  state?: BridgePortState | number;
  /** STP port priority, 0..63. */
  priority?: number;
  /** STP path cost. */
  cost?: number;
  /** Learn source addresses (IFLA_BRPORT_LEARNING). */
  learning?: boolean;
  /** Flood unknown unicast (IFLA_BRPORT_UNICAST_FLOOD). */
  flood?: boolean;
  mcastFlood?: boolean;
  bcastFlood?: boolean;
  /** Reflect traffic back out of the port it came in on (IFLA_BRPORT_MODE). */
  hairpin?: boolean;
  /** Isolated ports talk only to non-isolated ones (IFLA_BRPORT_ISOLATED). */
  isolated?: boolean;
  /** Block BPDUs (IFLA_BRPORT_GUARD). */
  guard?: boolean;
  other?: RawAttribute[];
}

export function encodeBridgePortData(d: BridgePortData): RawAttribute[] {
  const out: RawAttribute[] = [];
  if (d.state !== undefined) out.push(u8(C.IFLA_BRPORT_STATE, typeof d.state === 'number' ? d.state : BRIDGE_PORT_STATES.indexOf(d.state)));
  if (d.priority !== undefined) out.push(u16(C.IFLA_BRPORT_PRIORITY, d.priority));
  if (d.cost !== undefined) out.push(u32(C.IFLA_BRPORT_COST, d.cost));
  if (d.hairpin !== undefined) out.push(flag(C.IFLA_BRPORT_MODE, d.hairpin));
  if (d.guard !== undefined) out.push(flag(C.IFLA_BRPORT_GUARD, d.guard));
  if (d.learning !== undefined) out.push(flag(C.IFLA_BRPORT_LEARNING, d.learning));
  if (d.flood !== undefined) out.push(flag(C.IFLA_BRPORT_UNICAST_FLOOD, d.flood));
  if (d.mcastFlood !== undefined) out.push(flag(C.IFLA_BRPORT_MCAST_FLOOD, d.mcastFlood));
  if (d.bcastFlood !== undefined) out.push(flag(C.IFLA_BRPORT_BCAST_FLOOD, d.bcastFlood));
  if (d.isolated !== undefined) out.push(flag(C.IFLA_BRPORT_ISOLATED, d.isolated));
  return out.concat(d.other ?? []);
}

export function decodeBridgePortData(list: readonly RawAttribute[]): BridgePortData {
  const r = new AttrReader(list);
  const state = r.u8(C.IFLA_BRPORT_STATE);
  const d: BridgePortData = {
    state: state === undefined ? undefined : BRIDGE_PORT_STATES[state] ?? state,
    priority: r.u16(C.IFLA_BRPORT_PRIORITY),
    cost: r.u32(C.IFLA_BRPORT_COST),
    learning: r.bool(C.IFLA_BRPORT_LEARNING),
    flood: r.bool(C.IFLA_BRPORT_UNICAST_FLOOD),
    mcastFlood: r.bool(C.IFLA_BRPORT_MCAST_FLOOD),
    bcastFlood: r.bool(C.IFLA_BRPORT_BCAST_FLOOD),
    hairpin: r.bool(C.IFLA_BRPORT_MODE),
    isolated: r.bool(C.IFLA_BRPORT_ISOLATED),
    guard: r.bool(C.IFLA_BRPORT_GUARD),
  };
  const other = r.rest();
  if (other.length) d.other = other;
  return d;
}
