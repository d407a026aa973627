// The fuzz target: everything the library's receive paths do with bytes from
// the kernel — frame a chunk into messages (lib/netlink/message.ts), decode
// each by type with the rtnetlink codecs (lib/rtnl/*, link kind data
// included), NLMSG_ERROR/NLMSG_DONE as the connection does, and any message
// long enough as an inet_diag reply (lib/diag/*: SOCK_DIAG_BY_FAMILY shares
// type 20 with RTM_NEWADDR). The only error allowed out is DecodeError.
import { DecodeError, RawAttribute } from '../lib/netlink/attributes';
import * as C from '../lib/netlink/constants';
import { decodeError, forEachMessage, MessageView } from '../lib/netlink/message';
import { decodeAddress } from '../lib/rtnl/address';
import { decodeLink, decodeVethPeer, LinkMessage } from '../lib/rtnl/link';
import {
  decodeBridgeData, decodeBridgePortData, decodeMacvlanData, decodeTunData, decodeVlanData, decodeVxlanData,
} from '../lib/rtnl/link-kinds';
import { decodeNeighbor } from '../lib/rtnl/neighbor';
import { decodeNexthop } from '../lib/rtnl/nexthop';
import { decodeNsid } from '../lib/rtnl/nsid';
import { decodeRoute } from '../lib/rtnl/route';
import { decodeRule } from '../lib/rtnl/rule';
import { decodeInetDiag } from '../lib/diag/inet';

/** Kind data decoded by kind, as lib/model/link.ts does (and a veth request's peer). */
const KIND_DECODERS: Record<string, (list: readonly RawAttribute[]) => unknown> = {
  bridge: decodeBridgeData, vxlan: decodeVxlanData, vlan: decodeVlanData,
  macvlan: decodeMacvlanData, macvtap: decodeMacvlanData, tun: decodeTunData,
};

function decodeLinkDeep(link: LinkMessage, out: unknown[]): void {
  const info = link.linkInfo;
  if (info?.data && info.kind !== undefined) {
    const decode = Object.hasOwn(KIND_DECODERS, info.kind) ? KIND_DECODERS[info.kind] : undefined;
    if (decode) out.push(decode(info.data));
    const peer = info.kind === 'veth' ? info.data.find((a) => (a.type & C.NLA_TYPE_MASK) === C.VETH_INFO_PEER) : undefined;
    if (peer) out.push(decodeVethPeer(peer.data));
  }
  if (info?.slaveKind === 'bridge' && info.slaveData) out.push(decodeBridgePortData(info.slaveData));
}

/** Decodes one message by its type; pushes what was decoded. */
function decodeMessage(m: MessageView, out: unknown[]): void {
  switch (m.type) {
    case C.RTM_NEWLINK: case C.RTM_DELLINK: case C.RTM_GETLINK: case C.RTM_SETLINK: {
      const link = decodeLink(m);
      out.push(link);
      decodeLinkDeep(link, out);
      break;
    }
    case C.RTM_NEWADDR: case C.RTM_DELADDR: case C.RTM_GETADDR: out.push(decodeAddress(m)); break;
    case C.RTM_NEWROUTE: case C.RTM_DELROUTE: case C.RTM_GETROUTE: out.push(decodeRoute(m)); break;
    case C.RTM_NEWNEIGH: case C.RTM_DELNEIGH: case C.RTM_GETNEIGH: out.push(decodeNeighbor(m)); break;
    case C.RTM_NEWRULE: case C.RTM_DELRULE: case C.RTM_GETRULE: out.push(decodeRule(m)); break;
    case C.RTM_NEWNEXTHOP: case C.RTM_DELNEXTHOP: case C.RTM_GETNEXTHOP:
    case C.RTM_NEWNEXTHOPBUCKET: case C.RTM_DELNEXTHOPBUCKET: case C.RTM_GETNEXTHOPBUCKET: out.push(decodeNexthop(m)); break;
    case C.RTM_NEWNSID: case C.RTM_DELNSID: case C.RTM_GETNSID: out.push(decodeNsid(m)); break;
    case C.NLMSG_ERROR: out.push(decodeError(m)); break;
    case C.NLMSG_DONE:
      // lib/connection.ts decodes a DONE that carries an error like an NLMSG_ERROR.
      if (m.end - m.start >= 20) out.push(decodeError({ ...m, type: C.NLMSG_ERROR }));
      break;
    default: break;
  }
  if (m.end - m.start >= 72) {
    try {
      out.push(decodeInetDiag(m, 'tcp'));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
}

/** Decodes a receive chunk; returns every decoded object. Throws DecodeError (or a bug). */
export function decodeChunk(chunk: Buffer): unknown[] {
  const out: unknown[] = [];
  forEachMessage(chunk, (m) => decodeMessage(m, out));
  return out;
}

/** 'ok' or 'DecodeError: message' (offsets kept: the outcome of a corpus input is exact). */
export function outcomeOf(chunk: Buffer): string {
  try {
    decodeChunk(chunk);
    return 'ok';
  } catch (e) {
    if (e instanceof DecodeError) return `DecodeError: ${e.message}`;
    throw e;
  }
}

/**
 * The size of a decoded result: bytes of Buffers and strings, one per number,
 * array element and key. A decoder that allocates from a count in the input
 * instead of from the bytes present would make this exceed the input's size.
 */
export function weight(v: unknown, depth = 0): number {
  if (depth > 64) throw new Error('decoded result nested deeper than 64');
  if (v === null || v === undefined) return 1;
  if (typeof v === 'string') return v.length;
  if (typeof v !== 'object') return 1;
  if (Buffer.isBuffer(v)) return v.length;
  let w = 1;
  if (Array.isArray(v)) {
    for (const x of v) w += 1 + weight(x, depth + 1);
    return w;
  }
  for (const k in v as Record<string, unknown>) w += 1 + weight((v as Record<string, unknown>)[k], depth + 1);
  return w;
}
