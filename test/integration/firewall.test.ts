// ns.firewall against the kernel, with real packets between three namespaces
// ("container" → "router" → "outside", plain routing, no NAT) and
// `nft -j list ruleset` inside the router as the oracle.
import { Namespace, NotFoundError } from '../../lib';
import { ask, nft, ruleset, threeNamespaces } from '../helpers/three-namespaces';
import { useNamespaces } from '../helpers/ns';

const ours = (ns: string) => ruleset(ns).filter((e) => (e.table ?? e.chain ?? e.rule)?.name === 'rtnetlink' || (e.chain ?? e.rule)?.table === 'rtnetlink');

const topology = async (scope: ReturnType<typeof useNamespaces>) => {
  const { container, middle: router, outside } = await threeNamespaces(scope, { inner: 'r0', outer: 'r1', routeBack: true });
  return { container, router, outside };
};

describe('ns.firewall', () => {
  const scope = useNamespaces();

  it('drop policy blocks forwarding, allowForward with replies lets the container out, remove() blocks it again, and everything removed restores the ruleset', async () => {
    const { container, router, outside } = await topology(scope);
    // Someone else's forward chain that accepts everything: it cannot override our drop.
    nft(router.name, 'add', 'table', 'inet', 'theirs');
    nft(router.name, 'add chain inet theirs allow { type filter hook forward priority 0 ; }');
    nft(router.name, 'add', 'rule', 'inet', 'theirs', 'allow', 'accept');
    const before = ruleset(router.name);
    const server = await outside.createServer({ host: '192.0.2.2', port: 9000 }, (s) => s.end(s.remoteAddress ?? '?'));
    try {
      expect(await ask(container, '192.0.2.2', 9000)).toBe('10.100.0.2'); // plain routing works

      await router.firewall.setForwardPolicy('drop');
      expect(await router.firewall.forwardPolicy()).toBe('drop');
      expect(await ask(container, '192.0.2.2', 9000, 500)).toBe('timeout');

      // One direction only: the SYN passes, the SYN-ACK is dropped.
      const oneWay = await router.firewall.allowForward({ inInterface: 'r0' });
      expect(oneWay.handles).toHaveLength(1);
      expect(await ask(container, '192.0.2.2', 9000, 500)).toBe('timeout');
      await oneWay.remove();

      const allow = await router.firewall.allowForward({ inInterface: 'r0', outInterface: 'r1', source: '10.100.0.9/24', established: true });
      expect(allow.options).toEqual({ inInterface: 'r0', outInterface: 'r1', source: '10.100.0.0/24', established: true });
      expect(allow.handles).toHaveLength(2);
      expect(await ask(container, '192.0.2.2', 9000)).toBe('10.100.0.2');
      // The reply rule accepts only established/related: outside still cannot open a connection inward.
      const inward = await container.createServer({ host: '10.100.0.2', port: 9001 }, (s) => s.end('in'));
      try { expect(await ask(outside, '10.100.0.2', 9001, 500)).toBe('timeout'); } finally { inward.close(); }

      // The oracle: exactly our table, our chain and our two rules.
      const mine = ours(router.name);
      expect(mine.map((e) => Object.keys(e)[0])).toEqual(['table', 'chain', 'rule', 'rule']);
      expect(mine[1].chain).toMatchObject({ family: 'ip', table: 'rtnetlink', name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'drop' });
      expect(mine.slice(2).map((e) => e.rule.handle)).toEqual(allow.handles.map(Number));
      const [fwd, reply] = mine.slice(2).map((e) => JSON.stringify(e.rule.expr));
      expect(fwd).toContain('"left":{"meta":{"key":"iifname"}},"right":"r0"');
      expect(fwd).toContain('"left":{"meta":{"key":"oifname"}},"right":"r1"');
      expect(fwd).toContain('{"prefix":{"addr":"10.100.0.0","len":24}}');
      expect(fwd).toContain('{"accept":null}');
      expect(reply).toContain('"left":{"meta":{"key":"iifname"}},"right":"r1"');
      expect(reply).toContain('"left":{"meta":{"key":"oifname"}},"right":"r0"');
      expect(reply).toContain('"daddr"');
      expect(reply).toMatch(/"ct":\{"key":"state"\}\},"right":\["established","related"\]/);
      expect(await router.firewall.list()).toEqual([{ handles: allow.handles, options: allow.options }]);

      await allow.remove();
      await allow.remove(); // idempotent
      expect(await ask(container, '192.0.2.2', 9000, 500)).toBe('timeout');
      expect(ours(router.name).map((e) => Object.keys(e)[0])).toEqual(['table', 'chain']); // the drop policy stays
      expect(await router.firewall.list()).toEqual([]);

      await router.firewall.setForwardPolicy('accept');
      expect(ruleset(router.name)).toEqual(before);
      expect(await router.firewall.forwardPolicy()).toBe('accept');
      expect(await ask(container, '192.0.2.2', 9000)).toBe('10.100.0.2');
    } finally {
      server.close();
    }
  });

  it('shares the table with ns.nat: removing the last NAT rule keeps a drop policy; each list() shows only its own rules', async () => {
    const { router } = await topology(scope);
    const masq = await router.nat.masquerade({ source: '10.100.0.0/24' });
    await router.firewall.setForwardPolicy('drop');
    const allow = await router.firewall.allowForward({ source: '10.100.0.0/24' });
    expect((await router.nat.list()).map((e) => e.handle)).toEqual([masq.handle]);
    expect((await router.firewall.list()).map((e) => e.handles)).toEqual([allow.handles]);
    await masq.remove();
    await allow.remove();
    expect(ours(router.name).filter((e) => 'chain' in e).map((e) => [e.chain.name, e.chain.policy])).toEqual([['postrouting', 'accept'], ['forward', 'drop']]);
    await router.firewall.setForwardPolicy('accept');
    expect(ruleset(router.name)).toEqual([]);
    await router.firewall.setForwardPolicy('accept'); // nothing to do: creates nothing
    expect(ruleset(router.name)).toEqual([]);
  });

  it('bad input is refused before any transaction, naming the field and the value', async () => {
    const ns = await scope.named();
    const fw = ns.firewall;
    await expect(fw.allowForward({ source: '10.0.0.0/33' })).rejects.toThrow(/source: prefix length must be 0\.\.32, got "10\.0\.0\.0\/33"/);
    await expect(fw.allowForward({ destination: 'fd00::/64' })).rejects.toThrow(/destination: expected an IPv4 prefix, got "fd00::\/64"/);
    await expect(fw.allowForward({ inInterface: 'nope0' })).rejects.toThrow(NotFoundError);
    await expect(fw.allowForward({ outInterface: 'nope0' })).rejects.toThrow(/outInterface "nope0"/);
    await expect(fw.allowForward({ inInterface: 'a/b' })).rejects.toThrow(/inInterface: interface names may not/);
    await expect(fw.allowForward({})).rejects.toThrow(/options: expected at least one of inInterface/);
    await expect(fw.allowForward({ source: '10.0.0.0/8', established: 'yes' as unknown as boolean })).rejects.toThrow(/established: expected a boolean, got "yes"/);
    await expect(fw.setForwardPolicy('reject' as 'drop')).rejects.toThrow(/policy: expected 'drop' or 'accept', got "reject"/);
    expect(ruleset(ns.name)).toEqual([]);
  });
});
