// Address: one IPv4/IPv6 address of a link, and the verbs of `ip addr`
// (ns.addresses for the namespace, link.addresses for one link).
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { AddressMessage, decodeAddress, encodeAddress } from '../rtnl/address';
import { check, checkRange, describe, NetlinkError } from '../errors';
import { afOf, Family, familyOfAf, formatIp, formatPrefix, parsePrefix, parseIp, Prefix } from '../inet';
import { ScopeName, scopes } from '../names';
import * as v from '../validate';
import type { CallOptions } from '../connection';
import type { Link, LinkRef } from './link';
import { addressFlagNames, addressJson } from './address-json';
import { AbortError } from '../errors';

export interface Address {
  readonly family: Family;
  /** The interface's own address: IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL (IPv6). */
  readonly address: string;
  readonly prefixLength: number;
  /** 'address/prefixLength', the form `ip addr` prints. */
  readonly cidr: string;
  readonly linkIndex: number;
  /** The remote end on point-to-point addresses. */
  readonly peer?: string;
  readonly broadcast?: string;
  readonly label?: string;
  readonly scope: ScopeName | number;
  /** IFA_F_* bits (all 32). */
  readonly flags: number;
  /** IPv6 duplicate address detection still running (IFA_F_TENTATIVE). */
  readonly tentative: boolean;
  readonly dadFailed: boolean;
  /** The set flags by the names `ip addr` prints: 'nodad', 'noprefixroute', 'tentative', 'permanent' … */
  readonly flagNames: string[];
  /** Seconds; 0xffffffff means forever. */
  readonly validLifetime?: number;
  readonly preferredLifetime?: number;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  readonly metric?: number;
  /** The `addr_info` entry `ip -j addr show` prints for this address. */
  toJSON(): Record<string, unknown>;
}

/** Seconds, or 'forever' (0xffffffff), as `valid_lft` / `preferred_lft` take them. */
export type Lifetime = number | 'forever';

export interface AddressOptions {
  /** Point-to-point peer ('10.9.0.2' or '10.9.0.2/32'). */
  peer?: string;
  broadcast?: string;
  label?: string;
  scope?: ScopeName | number;
  /** IPv6: skip duplicate address detection (IFA_F_NODAD). */
  nodad?: boolean;
  /** Do not add the prefix route (IFA_F_NOPREFIXROUTE). */
  noprefixroute?: boolean;
  /** IPv6 Mobile IP home address (IFA_F_HOMEADDRESS). */
  home?: boolean;
  /** IPv6: make privacy (temporary) addresses from this one (IFA_F_MANAGETEMPADDR; prefix length 64). */
  mngtmpaddr?: boolean;
  /**
   * IPv6 optimistic DAD (IFA_F_OPTIMISTIC, RFC 4429): usable while DAD runs.
   * The kernel keeps it only when the link's `optimistic_dad` sysctl is on.
   */
  optimistic?: boolean;
  /** Seconds until the address is removed (`valid_lft`); default forever. */
  validLifetime?: Lifetime;
  /** Seconds until it is deprecated (`preferred_lft`), at most validLifetime; default forever. */
  preferredLifetime?: Lifetime;
  /** Metric of the prefix route. */
  metric?: number;
}

export interface AddressSpec extends AddressOptions {
  link: LinkRef;
  /** 'ADDR/LEN' (a bare address means /32 or /128). */
  address: string;
}

export interface AddressFilter extends CallOptions {
  link?: LinkRef;
  family?: Family;
  /** Only addresses of this scope (`ip addr show scope link`); filtered here, the kernel does not. */
  scope?: ScopeName | number;
}

export function toAddress(m: AddressMessage): Address {
  const family = familyOfAf(m.family) ?? 4;
  const own = m.local ?? m.address ?? '';
  const flags = m.extFlags ?? m.flags ?? 0;
  const peer = m.local !== undefined && m.address !== undefined && m.address !== m.local ? m.address : undefined;
  const a = {
    family, address: own, prefixLength: m.prefixLength, cidr: `${own}/${m.prefixLength}`,
    linkIndex: m.index, peer, broadcast: m.broadcast, label: m.label, scope: scopes.name(m.scope ?? 0), flags,
    tentative: (flags & C.IFA_F_TENTATIVE) !== 0, dadFailed: (flags & C.IFA_F_DADFAILED) !== 0,
    flagNames: addressFlagNames(flags, m.family),
    validLifetime: m.cacheInfo?.valid, preferredLifetime: m.cacheInfo?.preferred, metric: m.metric,
  } as Address;
  // Not enumerable: an Address stays plain data for spreading and comparing.
  Object.defineProperty(a, 'toJSON', { value: () => addressJson(m), enumerable: false });
  return a;
}

const FOREVER = 0xffffffff;

function lifetime(value: Lifetime | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'forever') return FOREVER;
  return v.u32(value, field);
}

function scopeNumber(scope: ScopeName | number, field: string): number {
  const n = typeof scope === 'number' ? scope : scopes.number(scope);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 255) {
    throw new TypeError(`${field}: expected one of ${scopes.names.join(', ')} or 0..255, got ${describe(scope)}`);
  }
  return n;
}

