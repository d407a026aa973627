// nf_tables transactions and listings inside one namespace, over a
// NETLINK_NETFILTER socket opened there. A transaction is one batch in one
// sendmsg; the kernel applies all of it or, on the first error, none of it
// (nfnetlink_rcv_batch() aborts the whole batch and reports each failing
// message: net/netfilter/nfnetlink.c).
import { Connection, CallOptions } from '../connection';
import { NetlinkError } from '../errors';
import * as C from '../netlink/constants';
import {
  NftOperation, NftTableInfo, NftChainInfo, NftRuleInfo, NftFamily, FAMILIES,
  encodeBatch, encodeGet, decodeTable, decodeChain, decodeRule, msgType,
} from './codec';

export * from './codec';

/** What a committed transaction created: the handle of each `addRule`, in order. */
export interface NftCommitResult {
  ruleHandles: bigint[];
}

function describeOp(o: NftOperation): string {
  switch (o.op) {
    case 'addTable': case 'deleteTable': return `${o.op} ${o.family} ${o.name}`;
    case 'addChain': case 'deleteChain': return `${o.op} ${o.family} ${o.table} ${o.name}`;
    case 'addRule': return `addRule ${o.family} ${o.table} ${o.chain}`;
    case 'deleteRule': return `deleteRule ${o.family} ${o.table} ${o.chain} handle ${o.handle}`;
  }
}

/** nf_tables in a namespace. `close()` it when done (or use the static `with`). */
export class Nftables {
  private readonly conn: Connection;

  /** Opens a NETLINK_NETFILTER socket inside the namespace `nsFd` (-1: this process's). */
  constructor(nsFd: number) {
    this.conn = new Connection(nsFd, { protocol: C.NETLINK_NETFILTER });
  }

  static async with<T>(nsFd: number, fn: (nft: Nftables) => Promise<T>): Promise<T> {
    const nft = new Nftables(nsFd);
    try { return await fn(nft); } finally { nft.close(); }
  }

  close(): void { this.conn.close(); }

  /**
   * Applies `ops` as one transaction: all or nothing. On failure throws the
   * first refused operation's NetlinkError (its target names the operation and
   * its index); nothing of the batch remains.
   */
  async commit(ops: readonly NftOperation[], options: CallOptions = {}): Promise<NftCommitResult> {
    if (ops.length === 0) return { ruleHandles: [] };
    const { buf, offsets } = encodeBatch(ops);
    const { failures, replies } = await this.conn.requestGroupWithReplies(buf, offsets, { operation: 'nft.commit' }, options);
    if (failures.length > 0) {
      const f = failures.sort((a, b) => a.index - b.index)[0];
      const i = f.index - 1; // offsets[0] is the batch begin
      const e = f.error;
      const target = i >= 0 && i < ops.length ? `operation ${i} (${describeOp(ops[i])})` : 'batch';
      throw new NetlinkError(e.errno, { operation: 'nft.commit', target, extAck: e.extAck });
    }
    // NLM_F_ECHO copies of the new rules, in the order of the batch.
    const ruleHandles = replies.filter((m) => m.type === msgType(C.NFT_MSG_NEWRULE)).map((m) => decodeRule(m).handle);
    const wanted = ops.filter((o) => o.op === 'addRule').length;
    if (ruleHandles.length !== wanted) {
      throw new Error(`nft.commit: expected ${wanted} rule echo(es), the kernel sent ${ruleHandles.length}`);
    }
    return { ruleHandles };
  }

  async tables(family?: NftFamily): Promise<NftTableInfo[]> {
    const replies = await this.conn.dumpAll(encodeGet(C.NFT_MSG_GETTABLE, family ? FAMILIES[family] : C.NFPROTO_UNSPEC), { operation: 'nft.tables' });
    return replies.map(decodeTable);
  }

  async chains(family?: NftFamily, table?: string): Promise<NftChainInfo[]> {
    const replies = await this.conn.dumpAll(encodeGet(C.NFT_MSG_GETCHAIN, family ? FAMILIES[family] : C.NFPROTO_UNSPEC), { operation: 'nft.chains' });
    return replies.map(decodeChain).filter((c) => table === undefined || c.table === table);
  }

  /** Rules in order, of one table if given (the kernel filters by NFTA_RULE_TABLE). */
  async rules(family?: NftFamily, table?: string): Promise<NftRuleInfo[]> {
    const replies = await this.conn.dumpAll(encodeGet(C.NFT_MSG_GETRULE, family ? FAMILIES[family] : C.NFPROTO_UNSPEC, table), { operation: 'nft.rules' });
    return replies.map(decodeRule);
  }
}
