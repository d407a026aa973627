// Forwarding policy for a namespace that routes for others (a host with a
// bridge of containers), over nf_tables netlink: a `forward` base chain (hook
// forward, type filter, priority 0) in the library's own table `ip rtnetlink`
// (lib/nft/owned.ts, shared with ns.nat), a policy for it, and accept rules.
//
// nf_tables is not iptables' single FORWARD chain: every base chain on the
// forward hook, of every table, sees each packet, and a packet is dropped if
// ANY of them drops it (an accept only ends that chain's say — nft(8),
// "VERDICT STATEMENT"). So an accept here cannot override another table's
// drop; allowForward() opens holes in OUR drop policy, Docker-style: drop
// forwarding by default, then allow the bridge's traffic and its replies.
import type { Namespace } from './namespace';
import { check, checkRange } from './errors';
import { parsePrefix, formatIp, formatPrefix, networkOf } from './inet';
import { Nftables, RuleItem, ChainHookSpec } from './nft';
import { OWNED_FAMILY, OWNED_TABLE, addOwnedRules, ownedRules, existingInterface, ensureChain, dropTableIfUnused } from './nft/owned';

const CHAIN = 'forward';
const BASE: ChainHookSpec = { type: 'filter', hook: 'forward', priority: 0 };

export interface AllowForwardOptions {
  /** Packets arriving through this interface (it must exist), e.g. the containers' bridge. */
  inInterface?: string;
  /** Packets leaving through this interface (it must exist). */
  outInterface?: string;
  /** Source prefix, IPv4 ('10.100.0.0/24'; a bare address means /32). */
  source?: string;
  /** Destination prefix, IPv4. */
  destination?: string;
  /**
   * Also accept the replies: a second rule for the reverse direction
   * (interfaces and prefixes swapped) matching `ct state established,related`,
   * so answers come back while nothing can open a connection that way.
   */
  established?: boolean;
}

/** One allowForward() call, as `list()` shows it. */
export interface FirewallEntry {
  /** The kernel's rule handles: the forward rule, then the reply rule if `established`. */
  handles: bigint[];
  /** The options the rules were made from (normalised). */
  options: AllowForwardOptions;
}

/** What allowForward() added. */
export interface FirewallHandle extends FirewallEntry {
  /** Deletes these rules (and the library's table once nothing in it matters). Idempotent. */
  remove(): Promise<void>;
}

export class Firewall {
  constructor(private readonly ns: Namespace) {}

  /**
   * Sets the policy of our forward chain. `'drop'` creates the table and chain
   * if needed: from then on only what allowForward() accepts is forwarded.
   * `'accept'` (the default of a new chain) and no rules left deletes the
   * table, leaving the ruleset as it was; it never creates anything.
   */
  async setForwardPolicy(policy: 'drop' | 'accept'): Promise<void> {
    check(policy === 'drop' || policy === 'accept', 'policy', policy, "expected 'drop' or 'accept'");
    await Nftables.with(this.ns.fd, async (nft) => {
      if (policy === 'accept' && !(await nft.tables(OWNED_FAMILY)).some((t) => t.name === OWNED_TABLE)) return;
      await nft.commit(ensureChain(CHAIN, { ...BASE, policy }));
      if (policy === 'accept') await dropTableIfUnused(nft);
    });
  }

  /** The policy of our forward chain ('accept' when there is none). */
  async forwardPolicy(): Promise<'drop' | 'accept'> {
    const chains = await Nftables.with(this.ns.fd, (nft) => nft.chains(OWNED_FAMILY, OWNED_TABLE));
    return chains.find((c) => c.name === CHAIN)?.policy ?? 'accept';
  }

  /**
   * Accepts forwarded packets matching all the given fields (at least one),
   * appended to our forward chain in one transaction with its reply rule. It
   * only matters under our own drop policy (see setForwardPolicy); it cannot
   * accept what another table's chain drops.
   */
  async allowForward(options: AllowForwardOptions): Promise<FirewallHandle> {
    check(typeof options === 'object' && options !== null, 'options', options, 'expected { inInterface?, outInterface?, source?, destination?, established? }');
    const { inInterface, outInterface, source, destination, established } = options;
    check([inInterface, outInterface, source, destination].some((v) => v !== undefined), 'options', options,
      'expected at least one of inInterface, outInterface, source, destination (an empty match would forward everything)');
    check(established === undefined || typeof established === 'boolean', 'established', established, 'expected a boolean');
    const opts: AllowForwardOptions = {};
    const src = source === undefined ? undefined : prefix(source, 'source');
    const dst = destination === undefined ? undefined : prefix(destination, 'destination');
    if (src) opts.source = src.text;
    if (dst) opts.destination = dst.text;
    if (inInterface !== undefined) opts.inInterface = await existingInterface(this.ns, inInterface, 'inInterface', 'firewall');
    if (outInterface !== undefined) opts.outInterface = await existingInterface(this.ns, outInterface, 'outInterface', 'firewall');
    if (established) opts.established = true;

    const match = (iif?: string, oif?: string, s?: Prefix, d?: Prefix): RuleItem[] => [
      ...(iif !== undefined ? [{ meta: 'iifname' as const, name: iif }] : []),
      ...(oif !== undefined ? [{ meta: 'oifname' as const, name: oif }] : []),
      ...(s && s.len > 0 ? [{ ip: 'saddr' as const, address: s.address, prefixLength: s.len }] : []),
      ...(d && d.len > 0 ? [{ ip: 'daddr' as const, address: d.address, prefixLength: d.len }] : []),
    ];
    const rules = [{ items: [...match(opts.inInterface, opts.outInterface, src, dst), { counter: true } as const, { verdict: 'accept' } as const], comment: { kind: 'allowForward', options: opts } }];
    if (established) {
      rules.push({
        items: [...match(opts.outInterface, opts.inInterface, dst, src), { ctState: ['established', 'related'] }, { counter: true }, { verdict: 'accept' }],
        comment: { kind: 'allowForward.reply', options: opts },
      });
    }
    const { handles, remove } = await addOwnedRules(this.ns.fd, CHAIN, BASE, rules);
    return { handles, options: opts, remove };
  }

  /** Our allowForward() entries in chain order (none when the table does not exist). */
  async list(): Promise<FirewallEntry[]> {
    const out: FirewallEntry[] = [];
    for (const r of await ownedRules(this.ns.fd, [CHAIN])) {
      // A reply rule is appended right after its forward rule, in the same transaction.
      if (r.data.kind === 'allowForward.reply' && out.length > 0) out[out.length - 1].handles.push(r.handle);
      else if (r.data.kind === 'allowForward') out.push({ handles: [r.handle], options: r.data.options });
    }
    return out;
  }
}

interface Prefix { address: string; len: number; text: string }
function prefix(value: unknown, field: string): Prefix {
  const p = parsePrefix(value, field, 4);
  checkRange(p.family === 4, field, value, 'expected an IPv4 prefix');
  const address = formatIp(networkOf(p));
  return { address, len: p.prefixLength, text: formatPrefix(networkOf(p), p.prefixLength) };
}
