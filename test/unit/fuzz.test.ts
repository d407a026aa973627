// Deterministic fuzzing of the decoders: the golden fixture messages (and
// chunks of several of them) are mutated with a seeded PRNG (bit flips, byte
// overwrites, truncations, corrupted nlmsg_len / attribute lengths, splices)
// and fed to forEachMessage + the decoders + decodeError. Every input must
// either decode or throw DecodeError; a RangeError from a Buffer read is
// tolerated (and counted). Anything else, or a hang, fails the test.
import { DecodeError, RawAttribute } from '../../lib/netlink/attributes';
import * as C from '../../lib/netlink/constants';
import { decodeError, forEachMessage, MessageView } from '../../lib/netlink/message';
import { decodeAddress } from '../../lib/rtnl/address';
import { decodeLink, decodeVethPeer } from '../../lib/rtnl/link';
import { decodeNsid } from '../../lib/rtnl/nsid';
import { decodeRoute } from '../../lib/rtnl/route';
import { allFixtures, bytesOf } from '../helpers/fixtures';
import { prng } from '../../fuzz/mutate';

const CASES = 20_000;
const SEED = 0x5eed;


/** Everything a receive path could do with a chunk: frame it and decode each message by type. */
function decodeChunk(chunk: Buffer): number {
  let decoded = 0;
  forEachMessage(chunk, (m: MessageView) => {
    switch (m.type) {
      case C.RTM_NEWLINK: case C.RTM_DELLINK: case C.RTM_GETLINK: case C.RTM_SETLINK: {
        const link = decodeLink(m);
        const peer = link.linkInfo?.data?.find((a: RawAttribute) => (a.type & C.NLA_TYPE_MASK) === C.VETH_INFO_PEER);
        if (peer) decodeVethPeer(peer.data);
        break;
      }
      case C.RTM_NEWADDR: case C.RTM_DELADDR: case C.RTM_GETADDR: decodeAddress(m); break;
      case C.RTM_NEWROUTE: case C.RTM_DELROUTE: case C.RTM_GETROUTE: decodeRoute(m); break;
      case C.RTM_NEWNSID: case C.RTM_DELNSID: case C.RTM_GETNSID: decodeNsid(m); break;
      case C.NLMSG_ERROR: decodeError(m); break;
      case C.NLMSG_DONE:
        // Connection decodes a DONE with an error like an NLMSG_ERROR.
        if (m.end - m.start >= 20) decodeError({ ...m, type: C.NLMSG_ERROR });
        break;
      default: break;
    }
    decoded++;
  });
  return decoded;
}

// The corpus: every fixture message alone, and each fixture's replies as one chunk.
const corpus: Buffer[] = [];
for (const f of allFixtures()) {
  for (const m of f.messages) corpus.push(bytesOf(m));
  const replies = f.messages.filter((m) => m.direction === 'reply').map(bytesOf);
  if (replies.length > 1) corpus.push(Buffer.concat(replies));
}

type Mutation = (b: Buffer, r: () => number) => Buffer;
const pick = (r: () => number, n: number): number => Math.floor(r() * n);
const MUTATIONS: [string, Mutation][] = [
  ['bit flips', (b, r) => {
    for (let i = 1 + pick(r, 8); i > 0; i--) b[pick(r, b.length)] ^= 1 << pick(r, 8);
    return b;
  }],
  ['byte overwrite', (b, r) => {
    for (let i = 1 + pick(r, 4); i > 0; i--) b[pick(r, b.length)] = pick(r, 256);
    return b;
  }],
  ['truncation', (b, r) => b.subarray(0, pick(r, b.length))],
  ['truncation keeping nlmsg_len', (b, r) => {
    // The header still claims the full length: also fix it up to the cut, half the time.
    const cut = b.subarray(0, 16 + pick(r, Math.max(1, b.length - 16)));
    if (r() < 0.5 && cut.length >= 4) cut.writeUInt32LE(cut.length, 0);
    return cut;
  }],
  ['nlmsg_len corruption', (b, r) => {
    if (b.length < 4) return b;
    const v = [0, 1, 15, 16, 17, b.length - 1, b.length + 1, b.length + 4, 0xffff, 0xffffffff, pick(r, 2 * b.length)][pick(r, 11)];
    b.writeUInt32LE(v >>> 0, 0);
    return b;
  }],
  ['attribute length corruption', (b, r) => {
    // Any 4-aligned offset past nlmsghdr may be an attribute header (or rtnexthop / nested header).
    const slots = Math.floor((b.length - 16) / 4);
    if (slots <= 0) return b;
    const at = 16 + 4 * pick(r, slots);
    const v = [0, 1, 3, 4, 5, 7, 8, 0xffff, pick(r, 64), pick(r, 0x10000)][pick(r, 10)];
    b.writeUInt16LE(v, at);
    return b;
  }],
  ['attribute type corruption', (b, r) => {
    const slots = Math.floor((b.length - 16) / 4);
    if (slots <= 0) return b;
    b.writeUInt16LE(pick(r, 0x10000), 16 + 4 * pick(r, slots) + 2);
    return b;
  }],
  ['splice', (b, r) => {
    const other = corpus[pick(r, corpus.length)];
    const at = pick(r, b.length);
    return Buffer.concat([b.subarray(0, at), other.subarray(pick(r, other.length))]);
  }],
  ['message type swap', (b, r) => {
    if (b.length < 6) return b;
    const types = [C.RTM_NEWLINK, C.RTM_NEWADDR, C.RTM_NEWROUTE, C.RTM_NEWNSID, C.NLMSG_ERROR, C.NLMSG_DONE];
    b.writeUInt16LE(types[pick(r, types.length)], 4);
    return b;
  }],
];