/** Builds the ifaddrmsg + attributes `ip addr add` would send. */
function addressMessage(index: number, p: Prefix, o: AddressOptions): AddressMessage {
  const text = formatPrefix(p.bytes, p.prefixLength);
  const ip = text.slice(0, text.indexOf('/'));
  const m: AddressMessage = { family: afOf(p.family), prefixLength: p.prefixLength, index, local: ip, address: ip };
  // Default scope as ip-address(8): host for 127.0.0.0/8, else global.
  m.scope = o.scope !== undefined ? scopeNumber(o.scope, 'scope') : p.family === 4 && p.bytes[0] === 127 ? C.RT_SCOPE_HOST : 0;
  if (o.peer !== undefined) {
    const peer = parsePrefix(o.peer, 'peer');
    check(peer.family === p.family, 'peer', o.peer, `expected an IPv${p.family} address like the address`);
    m.address = formatIp(peer.bytes);
    if (o.peer.includes('/')) m.prefixLength = peer.prefixLength;
  }
  if (o.broadcast !== undefined) {
    check(p.family === 4, 'broadcast', o.broadcast, 'broadcast addresses exist for IPv4 only');
    m.broadcast = o.broadcast === '+' ? broadcastOf(p) : (parseIp(o.broadcast, 'broadcast'), o.broadcast);
  }
  if (o.label !== undefined) {
    check(typeof o.label === 'string' && Buffer.byteLength(o.label) <= 15, 'label', o.label, 'expected a label of at most 15 bytes');
    m.label = o.label;
  }
  let flags = 0;
  for (const [key, bit, v6only] of FLAG_OPTIONS) {
    const value = o[key];
    if (value === undefined) continue;
    check(typeof value === 'boolean', key, value, 'expected true or false');
    if (!value) continue;
    check(!v6only || p.family === 6, key, value, `${key} applies to IPv6 addresses only`);
    flags |= bit;
  }
  // As iproute2 does: ifa_flags (8 bits) only when every flag fits, IFA_FLAGS always.
  if (flags) { m.flags = flags <= 0xff ? flags : 0; m.extFlags = flags; }
  const valid = lifetime(o.validLifetime, 'validLifetime');
  const preferred = lifetime(o.preferredLifetime, 'preferredLifetime');
  if (valid !== undefined || preferred !== undefined) {
    // ip-address(8): preferred_lft may not exceed valid_lft; both default to forever.
    const vl = valid ?? FOREVER;
    const pl = preferred ?? vl;
    checkRange(pl <= vl, 'preferredLifetime', o.preferredLifetime, `must not exceed validLifetime (${o.validLifetime ?? 'forever'})`);
    checkRange(vl > 0, 'validLifetime', o.validLifetime, 'must be positive');
    m.cacheInfo = { preferred: pl, valid: vl, created: 0, updated: 0 };
  }
  if (o.metric !== undefined) m.metric = v.u32(o.metric, 'metric');
  return m;
}

/** Boolean options that are IFA_F_* bits: [option, bit, IPv6 only]. */
const FLAG_OPTIONS: ['nodad' | 'noprefixroute' | 'home' | 'mngtmpaddr' | 'optimistic', number, boolean][] = [
  ['nodad', C.IFA_F_NODAD, false], ['noprefixroute', C.IFA_F_NOPREFIXROUTE, false], ['home', C.IFA_F_HOMEADDRESS, true],
  ['mngtmpaddr', C.IFA_F_MANAGETEMPADDR, true], ['optimistic', C.IFA_F_OPTIMISTIC, true],
];

