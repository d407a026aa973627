// ns.watchAll against the kernel: one NETLINK_LISTEN_ALL_NSID socket sees the
// changes of its own namespace and of every namespace that has an nsid there
// (made by the library and by `ip -n`), each with its namespace and nsid; a
// namespace without an nsid is not seen; close releases the socket.
import { AllNamespacesChangeEvent, AllNamespacesEvent, AllNamespacesWatcher, Namespace } from '../../lib';
import { ipDo } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';
import { newSockets, openSockets, until } from '../helpers/fake-events';

function collect(w: AllNamespacesWatcher): { events: AllNamespacesEvent[]; done: Promise<unknown> } {
  const events: AllNamespacesEvent[] = [];
  const done = (async () => { for await (const e of w) events.push(e); })().catch((e: unknown) => e);
  return { events, done };
}

const linkEvent = (events: AllNamespacesEvent[], type: string, name: string): AllNamespacesChangeEvent | undefined =>
  events.find((e): e is AllNamespacesChangeEvent => e.type === type && 'kind' in e && e.kind === 'link' && e.object.name === name);

describe('ns.watchAll', () => {
  const scope = useNamespaces();

  test('one socket sees every namespace with an nsid here, each event naming its namespace', async () => {
    const host = await scope.named();
    const a = await scope.named();
    const b = await scope.anonymous();
    const hidden = await scope.named(); // no nsid in host: not seen
    await host.nsids.set(a, 5);
    const bId = await host.nsids.set(b);
    const before = openSockets();
    const w = host.watchAll(['link', 'address']);
    const mine = newSockets(before);
    expect(mine).toHaveLength(1);
    const c = collect(w);
    await a.links.addBridge({ name: 'br-a' });
    ipDo(a.name, 'link', 'add', 'br-ip', 'type', 'bridge');
    ipDo(a.name, 'addr', 'add', '10.5.0.1/24', 'dev', 'br-ip');
    await b.links.addBridge({ name: 'br-b' });
    await hidden.links.addBridge({ name: 'br-hidden' });
    ipDo(hidden.name, 'link', 'add', 'br-hidden-ip', 'type', 'bridge');
    ipDo(a.name, 'link', 'del', 'br-ip');
    await host.links.addBridge({ name: 'br-host' }); // last: everything before it was broadcast already
    await until(() => linkEvent(c.events, 'new', 'br-host') !== undefined, 'the host bridge event', 5000, 10);

    const fromA = linkEvent(c.events, 'new', 'br-a');
    expect(fromA?.nsid).toBe(5);
    expect(fromA?.namespace?.equals(a)).toBe(true);
    const byIp = linkEvent(c.events, 'new', 'br-ip');
    expect(byIp?.nsid).toBe(5);
    expect(byIp?.namespace?.equals(a)).toBe(true);
    expect(linkEvent(c.events, 'delete', 'br-ip')?.namespace?.equals(a)).toBe(true);
    const address = c.events.find((e) => 'kind' in e && e.kind === 'address' && e.object.cidr === '10.5.0.1/24');
    expect(address && 'nsid' in address ? [address.type, address.nsid, address.namespace?.equals(a)] : undefined).toEqual(['new', 5, true]);
    const fromB = linkEvent(c.events, 'new', 'br-b');
    expect(fromB?.nsid).toBe(bId);
    expect(fromB?.namespace?.equals(b)).toBe(true);
    // The socket's own namespace: no nsid cmsg, so no nsid.
    const own = linkEvent(c.events, 'new', 'br-host');
    expect(own?.nsid).toBeUndefined();
    expect(own?.namespace?.equals(host)).toBe(true);
    // The kernel skips namespaces without an id in the listener's namespace.
    expect(c.events.filter((e) => 'kind' in e && e.kind === 'link' && (e.object.name ?? '').startsWith('br-hidden'))).toEqual([]);
    expect(c.events.filter((e) => e.type === 'overrun')).toEqual([]);
    // A Link object is bound to the namespace it lives in.
    expect(fromA?.kind === 'link' && fromA.namespace ? fromA.object.namespace.equals(a) : false).toBe(true);

    // An nsid assigned later makes that namespace's later changes visible.
    const hiddenId = await host.nsids.set(hidden);
    ipDo(hidden.name, 'link', 'add', 'br-late', 'type', 'bridge');
    await until(() => linkEvent(c.events, 'new', 'br-late') !== undefined, 'the late bridge event', 5000, 10);
    expect(linkEvent(c.events, 'new', 'br-late')?.nsid).toBe(hiddenId);
    expect(linkEvent(c.events, 'new', 'br-late')?.namespace?.equals(hidden)).toBe(true);

    w.close();
    expect(await c.done).toBeUndefined();
    // Other sockets opened meanwhile are the namespaces' request connections; the watcher's own must be gone.
    await until(() => !openSockets().has(mine[0]), `the watcher's socket ${mine[0]} to close`, 2000, 5);
  });

  test('options needing a dump of every namespace are refused by name', async () => {
    const host: Namespace = await scope.named();
    expect(() => host.watchAll(['route'], { resync: true } as never)).toThrow(/^resync: watchAll does not support resync/);
    expect(() => host.watchAll(['route'], { listExisting: true } as never)).toThrow(/^listExisting: /);
    expect(() => host.watchAll([])).toThrow(/^kinds: /);
  });
});
