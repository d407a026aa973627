// Address.toJSON(): one `addr_info` entry as `ip -j addr show` prints it
// (iproute2 ip/ipaddress.c print_addrinfo, print_ifa_flags).
import * as C from '../netlink/constants';
import type { AddressMessage } from '../rtnl/address';
import { scopes } from '../names';

/** IFA_F_* names in ip's order; IFA_F_SECONDARY reads "temporary" for IPv6 (ifa_flag_names). */
export const ADDRESS_FLAGS: [string, number][] = [
  ['secondary', C.IFA_F_SECONDARY], ['nodad', C.IFA_F_NODAD], ['optimistic', C.IFA_F_OPTIMISTIC],
  ['dadfailed', C.IFA_F_DADFAILED], ['home', C.IFA_F_HOMEADDRESS], ['deprecated', C.IFA_F_DEPRECATED],
  ['tentative', C.IFA_F_TENTATIVE], ['permanent', C.IFA_F_PERMANENT], ['mngtmpaddr', C.IFA_F_MANAGETEMPADDR],
  ['noprefixroute', C.IFA_F_NOPREFIXROUTE], ['autojoin', C.IFA_F_MCAUTOJOIN], ['stable-privacy', C.IFA_F_STABLE_PRIVACY],
];

// IFA_PROTO is not printed: iproute2 6.1 (the oracle here) does not print it
// either; Address does not lift it (it is in the decoded message).

export function addressFlagNames(flags: number, family: number): string[] {
  return ADDRESS_FLAGS.filter(([, bit]) => flags & bit)
    .map(([n]) => (n === 'secondary' && family === C.AF_INET6 ? 'temporary' : n));
}

export function addressJson(m: AddressMessage): Record<string, unknown> {
  const o: Record<string, unknown> = { family: m.family === C.AF_INET6 ? 'inet6' : m.family === C.AF_INET ? 'inet' : m.family };
  const local = m.local ?? m.address;
  if (local !== undefined) o.local = local;
  if (m.local !== undefined && m.address !== undefined && m.address !== m.local) o.address = m.address;
  o.prefixlen = m.prefixLength;
  if (m.broadcast !== undefined) o.broadcast = m.broadcast;
  if (m.anycast !== undefined) o.anycast = m.anycast;
  o.scope = scopes.name(m.scope ?? 0);
  const flags = m.extFlags ?? m.flags ?? 0;
  for (const [name, bit] of ADDRESS_FLAGS) {
    if (bit === C.IFA_F_PERMANENT) {
      if (!(flags & bit)) o.dynamic = true;
    } else if (flags & bit) {
      o[name === 'secondary' && m.family === C.AF_INET6 ? 'temporary' : name] = true;
    }
  }
  if (m.label !== undefined) o.label = m.label;
  if (m.cacheInfo !== undefined) {
    o.valid_life_time = m.cacheInfo.valid;
    o.preferred_life_time = m.cacheInfo.preferred;
  }
  if (m.metric !== undefined) o.metric = m.metric;
  return o;
}
