// ns.nat and the nf_tables layer against the kernel, with real packets between
// three namespaces ("container" → "host" → "outside") and `nft -j list ruleset`
// run inside the host namespace as the oracle for what we installed.
import { Namespace, Nftables, NetlinkError, NotFoundError } from '../../lib';
import { ask, nft, ruleset, threeNamespaces } from '../helpers/three-namespaces';
import { useNamespaces } from '../helpers/ns';

const topology = async (scope: ReturnType<typeof useNamespaces>) => {
  const { container, middle: host, outside } = await threeNamespaces(scope, { inner: 'h0', outer: 'h1', routeBack: false });
  return { container, host, outside };
};

/** A server that answers each connection with the peer address it sees. */
async function whoami(ns: Namespace, host: string, port: number) {
  return ns.createServer({ host, port }, (s) => s.end(s.remoteAddress ?? '?'));
}

describe('ns.nat', () => {
  const scope = useNamespaces();

  it('masquerade: the outside server sees the host\'s outside address; nft shows our rule; remove() restores the ruleset exactly', async () => {
    const { container, host, outside } = await topology(scope);
    // Someone else's table, which we must never touch.
    nft(host.name, 'add', 'table', 'inet', 'theirs');
    nft(host.name, 'add chain inet theirs allow { type filter hook forward priority 0 ; }');
    nft(host.name, 'add', 'rule', 'inet', 'theirs', 'allow', 'accept'); // no counter: forwarded packets would change it
    const before = ruleset(host.name);
    const server = await whoami(outside, '192.0.2.2', 9000);
    try {
      // Without masquerade, outside cannot answer 10.100.0.2: the connection does not complete.
      expect(await ask(container, '192.0.2.2', 9000, 500)).toBe('timeout');

      const m = await host.nat.masquerade({ source: '10.100.0.0/24', outInterface: 'h1' });
      expect(m).toMatchObject({ kind: 'masquerade', chain: 'postrouting', options: { source: '10.100.0.0/24', outInterface: 'h1' } });
      expect(await ask(container, '192.0.2.2', 9000)).toBe('192.0.2.1');

      const rules = ruleset(host.name).filter((e) => 'rule' in e && e.rule.table === 'rtnetlink').map((e) => e.rule);
      expect(rules).toHaveLength(1);
      expect(rules[0]).toMatchObject({ family: 'ip', chain: 'postrouting', handle: Number(m.handle) });
      expect(rules[0].comment).toMatch(/^rtnetlink /);
      const exprs = JSON.stringify(rules[0].expr);
      expect(exprs).toContain('{"prefix":{"addr":"10.100.0.0","len":24}}');
      expect(exprs).toContain('"oifname"');
      expect(exprs).toContain('"h1"');
      expect(exprs).toContain('"masquerade"');
      const chain = ruleset(host.name).find((e) => 'chain' in e && e.chain.table === 'rtnetlink')?.chain;
      expect(chain).toMatchObject({ family: 'ip', name: 'postrouting', type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' });
      // Their rule is still there, unchanged.
      expect(ruleset(host.name).filter((e) => 'rule' in e && e.rule.table === 'theirs')).toEqual(before.filter((e) => 'rule' in e));

      expect(await host.nat.list()).toEqual([{ kind: 'masquerade', chain: 'postrouting', handle: m.handle, options: { source: '10.100.0.0/24', outInterface: 'h1' } }]);

      await m.remove();
      await m.remove(); // idempotent
      expect(ruleset(host.name)).toEqual(before);
      expect(await host.nat.list()).toEqual([]);
      expect(await ask(container, '192.0.2.2', 9000, 500)).toBe('timeout');
    } finally {
      server.close();
    }
  });

  it('publish: a client outside reaches the container\'s server through the host\'s address and port; remove() deletes only that rule', async () => {
    const { container, host, outside } = await topology(scope);
    const before = ruleset(host.name);
    const server = await whoami(container, '10.100.0.2', 80);
    try {
      expect(await ask(outside, '192.0.2.1', 8080, 500)).toMatch(/ECONNREFUSED|timeout/);
      const masq = await host.nat.masquerade({ source: '10.100.0.0/24' });
      const p = await host.nat.publish({ protocol: 'tcp', port: 8080, to: '10.100.0.2:80' });
      expect(p).toMatchObject({ kind: 'publish', chain: 'prerouting', options: { protocol: 'tcp', port: 8080, to: '10.100.0.2:80' } });
      // The container's server sees the real client (DNAT keeps the source).
      expect(await ask(outside, '192.0.2.1', 8080)).toBe('192.0.2.2');

      const rule = ruleset(host.name).find((e) => 'rule' in e && e.rule.handle === Number(p.handle))?.rule;
      expect(rule).toMatchObject({ family: 'ip', table: 'rtnetlink', chain: 'prerouting' });
      expect(JSON.stringify(rule.expr)).toContain('{"dnat":{"addr":"10.100.0.2","port":80}}');
      expect(JSON.stringify(rule.expr)).toContain('"dport"');
      expect((await host.nat.list()).map((e) => [e.kind, e.handle])).toEqual([['masquerade', masq.handle], ['publish', p.handle]]);

      await p.remove();
      expect((await host.nat.list()).map((e) => e.kind)).toEqual(['masquerade']);
      expect(await ask(outside, '192.0.2.1', 8080, 500)).toMatch(/ECONNREFUSED|timeout/);
      await masq.remove();
      expect(ruleset(host.name)).toEqual(before);
    } finally {
      server.close();
    }
  });

  it('bad input is refused before any transaction, naming the field and the value', async () => {
    const ns = await scope.named();
    await expect(ns.nat.masquerade({ source: '10.100.0.0/33' })).rejects.toThrow(/source: prefix length must be 0\.\.32, got "10\.100\.0\.0\/33"/);
    await expect(ns.nat.masquerade({ source: '10.100.0.300/24' })).rejects.toThrow(/source: not a valid IPv4 or IPv6 address/);
    await expect(ns.nat.masquerade({ source: 'fd00::/64' })).rejects.toThrow(/source: expected an IPv4 prefix, got "fd00::\/64"/);
    await expect(ns.nat.masquerade({ source: '10.0.0.0/8', outInterface: 'nope0' })).rejects.toThrow(NotFoundError);
    await expect(ns.nat.masquerade({ source: '10.0.0.0/8', outInterface: 'nope0' })).rejects.toThrow(/outInterface "nope0"/);
    await expect(ns.nat.publish({ protocol: 'tcp', port: 0, to: '10.0.0.2:80' })).rejects.toThrow(/port: expected a port number 1\.\.65535, got 0/);
    await expect(ns.nat.publish({ protocol: 'tcp', port: 65536, to: '10.0.0.2:80' })).rejects.toThrow(/port: expected a port number 1\.\.65535, got 65536/);
    await expect(ns.nat.publish({ protocol: 'tcp', port: 80, to: '10.0.0.2:0' })).rejects.toThrow(/to: expected a port number 1\.\.65535, got "10\.0\.0\.2:0"/);
    await expect(ns.nat.publish({ protocol: 'sctp' as 'tcp', port: 80, to: '10.0.0.2' })).rejects.toThrow(/protocol: expected 'tcp' or 'udp', got "sctp"/);
    await expect(ns.nat.publish({ protocol: 'udp', port: 53, to: '10.0.0.2', inInterface: 'nope0' })).rejects.toThrow(/inInterface "nope0"/);
    expect(ruleset(ns.name)).toEqual([]);
  });
});

describe('Nftables transactions', () => {
  const scope = useNamespaces();

  it('are atomic: one refused operation leaves nothing of the batch, and the error names it', async () => {
    const ns = await scope.named();
    await Nftables.with(ns.fd, async (t) => {
      const e = await t.commit([
        { op: 'addTable', family: 'ip', name: 'a' },
        { op: 'addChain', family: 'ip', table: 'a', name: 'c', base: { type: 'filter', hook: 'forward', priority: 0, policy: 'drop' } },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'c', items: [{ ctState: ['established', 'related'] }, { verdict: 'accept' }] },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'missing', items: [{ verdict: 'accept' }] },
      ]).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e).toMatchObject({ code: 'ENOENT', operation: 'nft.commit', target: 'operation 3 (addRule ip a missing)' });
      expect(ruleset(ns.name)).toEqual([]);
      expect(await t.tables()).toEqual([]);

      // The same batch without the bad rule applies as a whole; nft reads back what we encoded.
      const { ruleHandles } = await t.commit([
        { op: 'addTable', family: 'ip', name: 'a' },
        { op: 'addChain', family: 'ip', table: 'a', name: 'c', base: { type: 'filter', hook: 'forward', priority: 0, policy: 'drop' } },
        { op: 'addChain', family: 'ip', table: 'a', name: 'sub' },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'c', items: [{ ctState: ['established', 'related'] }, { verdict: 'accept' }] },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'c', items: [{ meta: 'iifname', name: 'br0' }, { ip: 'daddr', address: '192.0.2.0', prefixLength: 24 }, { verdict: 'jump', chain: 'sub' }] },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'sub', items: [{ l4proto: 'udp' }, { dport: 53 }, { counter: true }, { nat: 'snat', address: '192.0.2.9' }, { verdict: 'drop' }] },
      ]).catch(() => ({ ruleHandles: [] as bigint[] })); // snat is refused in a filter chain: checked just below
      expect(ruleHandles).toEqual([]);
      expect(ruleset(ns.name)).toEqual([]);
      const ok = await t.commit([
        { op: 'addTable', family: 'ip', name: 'a' },
        { op: 'addChain', family: 'ip', table: 'a', name: 'c', base: { type: 'filter', hook: 'forward', priority: 0, policy: 'drop' } },
        { op: 'addChain', family: 'ip', table: 'a', name: 'sub' },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'c', items: [{ ctState: ['established', 'related'] }, { verdict: 'accept' }] },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'c', items: [{ meta: 'iifname', name: 'br0' }, { ip: 'daddr', address: '192.0.2.0', prefixLength: 24 }, { verdict: 'jump', chain: 'sub' }] },
        { op: 'addRule', family: 'ip', table: 'a', chain: 'sub', items: [{ l4proto: 'udp' }, { dport: 53 }, { counter: true }, { verdict: 'drop' }] },
      ]);
      expect(ok.ruleHandles).toHaveLength(3);
      const listed = nft(ns.name, 'list', 'ruleset');
      expect(listed).toContain('type filter hook forward priority filter; policy drop;');
      expect(listed).toContain('ct state established,related accept');
      expect(listed).toContain('iifname "br0" ip daddr 192.0.2.0/24 jump sub');
      expect(listed).toContain('udp dport 53 counter packets 0 bytes 0 drop');
      expect((await t.rules('ip', 'a')).map((r) => r.handle)).toEqual(ok.ruleHandles);
      expect((await t.chains('ip', 'a')).map((c) => [c.name, c.hook, c.priority, c.policy])).toEqual([['c', 'forward', 0, 'drop'], ['sub', undefined, undefined, undefined]]);

      await t.commit([{ op: 'deleteRule', family: 'ip', table: 'a', chain: 'sub', handle: ok.ruleHandles[2] }]);
      expect(nft(ns.name, 'list', 'ruleset')).not.toContain('dport 53');
      await t.commit([{ op: 'deleteTable', family: 'ip', name: 'a' }]);
      expect(ruleset(ns.name)).toEqual([]);
    });
  });
});
