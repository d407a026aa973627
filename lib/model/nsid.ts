// Namespace ids (`ip netns set/list-id`, ns.nsids): the number by which one
// namespace names another (IFLA_LINK_NETNSID, NDA_LINK_NETNSID …), assigned with
// RTM_NEWNSID and read with RTM_GETNSID (<linux/net_namespace.h>). The kernel
// has no RTM_DELNSID handler: an id lives as long as the peer namespace does.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeNsid, encodeNsid } from '../rtnl/nsid';
import { check, checkRange } from '../errors';
import type { CallOptions } from '../connection';

export interface NsidEntry {
  readonly nsid: number;
  toJSON(): Record<string, unknown>;
}

/** ns.nsids: the ids this namespace has for others. */
export class NsidTable {
  constructor(private readonly ns: Namespace) {}

  /**
   * `ip netns set PEER ID`: gives `peer` the id `nsid` (or the kernel's choice
   * when omitted) as seen from this namespace; returns the id. EEXIST if
   * `peer` already has a different one, or `nsid` is taken.
   */
  async set(peer: Namespace, nsid?: number, options: CallOptions = {}): Promise<number> {
    if (nsid !== undefined) {
      check(typeof nsid === 'number' && Number.isInteger(nsid), 'nsid', nsid, 'expected an integer');
      checkRange(nsid >= 0 && nsid <= 0x7fffffff, 'nsid', nsid, 'ids are 0..2147483647');
    }
    await this.ns.connection.request(encodeNsid(C.RTM_NEWNSID, C.NLM_F_REQUEST, { nsid: nsid ?? -1, fd: peer.fd }),
      { operation: 'nsid.set', target: `${nsid ?? 'auto'} for ${peer} in ${this.ns}` }, options);
    const got = await this.get(peer, options);
    if (got === undefined) throw new Error(`nsid.set: the kernel assigned no id to ${peer} in ${this.ns}`);
    return got;
  }

  /** The id of `peer` from here, or undefined when none is assigned (`ip netns identify` the other way round). */
  get(peer: Namespace, options: CallOptions = {}): Promise<number | undefined> {
    return this.ns.nsidOf(peer, options);
  }

  /** The namespace that `nsid` names from here, among open handles and named namespaces. */
  resolve(nsid: number, options: CallOptions = {}): Promise<Namespace> {
    return this.ns.resolveNsid(nsid, options);
  }

  /** `ip netns list-id`: every id assigned in this namespace. */
  async list(options: CallOptions = {}): Promise<NsidEntry[]> {
    const replies = await this.ns.connection.dumpAll(encodeNsid(C.RTM_GETNSID, C.NLM_F_REQUEST | C.NLM_F_DUMP, {}),
      { operation: 'nsid.list' }, options);
    return replies.map((r) => toNsid(decodeNsid(r).nsid ?? -1));
  }
}

/** An id as `ip -j netns list-id` prints it (the name is added by ip when it knows one). */
export function toNsid(nsid: number): NsidEntry {
  return { nsid, toJSON() { return { nsid: this.nsid }; } };
}