function broadcastOf(p: Prefix): string {
  const b = Buffer.from(p.bytes);
  for (let bit = p.prefixLength; bit < 32; bit++) b[bit >> 3] |= 0x80 >> (bit & 7);
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** `ip addr` for one namespace: ns.addresses. */
export class AddressTable {
  constructor(private readonly ns: Namespace) {}

  async add(spec: AddressSpec, options: CallOptions = {}): Promise<Address> {
    return this.write(C.RTM_NEWADDR, C.NLM_F_CREATE | C.NLM_F_EXCL, 'address.add', spec, options);
  }

  /** Adds, or updates the existing address in place (`ip addr replace`). */
  async replace(spec: AddressSpec, options: CallOptions = {}): Promise<Address> {
    return this.write(C.RTM_NEWADDR, C.NLM_F_CREATE | C.NLM_F_REPLACE, 'address.replace', spec, options);
  }

  async delete(spec: AddressSpec | Address, options: CallOptions = {}): Promise<void> {
    if ('linkIndex' in spec) {
      await this.write(C.RTM_DELADDR, 0, 'address.delete', { link: spec.linkIndex, address: spec.cidr, peer: spec.peer }, options);
      return;
    }
    await this.write(C.RTM_DELADDR, 0, 'address.delete', spec, options);
  }

  async list(filter: AddressFilter = {}): Promise<Address[]> {
    const index = filter.link === undefined ? 0 : await this.ns.linkIndex(filter.link, 'link');
    if (filter.family !== undefined) check(filter.family === 4 || filter.family === 6, 'family', filter.family, 'expected 4 or 6');
    // With NETLINK_GET_STRICT_CHK the kernel filters by ifa_index and ifa_family itself.
    const req = encodeAddress(C.RTM_GETADDR, C.NLM_F_REQUEST, {
      family: filter.family ? afOf(filter.family) : C.AF_UNSPEC, prefixLength: 0, index,
    });
    const scope = filter.scope === undefined ? undefined : scopes.name(scopeNumber(filter.scope, 'scope'));
    const replies = await this.ns.connection.dumpAll(req, { operation: 'address.list' }, filter);
    const all = replies.map((m) => toAddress(decodeAddress(m)));
    return scope === undefined ? all : all.filter((a) => a.scope === scope);
  }

  /**
   * Waits until IPv6 duplicate address detection is over for `address`: resolves
   * with the settled address (tentative cleared), rejects when DAD failed
   * (`dadfailed`: another host has it) or after `timeout` ms (default 5000).
   * IPv4 addresses and nodad addresses are settled at once.
   */
  async waitSettled(address: Address | AddressSpec, options: { timeout?: number; interval?: number } & CallOptions = {}): Promise<Address> {
    const index = 'linkIndex' in address ? address.linkIndex : await this.ns.linkIndex(address.link, 'link');
    const want = 'linkIndex' in address ? address.address : formatIp(parsePrefix(address.address, 'address').bytes);
    const timeout = options.timeout ?? 5000;
    const interval = options.interval ?? 50;
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = (await this.list({ link: index, signal: options.signal })).find((a) => a.address === want);
      if (found === undefined) throw new TypeError(`address: ${want} is not on link ${index} in ${this.ns}`);
      if (found.dadFailed) {
        throw new NetlinkError(98 /* EADDRINUSE */, { operation: 'address.settle', target: `${found.cidr} in ${this.ns}`, extAck: 'duplicate address detection failed (dadfailed)' });
      }
      if (!found.tentative) return found;
      if (Date.now() >= deadline) throw new AbortError(`address.settle ${found.cidr} in ${this.ns}: still tentative after ${timeout} ms`, 'ETIMEDOUT', 'address.settle');
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  /** Removes every address of a link (of one family if given), like `ip addr flush dev X`. */
  async flush(filter: AddressFilter & { link: LinkRef }): Promise<number> {
    const all = await this.list(filter);
    // Deleting a primary IPv4 address takes its secondaries with it (unless
    // promote_secondaries is set), so secondaries go first; one that vanished
    // meanwhile (EADDRNOTAVAIL) is already flushed.
    const ordered = [...all.filter((a) => a.flags & C.IFA_F_SECONDARY), ...all.filter((a) => !(a.flags & C.IFA_F_SECONDARY))];
    const gone = await Promise.all(ordered.map((a) => this.delete(a, filter).then(() => 1, (e: unknown) => {
      if (e instanceof NetlinkError && e.code === 'EADDRNOTAVAIL') return 0;
      throw e;
    })));
    return gone.reduce((n: number, x) => n + x, 0);
  }

  private async write(type: number, flags: number, operation: string, spec: AddressSpec, options: CallOptions): Promise<Address> {
    check(typeof spec === 'object' && spec !== null, 'address', spec, 'expected { link, address }');
    const p = parsePrefix(spec.address, 'address');
    const index = await this.ns.linkIndex(spec.link, 'link');
    const m = addressMessage(index, p, spec);
    const target = `${spec.address} on ${typeof spec.link === 'object' ? spec.link.name : describe(spec.link)} in ${this.ns}`;
    await this.ns.connection.request(encodeAddress(type, C.NLM_F_REQUEST | flags, m), { operation, target }, options);
    return toAddress({ ...m, extFlags: m.extFlags ?? 0 });
  }
}

/** The addresses of one link: link.addresses. */
export class LinkAddresses {
  constructor(private readonly ns: Namespace, private readonly index: number) {}
  add(address: string, o: AddressOptions & CallOptions = {}): Promise<Address> {
    return this.ns.addresses.add({ ...o, link: this.index, address }, o);
  }
  replace(address: string, o: AddressOptions & CallOptions = {}): Promise<Address> {
    return this.ns.addresses.replace({ ...o, link: this.index, address }, o);
  }
  delete(address: string | Address, o: CallOptions = {}): Promise<void> {
    return typeof address === 'string'
      ? this.ns.addresses.delete({ link: this.index, address }, o)
      : this.ns.addresses.delete(address, o);
  }
  list(filter: Omit<AddressFilter, 'link'> = {}): Promise<Address[]> {
    return this.ns.addresses.list({ ...filter, link: this.index });
  }
  flush(filter: Omit<AddressFilter, 'link'> = {}): Promise<number> {
    return this.ns.addresses.flush({ ...filter, link: this.index });
  }
  waitSettled(address: string | Address, o: { timeout?: number; interval?: number } & CallOptions = {}): Promise<Address> {
    return this.ns.addresses.waitSettled(typeof address === 'string' ? { link: this.index, address } : address, o);
  }
}

export type { Link };
