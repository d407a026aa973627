// Helpers for watch tests: a consumer that folds events into a view (what a
// subscriber believes the kernel holds), and waiting for a condition.
import type { ChangeEvent, WatchEvent } from '../../lib';
import { objectKey } from '../../lib/watch';

/** What a subscriber knows: key → object, built only from the events it was given. */
export class View {
  readonly objects = new Map<string, ChangeEvent>();
  readonly events: WatchEvent[] = [];
  overruns = 0;
  synced = 0;

  apply(e: WatchEvent): void {
    this.events.push(e);
    if (e.type === 'overrun') this.overruns++;
    else if (e.type === 'synced') this.synced++;
    else {
      const key = `${e.namespace.id} ${objectKey(e)}`;
      if (e.type === 'new') this.objects.set(key, e);
      else this.objects.delete(key);
    }
  }

  /** Objects of one kind, mapped (e.g. to route prefixes), sorted. */
  list<T>(kind: ChangeEvent['kind'], map: (o: never) => T): T[] {
    return [...this.objects.values()].filter((e) => e.kind === kind).map((e) => map(e.object as never)).sort();
  }
}

/** Polls `cond` every `ms` until it holds or `timeout` passes (then fails with `what`). */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeout = 10_000, ms = 20): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, ms));
  }
}

/** Open fds of this process. */
export function fdCount(): number {
  return require('node:fs').readdirSync('/proc/self/fd').length;
}

/** The sockets this process holds open ('socket:[inode]' for each fd that is one). */
export function openSockets(): Set<string> {
  const fs = require('node:fs') as typeof import('node:fs');
  const out = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith('socket:')) out.add(target);
    } catch { /* closed meanwhile (readdir's own fd) */ }
  }
  return out;
}

/** Sockets open now that were not in `before`. */
export function newSockets(before: Set<string>): string[] {
  return [...openSockets()].filter((s) => !before.has(s));
}

// --- fake route messages (for the fake kernel) ------------------------------

import { encodeRoute } from '../../lib/rtnl/route';
import * as C from '../../lib/netlink/constants';

/**
 * An RTM_NEWROUTE/DELROUTE for `to` (IPv4, table main) through `gateway`,
 * with the header a notification (seq 0) or a dump reply (seq, NLM_F_MULTI) has.
 */
export function routeMessage(type: number, to: string, gateway: string, hdr: { seq?: number; pid?: number; flags?: number } = {}): Buffer {
  const [dst, len] = to.split('/');
  const buf = encodeRoute(type, 0, {
    family: C.AF_INET, dstLength: Number(len), srcLength: 0, tos: 0, table: C.RT_TABLE_MAIN,
    protocol: C.RTPROT_BOOT, scope: C.RT_SCOPE_UNIVERSE, type: C.RTN_UNICAST, flags: 0,
    dst, gateway, oif: 2,
  });
  buf.writeUInt16LE(hdr.flags ?? 0, 6);
  buf.writeUInt32LE(hdr.seq ?? 0, 8);
  buf.writeUInt32LE(hdr.pid ?? 0, 12);
  return buf;
}
