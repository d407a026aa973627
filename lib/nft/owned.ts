// The library's own nf_tables table, `ip rtnetlink`, shared by ns.nat and
// ns.firewall: rules are added to one of its chains in one transaction (the
// table and chain are created on the way if missing), and each addition comes
// back as a handle that deletes exactly its rules, by the handles the kernel
// echoed. The table is deleted once nothing in it matters any more — no rule
// and no base chain with a drop policy — so the ruleset is left as it was.
import type { Namespace } from '../namespace';
import { describe, NotFoundError } from '../errors';
import { linkName } from '../validate';
import { Nftables, NftOperation, RuleItem, ChainHookSpec, NftRuleInfo } from './index';

/** The library's table (family `ip`). */
export const OWNED_TABLE = 'rtnetlink';
export const OWNED_FAMILY = 'ip';
/** Rule comments written by the library start with this, then JSON. */
export const COMMENT_PREFIX = 'rtnetlink ';

export interface OwnedRules {
  /** The kernel's rule handles, in chain order. */
  handles: bigint[];
  /** Deletes these rules (and the table if nothing in it matters any more). Idempotent. */
  remove(): Promise<void>;
}

/** The ops creating the table and the chain `name` (a no-op for what exists; the policy is only sent if given). */
export function ensureChain(name: string, base: ChainHookSpec): NftOperation[] {
  return [
    { op: 'addTable', family: OWNED_FAMILY, name: OWNED_TABLE },
    { op: 'addChain', family: OWNED_FAMILY, table: OWNED_TABLE, name, base },
  ];
}

/** Appends `rules` to chain `chain` of our table in one transaction. */
export async function addOwnedRules(nsFd: number, chain: string, base: ChainHookSpec,
  rules: { items: RuleItem[]; comment: unknown }[]): Promise<OwnedRules> {
  const ops: NftOperation[] = [...ensureChain(chain, base), ...rules.map((r): NftOperation => ({
    op: 'addRule', family: OWNED_FAMILY, table: OWNED_TABLE, chain, items: r.items, comment: COMMENT_PREFIX + JSON.stringify(r.comment),
  }))];
  const { ruleHandles: handles } = await Nftables.with(nsFd, (nft) => nft.commit(ops));
  let removed = false;
  return {
    handles,
    remove: async () => {
      if (removed) return;
      await Nftables.with(nsFd, async (nft) => {
        await nft.commit(handles.map((handle) => ({ op: 'deleteRule', family: OWNED_FAMILY, table: OWNED_TABLE, chain, handle })));
        removed = true;
        await dropTableIfUnused(nft);
      });
    },
  };
}

/**
 * Deletes our table when it holds no rule and no base chain drops by policy
 * (an empty chain with policy drop still drops every packet on its hook).
 * Check-then-delete: another process adding to our table in between would lose its rule.
 */
export async function dropTableIfUnused(nft: Nftables): Promise<void> {
  if (!(await nft.tables(OWNED_FAMILY)).some((t) => t.name === OWNED_TABLE)) return;
  if ((await nft.rules(OWNED_FAMILY, OWNED_TABLE)).length > 0) return;
  if ((await nft.chains(OWNED_FAMILY, OWNED_TABLE)).some((c) => c.policy === 'drop')) return;
  await nft.commit([{ op: 'deleteTable', family: OWNED_FAMILY, name: OWNED_TABLE }]);
}

/** Our rules (those with our comment) in `chain`, with their parsed comments; none when the table does not exist. */
export async function ownedRules(nsFd: number, chains: readonly string[]): Promise<(NftRuleInfo & { data: any })[]> {
  const rules = await Nftables.with(nsFd, (nft) => nft.rules(OWNED_FAMILY, OWNED_TABLE));
  const out: (NftRuleInfo & { data: any })[] = [];
  for (const r of rules) {
    if (!chains.includes(r.chain) || !r.comment?.startsWith(COMMENT_PREFIX)) continue;
    try {
      out.push({ ...r, data: JSON.parse(r.comment.slice(COMMENT_PREFIX.length)) });
    } catch { /* a rule someone else put in our table: not ours to describe */ }
  }
  return out;
}

/** Checks that interface `name` exists in `ns`, before any transaction (NotFoundError naming `field`). */
export async function existingInterface(ns: Namespace, name: unknown, field: string, operation: string): Promise<string> {
  const n = linkName(name, field);
  if (!(await ns.links.find(n))) {
    throw new NotFoundError(19 /* ENODEV */, { operation: `${operation}.${field}`, target: `${describe(n)} in ${ns}`, what: `${field} ${describe(n)} (an interface) in ${ns}` });
  }
  return n;
}
