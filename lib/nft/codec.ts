// nf_tables messages over NETLINK_NETFILTER: encoders for tables, chains and
// rules (built from a few typed expressions) and decoders for their dumps.
// Every message carries a struct nfgenmsg after the nlmsghdr, and every
// integer attribute of nf_tables is big-endian (<linux/netfilter/nf_tables.h>).
import * as C from '../netlink/constants';
import { MessageWriter, forEachAttribute, readString } from '../netlink/attributes';
import { MessageView } from '../netlink/message';

/** An nf_tables address family: `ip` (NFPROTO_IPV4), `ip6` or `inet` (both). */
export type NftFamily = 'ip' | 'ip6' | 'inet';
export type NftHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
export type CtState = 'invalid' | 'established' | 'related' | 'new' | 'untracked';

export const FAMILIES: Record<NftFamily, number> = { ip: C.NFPROTO_IPV4, ip6: C.NFPROTO_IPV6, inet: C.NFPROTO_INET };
export const HOOKS: Record<NftHook, number> = {
  prerouting: C.NF_INET_PRE_ROUTING, input: C.NF_INET_LOCAL_IN, forward: C.NF_INET_FORWARD,
  output: C.NF_INET_LOCAL_OUT, postrouting: C.NF_INET_POST_ROUTING,
};
// ct state bits: NF_CT_STATE_BIT(ctinfo) = 1 << (ctinfo + 1) (<linux/netfilter/nf_conntrack_common.h>).
export const CT_STATES: Record<CtState, number> = {
  invalid: C.NF_CT_STATE_INVALID_BIT, established: 1 << (C.IP_CT_ESTABLISHED + 1),
  related: 1 << (C.IP_CT_RELATED + 1), new: 1 << (C.IP_CT_NEW + 1), untracked: C.NF_CT_STATE_UNTRACKED_BIT,
};
const IFNAMSIZ = 16;
const L4: Record<'tcp' | 'udp', number> = { tcp: C.IPPROTO_TCP, udp: C.IPPROTO_UDP };

/**
 * One step of a rule, in order (matches first, then statements). IPv4 only
 * for addresses (tables of family `ip`, or `inet` guarded by the caller).
 */
export type RuleItem =
  /** `ip saddr|daddr PREFIX`: payload load, mask (if shorter than /32), compare. */
  | { ip: 'saddr' | 'daddr'; address: string; prefixLength: number }
  /** `iifname|oifname NAME` (exact name). */
  | { meta: 'iifname' | 'oifname'; name: string }
  /** `meta l4proto tcp|udp`. */
  | { l4proto: 'tcp' | 'udp' }
  /** `th dport PORT` (put an `l4proto` item before it). */
  | { dport: number }
  /** `ct state A,B`: any of the states. */
  | { ctState: CtState[] }
  | { counter: true }
  | { verdict: 'accept' | 'drop' }
  | { verdict: 'jump' | 'goto'; chain: string }
  | { masquerade: true }
  /** `dnat|snat to ADDRESS[:PORT]` (IPv4). */
  | { nat: 'dnat' | 'snat'; address: string; port?: number };

export interface ChainHookSpec {
  type: 'filter' | 'nat' | 'route';
  hook: NftHook;
  priority: number;
  /** Base chains only; `accept` when created without one, unchanged when the chain exists. */
  policy?: 'accept' | 'drop';
}

/** One operation of a transaction. */
export type NftOperation =
  | { op: 'addTable'; family: NftFamily; name: string }
  | { op: 'deleteTable'; family: NftFamily; name: string }
  | { op: 'addChain'; family: NftFamily; table: string; name: string; base?: ChainHookSpec }
  | { op: 'deleteChain'; family: NftFamily; table: string; name: string }
  | { op: 'addRule'; family: NftFamily; table: string; chain: string; items: RuleItem[]; comment?: string }
  | { op: 'deleteRule'; family: NftFamily; table: string; chain: string; handle: bigint };

export const msgType = (m: number): number => (C.NFNL_SUBSYS_NFTABLES << 8) | m;

function be32(v: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; }
function be64(v: bigint): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b; }
function ipv4(a: string): Buffer { return Buffer.from(a.split('.').map(Number)); }

