// Named namespaces appearing and disappearing (`ip netns monitor`), made by
// the library and by `ip netns add/delete`; listExisting; close releases the
// inotify fd. Other test files share /run/netns, so only our names count.
import { Namespace, NetnsEvent, watchNamespaces } from '../../lib';
import { ipDo } from '../helpers/ip';
import { uniqueName, useNamespaces } from '../helpers/ns';
import { fdCount, until } from '../helpers/fake-events';

describe('watchNamespaces', () => {
  const scope = useNamespaces();

  test('namespaces added and deleted by the library and by ip, in order', async () => {
    const w = watchNamespaces();
    const seen: string[] = [];
    const mine = new Set<string>();
    const done = (async () => { for await (const e of w) if (mine.has(e.name)) seen.push(`${e.type} ${e.name}`); })();
    const a = uniqueName('w');
    const b = uniqueName('w');
    mine.add(a).add(b);
    const ns = await Namespace.create(a);
    ipDo(undefined, 'netns', 'add', b);
    scope.trackName(b);
    await ns.delete();
    ipDo(undefined, 'netns', 'delete', b);
    // ipDo blocks the loop: all four happen before the first inotify event is read.
    await until(() => seen.length === 4, 'four events');
    expect(seen).toEqual([`new ${a}`, `new ${b}`, `delete ${a}`, `delete ${b}`]);
    w.close();
    await done;
  });

  test('listExisting reports the names present; path opens the namespace', async () => {
    const ns = await scope.named();
    const w = watchNamespaces({ listExisting: true });
    const first: NetnsEvent[] = [];
    for await (const e of w) {
      first.push(e);
      if (e.name === ns.name) break;
    }
    const mineEvent = first.find((e) => e.name === ns.name) as NetnsEvent;
    expect(mineEvent).toMatchObject({ type: 'new', kind: 'netns' });
    const opened = scope.track(await Namespace.open(mineEvent.path));
    expect(opened.equals(ns)).toBe(true);
    expect(w.closed).toBe(true);
  });

  test('a private run directory; close() releases the inotify fd', async () => {
    const before = fdCount();
    const runDir = `/tmp/rtnetlink-watch-${process.pid}`;
    const w = watchNamespaces({ runDir });
    const events: NetnsEvent[] = [];
    w.on('event', (e: NetnsEvent) => events.push(e));
    const ns = await Namespace.create('x1', { runDir });
    await until(() => events.length === 1, 'the new event');
    expect(events[0]).toEqual({ type: 'new', kind: 'netns', name: 'x1', path: `${runDir}/x1` });
    await ns.delete();
    await until(() => events.length === 2, 'the delete event');
    w.close();
    await until(() => fdCount() === before, `${before} fds`, 2000, 5);
  });
});
