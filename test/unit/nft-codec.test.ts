// The nf_tables batch layout, byte by byte where the kernel is strict about it
// (nfnetlink.h: nfgenmsg, batch begin/end res_id; nf_tables.h: big-endian values).
import { encodeBatch, encodeComment, decodeComment, msgType } from '../../lib/nft';
import * as C from '../../lib/netlink/constants';

function messages(buf: Buffer): { at: number; type: number; flags: number; family: number; version: number; resId: number; len: number }[] {
  const out = [];
  for (let at = 0; at < buf.length;) {
    const len = buf.readUInt32LE(at);
    out.push({ at, len, type: buf.readUInt16LE(at + 4), flags: buf.readUInt16LE(at + 6), family: buf[at + 16], version: buf[at + 17], resId: buf.readUInt16BE(at + 18) });
    at += (len + 3) & ~3;
  }
  return out;
}

describe('nft codec', () => {
  it('a transaction is BATCH_BEGIN, the operations, BATCH_END; offsets skip the end (the last operation carries the ACK)', () => {
    const { buf, offsets } = encodeBatch([
      { op: 'addTable', family: 'ip', name: 't' },
      { op: 'addRule', family: 'inet', table: 't', chain: 'c', items: [{ masquerade: true }] },
      { op: 'deleteRule', family: 'ip', table: 't', chain: 'c', handle: 7n },
    ]);
    const ms = messages(buf);
    expect(ms.map((m) => m.type)).toEqual([C.NFNL_MSG_BATCH_BEGIN, msgType(C.NFT_MSG_NEWTABLE), msgType(C.NFT_MSG_NEWRULE), msgType(C.NFT_MSG_DELRULE), C.NFNL_MSG_BATCH_END]);
    expect(offsets).toEqual(ms.slice(0, 4).map((m) => m.at));
    expect([ms[0].resId, ms[4].resId]).toEqual([C.NFNL_SUBSYS_NFTABLES, C.NFNL_SUBSYS_NFTABLES]);
    expect(ms.map((m) => m.version)).toEqual([0, 0, 0, 0, 0].map(() => C.NFNETLINK_V0));
    expect(ms.slice(1, 4).map((m) => m.family)).toEqual([C.NFPROTO_IPV4, C.NFPROTO_INET, C.NFPROTO_IPV4]);
    expect(ms[2].flags & C.NLM_F_ECHO).toBe(C.NLM_F_ECHO); // the new rule's handle comes back
    expect(ms[2].flags & (C.NLM_F_CREATE | C.NLM_F_APPEND)).toBe(C.NLM_F_CREATE | C.NLM_F_APPEND);
    expect(ms.reduce((n, m) => n + ((m.len + 3) & ~3), 0)).toBe(buf.length);
    // The handle is a big-endian u64 at the end of the delete.
    expect(buf.readBigUInt64BE(ms[3].at + ms[3].len - 8)).toBe(7n);
  });

  it('a prefix is masked before the compare, as nft does', () => {
    const { buf } = encodeBatch([{ op: 'addRule', family: 'ip', table: 't', chain: 'c', items: [{ ip: 'saddr', address: '10.100.0.77', prefixLength: 24 }] }]);
    expect(buf.includes(Buffer.from([255, 255, 255, 0]))).toBe(true);
    expect(buf.includes(Buffer.from([10, 100, 0, 0]))).toBe(true);
    expect(buf.includes(Buffer.from([10, 100, 0, 77]))).toBe(false);
  });

  it('comments use libnftnl user data (type 0, length, NUL-terminated) and read back', () => {
    const b = encodeComment('hello');
    expect([...b]).toEqual([0, 6, ...Buffer.from('hello'), 0]);
    expect(decodeComment(b)).toBe('hello');
    expect(decodeComment(Buffer.from([1, 2, 9, 9, 0, 3, 0x61, 0x62, 0]))).toBe('ab');
    expect(decodeComment(Buffer.from([1, 1, 9]))).toBeUndefined();
  });
});
