// Input generation for the decoder fuzzer: a seeded PRNG, structure-aware
// mutations of real messages (they know where nlmsghdr, the family header and
// each — possibly nested — attribute header lie) and messages generated from
// scratch. Every input is at most MAX_INPUT bytes.
import * as C from '../lib/netlink/constants';

export const MAX_INPUT = 64 << 10;

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
const pick = (r: Rand, n: number): number => Math.floor(r() * n);
const oneOf = <T>(r: Rand, xs: readonly T[]): T => xs[pick(r, xs.length)];

/** Bytes between nlmsghdr and the first attribute, per message type (0: no attributes known). */
function familyHeaderLength(type: number): number {
  switch (type) {
    case C.RTM_NEWLINK: case C.RTM_DELLINK: case C.RTM_GETLINK: case C.RTM_SETLINK: return 16;
    case C.RTM_NEWADDR: case C.RTM_DELADDR: case C.RTM_GETADDR: return 8;
    case C.RTM_NEWROUTE: case C.RTM_DELROUTE: case C.RTM_GETROUTE: return 12;
    case C.RTM_NEWNEIGH: case C.RTM_DELNEIGH: case C.RTM_GETNEIGH: return 12;
    case C.RTM_NEWRULE: case C.RTM_DELRULE: case C.RTM_GETRULE: return 12;
    case C.RTM_NEWNEXTHOP: case C.RTM_DELNEXTHOP: case C.RTM_GETNEXTHOP: return 8;
    case C.RTM_NEWNEXTHOPBUCKET: case C.RTM_DELNEXTHOPBUCKET: case C.RTM_GETNEXTHOPBUCKET: return 8;
    case C.RTM_NEWNSID: case C.RTM_DELNSID: case C.RTM_GETNSID: return 4;
    default: return 0;
  }
}

/** Offsets of every attribute header in buf (top level of each message, and nested ones that parse). */
export function attributeHeaders(buf: Buffer): number[] {
  const found: number[] = [];
  const walk = (start: number, end: number, depth: number): void => {
    let off = start;
    while (off + 4 <= end && found.length < 4096) {
      const len = buf.readUInt16LE(off);
      if (len < 4 || off + len > end) return;
      found.push(off);
      // Try every attribute as a nest: many are, and a wrong guess stops at the first bad length.
      if (depth < 4 && len > 8) walk(off + 4, off + len, depth + 1);
      off += (len + 3) & ~3;
    }
  };
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    const fam = familyHeaderLength(buf.readUInt16LE(off + 4));
    if (fam) walk(off + 16 + fam, off + len, 0);
    off += (len + 3) & ~3;
  }
  return found;
}

/** Sets every nlmsg_len it can to cover exactly one message (used after growing a single message). */
function fixSingleLength(b: Buffer): Buffer {
  if (b.length >= 4) b.writeUInt32LE(b.length, 0);
  return b;
}

