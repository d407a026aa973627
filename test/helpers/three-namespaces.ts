// The topology of the nf_tables tests, and the nft oracle:
// container (c0 10.100.0.2/24, default via 10.100.0.1) — middle (INNER 10.100.0.1/24,
// OUTER 192.0.2.1/24, forwarding on) — outside (o1 192.0.2.2/24, a route back to
// 10.100.0.0/24 only when asked: without it only masquerade lets answers find the container).
import { Namespace } from '../../lib';
import { ipRaw } from './ip';
import { useNamespaces } from './ns';

export type NamedNs = Namespace & { name: string };

/** `ip netns exec NAME nft -j list ruleset`, without the metainfo entry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ruleset(ns: string): Record<string, any>[] {
  const out = JSON.parse(ipRaw(undefined, 'netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (out.nftables as Record<string, any>[]).filter((e) => !('metainfo' in e));
}

export const nft = (ns: string, ...args: string[]): string => ipRaw(undefined, 'netns', 'exec', ns, 'nft', ...args);

export async function threeNamespaces(scope: ReturnType<typeof useNamespaces>,
  o: { inner: string; outer: string; routeBack: boolean }): Promise<{ container: NamedNs; middle: NamedNs; outside: NamedNs }> {
  const [container, middle, outside] = [await scope.named(), await scope.named(), await scope.named()];
  const [inner] = await middle.links.addVeth({ name: o.inner, peer: { name: 'c0', namespace: container, up: true } });
  const [outer] = await middle.links.addVeth({ name: o.outer, peer: { name: 'o1', namespace: outside, up: true } });
  await inner.addresses.add('10.100.0.1/24');
  await outer.addresses.add('192.0.2.1/24');
  await inner.setUp();
  await outer.setUp();
  await (await container.links.get('c0')).addresses.add('10.100.0.2/24');
  await (await outside.links.get('o1')).addresses.add('192.0.2.2/24');
  await container.routes.add({ to: 'default', via: '10.100.0.1' });
  if (o.routeBack) await outside.routes.add({ to: '10.100.0.0/24', via: '192.0.2.1' });
  await middle.sysctl.set('net.ipv4.ip_forward', 1);
  return { container, middle, outside };
}

/** Connects from `ns`; resolves with what the server sent, an error code, or 'timeout' after `ms`. */
export function ask(ns: Namespace, host: string, port: number, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = ns.connect({ host, port });
    let data = '';
    const timer = setTimeout(() => { s.destroy(); resolve('timeout'); }, ms);
    s.on('data', (d) => { data += d; });
    s.on('end', () => { clearTimeout(timer); resolve(data); });
    s.on('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(e.code ?? 'error'); });
  });
}