/** struct nfgenmsg: family, NFNETLINK_V0, res_id (big-endian). */
export function nfgenmsg(w: MessageWriter, family: number, resId = 0): void {
  w.u8(family).u8(C.NFNETLINK_V0).bytes(Buffer.from([resId >> 8, resId & 0xff]));
}

// --- expressions ------------------------------------------------------------

type Attrs = (w: MessageWriter) => void;

function expr(w: MessageWriter, name: string, data?: Attrs): void {
  const elem = w.beginNest(C.NFTA_LIST_ELEM, true);
  w.attrString(C.NFTA_EXPR_NAME, name);
  if (data) {
    const d = w.beginNest(C.NFTA_EXPR_DATA, true);
    data(w);
    w.endNest(d);
  }
  w.endNest(elem);
}
function dataValue(w: MessageWriter, type: number, value: Buffer): void {
  const n = w.beginNest(type, true);
  w.attrBytes(C.NFTA_DATA_VALUE, value);
  w.endNest(n);
}
const payload = (w: MessageWriter, base: number, offset: number, len: number) => expr(w, 'payload', () => {
  w.attrBytes(C.NFTA_PAYLOAD_DREG, be32(C.NFT_REG_1)).attrBytes(C.NFTA_PAYLOAD_BASE, be32(base))
    .attrBytes(C.NFTA_PAYLOAD_OFFSET, be32(offset)).attrBytes(C.NFTA_PAYLOAD_LEN, be32(len));
});
const cmp = (w: MessageWriter, op: number, value: Buffer) => expr(w, 'cmp', () => {
  w.attrBytes(C.NFTA_CMP_SREG, be32(C.NFT_REG_1)).attrBytes(C.NFTA_CMP_OP, be32(op));
  dataValue(w, C.NFTA_CMP_DATA, value);
});
const bitwise = (w: MessageWriter, mask: Buffer) => expr(w, 'bitwise', () => {
  w.attrBytes(C.NFTA_BITWISE_SREG, be32(C.NFT_REG_1)).attrBytes(C.NFTA_BITWISE_DREG, be32(C.NFT_REG_1))
    .attrBytes(C.NFTA_BITWISE_LEN, be32(mask.length));
  dataValue(w, C.NFTA_BITWISE_MASK, mask);
  dataValue(w, C.NFTA_BITWISE_XOR, Buffer.alloc(mask.length));
});
const meta = (w: MessageWriter, key: number) => expr(w, 'meta', () => {
  w.attrBytes(C.NFTA_META_DREG, be32(C.NFT_REG_1)).attrBytes(C.NFTA_META_KEY, be32(key));
});
const immediate = (w: MessageWriter, reg: number, value: Buffer) => expr(w, 'immediate', () => {
  w.attrBytes(C.NFTA_IMMEDIATE_DREG, be32(reg));
  dataValue(w, C.NFTA_IMMEDIATE_DATA, value);
});
const VERDICTS = { accept: C.NF_ACCEPT, drop: C.NF_DROP, jump: C.NFT_JUMP, goto: C.NFT_GOTO };

