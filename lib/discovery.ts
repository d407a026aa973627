// Who is in which network namespace: `ip netns pids / identify / attach` and
// `lsns -t net`. A namespace's identity is the (st_dev, st_ino) of its nsfs
// inode; stat(2) of /proc/PID/ns/net or of a bind mount gives exactly that.
import { promises as fsp, statSync } from 'node:fs';
import * as path from 'node:path';
import { native } from './native';
import { NetlinkError, NotFoundError, describe } from './errors';
import * as v from './validate';
import type { Namespace } from './namespace';

/** One network namespace of the machine, as `lsns -t net` lists it. */
export interface NamespaceInfo {
  /** 'net:[4026532281]', as readlink /proc/PID/ns/net prints it. */
  readonly id: string;
  readonly dev: number;
  readonly ino: number;
  /** Names under the run directory that hold it (like `ip netns list`), sorted. */
  readonly names: string[];
  /** Every nsfs bind mount of it visible in this mount namespace (/proc/self/mountinfo). */
  readonly mounts: string[];
  /** Processes in it, ascending. */
  readonly pids: number[];
}

type Key = string;
const keyOf = (dev: number, ino: number): Key => `${dev}:${ino}`;

function pidOf(pid: unknown): number {
  if (!Number.isInteger(pid) || (pid as number) <= 0) throw new TypeError(`pid: expected a positive integer, got ${describe(pid)}`);
  return pid as number;
}

/** (dev, ino) of /proc/PID/ns/net; NotFoundError when no such process. */
function identityOfPid(pid: number, operation: string): [number, number] {
  try {
    const st = statSync(`/proc/${pid}/ns/net`);
    return [st.dev, st.ino];
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new NotFoundError(2, { operation, target: `pid ${pid}`, what: `process ${pid}` });
    throw new NetlinkError(-(err.errno ?? -5), { operation, target: `/proc/${pid}/ns/net` });
  }
}

/** Every process and its namespace identity, in one walk of /proc. Vanished or unreadable processes are skipped. */
async function processes(): Promise<{ pid: number; key: Key }[]> {
  const result: { pid: number; key: Key }[] = [];
  for (const entry of await fsp.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const st = await fsp.stat(`/proc/${entry}/ns/net`);
      result.push({ pid: Number(entry), key: keyOf(st.dev, st.ino) });
    } catch {
      // exited meanwhile, or not ours to see: `ip netns pids` skips them too
    }
  }
  return result.sort((a, b) => a.pid - b.pid);
}

/** Like `ip netns pids NAME`: the processes whose network namespace is `ns`. */
export async function pids(ns: Namespace): Promise<number[]> {
  const key = keyOf(ns.dev, ns.ino);
  return (await processes()).filter((p) => p.key === key).map((p) => p.pid);
}

/** Names in `runDir` with their identity; entries that are not namespaces are skipped. */
async function namedIdentities(runDir: string): Promise<{ name: string; key: Key }[]> {
  let names: string[];
  try {
    names = (await fsp.readdir(runDir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const result: { name: string; key: Key }[] = [];
  for (const name of names) {
    try {
      const st = await fsp.stat(path.join(runDir, name));
      result.push({ name, key: keyOf(st.dev, st.ino) });
    } catch {
      // removed meanwhile
    }
  }
  return result;
}

/** Like `ip netns identify PID`: the names in the run directory of PID's namespace (often none, or one). */
export async function identify(pid: number, runDir: string): Promise<string[]> {
  const [dev, ino] = identityOfPid(pidOf(pid), 'namespace.identify');
  const key = keyOf(dev, ino);
  return (await namedIdentities(runDir)).filter((n) => n.key === key).map((n) => n.name);
}

/** Undoes mountinfo's octal escapes (\040 for a space, \011, \012, \134). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * nsfs mounts of network namespaces in this mount namespace. In
 * /proc/self/mountinfo (proc(5)) field 4 is the root within the filesystem —
 * 'net:[INO]' for nsfs — field 5 the mount point, and the filesystem type
 * follows the ' - ' separator.
 */
async function nsfsMounts(): Promise<{ mountPoint: string; key: Key }[]> {
  const text = await fsp.readFile('/proc/self/mountinfo', 'utf8');
  const result: { mountPoint: string; key: Key }[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype] = line.slice(sep + 3).split(' ');
    const fields = line.slice(0, sep).split(' ');
    if (fstype !== 'nsfs' || !fields[3]?.startsWith('net:[')) continue;
    const mountPoint = unescapeMountPath(fields[4]);
    try {
      const st = await fsp.stat(mountPoint);
      result.push({ mountPoint, key: keyOf(st.dev, st.ino) });
    } catch {
      // over-mounted or gone: not reachable by path
    }
  }
  return result;
}

/**
 * Every network namespace that a process or an nsfs bind mount holds, with
 * its names, mounts and processes — what `lsns -t net` lists — from one walk
 * of /proc and one read of /proc/self/mountinfo. Namespaces held only by an
 * open fd (such as an anonymous Namespace handle) are not reachable this way.
 */
export async function all(runDir: string): Promise<NamespaceInfo[]> {
  const [procs, mounts] = await Promise.all([processes(), nsfsMounts()]);
  const byKey = new Map<Key, { names: string[]; mounts: string[]; pids: number[] }>();
  const entry = (key: Key) => {
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { names: [], mounts: [], pids: [] }));
    return e;
  };
  for (const p of procs) entry(p.key).pids.push(p.pid);
  for (const m of mounts) {
    const e = entry(m.key);
    e.mounts.push(m.mountPoint);
    if (path.dirname(m.mountPoint) === path.resolve(runDir)) e.names.push(path.basename(m.mountPoint));
  }
  return [...byKey.entries()].map(([key, e]) => {
    const [dev, ino] = key.split(':').map(Number);
    return { id: `net:[${ino}]`, dev, ino, names: e.names.sort(), mounts: e.mounts.sort(), pids: e.pids };
  }).sort((a, b) => a.ino - b.ino);
}

/**
 * Like `ip netns attach NAME PID`: bind-mounts PID's network namespace at
 * RUNDIR/NAME, so that `ip netns` and Namespace.open(NAME) see it.
 */
export function attach(name: string, pid: number, runDir: string): void {
  v.namespaceName(name, 'name');
  const file = `/proc/${pidOf(pid)}/ns/net`;
  const fd = native.netnsOpen(file);
  if (fd === -2) throw new NotFoundError(2, { operation: 'namespace.attach', target: `pid ${pid}`, what: `process ${pid}` });
  if (fd < 0) throw new NetlinkError(-fd, { operation: 'namespace.attach', target: file });
  try {
    const r = native.netnsMount(runDir, name, fd);
    if (r < 0) throw new NetlinkError(-r, { operation: 'namespace.attach', target: `"${name}" in ${runDir} to pid ${pid}` });
  } finally {
    native.closeFd(fd);
  }
}
