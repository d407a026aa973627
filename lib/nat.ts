// NAT for a namespace, the way Docker and the CNI bridge plugin do it, over
// nf_tables netlink: masquerade a source prefix, publish a port (DNAT).
// Every rule lives in the library's own table `ip rtnetlink`, so others'
// tables and rules are never touched; each call returns a handle that
// removes exactly the rule it added (by the handle the kernel echoed), and
// the table itself once nothing in it matters (lib/nft/owned.ts, shared with
// ns.firewall).
import type { Namespace } from './namespace';
import { check, checkRange } from './errors';
import { parseIp, parsePrefix, formatIp, formatPrefix, networkOf } from './inet';
import { RuleItem } from './nft';
import { OWNED_TABLE, addOwnedRules, ownedRules, existingInterface } from './nft/owned';

/** The library's table (family `ip`), shared with ns.firewall. */
export const NAT_TABLE = OWNED_TABLE;
const CHAINS = {
  postrouting: { type: 'nat', hook: 'postrouting', priority: 100 }, // srcnat
  prerouting: { type: 'nat', hook: 'prerouting', priority: -100 }, // dstnat
} as const;
type NatChain = keyof typeof CHAINS;

export interface MasqueradeOptions {
  /** Source prefix to masquerade, e.g. '10.100.0.0/24' (IPv4). */
  source: string;
  /** Only packets leaving through this interface (it must exist). */
  outInterface?: string;
}

export interface PublishOptions {
  protocol: 'tcp' | 'udp';
  /** The port on this namespace's addresses, 1..65535. */
  port: number;
  /** Where to send it: 'ADDRESS:PORT' or 'ADDRESS' (same port), IPv4. */
  to: string;
  /** Only packets arriving through this interface (it must exist). */
  inInterface?: string;
}

/** One of our rules, as `list()` shows it. */
export interface NatEntry {
  kind: 'masquerade' | 'publish';
  chain: NatChain;
  /** The kernel's rule handle (`nft -a list ruleset` shows it). */
  handle: bigint;
  /** The options the rule was made from. */
  options: MasqueradeOptions | PublishOptions;
}

/** A rule added by `masquerade()` or `publish()`. */
export interface NatHandle extends NatEntry {
  /** Deletes this rule (and the library's table if it was the last one). Idempotent. */
  remove(): Promise<void>;
}

export class Nat {
  constructor(private readonly ns: Namespace) {}

  /** Source NAT to the outgoing interface's address for packets from `source` (`nft … masquerade`). */
  async masquerade(options: MasqueradeOptions): Promise<NatHandle> {
    check(typeof options === 'object' && options !== null, 'options', options, 'expected { source, outInterface? }');
    const p = parsePrefix(options.source, 'source', 4);
    checkRange(p.family === 4, 'source', options.source, 'expected an IPv4 prefix');
    const items: RuleItem[] = [];
    if (p.prefixLength > 0) items.push({ ip: 'saddr', address: formatIp(networkOf(p)), prefixLength: p.prefixLength });
    const opts: MasqueradeOptions = { source: formatPrefix(networkOf(p), p.prefixLength) };
    if (options.outInterface !== undefined) {
      opts.outInterface = await existingInterface(this.ns, options.outInterface, 'outInterface', 'nat');
      items.push({ meta: 'oifname', name: opts.outInterface });
    }
    items.push({ counter: true }, { masquerade: true });
    return this.add('masquerade', 'postrouting', items, opts);
  }

  /** Destination NAT of `protocol` `port` arriving here to `to` (like `docker run -p PORT:…`). */
  async publish(options: PublishOptions): Promise<NatHandle> {
    check(typeof options === 'object' && options !== null, 'options', options, 'expected { protocol, port, to }');
    check(options.protocol === 'tcp' || options.protocol === 'udp', 'protocol', options.protocol, "expected 'tcp' or 'udp'");
    const port = checkPort(options.port, 'port');
    check(typeof options.to === 'string', 'to', options.to, "expected 'ADDRESS:PORT'");
    const m = /^([^:]+)(?::(.*))?$/.exec(options.to);
    const ip = parseIp(m?.[1], 'to');
    checkRange(ip.family === 4, 'to', options.to, 'expected an IPv4 address');
    const toPort = m?.[2] === undefined ? port : checkPort(/^\d+$/.test(m[2]) ? Number(m[2]) : m[2], 'to', options.to);
    const address = [...ip.bytes].join('.');
    const opts: PublishOptions = { protocol: options.protocol, port, to: `${address}:${toPort}` };
    const items: RuleItem[] = [];
    if (options.inInterface !== undefined) {
      opts.inInterface = await existingInterface(this.ns, options.inInterface, 'inInterface', 'nat');
      items.push({ meta: 'iifname', name: opts.inInterface });
    }
    items.push({ l4proto: options.protocol }, { dport: port }, { counter: true }, { nat: 'dnat', address, port: toPort });
    return this.add('publish', 'prerouting', items, opts);
  }

  /** Our rules in this namespace (none when the table does not exist). */
  async list(): Promise<NatEntry[]> {
    return (await ownedRules(this.ns.fd, Object.keys(CHAINS)))
      .map((r) => ({ kind: r.data.kind, chain: r.chain as NatChain, handle: r.handle, options: r.data.options }));
  }

  private async add(kind: NatEntry['kind'], chain: NatChain, items: RuleItem[], options: NatEntry['options']): Promise<NatHandle> {
    const { handles: [handle], remove } = await addOwnedRules(this.ns.fd, chain, { ...CHAINS[chain] }, [{ items, comment: { kind, options } }]);
    return { kind, chain, handle, options, remove };
  }
}

function checkPort(value: unknown, field: string, shown: unknown = value): number {
  check(typeof value === 'number', field, shown, 'expected a port number 1..65535');
  checkRange(Number.isInteger(value) && value >= 1 && value <= 65535, field, shown, 'expected a port number 1..65535');
  return value;
}
