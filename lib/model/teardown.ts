// Bulk teardown: many links deleted in one unregister, and many namespaces at once.
//
// What the kernel does (net/core/rtnetlink.c, net/core/dev.c, v6.x):
// - One RTM_DELLINK per link: rtnl_dellink → rtnl_delete_link → ops->dellink
//   queues the device, unregister_netdevice_many() unregisters it, and on
//   rtnl_unlock() netdev_run_todo() waits for its references and runs an RCU
//   barrier: ~20 ms per link, however many requests one sendmsg carries,
//   because every request takes and releases the RTNL lock on its own.
// - RTM_DELLINK with ifi_index 0, no IFLA_IFNAME and IFLA_GROUP g (what
//   `ip link delete group g` sends): rtnl_group_dellink() checks that every
//   device of group g can be deleted (rtnl_link_ops->dellink, else
//   EOPNOTSUPP before anything is touched; no device: ENODEV; g = 0: EPERM),
//   calls dellink for each (a veth queues its peer too, wherever it lives),
//   and unregisters the whole list with one unregister_netdevice_many(): one
//   synchronize_net and one run of the todo list for all of them.
// - A namespace that dies (its last reference gone: `ip netns delete`
//   unmounts it) is destroyed by cleanup_net() on a workqueue, which takes
//   every namespace dead so far and deletes all their devices in one
//   default_device_exit_batch() → unregister_netdevice_many(). It is
//   asynchronous: the call returns at once, the devices go a little later.
//
// So deleteLinks() moves the links into a fresh group (one RTM_NEWLINK each,
// coalesced into one sendmsg: cheap, no unregister) and deletes the group.
import type { Namespace } from '../namespace';
import * as C from '../netlink/constants';
import { decodeLink, encodeLink } from '../rtnl/link';
import { describe, NetlinkError, NotFoundError } from '../errors';
import type { CallOptions } from '../connection';
import * as v from '../validate';
import type { Link, LinkRef } from './link';

interface Target { index: number; group: number; name: string; refs: number[] }

/** Groups are u32; ours are picked from the top half, away from the small numbers people assign. */
const GROUP_BASE = 0x80000000;

function refLabel(ref: LinkRef): string {
  return typeof ref === 'object' && ref !== null ? `"${(ref as Link).name}"` : describe(ref);
}

/**
 * Deletes every link of `refs` (Links, names or indexes in `ns`) with one
 * unregister in the kernel. Resolves with one settled result per ref, in order:
 * a ref that names no link gets a NotFoundError, the others are deleted
 * together. A link that cannot be deleted (lo, a physical device: the group
 * delete answers EOPNOTSUPP without touching anything) makes the call fall
 * back to one RTM_DELLINK per link, so each gets its own result.
 */
