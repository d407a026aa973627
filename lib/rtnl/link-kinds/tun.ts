// IFLA_INFO_DATA the kernel reports for kind "tun" (tun and tap devices):
// IFLA_TUN_* (<linux/if_link.h>). Read-only: tun devices are made through
// /dev/net/tun (native/tun.cc), not RTM_NEWLINK.
import { RawAttribute } from '../../netlink/attributes';
import * as C from '../../netlink/constants';
import { AttrReader } from './attrs';

export interface TunData {
  mode?: 'tun' | 'tap' | number;
  /** Owner uid / group gid; absent when none is set. */
  owner?: number;
  group?: number;
  /** Packet information header (IFF_NO_PI not set). */
  pi?: boolean;
  vnetHdr?: boolean;
  persist?: boolean;
  multiQueue?: boolean;
  numQueues?: number;
  numDisabledQueues?: number;
  other?: RawAttribute[];
}

export function decodeTunData(list: readonly RawAttribute[]): TunData {
  const r = new AttrReader(list);
  const type = r.u8(C.IFLA_TUN_TYPE);
  const d: TunData = {
    mode: type === undefined ? undefined : type === C.IFF_TUN ? 'tun' : type === C.IFF_TAP ? 'tap' : type,
    owner: r.u32(C.IFLA_TUN_OWNER),
    group: r.u32(C.IFLA_TUN_GROUP),
    pi: r.bool(C.IFLA_TUN_PI),
    vnetHdr: r.bool(C.IFLA_TUN_VNET_HDR),
    persist: r.bool(C.IFLA_TUN_PERSIST),
    multiQueue: r.bool(C.IFLA_TUN_MULTI_QUEUE),
    numQueues: r.u32(C.IFLA_TUN_NUM_QUEUES),
    numDisabledQueues: r.u32(C.IFLA_TUN_NUM_DISABLED_QUEUES),
  };
  const other = r.rest();
  if (other.length) d.other = other;
  return d;
}
