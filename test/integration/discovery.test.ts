// ns.pids(), Namespace.identify/all/attach against `ip netns pids`,
// `ip netns identify`, `lsns -t net -J` and `ip netns list`.
import { ChildProcess, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { Namespace, NetlinkError, NotFoundError } from '../../lib';
import { ipNetnsList, ipRaw } from '../helpers/ip';
import { uniqueName, useNamespaces } from '../helpers/ns';

interface Lsns { ns: number; type: string; nprocs: number; pid: number; nsfs: string | null; children?: Lsns[] }

/** `lsns -t net -J`, its tree flattened. */
function lsns(): Lsns[] {
  const flat = (xs: Lsns[]): Lsns[] => xs.flatMap((x) => [x, ...flat(x.children ?? [])]);
  return flat((JSON.parse(execFileSync('lsns', ['-t', 'net', '-J'], { encoding: 'utf8' })) as { namespaces: Lsns[] }).namespaces);
}

const ipPids = (name: string) => ipRaw(undefined, 'netns', 'pids', name).split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
const ipIdentify = (pid: number) => ipRaw(undefined, 'netns', 'identify', String(pid)).split('\n').filter(Boolean).sort();

describe('pids, identify, all, attach', () => {
  const scope = useNamespaces();
  let sleepers: ChildProcess[] = [];

  /** A `sleep` running inside ns, killed after the test. */
  async function sleeper(ns: Namespace): Promise<number> {
    const cp = ns.spawn('sleep', ['60'], { stdio: 'ignore' });
    sleepers.push(cp);
    await once(cp, 'spawn');
    // The pid exists at once; the shim's setns happens just after: wait for it.
    for (let i = 0; i < 200 && fs.readlinkSync(`/proc/${cp.pid}/ns/net`) !== ns.id; i++) await new Promise((r) => setTimeout(r, 5));
    return cp.pid as number;
  }

  afterEach(async () => {
    for (const cp of sleepers) {
      if (cp.exitCode === null && cp.signalCode === null) {
        cp.kill();
        await once(cp, 'exit');
      }
    }
    sleepers = [];
  });

  it('ns.pids() is `ip netns pids`', async () => {
    const ns = await scope.named();
    expect(await ns.pids()).toEqual([]);
    const p1 = await sleeper(ns);
    const p2 = await sleeper(ns);
    expect(await ns.pids()).toEqual([p1, p2].sort((a, b) => a - b));
    expect(await ns.pids()).toEqual(ipPids(ns.name));
    expect(await Namespace.current().pids()).toContain(process.pid);
    expect(await Namespace.current().pids()).not.toContain(p1);
  });

  it('Namespace.identify(pid) is `ip netns identify`: every name of that namespace (ip prints one), none for an unnamed one', async () => {
    const ns = await scope.named();
    const pid = await sleeper(ns);
    expect(await Namespace.identify(pid)).toEqual([ns.name]);
    expect(await Namespace.identify(pid)).toEqual(ipIdentify(pid));
    // A second name for the same namespace.
    const alias = uniqueName('alias');
    scope.track(await Namespace.attach(alias, pid));
    expect(await Namespace.identify(pid)).toEqual([ns.name, alias].sort());
    // ip prints one of them (the last its readdir matched: ip/ipnetns.c netns_identify_pid).
    expect(ipIdentify(pid)).toHaveLength(1);
    expect(await Namespace.identify(pid)).toContain(ipIdentify(pid)[0]);
    expect(await Namespace.identify(process.pid)).toEqual(ipIdentify(process.pid));
    expect(await Namespace.identify(process.pid)).toEqual([]);
  });

  it('identify: bad and unknown pids', async () => {
    await expect(Namespace.identify(0)).rejects.toThrow(/pid: expected a positive integer, got 0/);
    await expect(Namespace.identify(1.5)).rejects.toThrow(TypeError);
    await expect(Namespace.identify(999999999)).rejects.toThrow(NotFoundError);
    await expect(Namespace.identify(999999999)).rejects.toThrow('process 999999999 not found');
  });

  it('Namespace.all() lists what lsns -t net lists, with names, mounts and processes, from one walk of /proc', async () => {
    const named = await scope.named();
    const anon = await scope.anonymous();
    const mountedOnly = await scope.named(); // held by its bind mount (and our fd), no process
    const pNamed = await sleeper(named);
    const pAnon = await sleeper(anon);

    const readdir = jest.spyOn(fs.promises, 'readdir');
    let all;
    try {
      all = await Namespace.all();
      expect(readdir.mock.calls.filter(([dir]) => dir === '/proc')).toHaveLength(1);
    } finally {
      readdir.mockRestore();
    }
    const oracle = lsns();
    const byIno = new Map(all.map((n) => [n.ino, n]));

    expect(byIno.get(named.ino)).toEqual({ id: named.id, dev: named.dev, ino: named.ino, names: [named.name], mounts: [`/run/netns/${named.name}`], pids: [pNamed] });
    expect(byIno.get(anon.ino)).toEqual({ id: anon.id, dev: anon.dev, ino: anon.ino, names: [], mounts: [], pids: [pAnon] });
    expect(byIno.get(mountedOnly.ino)).toMatchObject({ names: [mountedOnly.name], pids: [] });
    expect(byIno.get(Namespace.current().ino)?.pids).toContain(process.pid);

    // lsns: the same namespaces, processes (count and lowest pid) and nsfs path.
    for (const ns of [named, anon]) {
      const l = oracle.find((x) => x.ns === ns.ino);
      const ours = byIno.get(ns.ino);
      expect(l).toBeDefined();
      expect({ nprocs: ours?.pids.length, pid: ours?.pids[0], nsfs: ours?.mounts[0] ?? null })
        .toEqual({ nprocs: l?.nprocs, pid: l?.pid, nsfs: l?.nsfs });
    }
    // The namespaces of stable processes (jest's and this worker) are in both.
    // (Processes this one may not inspect, e.g. pid 1 here, are skipped by both.)
    for (const pid of [process.ppid, process.pid]) {
      const ino = fs.statSync(`/proc/${pid}/ns/net`).ino;
      expect(oracle.some((x) => x.ns === ino)).toBe(true);
      expect(byIno.get(ino)?.pids).toContain(pid);
    }
  });

  it('Namespace.attach(name, pid) is `ip netns attach`: ip netns lists it, ip netns exec enters it', async () => {
    const anon = await scope.anonymous();
    const pid = await sleeper(anon);
    const name = uniqueName('att');
    scope.trackName(name);
    const attached = scope.track(await Namespace.attach(name, pid));
    expect(attached.equals(anon)).toBe(true);
    expect(attached.name).toBe(name);
    expect(ipNetnsList()).toContain(name);
    expect(ipRaw(undefined, 'netns', 'exec', name, 'readlink', '/proc/self/ns/net').trim()).toBe(anon.id);
    expect(ipIdentify(pid)).toEqual([name]);
    expect(await Namespace.list()).toContain(name);
    // It outlives the process now, as with ip netns attach.
    sleepers[0].kill();
    await once(sleepers[0], 'exit');
    anon.close();
    const reopened = scope.track(await Namespace.open(name));
    expect(reopened.ino).toBe(attached.ino);
  });

  it('attach: bad name, no such pid, a name that exists', async () => {
    const ns = await scope.named();
    await expect(Namespace.attach('a/b', process.pid)).rejects.toThrow(TypeError);
    await expect(Namespace.attach(uniqueName(), -3)).rejects.toThrow(/pid: expected a positive integer, got -3/);
    await expect(Namespace.attach(uniqueName(), 999999999)).rejects.toThrow('process 999999999 not found');
    const err = await Namespace.attach(ns.name, process.pid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: 'EEXIST', operation: 'namespace.attach' });
    expect((err as Error).message).toContain(`"${ns.name}"`);
  });
});
