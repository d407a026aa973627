// IFLA_INFO_DATA for kinds "macvlan" and "macvtap": IFLA_MACVLAN_* (<linux/if_link.h>).
import { RawAttribute } from '../../netlink/attributes';
import * as C from '../../netlink/constants';
import { AttrReader, u32 } from './attrs';

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';
export const MACVLAN_MODES: [MacvlanMode, number][] = [
  ['private', C.MACVLAN_MODE_PRIVATE], ['vepa', C.MACVLAN_MODE_VEPA], ['bridge', C.MACVLAN_MODE_BRIDGE],
  ['passthru', C.MACVLAN_MODE_PASSTHRU], ['source', C.MACVLAN_MODE_SOURCE],
];

export interface MacvlanData {
  mode?: MacvlanMode | number;
  other?: RawAttribute[];
}

export function encodeMacvlanData(d: MacvlanData): RawAttribute[] {
  const out: RawAttribute[] = [];
  if (d.mode !== undefined) {
    const n = typeof d.mode === 'number' ? d.mode : MACVLAN_MODES.find(([m]) => m === d.mode)?.[1];
    if (n === undefined) throw new TypeError(`mode: expected one of ${MACVLAN_MODES.map(([m]) => m).join(', ')}, got ${JSON.stringify(d.mode)}`);
    out.push(u32(C.IFLA_MACVLAN_MODE, n));
  }
  return out.concat(d.other ?? []);
}

export function decodeMacvlanData(list: readonly RawAttribute[]): MacvlanData {
  const r = new AttrReader(list);
  const mode = r.u32(C.IFLA_MACVLAN_MODE);
  const d: MacvlanData = { mode: mode === undefined ? undefined : MACVLAN_MODES.find(([, n]) => n === mode)?.[0] ?? mode };
  const other = r.rest();
  if (other.length) d.other = other;
  return d;
}