/** Appends the kernel expressions of one rule item. */
export function encodeItem(w: MessageWriter, item: RuleItem): void {
  if ('ip' in item) {
    payload(w, C.NFT_PAYLOAD_NETWORK_HEADER, item.ip === 'saddr' ? 12 : 16, 4);
    const addr = ipv4(item.address);
    if (item.prefixLength < 32) {
      const mask = be32(item.prefixLength === 0 ? 0 : (~0 << (32 - item.prefixLength)) >>> 0);
      bitwise(w, mask);
      for (let i = 0; i < 4; i++) addr[i] &= mask[i];
    }
    cmp(w, C.NFT_CMP_EQ, addr);
  } else if ('meta' in item) {
    meta(w, item.meta === 'iifname' ? C.NFT_META_IIFNAME : C.NFT_META_OIFNAME);
    const name = Buffer.alloc(IFNAMSIZ);
    name.write(item.name);
    cmp(w, C.NFT_CMP_EQ, name);
  } else if ('l4proto' in item) {
    meta(w, C.NFT_META_L4PROTO);
    cmp(w, C.NFT_CMP_EQ, Buffer.from([L4[item.l4proto]]));
  } else if ('dport' in item) {
    payload(w, C.NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
    cmp(w, C.NFT_CMP_EQ, Buffer.from([item.dport >> 8, item.dport & 0xff]));
  } else if ('ctState' in item) {
    // ct state is a host-endian u32 of bits; `ct state a,b` = (state & mask) != 0.
    expr(w, 'ct', () => { w.attrBytes(C.NFTA_CT_DREG, be32(C.NFT_REG_1)).attrBytes(C.NFTA_CT_KEY, be32(C.NFT_CT_STATE)); });
    const mask = Buffer.alloc(4);
    mask.writeUInt32LE(item.ctState.reduce((m, s) => m | CT_STATES[s], 0));
    bitwise(w, mask);
    cmp(w, C.NFT_CMP_NEQ, Buffer.alloc(4));
  } else if ('counter' in item) {
    expr(w, 'counter', () => { w.attrBytes(C.NFTA_COUNTER_BYTES, be64(0n)).attrBytes(C.NFTA_COUNTER_PACKETS, be64(0n)); });
  } else if ('verdict' in item) {
    expr(w, 'immediate', () => {
      w.attrBytes(C.NFTA_IMMEDIATE_DREG, be32(C.NFT_REG_VERDICT));
      const data = w.beginNest(C.NFTA_IMMEDIATE_DATA, true);
      const v = w.beginNest(C.NFTA_DATA_VERDICT, true);
      w.attrBytes(C.NFTA_VERDICT_CODE, be32(VERDICTS[item.verdict]));
      if ('chain' in item) w.attrString(C.NFTA_VERDICT_CHAIN, item.chain);
      w.endNest(v);
      w.endNest(data);
    });
  } else if ('masquerade' in item) {
    expr(w, 'masq');
  } else {
    immediate(w, C.NFT_REG_1, ipv4(item.address));
    if (item.port !== undefined) immediate(w, C.NFT_REG_2, Buffer.from([item.port >> 8, item.port & 0xff]));
    expr(w, 'nat', () => {
      w.attrBytes(C.NFTA_NAT_TYPE, be32(item.nat === 'dnat' ? C.NFT_NAT_DNAT : C.NFT_NAT_SNAT))
        .attrBytes(C.NFTA_NAT_FAMILY, be32(C.NFPROTO_IPV4))
        .attrBytes(C.NFTA_NAT_REG_ADDR_MIN, be32(C.NFT_REG_1));
      if (item.port !== undefined) w.attrBytes(C.NFTA_NAT_REG_PROTO_MIN, be32(C.NFT_REG_2));
    });
  }
}

/**
 * A rule comment in libnftnl's user-data format (TLV: u8 type
 * NFTNL_UDATA_RULE_COMMENT = 0, u8 length, NUL-terminated string), so that
 * `nft list ruleset` shows it as `comment "…"`.
 */
export function encodeComment(comment: string): Buffer {
  const s = Buffer.from(comment + '\0');
  return Buffer.concat([Buffer.from([0, s.length]), s]);
}
export function decodeComment(b: Buffer): string | undefined {
  for (let off = 0; off + 2 <= b.length;) {
    const type = b[off], len = b[off + 1];
    if (type === 0) return readString(b, off + 2, Math.min(off + 2 + len, b.length));
    off += 2 + len;
  }
  return undefined;
}

/**
 * Appends one operation to a batch writer (after NFNL_MSG_BATCH_BEGIN) and
 * returns its message's offset. New rules ask for an echo (NLM_F_ECHO) to
 * learn their handles.
 */
export function encodeOperation(w: MessageWriter, o: NftOperation): number {
  const create = C.NLM_F_REQUEST | C.NLM_F_CREATE;
  let at: number;
  const family = FAMILIES[o.family];
  switch (o.op) {
    case 'addTable':
    case 'deleteTable':
      at = w.next(msgType(o.op === 'addTable' ? C.NFT_MSG_NEWTABLE : C.NFT_MSG_DELTABLE), o.op === 'addTable' ? create : C.NLM_F_REQUEST);
      nfgenmsg(w, family);
      w.attrString(C.NFTA_TABLE_NAME, o.name);
      return at;
    case 'addChain':
    case 'deleteChain':
      at = w.next(msgType(o.op === 'addChain' ? C.NFT_MSG_NEWCHAIN : C.NFT_MSG_DELCHAIN), o.op === 'addChain' ? create : C.NLM_F_REQUEST);
      nfgenmsg(w, family);
      w.attrString(C.NFTA_CHAIN_TABLE, o.table).attrString(C.NFTA_CHAIN_NAME, o.name);
      if (o.op === 'addChain' && o.base) {
        const hook = w.beginNest(C.NFTA_CHAIN_HOOK, true);
        w.attrBytes(C.NFTA_HOOK_HOOKNUM, be32(HOOKS[o.base.hook])).attrBytes(C.NFTA_HOOK_PRIORITY, be32(o.base.priority));
        w.endNest(hook);
        // Absent policy: accept on creation, unchanged on an existing chain (nf_tables_newchain()).
        if (o.base.policy !== undefined) w.attrBytes(C.NFTA_CHAIN_POLICY, be32(o.base.policy === 'drop' ? C.NF_DROP : C.NF_ACCEPT));
        w.attrString(C.NFTA_CHAIN_TYPE, o.base.type);
      }
      return at;
    case 'addRule': {
      at = w.next(msgType(C.NFT_MSG_NEWRULE), create | C.NLM_F_APPEND | C.NLM_F_ECHO);
      nfgenmsg(w, family);
      w.attrString(C.NFTA_RULE_TABLE, o.table).attrString(C.NFTA_RULE_CHAIN, o.chain);
      const list = w.beginNest(C.NFTA_RULE_EXPRESSIONS, true);
      for (const item of o.items) encodeItem(w, item);
      w.endNest(list);
      if (o.comment !== undefined) w.attrBytes(C.NFTA_RULE_USERDATA, encodeComment(o.comment));
      return at;
    }
    case 'deleteRule':
      at = w.next(msgType(C.NFT_MSG_DELRULE), C.NLM_F_REQUEST);
      nfgenmsg(w, family);
      w.attrString(C.NFTA_RULE_TABLE, o.table).attrString(C.NFTA_RULE_CHAIN, o.chain)
        .attrBytes(C.NFTA_RULE_HANDLE, be64(o.handle));
      return at;
  }
}

/**
 * A whole transaction: NFNL_MSG_BATCH_BEGIN (res_id = NFNL_SUBSYS_NFTABLES),
 * the operations, NFNL_MSG_BATCH_END, in one buffer for one sendmsg.
 * `offsets` holds the offsets of the begin message and of each operation, not
 * of the end: the kernel answers NLM_F_ACK on the end message only when the
 * batch commits, while an operation's ACK is queued with the errors and
 * delivered after them whether the batch commits or aborts
 * (nfnetlink_rcv_batch(), net/netfilter/nfnetlink.c). So the last operation
 * carries the ACK that ends the exchange.
 */
export function encodeBatch(ops: readonly NftOperation[]): { buf: Buffer; offsets: number[] } {
  const w = new MessageWriter(C.NFNL_MSG_BATCH_BEGIN, C.NLM_F_REQUEST, 512);
  nfgenmsg(w, C.AF_UNSPEC, C.NFNL_SUBSYS_NFTABLES);
  const offsets = [0];
  for (const o of ops) offsets.push(encodeOperation(w, o));
  w.next(C.NFNL_MSG_BATCH_END, C.NLM_F_REQUEST);
  nfgenmsg(w, C.AF_UNSPEC, C.NFNL_SUBSYS_NFTABLES);
  return { buf: w.finish(), offsets };
}

/** A dump request (GETTABLE/GETCHAIN/GETRULE) for one family (or all), optionally one table. */
export function encodeGet(msg: number, family: number, table?: string): Buffer {
  const w = new MessageWriter(msgType(msg), C.NLM_F_REQUEST | C.NLM_F_DUMP);
  nfgenmsg(w, family);
  if (table !== undefined) w.attrString(msg === C.NFT_MSG_GETRULE ? C.NFTA_RULE_TABLE : C.NFTA_CHAIN_TABLE, table);
  return w.finish();
}

// --- decoding ---------------------------------------------------------------

const NFGENMSG_LEN = 4;
const familyName = (n: number): NftFamily | string =>
  (Object.keys(FAMILIES) as NftFamily[]).find((k) => FAMILIES[k] === n) ?? String(n);

export interface NftTableInfo { family: NftFamily | string; name: string; handle: bigint; use: number }
export interface NftChainInfo {
  family: NftFamily | string; table: string; name: string; handle: bigint;
  type?: string; hook?: NftHook | number; priority?: number; policy?: 'accept' | 'drop';
}
export interface NftRuleInfo {
  family: NftFamily | string; table: string; chain: string; handle: bigint;
  /** The kernel expressions' names in order ('payload', 'cmp', 'masq', …). */
  expressions: string[];
  comment?: string;
}

export function decodeTable(m: MessageView): NftTableInfo {
  const t: NftTableInfo = { family: familyName(m.buf[m.start]), name: '', handle: 0n, use: 0 };
  forEachAttribute(m.buf, m.start + NFGENMSG_LEN, m.end, (type, s, e) => {
    if (type === C.NFTA_TABLE_NAME) t.name = readString(m.buf, s, e);
    else if (type === C.NFTA_TABLE_HANDLE) t.handle = m.buf.readBigUInt64BE(s);
    else if (type === C.NFTA_TABLE_USE) t.use = m.buf.readUInt32BE(s);
  });
  return t;
}

export function decodeChain(m: MessageView): NftChainInfo {
  const c: NftChainInfo = { family: familyName(m.buf[m.start]), table: '', name: '', handle: 0n };
  forEachAttribute(m.buf, m.start + NFGENMSG_LEN, m.end, (type, s, e) => {
    if (type === C.NFTA_CHAIN_TABLE) c.table = readString(m.buf, s, e);
    else if (type === C.NFTA_CHAIN_NAME) c.name = readString(m.buf, s, e);
    else if (type === C.NFTA_CHAIN_HANDLE) c.handle = m.buf.readBigUInt64BE(s);
    else if (type === C.NFTA_CHAIN_TYPE) c.type = readString(m.buf, s, e);
    else if (type === C.NFTA_CHAIN_POLICY) c.policy = m.buf.readUInt32BE(s) === C.NF_DROP ? 'drop' : 'accept';
    else if (type === C.NFTA_CHAIN_HOOK) {
      forEachAttribute(m.buf, s, e, (t2, s2) => {
        if (t2 === C.NFTA_HOOK_HOOKNUM) {
          const n = m.buf.readUInt32BE(s2);
          c.hook = (Object.keys(HOOKS) as NftHook[]).find((k) => HOOKS[k] === n) ?? n;
        } else if (t2 === C.NFTA_HOOK_PRIORITY) c.priority = m.buf.readInt32BE(s2);
      });
    }
  });
  return c;
}

export function decodeRule(m: MessageView): NftRuleInfo {
  const r: NftRuleInfo = { family: familyName(m.buf[m.start]), table: '', chain: '', handle: 0n, expressions: [] };
  forEachAttribute(m.buf, m.start + NFGENMSG_LEN, m.end, (type, s, e) => {
    if (type === C.NFTA_RULE_TABLE) r.table = readString(m.buf, s, e);
    else if (type === C.NFTA_RULE_CHAIN) r.chain = readString(m.buf, s, e);
    else if (type === C.NFTA_RULE_HANDLE) r.handle = m.buf.readBigUInt64BE(s);
    else if (type === C.NFTA_RULE_USERDATA) r.comment = decodeComment(m.buf.subarray(s, e));
    else if (type === C.NFTA_RULE_EXPRESSIONS) {
      forEachAttribute(m.buf, s, e, (_t, es, ee) => forEachAttribute(m.buf, es, ee, (t3, s3, e3) => {
        if (t3 === C.NFTA_EXPR_NAME) r.expressions.push(readString(m.buf, s3, e3));
      }));
    }
  });
  return r;
}