test(`${CASES} mutated fixture messages decode or throw DecodeError`, () => {
  const r = prng(SEED);
  const outcome = { decoded: 0, decodeError: 0, rangeError: 0 };
  const perMutation = new Map<string, number>();
  const rangeErrorSites = new Set<string>();
  for (let i = 0; i < CASES; i++) {
    const [name, mutate] = MUTATIONS[pick(r, MUTATIONS.length)];
    const input = mutate(Buffer.from(corpus[pick(r, corpus.length)]), r);
    // A second mutation now and then, for combinations.
    const twice = r() < 0.25 ? MUTATIONS[pick(r, MUTATIONS.length)][1](Buffer.from(input), r) : input;
    perMutation.set(name, (perMutation.get(name) ?? 0) + 1);
    try {
      decodeChunk(twice);
      outcome.decoded++;
    } catch (e) {
      if (e instanceof DecodeError) {
        outcome.decodeError++;
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(twice.length);
      } else if ((e as Error).name === 'RangeError' && /ERR_(OUT_OF_RANGE|BUFFER_OUT_OF_BOUNDS)/.test(String((e as NodeJS.ErrnoException).code))) {
        // (By name: Node's Buffer errors come from another realm than jest's RangeError.)
        outcome.rangeError++;
        rangeErrorSites.add(String((e as Error).stack).split('\n').filter((l) => l.includes('/lib/')).join(' < '));
      } else {
        throw new Error(`case ${i} (${name}) threw ${String(e)} for input ${twice.toString('hex')}`);
      }
    }
  }
  // The fuzzer really exercised both paths, and every mutation ran.
  expect(outcome.decoded).toBeGreaterThan(CASES / 10);
  expect(outcome.decodeError).toBeGreaterThan(CASES / 10);
  expect(perMutation.size).toBe(MUTATIONS.length);
  // No Buffer read escapes as RangeError: every malformed length is caught as DecodeError.
  expect([...rangeErrorSites]).toEqual([]);
  expect(outcome.rangeError).toBe(0);
});

test('the fuzzer is deterministic: the same seed gives the same inputs', () => {
  const a = prng(SEED), b = prng(SEED);
  const xs = Array.from({ length: 100 }, () => a());
  expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
  expect(new Set(xs).size).toBe(100);
});

test('the corpus covers every kind of decodable message in the fixtures', () => {
  const types = new Set<number>();
  for (const c of corpus) forEachMessage(c, (m) => types.add(m.type));
  for (const t of [C.RTM_NEWLINK, C.RTM_GETLINK, C.RTM_DELLINK, C.RTM_NEWADDR, C.RTM_GETADDR, C.RTM_DELADDR,
    C.RTM_NEWROUTE, C.RTM_GETROUTE, C.RTM_DELROUTE, C.RTM_NEWNSID, C.RTM_GETNSID, C.NLMSG_ERROR, C.NLMSG_DONE]) {
    expect(types.has(t)).toBe(true);
  }
});
