// Rule: one policy routing rule, and the verbs of `ip rule` (ns.rules), with
// iproute2's defaults (ip/iprule.c): IPv4 unless told, action lookup, table main.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeRule, encodeRule, Range, RuleMessage } from '../rtnl/rule';
import { check, checkRange } from '../errors';
import { afOf, Family, familyOfAf, formatIp, networkOf, parsePrefix } from '../inet';
import { ProtocolName, protocols, RuleActionName, ruleActions, TableName, tables } from '../names';
import * as v from '../validate';
import type { CallOptions } from '../connection';
import { named } from './route';

export interface Rule {
  readonly family: Family;
  /** Priority (`pref`); 0 for the local-table rule, which carries no FRA_PRIORITY. */
  readonly priority: number;
  /** Source prefix, 'all' when any. */
  readonly from: string;
  /** Destination prefix, 'all' when any. */
  readonly to: string;
  /** `not`: the selector is inverted (FIB_RULE_INVERT). */
  readonly not: boolean;
  readonly iif?: string;
  readonly oif?: string;
  readonly fwmark?: number;
  readonly fwmask?: number;
  readonly tos: number;
  readonly action: RuleActionName | number;
  /** The table looked up (action 'lookup'). */
  readonly table: TableName | number;
  /** Target priority of a 'goto'. */
  readonly goto?: number;
  readonly suppressPrefixlength?: number;
  readonly suppressIfgroup?: number;
  readonly uidRange?: Range;
  readonly ipproto?: number;
  readonly sport?: Range;
  readonly dport?: Range;
  readonly protocol: ProtocolName | number;
  readonly l3mdev?: boolean;
  readonly realms?: number;
  readonly tunId?: bigint;
  /** FIB_RULE_* bits. */
  readonly flags: number;
  readonly raw: RuleMessage;
  /** The object `ip -j rule show` prints for this rule. */
  toJSON(): Record<string, unknown>;
}

export interface RuleSpec {
  /** 4 or 6; taken from `from`/`to` when they are addresses, else 4 (like `ip rule` without -6). */
  family?: Family;
  priority?: number;
  from?: string;
  to?: string;
  not?: boolean;
  /** Input interface name (it need not exist yet). */
  iif?: string;
  oif?: string;
  fwmark?: number;
  fwmask?: number;
  tos?: number;
  /** 'lookup' (default when a table is given or none is), 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit'. */
  action?: RuleActionName;
  table?: TableName | number;
  /** With action 'goto': the priority of the rule to continue at. */
  goto?: number;
  /** `suppress_prefixlength N`: reject lookups whose route prefix is N or shorter. */
  suppressPrefixlength?: number;
  suppressIfgroup?: number;
  /** A uid or an inclusive range (`uidrange 100-200`). */
  uidRange?: number | Range;
  /** IP protocol number or name ('tcp', 'udp', 'icmp', 'ipv6-icmp', 'sctp'). */
  ipproto?: number | string;
  sport?: number | Range;
  dport?: number | Range;
  /** Who installed the rule (FRA_PROTOCOL). */
  protocol?: ProtocolName | number;
  l3mdev?: boolean;
  /** FRA_FLOW realms (to << 16 | from). */
  realms?: number;
  tunId?: bigint;
}

export interface RuleFilter extends CallOptions {
  /** 4, 6, or both when omitted. */
  family?: Family;
}

/** IP protocols `ip rule … ipproto` names (as /etc/protocols does). */
const IP_PROTOCOLS: [string, number][] = [
  ['icmp', 1], ['igmp', 2], ['tcp', 6], ['udp', 17], ['gre', 47], ['esp', 50], ['ah', 51],
  ['ipv6-icmp', 58], ['sctp', 132], ['udplite', 136],
];

