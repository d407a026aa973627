// Rule codec and verbs against iproute2 captures (test/fixtures/more/rule-*,
// capture-more.sh): decode, byte-exact re-encode, and the requests ns.rules
// builds compared with the ones `ip rule` sent.
import * as C from '../../lib/netlink/constants';
import { decodeRule, encodeRule } from '../../lib/rtnl/rule';
import { RuleSpec, RuleTable, toRule } from '../../lib/model/rule';
import { messagesOf, moreFixture, normalised, recordingNamespace, sentNormalised, view } from '../helpers/more-fixtures';

const req = (name: string) => moreFixture(name).messages.find((m) => m.direction === 'request')!;

describe('rule codec: every captured message re-encodes byte for byte', () => {
  test.each(messagesOf('rule-', ['RTM_NEWRULE', 'RTM_DELRULE', 'RTM_GETRULE']))('%s', (_name, m) => {
    const raw = normalised(m);
    const v = view(raw);
    const decoded = decodeRule(v);
    const encoded = encodeRule(v.type, v.flags, decoded);
    expect(decodeRule(view(encoded))).toEqual(decoded);
    // Same header and the same attributes byte for byte; the kernel's attribute order is its own.
    expect(encoded.subarray(0, 28)).toEqual(raw.subarray(0, 28));
    expect(attrs(encoded)).toEqual(attrs(raw));
    expect(encoded.length).toBe(raw.length);
  });
});

describe('rule codec: decoded fields', () => {
  test('rule-add: from 10.1.0.0/16 table 100 pref 100 (table in the header)', () => {
    expect(decodeRule(view(normalised(req('rule-add'))))).toEqual({
      family: C.AF_INET, dstLength: 0, srcLength: 16, tos: 0, table: 100, action: C.FR_ACT_TO_TBL, flags: 0, src: '10.1.0.0', priority: 100,
    });
  });
  test('rule-add-big-table: table 1000 in FRA_TABLE', () => {
    expect(decodeRule(view(normalised(req('rule-add-big-table'))))).toMatchObject({ table: 1000, dst: '10.2.0.0', dstLength: 16 });
  });
  test('rule-add-v6-fwmark: not, fwmark/mask, iif, suppress_prefixlength', () => {
    expect(decodeRule(view(normalised(req('rule-add-v6-fwmark'))))).toMatchObject({
      family: C.AF_INET6, flags: C.FIB_RULE_INVERT, fwmark: 0x10, fwmask: 0xff, iifname: 'veth0', suppressPrefixlen: 0, table: C.RT_TABLE_MAIN,
    });
  });
  test('rule-add-ports: ipproto, port ranges (host order), uid range, prohibit', () => {
    expect(decodeRule(view(normalised(req('rule-add-ports'))))).toMatchObject({
      ipProto: 6, sportRange: { start: 1000, end: 2000 }, dportRange: { start: 80, end: 80 }, uidRange: { start: 100, end: 200 }, action: C.FR_ACT_PROHIBIT,
    });
  });
  test('rule-dump: the kernel\'s rules decode to what ip -j prints', () => {
    const replies = moreFixture('rule-dump').messages.filter((m) => m.type === 'RTM_NEWRULE').map((m) => toRule(decodeRule(view(normalised(m)))));
    expect(replies.map((r) => JSON.parse(JSON.stringify(r)))).toEqual([
      { priority: 0, src: 'all', table: 'local' },
      { priority: 50, src: 'all', goto: 100 },
      { priority: 100, src: '10.1.0.0', srclen: 16, table: '100' },
      { priority: 32766, src: 'all', table: 'main' },
      { priority: 32767, src: 'all', table: 'default' },
    ]);
  });
});

describe('requests built by ns.rules equal iproute2\'s', () => {
  const cases: [string, RuleSpec, 'add' | 'delete', Record<string, number>][] = [
    ['rule-add', { from: '10.1.0.0/16', table: 100, priority: 100 }, 'add', {}],
    ['rule-add-big-table', { to: '10.2.0.0/16', table: 1000, priority: 101 }, 'add', {}],
    ['rule-add-v6-fwmark', { family: 6, not: true, fwmark: 0x10, fwmask: 0xff, iif: 'veth0', table: 'main', suppressPrefixlength: 0, priority: 200 }, 'add', {}],
    ['rule-add-ports', { ipproto: 'tcp', sport: { start: 1000, end: 2000 }, dport: 80, uidRange: { start: 100, end: 200 }, action: 'prohibit', priority: 300 }, 'add', {}],
    ['rule-add-goto', { action: 'goto', goto: 100, priority: 50 }, 'add', {}],
    ['rule-del', { priority: 100 }, 'delete', {}],
  ];
  test.each(cases)('%s', async (name, spec, verb, links) => {
    const { ns, sent } = recordingNamespace(links);
    await new RuleTable(ns)[verb](spec);
    const ours = sentNormalised(sent[0]);
    const theirs = normalised(req(name));
    // iproute2 orders attributes as its argv; compare the header, then the attribute multiset.
    expect(ours.subarray(0, 28)).toEqual(theirs.subarray(0, 28));
    expect(attrs(ours)).toEqual(attrs(theirs));
  });
});

function attrs(b: Buffer): string[] {
  const out: string[] = [];
  for (let off = 28; off + 4 <= b.length;) {
    const len = b.readUInt16LE(off);
    out.push(b.subarray(off, off + len).toString('hex'));
    off += (len + 3) & ~3;
  }
  return out.sort();
}
