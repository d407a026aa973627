// inet_diag codec (NETLINK_SOCK_DIAG): the SOCK_DIAG_BY_FAMILY dump request
// and the per-socket reply, as <linux/inet_diag.h> lays them out. Pure: bytes in, objects out.
import { formatIp } from '../inet';
import { align4, DecodeError, forEachAttribute } from '../netlink/attributes';
import type { MessageView } from '../netlink/message';
import * as C from '../netlink/constants';

export type SocketProtocol = 'tcp' | 'udp';

/** ss's names for the socket states (iproute2 misc/ss.c sstate_name); UDP uses ESTAB and UNCONN. */
export const STATE_NAMES: Readonly<Record<number, string>> = {
  [C.TCP_ESTABLISHED]: 'ESTAB', [C.TCP_SYN_SENT]: 'SYN-SENT', [C.TCP_SYN_RECV]: 'SYN-RECV',
  [C.TCP_FIN_WAIT1]: 'FIN-WAIT-1', [C.TCP_FIN_WAIT2]: 'FIN-WAIT-2', [C.TCP_TIME_WAIT]: 'TIME-WAIT',
  [C.TCP_CLOSE]: 'UNCONN', [C.TCP_CLOSE_WAIT]: 'CLOSE-WAIT', [C.TCP_LAST_ACK]: 'LAST-ACK',
  [C.TCP_LISTEN]: 'LISTEN', [C.TCP_CLOSING]: 'CLOSING',
};

export interface SocketEndpoint {
  readonly address: string;
  readonly port: number;
}

/** One socket of a namespace, as `ss -tuna` shows it. */
export interface SocketInfo {
  readonly protocol: SocketProtocol;
  readonly family: 4 | 6;
  /** ss's state name: 'LISTEN', 'ESTAB', 'UNCONN', 'TIME-WAIT' … */
  readonly state: string;
  readonly local: SocketEndpoint;
  readonly remote: SocketEndpoint;
  /** Bound interface (SO_BINDTODEVICE), 0 if none. */
  readonly ifindex: number;
  /** Receive and send queue (Recv-Q / Send-Q; for a listener: backlog length and maximum). */
  readonly receiveQueue: number;
  readonly sendQueue: number;
  readonly uid: number;
  /** The socket's inode (socket:[INODE] in /proc/PID/fd); 0 for TIME-WAIT and request sockets. */
  readonly inode: number;
  /**
   * IPV6_V6ONLY of a listening or unconnected IPv6 socket (INET_DIAG_SKV6ONLY:
   * net/ipv4/inet_diag.c inet_diag_msg_attrs_fill sends it only in those
   * states). A bind to a specific IPv6 address sets it (net/ipv6/af_inet6.c
   * __inet6_bind); ss prints an unspecified address as '*' only when it is off.
   */
  readonly v6only?: boolean;
}

const REQ_LEN = 56;  // struct inet_diag_req_v2
const MSG_LEN = 72;  // struct inet_diag_msg

/** A SOCK_DIAG_BY_FAMILY dump request for every socket of one family and protocol in `states` (a bit per TCP_* state). */
export function encodeInetDiagDump(family: 4 | 6, protocol: SocketProtocol, states = 0xffffffff): Buffer {
  const b = Buffer.alloc(16 + REQ_LEN);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(C.SOCK_DIAG_BY_FAMILY, 4);
  b.writeUInt16LE(C.NLM_F_REQUEST | C.NLM_F_DUMP, 6);
  b.writeUInt8(family === 4 ? C.AF_INET : C.AF_INET6, 16);
  b.writeUInt8(protocol === 'tcp' ? C.IPPROTO_TCP : C.IPPROTO_UDP, 17);
  b.writeUInt8(0, 18);      // idiag_ext: no extensions requested
  b.writeUInt32LE(states >>> 0, 20);
  return b;                 // inet_diag_sockid all zero: no filter
}

/** Decodes one inet_diag_msg reply and the one attribute it uses (INET_DIAG_SKV6ONLY); others are skipped. */
export function decodeInetDiag(m: MessageView, protocol: SocketProtocol): SocketInfo {
  const { buf, start } = m;
  if (m.end - start < MSG_LEN) throw new DecodeError(`inet_diag_msg too short (${m.end - start} bytes)`, start);
  const af = buf.readUInt8(start);
  if (af !== C.AF_INET && af !== C.AF_INET6) throw new DecodeError(`inet_diag_msg family ${af}`, start);
  const family: 4 | 6 = af === C.AF_INET ? 4 : 6;
  const state = buf.readUInt8(start + 1);
  const id = start + 4;
  const addr = (off: number) => formatIp(buf.subarray(off, off + (family === 4 ? 4 : 16)));
  let v6only: boolean | undefined;
  forEachAttribute(buf, start + align4(MSG_LEN), m.end, (type, s, e) => {
    if (type === C.INET_DIAG_SKV6ONLY && e > s) v6only = buf.readUInt8(s) !== 0;
  });
  return {
    protocol, family,
    state: STATE_NAMES[state] ?? `UNKNOWN-${state}`,
    local: { address: addr(id + 4), port: buf.readUInt16BE(id) },
    remote: { address: addr(id + 20), port: buf.readUInt16BE(id + 2) },
    ifindex: buf.readUInt32LE(id + 36),
    receiveQueue: buf.readUInt32LE(start + 56),
    sendQueue: buf.readUInt32LE(start + 60),
    uid: buf.readUInt32LE(start + 64),
    inode: buf.readUInt32LE(start + 68),
    ...(v6only === undefined ? {} : { v6only }),
  };
}