function ipprotoName(n: number): string {
  return IP_PROTOCOLS.find(([, x]) => x === n)?.[0] ?? `ipproto-${n}`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function prefixOf(addr: string | undefined, len: number): string {
  return addr === undefined && len === 0 ? 'all' : `${addr ?? '0'}/${len}`;
}

/** `ip -j rule show` JSON (print_rule in ip/iprule.c, without -d). */
function ruleJson(r: Rule): Record<string, unknown> {
  const m = r.raw;
  const host = r.family === 4 ? 32 : 128;
  const j: Record<string, unknown> = { priority: r.priority };
  if (m.flags & C.FIB_RULE_INVERT) j.not = null;
  if (m.src !== undefined) {
    j.src = m.src;
    if (m.srcLength !== host) j.srclen = m.srcLength;
  } else if (m.srcLength) {
    j.src = '0';
    j.srclen = m.srcLength;
  } else {
    j.src = 'all';
  }
  if (m.dst !== undefined) {
    j.dst = m.dst;
    if (m.dstLength !== host) j.dstlen = m.dstLength;
  } else if (m.dstLength) {
    j.dst = '0';
    j.dstlen = m.dstLength;
  }
  if (m.tos) j.tos = `0x${m.tos.toString(16).padStart(2, '0')}`;
  if (m.fwmark !== undefined || m.fwmask !== undefined) {
    j.fwmark = hex(m.fwmark ?? 0);
    if (m.fwmask !== undefined && m.fwmask !== 0xffffffff) j.fwmask = hex(m.fwmask);
  }
  if (m.iifname !== undefined) {
    j.iif = m.iifname;
    if (m.flags & C.FIB_RULE_IIF_DETACHED) j.iif_detached = null;
  }
  if (m.oifname !== undefined) {
    j.oif = m.oifname;
    if (m.flags & C.FIB_RULE_OIF_DETACHED) j.oif_detached = null;
  }
  if (m.l3mdev) j.l3mdev = null;
  if (m.uidRange) { j.uid_start = m.uidRange.start; j.uid_end = m.uidRange.end; }
  if (m.ipProto !== undefined) j.ipproto = ipprotoName(m.ipProto);
  for (const [name, range] of [['sport', m.sportRange], ['dport', m.dportRange]] as const) {
    if (!range) continue;
    if (range.start === range.end) j[name] = range.start;
    else { j[`${name}_start`] = range.start; j[`${name}_end`] = range.end; }
  }
  if (m.tunId !== undefined) j.tun_id = Number(m.tunId);
  if (m.table) {
    j.table = String(r.table);
    if (m.suppressPrefixlen !== undefined && m.suppressPrefixlen !== 0xffffffff) j.suppress_prefixlen = m.suppressPrefixlen;
    if (m.suppressIfgroup !== undefined && m.suppressIfgroup !== 0xffffffff) j.suppress_ifgroup = m.suppressIfgroup;
  }
  if (m.flow !== undefined) j.realms = m.flow;
  if (m.action === C.FR_ACT_GOTO) {
    j.goto = m.goto ?? 'none';
    if (m.flags & C.FIB_RULE_UNRESOLVED) j.unresolved = null;
  } else if (m.action === C.FR_ACT_NOP) {
    j.nop = null;
  } else if (m.action !== C.FR_ACT_TO_TBL) {
    j.action = String(r.action);
  }
  if (m.protocol !== undefined && m.protocol !== C.RTPROT_UNSPEC && m.protocol !== C.RTPROT_KERNEL) j.protocol = String(r.protocol);
  return j;
}

/** The public Rule for a decoded RTM_NEWRULE/DELRULE (also for notifications). */
export function toRule(m: RuleMessage): Rule {
  const rule: Rule = {
    family: familyOfAf(m.family) ?? 4, priority: m.priority ?? 0,
    from: prefixOf(m.src, m.srcLength), to: prefixOf(m.dst, m.dstLength), not: (m.flags & C.FIB_RULE_INVERT) !== 0,
    iif: m.iifname, oif: m.oifname, fwmark: m.fwmark, fwmask: m.fwmask, tos: m.tos,
    action: ruleActions.name(m.action), table: tables.name(m.table), goto: m.goto,
    suppressPrefixlength: m.suppressPrefixlen === 0xffffffff ? undefined : m.suppressPrefixlen,
    suppressIfgroup: m.suppressIfgroup === 0xffffffff ? undefined : m.suppressIfgroup,
    uidRange: m.uidRange, ipproto: m.ipProto, sport: m.sportRange, dport: m.dportRange,
    protocol: protocols.name(m.protocol ?? 0), l3mdev: m.l3mdev === undefined ? undefined : m.l3mdev !== 0,
    realms: m.flow, tunId: m.tunId, flags: m.flags, raw: m,
    toJSON() { return ruleJson(this); },
  };
  for (const k of Object.keys(rule) as (keyof Rule)[]) if (rule[k] === undefined) delete (rule as unknown as Record<string, unknown>)[k];
  return rule;
}

/** `ip rule` for one namespace: ns.rules. */
export class RuleTable {
  constructor(private readonly ns: Namespace) {}

  /** `ip rule add`. */
  async add(spec: RuleSpec, options: CallOptions = {}): Promise<Rule> {
    const m = ruleMessage(spec, false);
    await this.ns.connection.request(encodeRule(C.RTM_NEWRULE, C.NLM_F_REQUEST | C.NLM_F_CREATE | C.NLM_F_EXCL, m),
      { operation: 'rule.add', target: `${describeRule(spec)} in ${this.ns}` }, options);
    return toRule(m);
  }

  /** `ip rule del`: the kernel deletes the first rule matching every given selector. */
  async delete(spec: RuleSpec | Rule, options: CallOptions = {}): Promise<void> {
    const m = 'raw' in spec ? { ...spec.raw, unknown: undefined } : ruleMessage(spec, true);
    await this.ns.connection.request(encodeRule(C.RTM_DELRULE, C.NLM_F_REQUEST, m),
      { operation: 'rule.delete', target: `${'raw' in spec ? `pref ${spec.priority}` : describeRule(spec)} in ${this.ns}` }, options);
  }

  /** `ip [-4|-6] rule show`. */
  async list(filter: RuleFilter = {}): Promise<Rule[]> {
    if (filter.family !== undefined) check(filter.family === 4 || filter.family === 6, 'family', filter.family, 'expected 4 or 6');
    const req = encodeRule(C.RTM_GETRULE, C.NLM_F_REQUEST | C.NLM_F_DUMP, {
      family: filter.family ? afOf(filter.family) : C.AF_UNSPEC, dstLength: 0, srcLength: 0, tos: 0, table: 0, action: 0, flags: 0,
    });
    const out: Rule[] = [];
    for (const m of await this.ns.connection.dumpAll(req, { operation: 'rule.list' }, filter)) {
      const r = decodeRule(m);
      if (filter.family === undefined || r.family === afOf(filter.family)) out.push(toRule(r));
    }
    return out;
  }

  /** `ip rule flush`: deletes every rule with a non-zero priority (the local rule stays); returns how many. */
  async flush(filter: RuleFilter = {}): Promise<number> {
    const rules = (await this.list(filter)).filter((r) => r.raw.priority !== undefined && r.priority !== 0);
    await Promise.all(rules.map((r) => this.delete(r, filter)));
    return rules.length;
  }
}

function describeRule(s: RuleSpec): string {
  const parts = [s.priority !== undefined ? `pref ${s.priority}` : '', s.from ? `from ${s.from}` : '', s.to ? `to ${s.to}` : '',
    s.action && s.action !== 'lookup' ? s.action : '', s.table !== undefined ? `table ${s.table}` : ''];
  return `rule ${parts.filter(Boolean).join(' ') || '(any)'}`;
}

function range(value: number | Range, field: string, max: number): Range {
  const r = typeof value === 'number' ? { start: value, end: value } : value;
  check(typeof r === 'object' && r !== null && Number.isInteger(r.start) && Number.isInteger(r.end), field, value, 'expected a number or { start, end }');
  checkRange(r.start >= 0 && r.end <= max && r.start <= r.end, field, value, `expected 0 <= start <= end <= ${max}`);
  return { start: r.start, end: r.end };
}

function ifName(value: unknown, field: string): string {
  return v.linkName(value, field);
}

/** The fib_rule_hdr + FRA_* that `ip rule add/del` sends (iprule_modify). */
function ruleMessage(spec: RuleSpec, isDelete: boolean): RuleMessage {
  check(typeof spec === 'object' && spec !== null, 'rule', spec, 'expected { priority?, from?, to?, table? … }');
  if (spec.family !== undefined) check(spec.family === 4 || spec.family === 6, 'family', spec.family, 'expected 4 or 6');
  const guess = (s: string | undefined) => (s && s !== 'all' && s !== 'default' && s.includes(':') ? 6 : s && s !== 'all' && s !== 'default' ? 4 : undefined);
  const family: Family = spec.family ?? guess(spec.from) ?? guess(spec.to) ?? 4;
  const action = spec.action === undefined ? (isDelete && spec.table === undefined ? C.FR_ACT_UNSPEC : C.FR_ACT_TO_TBL) : named(spec.action, ruleActions, 'action');
  const m: RuleMessage = { family: afOf(family), dstLength: 0, srcLength: 0, tos: 0, table: C.RT_TABLE_UNSPEC, action, flags: 0 };
  if (spec.table !== undefined) {
    check(action === C.FR_ACT_TO_TBL, 'table', spec.table, `a table goes with action "lookup", not "${spec.action}"`);
    m.table = named(spec.table, tables, 'table', 0xffffffff);
    checkRange(m.table !== C.RT_TABLE_UNSPEC, 'table', spec.table, 'table 0 (unspec) cannot be looked up');
  } else if (action === C.FR_ACT_TO_TBL && !isDelete) {
    m.table = C.RT_TABLE_MAIN;
  }
  if (spec.priority !== undefined) m.priority = v.u32(spec.priority, 'priority');
  for (const [field, text] of [['from', spec.from], ['to', spec.to]] as const) {
    if (text === undefined || text === 'all') continue;
    const p = parsePrefix(text, field, family);
    check(p.family === family, field, text, `expected an IPv${family} prefix`);
    if (p.prefixLength === 0) continue;
    const addr = formatIp(networkOf(p));
    if (field === 'from') { m.src = addr; m.srcLength = p.prefixLength; } else { m.dst = addr; m.dstLength = p.prefixLength; }
  }
  if (spec.not) m.flags |= C.FIB_RULE_INVERT;
  if (spec.iif !== undefined) m.iifname = ifName(spec.iif, 'iif');
  if (spec.oif !== undefined) m.oifname = ifName(spec.oif, 'oif');
  if (spec.fwmark !== undefined) m.fwmark = v.u32(spec.fwmark, 'fwmark');
  if (spec.fwmask !== undefined) {
    check(spec.fwmark !== undefined, 'fwmask', spec.fwmask, 'a mask needs an fwmark');
    m.fwmask = v.u32(spec.fwmask, 'fwmask');
  }
  if (spec.tos !== undefined) {
    check(Number.isInteger(spec.tos), 'tos', spec.tos, 'expected an integer');
    checkRange(spec.tos >= 0 && spec.tos <= 255, 'tos', spec.tos, 'must be between 0 and 255');
    m.tos = spec.tos;
  }
  if (spec.goto !== undefined) {
    check(action === C.FR_ACT_GOTO, 'goto', spec.goto, 'needs action "goto"');
    m.goto = v.u32(spec.goto, 'goto');
  } else if (action === C.FR_ACT_GOTO && !isDelete) {
    throw new TypeError('goto: action "goto" needs the target priority in goto, got undefined');
  }
  if (spec.suppressPrefixlength !== undefined) {
    checkRange(Number.isInteger(spec.suppressPrefixlength) && spec.suppressPrefixlength >= 0 && spec.suppressPrefixlength <= 128,
      'suppressPrefixlength', spec.suppressPrefixlength, 'expected a prefix length 0..128');
    m.suppressPrefixlen = spec.suppressPrefixlength;
  }
  if (spec.suppressIfgroup !== undefined) m.suppressIfgroup = v.u32(spec.suppressIfgroup, 'suppressIfgroup');
  if (spec.uidRange !== undefined) m.uidRange = range(spec.uidRange, 'uidRange', 0xffffffff);
  if (spec.ipproto !== undefined) {
    const n = typeof spec.ipproto === 'string' ? IP_PROTOCOLS.find(([name]) => name === spec.ipproto)?.[1] : spec.ipproto;
    check(n !== undefined && Number.isInteger(n) && n >= 0 && n <= 255, 'ipproto', spec.ipproto,
      `expected a protocol number 0..255 or one of ${IP_PROTOCOLS.map(([x]) => x).join(', ')}`);
    m.ipProto = n;
  }
  if (spec.sport !== undefined) m.sportRange = range(spec.sport, 'sport', 65535);
  if (spec.dport !== undefined) m.dportRange = range(spec.dport, 'dport', 65535);
  if (spec.protocol !== undefined) m.protocol = named(spec.protocol, protocols, 'protocol');
  if (spec.l3mdev) m.l3mdev = 1;
  if (spec.realms !== undefined) m.flow = v.u32(spec.realms, 'realms');
  if (spec.tunId !== undefined) {
    check(typeof spec.tunId === 'bigint' && spec.tunId >= 0n && spec.tunId < 1n << 64n, 'tunId', spec.tunId, 'expected a bigint 0..2^64-1');
    m.tunId = spec.tunId;
  }
  return m;
}
