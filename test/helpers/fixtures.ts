// Loads the golden fixtures of test/fixtures/*.json (captured from iproute2 6.1
// with strace, see test/fixtures/README.md) and offers the small tools the
// codec tests share: a MessageView over one message, normalising the `varies`
// ranges, and the top-level attributes of a message as a sortable multiset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { align4 } from '../../lib/netlink/attributes';
import * as C from '../../lib/netlink/constants';
import { forEachMessage, MessageView } from '../../lib/netlink/message';

export interface Varies {
  field: string;
  offset: number;
  length: number;
  why: string;
}

export interface FixtureMessage {
  direction: 'request' | 'reply';
  type: string;
  flags: string;
  hex: string;
  varies: Varies[];
  datagram_trailing_zeros?: number;
}

export interface Fixture {
  name: string;
  description: string;
  command: string;
  setup: string[];
  exit_status: number;
  messages: FixtureMessage[];
}

export const FIXTURE_DIR = path.join(__dirname, '..', 'fixtures');

export function fixtureNames(): string[] {
  return fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

const cache = new Map<string, Fixture>();
export function loadFixture(name: string): Fixture {
  let f = cache.get(name);
  if (!f) {
    f = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Fixture;
    cache.set(name, f);
  }
  return f;
}

export function allFixtures(): Fixture[] {
  return fixtureNames().map(loadFixture);
}

/** The bytes of one fixture message (a fresh copy each call). */
export function bytesOf(m: FixtureMessage): Buffer {
  return Buffer.from(m.hex, 'hex');
}

/** The single message in `buf` as a MessageView (throws unless there is exactly one). */
export function viewOf(buf: Buffer): MessageView {
  const views: MessageView[] = [];
  forEachMessage(buf, (v) => views.push(v));
  if (views.length !== 1) throw new Error(`expected one message, found ${views.length}`);
  return views[0];
}

/** The n-th fixture message whose direction and type match. */
export function messageOf(f: Fixture, direction: 'request' | 'reply', type: string, n = 0): FixtureMessage {
  const found = f.messages.filter((m) => m.direction === direction && m.type === type);
  if (!found[n]) throw new Error(`${f.name}: no ${direction} ${type} #${n}`);
  return found[n];
}

/** A view over the n-th matching fixture message. */
export function fixtureView(name: string, direction: 'request' | 'reply', type: string, n = 0): MessageView {
  return viewOf(bytesOf(messageOf(loadFixture(name), direction, type, n)));
}

/** Copy of `buf` with the fixture's varying ranges (and nlmsg_seq/pid) zeroed. */
export function normalise(buf: Buffer, varies: Varies[]): Buffer {
  const out = Buffer.from(buf);
  out.fill(0, 8, 16); // seq and pid: we always encode 0, the connection fills them in
  for (const v of varies) out.fill(0, v.offset, v.offset + v.length);
  return out;
}

/** Length of the family header after nlmsghdr for each message type we decode. */
export function familyHeaderLength(type: number): number {
  switch (type) {
    case C.RTM_NEWLINK: case C.RTM_DELLINK: case C.RTM_GETLINK: case C.RTM_SETLINK: return 16; // ifinfomsg
    case C.RTM_NEWADDR: case C.RTM_DELADDR: case C.RTM_GETADDR: return 8; // ifaddrmsg
    case C.RTM_NEWROUTE: case C.RTM_DELROUTE: case C.RTM_GETROUTE: return 12; // rtmsg
    case C.RTM_NEWNSID: case C.RTM_DELNSID: case C.RTM_GETNSID: return 4; // rtgenmsg, aligned
    default: throw new Error(`no family header known for type ${type}`);
  }
}

/**
 * The top-level attributes of a whole message (nlmsghdr at 0) as hex strings
 * of header+value (padding excluded), sorted: the canonical multiset used to
 * compare messages whose attribute order differs.
 */
export function attributeMultiset(buf: Buffer): string[] {
  const type = buf.readUInt16LE(4);
  const end = buf.readUInt32LE(0);
  const out: string[] = [];
  let off = 16 + familyHeaderLength(type);
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4) throw new Error(`bad attribute length ${len} at ${off}`);
    out.push(buf.subarray(off, off + len).toString('hex'));
    off += align4(len);
  }
  return out.sort(compareAttributeHex);
}

/** Sort key (type, bytes): attribute type from the hex header, then the bytes. */
function compareAttributeHex(a: string, b: string): number {
  const ta = Buffer.from(a.slice(4, 8), 'hex').readUInt16LE(0);
  const tb = Buffer.from(b.slice(4, 8), 'hex').readUInt16LE(0);
  return ta - tb || (a < b ? -1 : a > b ? 1 : 0);
}

/** nlmsghdr (len, type, flags; seq/pid excluded) plus the family header, as hex. */
export function fixedPart(buf: Buffer): string {
  const type = buf.readUInt16LE(4);
  const h = familyHeaderLength(type);
  return buf.subarray(0, 8).toString('hex') + '|' + buf.subarray(16, 16 + h).toString('hex');
}

/** Numeric value of a fixture's symbolic type name (e.g. 'RTM_NEWLINK'). */
export function typeNumber(name: string): number {
  const v = (C as Record<string, unknown>)[name];
  if (typeof v !== 'number') throw new Error(`unknown message type ${name}`);
  return v;
}
