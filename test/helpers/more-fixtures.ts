// The fixtures of test/fixtures/more/ (captured by capture-more.sh, same schema
// as test/fixtures/*.json), and a stand-in Namespace that records the requests
// the verbs build, so they can be compared byte for byte with iproute2's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Namespace } from '../../lib/namespace';
import { forEachMessage, MessageView } from '../../lib/netlink/message';
import type { Fixture, FixtureMessage } from './fixtures';

export const MORE_DIR = path.join(__dirname, '..', 'fixtures', 'more');

export function moreFixture(name: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(MORE_DIR, `${name}.json`), 'utf8')) as Fixture;
}

export function moreFixtureNames(prefix: string): string[] {
  return fs.readdirSync(MORE_DIR).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export function view(buf: Buffer): MessageView {
  const out: MessageView[] = [];
  forEachMessage(buf, (m) => out.push(m));
  if (out.length !== 1) throw new Error(`expected one message, got ${out.length}`);
  return out[0];
}

/** Bytes of a fixture message with seq and pid (and the declared varying ranges) zeroed. */
export function normalised(m: FixtureMessage): Buffer {
  const b = Buffer.from(m.hex, 'hex');
  b.fill(0, 8, 16);
  for (const v of m.varies) if (v.field !== 'nlmsg_seq' && v.field !== 'nlmsg_pid') b.fill(0, v.offset, v.offset + v.length);
  return b;
}

/** The messages of the given types in every fixture starting with `prefix`, labelled for test.each. */
export function messagesOf(prefix: string, types: string[]): [string, FixtureMessage][] {
  const out: [string, FixtureMessage][] = [];
  for (const name of moreFixtureNames(prefix)) {
    moreFixture(name).messages.forEach((m, i) => {
      if (types.includes(m.type)) out.push([`${name} #${i} ${m.direction} ${m.type}`, m]);
    });
  }
  return out;
}

/** A Namespace stand-in: links by name → index from `links`, requests recorded, replies empty. */
export function recordingNamespace(links: Record<string, number>): { ns: Namespace; sent: Buffer[] } {
  const sent: Buffer[] = [];
  const connection = {
    request: async (buf: Buffer) => { sent.push(Buffer.from(buf)); return []; },
    dumpAll: async (buf: Buffer) => { sent.push(Buffer.from(buf)); return []; },
  };
  const ns = {
    connection,
    linkIndex: async (ref: string | number) => (typeof ref === 'number' ? ref : links[ref]),
    links: { names: async () => new Map(Object.entries(links).map(([name, index]) => [index, name])) },
    toString: () => 'namespace "test"',
  } as unknown as Namespace;
  return { ns, sent };
}

/** What the library sent, normalised like a fixture (seq/pid zero; NLM_F_ACK as the connection adds it). */
export function sentNormalised(buf: Buffer, ack = true): Buffer {
  const b = Buffer.from(buf);
  b.fill(0, 8, 16);
  if (ack) b.writeUInt16LE(b.readUInt16LE(6) | 4, 6);
  return b;
}

/** Top-level attributes after a family header of `headerLen` bytes, as sorted hex (order-free comparison). */
export function attrs(b: Buffer, headerLen: number): string[] {
  const out: string[] = [];
  for (let off = 16 + headerLen; off + 4 <= b.length;) {
    const len = b.readUInt16LE(off);
    out.push(b.subarray(off, off + len).toString('hex'));
    off += (len + 3) & ~3;
  }
  return out.sort();
}

/** decode(encode(decode(raw))) = decode(raw), and the bytes equal raw's up to attribute order. */
export function expectRoundTrip<T>(raw: Buffer, headerLen: number, decode: (m: MessageView) => T,
  encode: (type: number, flags: number, m: T) => Buffer): void {
  const v = view(raw);
  const decoded = decode(v);
  const encoded = encode(v.type, v.flags, decoded);
  expect(decode(view(encoded))).toEqual(decoded);
  expect(encoded.subarray(0, 16 + headerLen)).toEqual(raw.subarray(0, 16 + headerLen));
  expect(attrs(encoded, headerLen)).toEqual(attrs(raw, headerLen));
  expect(encoded.length).toBe(raw.length);
}
