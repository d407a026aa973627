// Rules against `ip -j rule`: what we add ip shows, what ip adds we read field
// by field, and toJSON() equals ip's JSON for every rule, both families.
import { Namespace } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };
const json = <T>(x: T): unknown => JSON.parse(JSON.stringify(x));

async function expectSameJson(ns: NamedNs): Promise<void> {
  for (const family of [4, 6] as const) {
    expect(json(await ns.rules.list({ family }))).toEqual(ipJson(ns.name, `-${family}`, 'rule', 'show'));
  }
}

describe('rules', () => {
  const scope = useNamespaces();

  it('adds every selector and action; ip shows them exactly as toJSON does', async () => {
    const ns = await scope.named();
    const r = ns.rules;
    await r.add({ priority: 100, from: '10.1.0.0/16', to: '10.2.0.0/16', table: 100 });
    await r.add({ priority: 200, not: true, fwmark: 0x10, fwmask: 0xff, iif: 'v0', oif: 'v1', tos: 0x10, table: 'main', suppressPrefixlength: 0 });
    await r.add({ priority: 300, uidRange: { start: 100, end: 200 }, ipproto: 'tcp', sport: { start: 1000, end: 2000 }, dport: 80, action: 'prohibit' });
    await r.add({ priority: 50, action: 'goto', goto: 100 });
    await r.add({ priority: 60, action: 'nop' });
    await r.add({ priority: 70, action: 'blackhole', protocol: 'static' });
    await r.add({ priority: 80, action: 'unreachable' });
    await r.add({ priority: 90, from: '10.9.9.9', table: 1000 });
    await r.add({ priority: 10, from: 'fd00::/64', table: 200 });
    await r.add({ priority: 11, family: 6, fwmark: 7, table: 'local' });
    const theirs = ipJson(ns.name, '-4', 'rule', 'show');
    expect(theirs).toContainEqual({ priority: 100, src: '10.1.0.0', srclen: 16, dst: '10.2.0.0', dstlen: 16, table: '100' });
    expect(theirs).toContainEqual({ priority: 200, not: null, src: 'all', tos: '0x10', fwmark: '0x10', fwmask: '0xff', iif: 'v0', iif_detached: null, oif: 'v1', oif_detached: null, table: 'main', suppress_prefixlen: 0 });
    expect(theirs).toContainEqual({ priority: 300, src: 'all', uid_start: 100, uid_end: 200, ipproto: 'tcp', sport_start: 1000, sport_end: 2000, dport: 80, action: 'prohibit' });
    expect(theirs).toContainEqual({ priority: 50, src: 'all', goto: 100 });
    expect(theirs).toContainEqual({ priority: 70, src: 'all', action: 'blackhole', protocol: 'static' });
    expect(theirs).toContainEqual({ priority: 90, src: '10.9.9.9', table: '1000' });
    await expectSameJson(ns);
  });

  it('reads rules added by ip field by field', async () => {
    const ns = await scope.named();
    ipDo(ns.name, 'rule', 'add', 'from', '10.1.2.0/24', 'to', '10.3.0.0/16', 'fwmark', '0x20/0xf0', 'iif', 'lo', 'lookup', '300', 'pref', '123', 'protocol', 'bgp');
    ipDo(ns.name, '-6', 'rule', 'add', 'not', 'to', 'fd01::/48', 'ipproto', 'udp', 'dport', '53', 'uidrange', '5-5', 'unreachable', 'pref', '7');
    const [v4] = (await ns.rules.list({ family: 4 })).filter((x) => x.priority === 123);
    expect(v4).toMatchObject({
      family: 4, priority: 123, from: '10.1.2.0/24', to: '10.3.0.0/16', fwmark: 0x20, fwmask: 0xf0, iif: 'lo',
      table: 300, action: 'lookup', protocol: 'bgp', not: false, tos: 0,
    });
    const [v6] = (await ns.rules.list({ family: 6 })).filter((x) => x.priority === 7);
    expect(v6).toMatchObject({
      family: 6, priority: 7, from: 'all', to: 'fd01::/48', not: true, ipproto: 17, dport: { start: 53, end: 53 },
      uidRange: { start: 5, end: 5 }, action: 'unreachable',
    });
    await expectSameJson(ns);
  });

  it('the default rules are there, and delete/flush remove ours', async () => {
    const ns = await scope.named();
    const defaults = await ns.rules.list({ family: 4 });
    expect(defaults.map((x) => [x.priority, x.table])).toEqual([[0, 'local'], [32766, 'main'], [32767, 'default']]);
    const added = await ns.rules.add({ priority: 500, to: '10.0.0.0/8', table: 5 });
    await ns.rules.add({ priority: 501, to: '10.0.0.0/8', table: 6 });
    await ns.rules.delete(added);
    await ns.rules.delete({ priority: 501 });
    expect(ipJson<{ priority: number }[]>(ns.name, 'rule', 'show').map((x) => x.priority)).toEqual([0, 32766, 32767]);
    await ns.rules.add({ priority: 502, table: 7 });
    await ns.rules.add({ priority: 503, family: 6, table: 7 });
    expect(await ns.rules.flush({ family: 6 })).toBe(2); // 503 and the IPv6 main rule, like `ip -6 rule flush`
    expect(ipJson<{ priority: number }[]>(ns.name, '-6', 'rule', 'show').map((x) => x.priority)).toEqual([0]);
  });

  it('kernel errors carry code and operation', async () => {
    const ns = await scope.named();
    await ns.rules.add({ priority: 600, table: 9 });
    await expect(ns.rules.add({ priority: 600, table: 9 })).rejects.toMatchObject({ code: 'EEXIST', operation: 'rule.add' });
    await expect(ns.rules.delete({ priority: 601 })).rejects.toMatchObject({ code: 'ENOENT', operation: 'rule.delete' });
  });

  it('validation errors name the field and the value before anything is sent', async () => {
    const ns = await scope.named();
    const cases: [Parameters<typeof ns.rules.add>[0], RegExp][] = [
      [{ family: 5 as 4 }, /^family: expected 4 or 6, got 5/],
      [{ priority: -1 }, /^priority: must be between 0 and 4294967295, got -1/],
      [{ from: '10.0.0.0/33' }, /^from: prefix length must be 0..32, got "10.0.0.0\/33"/],
      [{ family: 6, from: '10.0.0.0/8' }, /^from: expected an IPv6 prefix, got "10.0.0.0\/8"/],
      [{ iif: 'way-too-long-name-here' }, /^iif: interface names are 1 to 15 bytes long/],
      [{ fwmask: 1 }, /^fwmask: a mask needs an fwmark, got 1/],
      [{ tos: 256 }, /^tos: must be between 0 and 255, got 256/],
      [{ action: 'jump' as 'goto' }, /^action: expected one of lookup, goto, nop/],
      [{ action: 'goto' }, /^goto: action "goto" needs the target priority/],
      [{ goto: 5 }, /^goto: needs action "goto", got 5/],
      [{ action: 'blackhole', table: 5 }, /^table: a table goes with action "lookup"/],
      [{ table: 'no-such-table' }, /^table: expected one of .* or a number 0..4294967295, got "no-such-table"/],
      [{ table: 0 }, /^table: table 0 \(unspec\) cannot be looked up, got 0/],
      [{ suppressPrefixlength: 129 }, /^suppressPrefixlength: expected a prefix length 0..128, got 129/],
      [{ uidRange: { start: 5, end: 1 } }, /^uidRange: expected 0 <= start <= end/],
      [{ ipproto: 'tcpp' }, /^ipproto: expected a protocol number 0..255 or one of/],
      [{ sport: 70000 }, /^sport: expected 0 <= start <= end <= 65535, got 70000/],
      [{ protocol: 'nope' as 'static' }, /^protocol: expected one of/],
      [{ tunId: 5 as unknown as bigint }, /^tunId: expected a bigint/],
    ];
    for (const [spec, message] of cases) await expect(ns.rules.add(spec)).rejects.toThrow(message);
    await expect(ns.rules.list({ family: 5 as 4 })).rejects.toThrow(/^family: expected 4 or 6, got 5/);
    expect(ipJson(ns.name, '-4', 'rule', 'show')).toHaveLength(3); // nothing reached the kernel
  });
});
