// Named namespaces appearing and disappearing (`ip netns monitor`), made by
// the library and by `ip netns add/delete`; listExisting; close releases the
// inotify fd. Other test files share /run/netns, so only our names count.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, NetnsEvent, watchNamespaces } from '../../lib';
import { ipDo } from '../helpers/ip';
import { uniqueName, useNamespaces } from '../helpers/ns';
import { newSockets, openSockets, until } from '../helpers/fake-events';

/** Inodes watched by this process's inotify instances (/proc/self/fdinfo: "inotify wd:N ino:HEX …"). */
function inotifyWatches(): number[] {
  const out: number[] = [];
  for (const fd of fs.readdirSync('/proc/self/fdinfo')) {
    try {
      for (const m of fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').matchAll(/^inotify wd:\S+ ino:([0-9a-f]+)/gm)) out.push(parseInt(m[1], 16));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

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
    const before = openSockets();
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-watch-'));
    const w = watchNamespaces({ runDir });
    expect(inotifyWatches()).toContain(fs.statSync(runDir).ino);
    const events: NetnsEvent[] = [];
    w.on('event', (e: NetnsEvent) => events.push(e));
    const ns = await Namespace.create('x1', { runDir });
    await until(() => events.length === 1, 'the new event');
    expect(events[0]).toEqual({ type: 'new', kind: 'netns', name: 'x1', path: `${runDir}/x1` });
    await ns.delete();
    await until(() => events.length === 2, 'the delete event');
    w.close();
    // libuv keeps one inotify fd per loop; what close() must release is the watch on runDir's inode.
    await until(() => !inotifyWatches().includes(fs.statSync(runDir).ino), 'the inotify watch on the run directory to go', 2000, 5);
    expect(newSockets(before)).toEqual([]);
    execFileSync('umount', ['-l', runDir], { stdio: 'ignore' }); // Namespace.create made it a (shared) mount point
    fs.rmSync(runDir, { recursive: true, force: true });
  });
});
