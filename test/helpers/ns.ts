// Per-test namespaces: unique names (t-<random>), made through the library,
// deleted after each test whatever happened in it.
import { randomBytes } from 'node:crypto';
import { Namespace, NamespaceOptions } from '../../lib';
import { ipDo } from './ip';

export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Random locally administered unicast MAC. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export interface NamespaceScope {
  /** A fresh named namespace (visible to `ip -n NAME`), deleted after the test. */
  named(options?: NamespaceOptions): Promise<Namespace & { name: string }>;
  /** A fresh anonymous namespace, closed after the test. */
  anonymous(): Promise<Namespace>;
  /** Registers a handle (e.g. from Namespace.open) to close after the test. */
  track<T extends Namespace>(ns: T): T;
  /** Registers a named namespace made outside the library (`ip netns add`) to delete after the test. */
  trackName(name: string, runDir?: string): void;
  /** A fresh namespace made by `ip netns add` (not through the library); its name. Deleted after the test. */
  ipNamed(): string;
}

/**
 * Call at the top of a describe(): returns a scope whose namespaces are
 * cleaned up in afterEach (named ones deleted, all handles closed).
 */
export function useNamespaces(): NamespaceScope {
  let handles: Namespace[] = [];
  let names: { name: string; runDir?: string }[] = [];

  afterEach(async () => {
    const hs = handles;
    const ns = names;
    handles = [];
    names = [];
    for (const h of hs) {
      if (h.isClosed) continue;
      if (h.name !== undefined) await h.delete().catch(() => h.close());
      else h.close();
    }
    for (const { name, runDir } of ns) {
      if ((await Namespace.list({ runDir })).includes(name)) await Namespace.delete(name, { runDir }).catch(() => undefined);
    }
  });

  const scope: NamespaceScope = {
    async named(options) {
      const ns = await Namespace.create(uniqueName(), options);
      handles.push(ns);
      return ns as Namespace & { name: string };
    },
    async anonymous() {
      return scope.track(await Namespace.create());
    },
    track(ns) {
      handles.push(ns);
      return ns;
    },
    trackName(name, runDir) {
      names.push({ name, runDir });
    },
    ipNamed() {
      const name = uniqueName();
      ipDo(undefined, 'netns', 'add', name);
      scope.trackName(name);
      return name;
    },
  };
  return scope;
}

/** ifindex → name in `ns`, from the library's own dump (for master/dev names). */
export async function linkNames(ns: Namespace): Promise<Map<number, string>> {
  return new Map((await ns.links.list()).map((l) => [l.index, l.name]));
}
