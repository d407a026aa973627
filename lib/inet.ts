// The textual forms people write — '10.0.0.2', 'fd00::1/64', '02:00:00:00:00:01' —
// parsed into bytes and formatted back exactly as iproute2 prints them.
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6 } from './netlink/constants';
import { check, checkRange, describe } from './errors';

export type Family = 4 | 6;

export interface IpAddress {
  readonly family: Family;
  readonly bytes: Buffer;
}

export interface Prefix extends IpAddress {
  readonly prefixLength: number;
}

export const afOf = (family: Family): number => (family === 4 ? AF_INET : AF_INET6);
export const familyOfAf = (af: number): Family | undefined =>
  af === AF_INET ? 4 : af === AF_INET6 ? 6 : undefined;

function ipv4Bytes(s: string): Buffer {
  // Hot in batches of routes; the text is already validated (isIPv4).
  const b = Buffer.allocUnsafe(4);
  let octet = 0;
  let i = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 46 /* . */) { b[i++] = octet; octet = 0; } else octet = octet * 10 + c - 48;
  }
  b[i] = octet;
  return b;
}

function ipv6Bytes(s: string): Buffer {
  const out = Buffer.alloc(16);
  let text = s;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  headGroups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  tailGroups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 16 - (tailGroups.length - i) * 2));
  return out;
}

/** Parses an IPv4 or IPv6 address; `field` names the input in the error. */
export function parseIp(text: unknown, field: string): IpAddress {
  check(typeof text === 'string', field, text, 'expected an IP address string');
  if (isIPv4(text)) return { family: 4, bytes: ipv4Bytes(text) };
  if (isIPv6(text)) return { family: 6, bytes: ipv6Bytes(text) };
  throw new TypeError(`${field}: not a valid IPv4 or IPv6 address, got ${describe(text)}`);
}

/**
 * Parses 'ADDR/LEN' (or a bare address, which means a host prefix when
 * `bareMeansHost`). 'default' is 0.0.0.0/0, or ::/0 with family 6.
 */
export function parsePrefix(text: unknown, field: string, family?: Family): Prefix {
  check(typeof text === 'string', field, text, 'expected a prefix such as "10.0.0.0/24"');
  if (text === 'default' || text === 'all' || text === 'any') {
    const f = family ?? 4;
    return { family: f, bytes: Buffer.alloc(f === 4 ? 4 : 16), prefixLength: 0 };
  }
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash), field);
  const max = ip.family === 4 ? 32 : 128;
  let prefixLength = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    prefixLength = /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
    checkRange(prefixLength >= 0 && prefixLength <= max, field, text,
      `prefix length must be 0..${max}`);
  }
  return { ...ip, prefixLength };
}

/** RFC 5952 text, as `ip` prints it (inet_ntop). */
export function formatIp(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const n = end - start;
  if (n === 4) return `${bytes[start]}.${bytes[start + 1]}.${bytes[start + 2]}.${bytes[start + 3]}`;
  if (n !== 16) return Buffer.from(bytes.subarray(start, end)).toString('hex');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset + start, 16);
  // IPv4-mapped addresses print with a dotted quad, like inet_ntop.
  if (b.readUInt32BE(0) === 0 && b.readUInt32BE(4) === 0 && b.readUInt16BE(8) === 0 && b.readUInt16BE(10) === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  // So do IPv4-compatible ones (::a.b.c.d: 96 zero bits, then a non-zero 7th group).
  if (b.readUInt32BE(0) === 0 && b.readUInt32BE(4) === 0 && b.readUInt32BE(8) === 0 && b.readUInt16BE(12) !== 0) {
    return `::${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  // Longest run of two or more zero groups becomes '::' (first one wins a tie).
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** 'ADDR/LEN', or just 'ADDR' for a host prefix when `omitHost`. */
export function formatPrefix(bytes: Uint8Array, prefixLength: number, omitHost = false): string {
  const max = bytes.length * 8;
  return omitHost && prefixLength === max ? formatIp(bytes) : `${formatIp(bytes)}/${prefixLength}`;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function parseMac(text: unknown, field: string): Buffer {
  check(typeof text === 'string' && MAC.test(text), field, text,
    'expected a MAC address such as "02:00:00:00:00:01"');
  return Buffer.from(text.replace(/:/g, ''), 'hex');
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** bytes[start, end) in lower-case colon-separated hex, as `ip link` prints link-layer addresses. */
export function formatMac(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start === 6) {
    const b = start;
    return `${HEX[bytes[b]]}:${HEX[bytes[b + 1]]}:${HEX[bytes[b + 2]]}:${HEX[bytes[b + 3]]}:${HEX[bytes[b + 4]]}:${HEX[bytes[b + 5]]}`;
  }
  let s = '';
  for (let i = start; i < end; i++) s += (i > start ? ':' : '') + HEX[bytes[i]];
  return s;
}

/** The network part of a prefix (host bits cleared), as the kernel requires for routes. */
export function networkOf(p: Prefix): Buffer {
  const out = Buffer.from(p.bytes);
  for (let bit = p.prefixLength; bit < out.length * 8; bit++) out[bit >> 3] &= ~(0x80 >> (bit & 7));
  return out;
}
