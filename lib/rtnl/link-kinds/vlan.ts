// IFLA_INFO_DATA for kind "vlan": IFLA_VLAN_* (<linux/if_link.h>, ip-link(8) "type vlan").
import { RawAttribute } from '../../netlink/attributes';
import * as C from '../../netlink/constants';
import { AttrReader, be16, u16 } from './attrs';
import { VlanProtocol, vlanProtocolName, vlanProtocolNumber } from './bridge';

export interface VlanData {
  /** 802.1Q VLAN id, 0..4095. */
  id?: number;
  /** Tag protocol: 802.1Q (default) or 802.1ad (QinQ). */
  protocol?: VlanProtocol | number;
  other?: RawAttribute[];
}

export function encodeVlanData(d: VlanData): RawAttribute[] {
  const out: RawAttribute[] = [];
  if (d.protocol !== undefined) {
    out.push(be16(C.IFLA_VLAN_PROTOCOL, typeof d.protocol === 'number' ? d.protocol : vlanProtocolNumber(d.protocol)));
  }
  if (d.id !== undefined) out.push(u16(C.IFLA_VLAN_ID, d.id));
  return out.concat(d.other ?? []);
}

export function decodeVlanData(list: readonly RawAttribute[]): VlanData {
  const r = new AttrReader(list);
  const proto = r.be16(C.IFLA_VLAN_PROTOCOL);
  const d: VlanData = { id: r.u16(C.IFLA_VLAN_ID), protocol: proto === undefined ? undefined : vlanProtocolName(proto) };
  const other = r.rest();
  if (other.length) d.other = other;
  return d;
}