export async function deleteLinks(ns: Namespace, refs: readonly LinkRef[], options: CallOptions = {}): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = new Array(refs.length);
  // Validate everything before sending anything.
  const wanted = refs.map((ref, i) => {
    if (typeof ref === 'number') return v.ifindex(ref, `links[${i}]`);
    if (typeof ref === 'string') return v.linkName(ref, `links[${i}]`);
    if (typeof ref === 'object' && ref !== null && typeof (ref as Link).index === 'number' && (ref as Link).namespace) {
      if (!(ref as Link).namespace.equals(ns)) {
        throw new TypeError(`links[${i}]: link "${(ref as Link).name}" belongs to ${(ref as Link).namespace}, not ${ns}`);
      }
      return (ref as Link).index;
    }
    throw new TypeError(`links[${i}]: expected a Link, an interface name or an index, got ${describe(ref)}`);
  });
  if (refs.length === 0) return results;

  // One dump (without statistics) names every link and shows which groups are taken.
  const req = encodeLink(C.RTM_GETLINK, C.NLM_F_REQUEST, { extMask: C.RTEXT_FILTER_SKIP_STATS });
  const byIndex = new Map<number, Target>();
  const byName = new Map<string, Target>();
  const groups = new Set<number>();
  for (const m of await ns.connection.dumpAll(req, { operation: 'link.list' }, options)) {
    const l = decodeLink(m);
    const t: Target = { index: l.index ?? 0, group: l.group ?? 0, name: l.name ?? '', refs: [] };
    byIndex.set(t.index, t);
    byName.set(t.name, t);
    groups.add(t.group);
  }
  const targets: Target[] = [];
  wanted.forEach((w, i) => {
    const t = typeof w === 'number' ? byIndex.get(w) : byName.get(w);
    if (!t) {
      const what = `link ${refLabel(refs[i])} in ${ns}`;
      results[i] = { status: 'rejected', reason: new NotFoundError(19 /* ENODEV */, { operation: 'link.delete', target: what, what }) };
      return;
    }
    if (t.refs.length === 0) targets.push(t);
    t.refs.push(i);
  });
  const settle = (t: Target, r: PromiseSettledResult<void>): void => { for (const i of t.refs) results[i] = r; };
  const ok: PromiseSettledResult<void> = { status: 'fulfilled', value: undefined };

  if (targets.length < 2) {
    await Promise.all(targets.map((t) => deleteOne(ns, t, options).then(() => settle(t, ok), (e: unknown) => settle(t, { status: 'rejected', reason: e }))));
    return results;
  }

  let group: number;
  do group = GROUP_BASE + Math.floor(Math.random() * 0x7fffffff); while (groups.has(group));

  // Into the fresh group (concurrent: one sendmsg). A link gone meanwhile just drops out.
  const moved: Target[] = [];
  await Promise.all(targets.map((t) => ns.connection.request(
    encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST, { index: t.index, group }),
    { operation: 'link.delete', target: `link "${t.name}" in ${ns} (moving it to group ${group})` }, options,
  ).then(() => { moved.push(t); }, (e: unknown) => settle(t, { status: 'rejected', reason: notFound(e, t, ns) }))));
  if (moved.length === 0) return results;

  try {
    await ns.connection.request(encodeLink(C.RTM_DELLINK, C.NLM_F_REQUEST, { index: 0, group }),
      { operation: 'link.delete', target: `group ${group} (${moved.length} links) in ${ns}` }, options);
    for (const t of moved) settle(t, ok);
    return results;
  } catch (e) {
    if (!(e instanceof NetlinkError) || e.errno !== 95 /* EOPNOTSUPP */) {
      for (const t of moved) settle(t, { status: 'rejected', reason: e });
      return results;
    }
  }
  // Some link cannot be deleted; nothing was. Put the groups back and delete one by one.
  await Promise.all(moved.map((t) => ns.connection.request(
    encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST, { index: t.index, group: t.group }),
    { operation: 'link.set', target: `link "${t.name}" in ${ns} (group back to ${t.group})` }, options).catch(() => undefined)));
  await Promise.all(moved.map((t) => deleteOne(ns, t, options).then(() => settle(t, ok), (e: unknown) => settle(t, { status: 'rejected', reason: e }))));
  return results;
}

function deleteOne(ns: Namespace, t: Target, options: CallOptions): Promise<void> {
  return ns.connection.request(encodeLink(C.RTM_DELLINK, C.NLM_F_REQUEST, { index: t.index }),
    { operation: 'link.delete', target: `link "${t.name}" in ${ns}` }, options).then(() => undefined, (e: unknown) => { throw notFound(e, t, ns); });
}

function notFound(e: unknown, t: Target, ns: Namespace): unknown {
  if (e instanceof NetlinkError && e.code === 'ENODEV' && !(e instanceof NotFoundError)) {
    return new NotFoundError(e.errno, { operation: 'link.delete', target: e.target, extAck: e.extAck, what: `link "${t.name}" in ${ns}` });
  }
  return e;
}

/** deleteLinks, throwing the first failure (in ref order) once all are done. */
export async function deleteLinksOrThrow(ns: Namespace, refs: readonly LinkRef[], options: CallOptions = {}): Promise<void> {
  const results = await deleteLinks(ns, refs, options);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Deletes many namespaces (each like Namespace.delete). The kernel destroys
 * all the namespaces that died since its cleanup work last ran in one pass,
 * with all their devices (veth peers elsewhere included) in one unregister;
 * that happens asynchronously, shortly after this returns.
 */
export async function deleteNamespaces(namespaces: readonly Namespace[]): Promise<void> {
  const errors: unknown[] = [];
  for (const ns of namespaces) {
    try {
      await ns.delete();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} of ${namespaces.length} namespaces could not be deleted`);
}
