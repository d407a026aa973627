// RTM_*NSID codec: rtgenmsg + NETNSA_* (<linux/net_namespace.h>): the id one
// namespace uses to name another (what IFLA_LINK_NETNSID refers to).
import { forEachAttribute, MessageWriter, readS32, readU32 } from '../netlink/attributes';
import * as C from '../netlink/constants';
import { MessageView } from '../netlink/message';

export interface NsidMessage {
  nsid?: number;
  fd?: number;
  pid?: number;
  targetNsid?: number;
  currentNsid?: number;
}

export function encodeNsid(type: number, flags: number, m: NsidMessage): Buffer {
  const w = new MessageWriter(type, flags, 64);
  w.u8(C.AF_UNSPEC).zeros(3); // struct rtgenmsg, padded to NLMSG_ALIGNTO
  if (m.nsid !== undefined) w.attrS32(C.NETNSA_NSID, m.nsid);
  if (m.fd !== undefined) w.attrU32(C.NETNSA_FD, m.fd);
  if (m.pid !== undefined) w.attrU32(C.NETNSA_PID, m.pid);
  if (m.targetNsid !== undefined) w.attrS32(C.NETNSA_TARGET_NSID, m.targetNsid);
  if (m.currentNsid !== undefined) w.attrS32(C.NETNSA_CURRENT_NSID, m.currentNsid);
  return w.finish();
}

export function decodeNsid(msg: MessageView): NsidMessage {
  const m: NsidMessage = {};
  forEachAttribute(msg.buf, msg.start + 4, msg.end, (type, s, e) => {
    if (type === C.NETNSA_NSID) m.nsid = readS32(msg.buf, s, e);
    else if (type === C.NETNSA_CURRENT_NSID) m.currentNsid = readS32(msg.buf, s, e);
    else if (type === C.NETNSA_PID) m.pid = readU32(msg.buf, s, e);
    else if (type === C.NETNSA_FD) m.fd = readU32(msg.buf, s, e);
    else if (type === C.NETNSA_TARGET_NSID) m.targetNsid = readS32(msg.buf, s, e);
  });
  return m;
}