const INTERESTING_16 = [0, 1, 2, 3, 4, 5, 7, 8, 0x7fff, 0x8000, 0xfffc, 0xffff];
const INTERESTING_32 = [0, 1, 15, 16, 17, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** Up to how many copies: usually tens, one time in ten thousands (up to MAX_INPUT). */
const hugeCount = (r: Rand): number => (r() < 0.1 ? 8000 : 64);

export type Mutation = (b: Buffer, r: Rand, seeds: readonly Buffer[]) => Buffer;

export const MUTATIONS: readonly [string, Mutation][] = [
  ['bit flips', (b, r) => {
    if (!b.length) return b;
    for (let i = 1 + pick(r, 8); i > 0; i--) b[pick(r, b.length)] ^= 1 << pick(r, 8);
    return b;
  }],
  ['interesting bytes', (b, r) => {
    if (!b.length) return b;
    for (let i = 1 + pick(r, 4); i > 0; i--) b[pick(r, b.length)] = oneOf(r, [0, 1, 0x7f, 0x80, 0xff]);
    return b;
  }],
  ['truncated header', (b, r) => b.subarray(0, pick(r, Math.min(b.length, 20)))],
  ['truncated', (b, r) => b.subarray(0, pick(r, b.length + 1))],
  ['truncated, nlmsg_len fixed', (b, r) => fixSingleLength(Buffer.from(b.subarray(0, 16 + pick(r, Math.max(1, b.length - 15)))))],
  ['nlmsg_len past the buffer', (b, r) => {
    if (b.length < 4) return b;
    b.writeUInt32LE((oneOf(r, INTERESTING_32) || b.length + 1 + pick(r, 64)) >>> 0, 0);
    return b;
  }],
  ['attribute length', (b, r) => {
    const at = attributeHeaders(b);
    if (!at.length) return b;
    const off = oneOf(r, at);
    const len = b.readUInt16LE(off);
    b.writeUInt16LE(oneOf(r, [...INTERESTING_16, len - 1, len + 1, len + 4, b.length - off + 4, pick(r, 0x10000)]) & 0xffff, off);
    return b;
  }],
  ['attribute type', (b, r) => {
    const at = attributeHeaders(b);
    if (!at.length) return b;
    const off = oneOf(r, at);
    // Sometimes only the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits, sometimes a random type.
    const t = b.readUInt16LE(off + 2);
    b.writeUInt16LE(r() < 0.5 ? t ^ oneOf(r, [0x8000, 0x4000]) : pick(r, 0x10000), off + 2);
    return b;
  }],
  ['zero-length attribute', (b, r) => {
    const at = attributeHeaders(b);
    const off = at.length ? oneOf(r, at) : Math.min(b.length, 16);
    const zero = Buffer.alloc(4);
    zero.writeUInt16LE(oneOf(r, [0, 4]), 0);
    zero.writeUInt16LE(pick(r, 64), 2);
    return fixSingleLength(Buffer.concat([b.subarray(0, off), zero, b.subarray(off)]));
  }],
  ['nested attribute with bad inner length', (b, r) => {
    // Wrap an attribute into a fresh nest whose inner header lies about its length.
    const at = attributeHeaders(b);
    if (!at.length) return b;
    const off = oneOf(r, at);
    const len = b.readUInt16LE(off);
    const nest = Buffer.alloc(8);
    nest.writeUInt16LE(8 + ((len + 3) & ~3), 0);
    nest.writeUInt16LE(0x8000 | pick(r, 40), 2);
    nest.writeUInt16LE(oneOf(r, INTERESTING_16), 4);
    nest.writeUInt16LE(pick(r, 40), 6);
    return fixSingleLength(Buffer.concat([b.subarray(0, off), nest, b.subarray(off)]));
  }],
  ['huge count: one attribute repeated', (b, r) => {
    const at = attributeHeaders(b);
    if (!at.length) return b;
    const off = oneOf(r, at);
    const one = b.subarray(off, off + ((b.readUInt16LE(off) + 3) & ~3));
    const times = Math.min(1 + pick(r, hugeCount(r)), Math.floor((MAX_INPUT - b.length) / Math.max(4, one.length)));
    const parts = [b.subarray(0, off)];
    for (let i = 0; i < times; i++) parts.push(one);
    parts.push(b.subarray(off));
    const out = Buffer.concat(parts);
    // Only a single-message input can have its nlmsg_len fixed; 0xffff caps what an enclosing nest can say.
    return out.length <= 0xffff ? fixSingleLength(out) : out;
  }],
  ['huge count: many messages', (b, r) => {
    const one = b.subarray(0, Math.min(b.length, (b.length >= 4 ? (b.readUInt32LE(0) + 3) & ~3 : 0) || b.length));
    if (!one.length) return b;
    const times = Math.min(1 + pick(r, hugeCount(r)), Math.floor(MAX_INPUT / one.length));
    return Buffer.concat(Array.from({ length: times }, () => one));
  }],
  ['splice', (b, r, seeds) => {
    const other = oneOf(r, seeds);
    return Buffer.concat([b.subarray(0, pick(r, b.length + 1)), other.subarray(pick(r, other.length + 1))]);
  }],
  ['message type', (b, r) => {
    if (b.length < 6) return b;
    b.writeUInt16LE(oneOf(r, [C.RTM_NEWLINK, C.RTM_NEWADDR, C.RTM_NEWROUTE, C.RTM_NEWNEIGH, C.RTM_NEWRULE,
      C.RTM_NEWNEXTHOP, C.RTM_NEWNEXTHOPBUCKET, C.RTM_NEWNSID, C.NLMSG_ERROR, C.NLMSG_DONE, pick(r, 0x10000)]), 4);
    return b;
  }],
  ['flags', (b, r) => {
    if (b.length < 8) return b;
    b.writeUInt16LE(b.readUInt16LE(6) ^ oneOf(r, [C.NLM_F_MULTI, C.NLM_F_ACK_TLVS, C.NLM_F_CAPPED, 0xffff]), 6);
    return b;
  }],
];

/** A random attribute tree (sometimes with a lying length) of at most `budget` bytes. */
function randomAttributes(r: Rand, depth: number, budget: number): Buffer {
  const parts: Buffer[] = [];
  let used = 0;
  for (let n = pick(r, 8); n > 0 && used < budget; n--) {
    let body: Buffer;
    const nested = depth < 4 && r() < 0.3;
    if (nested) body = randomAttributes(r, depth + 1, Math.min(512, budget - used));
    else body = Buffer.from(Array.from({ length: oneOf(r, [0, 1, 2, 4, 6, 8, 16, pick(r, 64)]) }, () => pick(r, 256)));
    const h = Buffer.alloc(4);
    const len = 4 + body.length;
    h.writeUInt16LE(r() < 0.1 ? oneOf(r, INTERESTING_16) : len, 0);
    h.writeUInt16LE((nested ? 0x8000 : 0) | pick(r, 48), 2);
    const pad = Buffer.alloc((4 - (len & 3)) & 3);
    parts.push(h, body, pad);
    used += len + pad.length;
  }
  return Buffer.concat(parts);
}

/** A message made from scratch: a known type, a random family header, random attributes. */
export function generate(r: Rand): Buffer {
  const type = oneOf(r, [C.RTM_NEWLINK, C.RTM_NEWADDR, C.RTM_NEWROUTE, C.RTM_NEWNEIGH, C.RTM_NEWRULE,
    C.RTM_NEWNEXTHOP, C.RTM_NEWNEXTHOPBUCKET, C.RTM_NEWNSID, C.NLMSG_ERROR, C.NLMSG_DONE, C.SOCK_DIAG_BY_FAMILY]);
  const famLen = type === C.NLMSG_ERROR ? 20 : type === C.SOCK_DIAG_BY_FAMILY ? 72 : familyHeaderLength(type) || 4;
  const fam = Buffer.from(Array.from({ length: famLen }, () => (r() < 0.5 ? 0 : pick(r, 256))));
  if (type === C.SOCK_DIAG_BY_FAMILY) fam[0] = oneOf(r, [C.AF_INET, C.AF_INET6, pick(r, 256)]);
  const attrs = randomAttributes(r, 0, 2048);
  const hdr = Buffer.alloc(16);
  const len = 16 + fam.length + attrs.length;
  hdr.writeUInt32LE(r() < 0.1 ? oneOf(r, INTERESTING_32) >>> 0 : len, 0);
  hdr.writeUInt16LE(type, 4);
  hdr.writeUInt16LE(r() < 0.3 ? C.NLM_F_ACK_TLVS | (r() < 0.5 ? C.NLM_F_CAPPED : 0) : C.NLM_F_MULTI, 6);
  return Buffer.concat([hdr, fam, attrs]);
}

/** The next input: usually a mutated seed (one to three mutations), sometimes generated. */
export function nextInput(r: Rand, seeds: readonly Buffer[]): { input: Buffer; how: string } {
  if (r() < 0.1) return { input: generate(r), how: 'generated' };
  let b: Buffer = Buffer.from(oneOf(r, seeds));
  const names: string[] = [];
  for (let n = r() < 0.7 ? 1 : 2 + pick(r, 2); n > 0; n--) {
    const [name, mutate] = oneOf(r, MUTATIONS);
    b = mutate(b, r, seeds);
    names.push(name);
  }
  if (b.length > MAX_INPUT) b = b.subarray(0, MAX_INPUT);
  return { input: b, how: names.join(' + ') };
}
