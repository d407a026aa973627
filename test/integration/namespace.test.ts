// Namespaces against `ip netns`: what we create ip sees, what ip creates we open,
// identity as the kernel reports it, run directories, deletion and disposal.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, NetlinkError, NotFoundError } from '../../lib';
import { ipDo, ipLinks, ipNetnsList, ipRaw } from '../helpers/ip';
import { uniqueName, useNamespaces } from '../helpers/ns';

/** readlink /proc/self/ns/net of a process that `ip netns exec` started inside NAME. */
/** Mount points under `dir`, from /proc/self/mountinfo (field 5). */
function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4]).filter((m) => m !== undefined && (m === dir || m.startsWith(`${dir}/`)));
}

/** Like `ip netns`, the library bind-mounts the run dir onto itself: undo that before removing it. */
function removeRunDir(dir: string): void {
  for (let i = 0; i < 4 && mountsUnder(dir).length > 0; i++) {
    try { execFileSync('umount', ['-l', dir], { stdio: 'ignore' }); } catch { break; }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function identityViaIp(name: string): string {
  return ipRaw(undefined, 'netns', 'exec', name, 'readlink', '/proc/self/ns/net').trim();
}

describe('Namespace', () => {
  const scope = useNamespaces();

  it('current() is the namespace of this process, as /proc/self/ns/net names it', async () => {
    const host = Namespace.current();
    expect(host.id).toBe(fs.readlinkSync('/proc/self/ns/net'));
    expect(host.ino).toBe(fs.statSync('/proc/self/ns/net').ino);
    expect(Namespace.current()).toBe(host);
    const self = scope.track(await Namespace.fromPid(process.pid));
    expect(self.equals(host)).toBe(true);
    expect(self.id).toBe(host.id);
    // Every thread agrees.
    for (const tid of fs.readdirSync('/proc/self/task')) {
      expect(fs.readlinkSync(`/proc/self/task/${tid}/ns/net`)).toBe(host.id);
    }
  });

  it('create(name) makes a namespace ip netns lists and ip -n can use', async () => {
    const ns = await scope.named();
    expect(ipNetnsList()).toContain(ns.name);
    expect(await Namespace.list()).toContain(ns.name);
    expect(ns.path).toBe(path.join('/run/netns', ns.name));
    expect(ns.equals(Namespace.current())).toBe(false);
    // A process ip starts inside it is in the same namespace.
    expect(identityViaIp(ns.name)).toBe(ns.id);
    // A fresh namespace: loopback only, down, both in ip's and our view.
    const theirs = ipLinks(ns.name);
    expect(theirs.map((l) => [l.ifname, l.flags])).toEqual([['lo', ['LOOPBACK']]]);
    const ours = await ns.links.list();
    expect(ours.map((l) => [l.index, l.name, l.flagNames])).toEqual([[theirs[0].ifindex, 'lo', ['LOOPBACK']]]);
  });

  it('opens a namespace made by ip netns add; two opens are equal', async () => {
    const name = scope.ipNamed();
    const a = scope.track(await Namespace.open(name));
    const b = scope.track(await Namespace.open(`/run/netns/${name}`));
    expect(a.name).toBe(name);
    expect(b.name).toBeUndefined();
    expect(a.equals(b)).toBe(true);
    expect(a.id).toBe(b.id);
    expect([a.dev, a.ino]).toEqual([b.dev, b.ino]);
    expect(a.id).toBe(identityViaIp(name));
    expect(a.equals(Namespace.current())).toBe(false);
    // The library acts in it: a link we add appears under ip -n.
    await a.links.addBridge({ name: 'br-ip' });
    expect(ipLinks(name).map((l) => l.ifname)).toContain('br-ip');
    // And a link ip adds there is visible through the second handle.
    ipDo(name, 'link', 'add', 'br-two', 'type', 'bridge');
    expect((await b.links.get('br-two')).kind).toBe('bridge');
  });

  it('create() without a name is anonymous, distinct and not listed', async () => {
    const a = await scope.anonymous();
    const b = await scope.anonymous();
    expect(a.name).toBeUndefined();
    expect(a.id).toMatch(/^net:\[\d+\]$/);
    expect(a.equals(b)).toBe(false);
    expect(a.equals(Namespace.current())).toBe(false);
    // Other test files make named namespaces concurrently, so check by identity.
    for (const name of await Namespace.list()) {
      const listed = await Namespace.open(name).catch(() => undefined); // may vanish meanwhile
      if (!listed) continue;
      expect(listed.equals(a) || listed.equals(b)).toBe(false);
      listed.close();
    }
    expect((await a.links.list()).map((l) => l.name)).toEqual(['lo']);
    // Each is its own network stack: a link made in one is absent from the other.
    await a.links.addBridge({ name: 'br-anon' });
    expect((await a.links.list()).map((l) => l.name)).toEqual(['lo', 'br-anon']);
    expect((await b.links.list()).map((l) => l.name)).toEqual(['lo']);
  });

  it('delete() removes a named namespace from ip netns list and from list()', async () => {
    const ns = await scope.named();
    const name = ns.name;
    expect(ipNetnsList()).toContain(name);
    await ns.delete();
    expect(ns.isClosed).toBe(true);
    expect(ipNetnsList()).not.toContain(name);
    expect(await Namespace.list()).not.toContain(name);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
    await expect(Namespace.open(name)).rejects.toThrow(NotFoundError);
  });

  it('static delete(name) removes a namespace ip made', async () => {
    const name = scope.ipNamed();
    await Namespace.delete(name);
    expect(ipNetnsList()).not.toContain(name);
    const e = await Namespace.delete(name).catch((x) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toContain(name);
  });

  it('open() of a missing name throws NotFoundError naming it', async () => {
    const name = uniqueName('missing');
    const e = await Namespace.open(name).catch((x) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('ENOENT');
    expect(e.message).toContain(name);
    const p = await Namespace.open('/nonexistent/netns/file').catch((x) => x);
    expect(p).toBeInstanceOf(NotFoundError);
    expect(p.message).toContain('/nonexistent/netns/file');
  });

  it('open() of a path that is not a network namespace throws TypeError', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-'));
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, '');
    try {
      for (const p of [file, '/proc/self/ns/mnt', dir]) {
        const e = await Namespace.open(p).catch((x) => x);
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain(p);
        expect(e.message).toMatch(/not a network namespace/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('a custom runDir holds the mount; list({runDir}) sees it, the default does not', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-run-'));
    try {
      const ns = await scope.named({ runDir });
      expect(ns.path).toBe(path.join(runDir, ns.name));
      expect(ns.runDir).toBe(runDir);
      expect(fs.existsSync(path.join(runDir, ns.name))).toBe(true);
      // As ip netns add does: the run dir is made a mount point, the name bind-mounted in it.
      expect(mountsUnder(runDir)).toEqual(expect.arrayContaining([runDir, path.join(runDir, ns.name)]));
      expect(await Namespace.list({ runDir })).toEqual([ns.name]);
      expect(await Namespace.list()).not.toContain(ns.name);
      expect(ipNetnsList()).not.toContain(ns.name);
      // The file is an nsfs bind mount of the namespace: opening it by path gives the same one.
      const again = scope.track(await Namespace.open(ns.name, { runDir }));
      expect(again.equals(ns)).toBe(true);
      const byPath = scope.track(await Namespace.open(path.join(runDir, ns.name)));
      expect(byPath.equals(ns)).toBe(true);
      expect(fs.statSync(path.join(runDir, ns.name)).ino).toBe(ns.ino);
      // Not found under the default run dir.
      await expect(Namespace.open(ns.name)).rejects.toThrow(NotFoundError);
      await ns.delete();
      expect(await Namespace.list({ runDir })).toEqual([]);
      expect(fs.existsSync(path.join(runDir, ns.name))).toBe(false);
    } finally {
      removeRunDir(runDir);
    }
  });

  it('$RTNETLINK_NETNS_RUN_DIR changes the default run directory', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-env-'));
    const saved = process.env.RTNETLINK_NETNS_RUN_DIR;
    process.env.RTNETLINK_NETNS_RUN_DIR = runDir;
    try {
      const ns = await scope.named();
      expect(ns.path).toBe(path.join(runDir, ns.name));
      expect(await Namespace.list()).toEqual([ns.name]);
      await ns.delete();
      expect(fs.readdirSync(runDir)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.RTNETLINK_NETNS_RUN_DIR;
      else process.env.RTNETLINK_NETNS_RUN_DIR = saved;
      removeRunDir(runDir);
    }
  });

  it('a deleted or closed handle refuses further use with a clear error', async () => {
    const ns = await scope.named();
    const name = ns.name;
    await ns.links.list(); // opens the connection
    await ns.delete();
    await expect(ns.links.list()).rejects.toThrow(new RegExp(`namespace "${name}" is deleted`));
    await expect(ns.addresses.list()).rejects.toThrow(/deleted/);
    expect(() => ns.fd).toThrow(/deleted/);
    await expect(ns.delete()).rejects.toThrow(/deleted/);

    const anon = await scope.anonymous();
    anon.close();
    anon.close(); // idempotent
    expect(anon.isClosed).toBe(true);
    await expect(anon.links.get('lo')).rejects.toThrow(/is closed; open it again/);
    await expect(anon.routes.list()).rejects.toThrow(/closed/);
  });

  it('close() leaves a named namespace alive; delete of the current namespace is refused', async () => {
    const ns = await scope.named();
    await ns.links.addBridge({ name: 'br-keep' });
    ns.close();
    expect(ipNetnsList()).toContain(ns.name);
    expect(ipLinks(ns.name).map((l) => l.ifname)).toContain('br-keep');
    const again = scope.track(await Namespace.open(ns.name));
    expect((await again.links.get('br-keep')).kind).toBe('bridge');
    await expect(Namespace.current().delete()).rejects.toThrow(/cannot be deleted/);
    expect(Namespace.current().isClosed).toBe(false);
  });

  it('await using closes the handle at the end of the block', async () => {
    let seen: Namespace | undefined;
    let name = '';
    {
      await using ns = await Namespace.create(uniqueName());
      seen = ns;
      name = ns.name!;
      scope.trackName(name);
      expect((await ns.links.list()).length).toBe(1);
      expect(ns.isClosed).toBe(false);
    }
    expect(seen.isClosed).toBe(true);
    await expect(seen.links.list()).rejects.toThrow(/closed/);
    // Disposal closes; it does not delete.
    expect(ipNetnsList()).toContain(name);
    {
      await using anon = await Namespace.create();
      seen = anon;
    }
    expect(seen.isClosed).toBe(true);
    expect(typeof seen[Symbol.asyncDispose]).toBe('function');
  });

  it('create() of an existing name fails with EEXIST and leaves the original intact', async () => {
    const ns = await scope.named();
    const e = await Namespace.create(ns.name).catch((x) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('EEXIST');
    expect(e.message).toContain(ns.name);
    expect(ipNetnsList().filter((n) => n === ns.name)).toHaveLength(1);
    expect(identityViaIp(ns.name)).toBe(ns.id);
  });
});
