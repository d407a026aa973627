// Namespace ids against `ip netns list-id` / `ip netns set`: assign, read,
// list, and a veth peer's link-netnsid resolving to a Namespace.
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

describe('nsids', () => {
  const scope = useNamespaces();

  it('set, get, list; ip sees ours and we see ip\'s', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const c = await scope.named();
    expect(await a.nsids.get(b)).toBeUndefined();
    expect(await a.nsids.set(b, 7)).toBe(7);
    expect(ipJson(a.name, 'netns', 'list-id')).toContainEqual({ nsid: 7, name: b.name });
    const auto = await a.nsids.set(c);
    expect(auto).toBeGreaterThanOrEqual(0);
    expect(auto).not.toBe(7);
    ipDo(b.name, 'netns', 'set', c.name, '42');
    expect(await b.nsids.get(c)).toBe(42);
    expect((await a.nsids.list()).map((e) => e.nsid).sort((x, y) => x - y)).toEqual([7, auto].sort((x, y) => x - y));
    expect(JSON.parse(JSON.stringify(await b.nsids.list()))).toEqual(ipJson<{ nsid: number }[]>(b.name, 'netns', 'list-id').map(({ nsid }) => ({ nsid })));
    expect((await a.nsids.resolve(7)).equals(b)).toBe(true);
    await expect(a.nsids.set(b, 8)).rejects.toMatchObject({ code: 'EEXIST', operation: 'nsid.set' });
    await expect(a.nsids.set(c, 7)).rejects.toMatchObject({ operation: 'nsid.set' });
  });

  it('a veth peer\'s linkNetnsId resolves to the peer\'s namespace', async () => {
    const a = await scope.named();
    const b = await scope.named();
    await a.nsids.set(b, 3);
    const [here] = await a.links.addVeth({ name: 'va', peer: { name: 'vb', namespace: b } });
    expect(here.linkNetnsId).toBe(3);
    expect((await a.nsids.resolve(here.linkNetnsId!)).equals(b)).toBe(true);
  });

  it('validation errors name the field and the value', async () => {
    const a = await scope.named();
    const b = await scope.named();
    await expect(a.nsids.set(b, -2)).rejects.toThrow(/^nsid: ids are 0..2147483647, got -2/);
    await expect(a.nsids.set(b, 1.5)).rejects.toThrow(/^nsid: expected an integer, got 1.5/);
    await expect(a.nsids.resolve(99)).rejects.toThrow(/namespace with nsid 99/);
    expect(ipJson(a.name, 'netns', 'list-id')).toEqual([]);
  });
});
