// nlmsghdr framing: walking a stream of messages, and NLMSG_ERROR decoded in
// exactly one place (errno sign, 0 = ACK, extended-ack TLVs).
import { align4, DecodeError, forEachAttribute, readString, readU32 } from './attributes';
import {
  NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_ERROR, NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants';

export const NLMSG_HDRLEN = 16;

/** One message inside a receive chunk: header fields plus where its payload lies. */
export interface MessageView {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly buf: Buffer;
  /** First byte after nlmsghdr. */
  readonly start: number;
  /** One past the message's last byte (nlmsg_len, unaligned). */
  readonly end: number;
}

/** Visits each message of a chunk (one or many datagrams of whole messages). */
export function forEachMessage(buf: Buffer, visit: (m: MessageView) => void): void {
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) throw new DecodeError(`bad nlmsg_len ${len}`, off);
    visit({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      buf,
      start: off + NLMSG_HDRLEN,
      end: off + len,
    });
    off += align4(len);
  }
}

/** An NLMSG_ERROR payload, normalised: errno > 0 is a failure, 0 is an ACK. */
export interface ErrorReply {
  readonly errno: number;
  /** NLMSGERR_ATTR_MSG: the kernel's human-readable reason. */
  readonly message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in our request. */
  readonly offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE: type of a required attribute that was missing. */
  readonly missingType?: number;
  /** Sequence number of the request this answers (from the echoed header). */
  readonly seq: number;
}

export function decodeError(m: MessageView): ErrorReply {
  if (m.type !== NLMSG_ERROR) throw new DecodeError(`not an NLMSG_ERROR (type ${m.type})`, m.start);
  const { buf } = m;
  if (m.end - m.start < 4 + NLMSG_HDRLEN) throw new DecodeError('NLMSG_ERROR too short', m.start);
  // struct nlmsgerr { int error; struct nlmsghdr msg; } — error is 0 or -errno.
  const errno = 0 - buf.readInt32LE(m.start); // not -x: an ACK's -0 would not be Object.is 0
  const echoedLen = buf.readUInt32LE(m.start + 4);
  const seq = buf.readUInt32LE(m.start + 4 + 8);
  let message: string | undefined;
  let offset: number | undefined;
  let missingType: number | undefined;
  if (m.flags & NLM_F_ACK_TLVS) {
    // With NLM_F_CAPPED only the request's header is echoed, else all of it.
    // (Padding added arithmetically: align4 works in int32 and would turn an
    // echoed length >= 2^31 from a corrupt message negative.)
    const echoed = m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : echoedLen + (-echoedLen & 3);
    const tlvStart = m.start + 4 + echoed;
    if (tlvStart <= m.end) {
      forEachAttribute(buf, tlvStart, m.end, (type, s, e) => {
        if (type === NLMSGERR_ATTR_MSG) message = readString(buf, s, e);
        else if (type === NLMSGERR_ATTR_OFFS) offset = readU32(buf, s, e);
        else if (type === NLMSGERR_ATTR_MISS_TYPE) missingType = readU32(buf, s, e);
      });
    }
  }
  return { errno, message, offset, missingType, seq };
}
