// The TCP and UDP sockets of a namespace, what `ss -tuna` run inside it shows:
// a NETLINK_SOCK_DIAG socket opened inside the namespace answers for that
// namespace only (inet_diag looks sockets up in the netlink socket's netns).
import { Connection, CallOptions } from './connection';
import { decodeInetDiag, encodeInetDiagDump, SocketInfo, SocketProtocol } from './diag/inet';
import { NETLINK_SOCK_DIAG } from './netlink/constants';
import { describe } from './errors';
import type { Namespace } from './namespace';

export interface SocketFilter extends CallOptions {
  /** 'tcp', 'udp' or both (default). */
  protocol?: SocketProtocol | SocketProtocol[];
  /** 4, 6 or both (default). */
  family?: 4 | 6;
}

/** Every TCP and UDP socket of `ns` (listening, connected, unconnected, TIME-WAIT …). */
export async function sockets(ns: Namespace, filter: SocketFilter = {}): Promise<SocketInfo[]> {
  const protocols = filter.protocol === undefined ? ['tcp', 'udp'] as SocketProtocol[]
    : Array.isArray(filter.protocol) ? filter.protocol : [filter.protocol];
  for (const p of protocols) {
    if (p !== 'tcp' && p !== 'udp') throw new TypeError(`protocol: expected 'tcp' or 'udp', got ${describe(p)}`);
  }
  if (filter.family !== undefined && filter.family !== 4 && filter.family !== 6) {
    throw new TypeError(`family: expected 4 or 6, got ${describe(filter.family)}`);
  }
  const families = filter.family ? [filter.family] : [4, 6] as const;
  // One short-lived socket: kept open it would hold the namespace alive.
  const conn = new Connection(ns.fd, { protocol: NETLINK_SOCK_DIAG, receiveBuffer: 1 << 20 });
  try {
    const result: SocketInfo[] = [];
    for (const protocol of protocols) {
      for (const family of families) { // one dump at a time: a netlink socket runs one dump at once
        const replies = await conn.dumpAll(encodeInetDiagDump(family, protocol),
          { operation: 'sockets.list', target: `${protocol}${family === 6 ? '6' : ''} in ${ns}` }, filter);
        for (const m of replies) result.push(decodeInetDiag(m, protocol));
      }
    }
    return result;
  } finally {
    conn.close();
  }
}
