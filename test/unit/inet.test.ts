// Address text <-> bytes (lib/inet.ts): RFC 5952 formatting checked against
// Node's own inet_ntop (net.SocketAddress, libuv), parsing errors that name
// the field and the value, networkOf, and MAC addresses.
import { SocketAddress } from 'node:net';
import { formatIp, formatMac, formatPrefix, networkOf, parseIp, parseMac, parsePrefix } from '../../lib/inet';
import { prng } from '../../fuzz/mutate';

const v6 = (text: string): Buffer => parseIp(text, 'x').bytes;
/** Node's (libuv's inet_ntop) text for 16 bytes. */
function nodeFormat(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}


describe('formatIp', () => {
  test.each([
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'], // the longest run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single 0 group is not compressed
    ['2001:DB8::A', '2001:db8::a'], // lower case
    ['1::', '1::'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], // IPv4-mapped: dotted quad
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    ['::1.2.3.4', '::1.2.3.4'], // IPv4-compatible, as inet_ntop prints it
    ['::0:1:0:0', '::1:0:0'],
    ['64:ff9b::102:304', '64:ff9b::102:304'],
    ['fd00:0000:0000:0000:0000:0000:0000:0001', 'fd00::1'],
  ])('%s -> %s', (input, want) => {
    expect(formatIp(v6(input))).toBe(want);
    expect(nodeFormat(v6(input))).toBe(want);
  });

  test('IPv4', () => {
    expect(formatIp(Buffer.from([10, 0, 0, 1]))).toBe('10.0.0.1');
    expect(formatIp(Buffer.from([255, 255, 255, 255]))).toBe('255.255.255.255');
    expect(formatIp(Buffer.from([0, 0, 0, 0]))).toBe('0.0.0.0');
  });

  test('other lengths come out as hex instead of throwing', () => {
    expect(formatIp(Buffer.from([1, 2, 0xab]))).toBe('0102ab');
    expect(formatIp(Buffer.alloc(0))).toBe('');
  });

  test('works on a subarray at an odd offset of a larger buffer', () => {
    const big = Buffer.alloc(40, 0xee);
    v6('fe80::1').copy(big, 3);
    expect(formatIp(big.subarray(3, 19))).toBe('fe80::1');
  });

  test('matches Node\'s inet_ntop and round-trips through parseIp for 5000 random addresses', () => {
    const rand = prng(5952);
    for (let n = 0; n < 5000; n++) {
      const b = Buffer.alloc(16);
      // Zero groups are frequent so that runs, ties and prefixes like ::ffff: occur.
      for (let i = 0; i < 8; i++) {
        const r = rand();
        b.writeUInt16BE(r < 0.55 ? 0 : r < 0.6 ? 0xffff : Math.floor(rand() * 0x10000), i * 2);
      }
      const text = formatIp(b);
      expect(text).toBe(nodeFormat(b));
      expect(parseIp(text, 'x').bytes).toEqual(b);
    }
  });
});

describe('parseIp', () => {
  test.each([
    ['10.0.0.1', 4, '0a000001'],
    ['255.255.255.255', 4, 'ffffffff'],
    ['::', 6, '00'.repeat(16)],
    ['fd00::1', 6, 'fd00' + '00'.repeat(13) + '01'],
    ['::ffff:1.2.3.4', 6, '00'.repeat(10) + 'ffff01020304'],
    ['1:2:3:4:5:6:7:8', 6, '00010002000300040005000600070008'],
    ['fe80::1%eth0', 6, 'fe80' + '00'.repeat(13) + '01'], // the zone is dropped
  ])('%s', (text, family, hex) => {
    const ip = parseIp(text, 'via');
    expect(ip.family).toBe(family);
    expect(ip.bytes.toString('hex')).toBe(hex);
  });

  test.each(['', '10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4.5', 'fd00:::1', '1:2:3:4:5:6:7:8:9', 'gg::1', ' 10.0.0.1', 'localhost'])(
    'rejects %j with a TypeError naming the field and the value', (text) => {
      expect(() => parseIp(text, 'via')).toThrow(TypeError);
      expect(() => parseIp(text, 'via')).toThrow(`via: not a valid IPv4 or IPv6 address, got ${JSON.stringify(text)}`);
    });

  test.each([[5], [null], [undefined], [{}], [['10.0.0.1']]])('rejects non-string %j', (value) => {
    expect(() => parseIp(value, 'gateway')).toThrow(TypeError);
    expect(() => parseIp(value, 'gateway')).toThrow(/^gateway: expected an IP address string, got /);
  });
});

describe('parsePrefix', () => {
  test.each([
    ['10.0.0.0/24', 4, 24, '0a000000'],
    ['10.0.0.1', 4, 32, '0a000001'], // bare address: a host prefix
    ['fd00::/64', 6, 64, 'fd00' + '00'.repeat(14)],
    ['fd00::1', 6, 128, 'fd00' + '00'.repeat(13) + '01'],
    ['0.0.0.0/0', 4, 0, '00000000'],
    ['::/0', 6, 0, '00'.repeat(16)],
  ])('%s', (text, family, len, hex) => {
    const p = parsePrefix(text, 'to');
    expect([p.family, p.prefixLength, p.bytes.toString('hex')]).toEqual([family, len, hex]);
  });

  test('"default" means 0.0.0.0/0, or ::/0 when the family says 6', () => {
    expect(parsePrefix('default', 'to')).toEqual({ family: 4, prefixLength: 0, bytes: Buffer.alloc(4) });
    expect(parsePrefix('default', 'to', 6)).toEqual({ family: 6, prefixLength: 0, bytes: Buffer.alloc(16) });
  });

  test.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/-1', '10.0.0.0/', '10.0.0.0/abc', '10.0.0.0/1000', '10.0.0.0/ 8'])(
    'rejects the length in %j with a RangeError naming the field and the value', (text) => {
      expect(() => parsePrefix(text, 'to')).toThrow(RangeError);
      expect(() => parsePrefix(text, 'to')).toThrow(`to: prefix length must be 0..${text.includes(':') ? 128 : 32}, got ${JSON.stringify(text)}`);
    });

  test.each(['/24', '10.0.0/24', 'x/8'])('rejects the address in %j with a TypeError', (text) => {
    expect(() => parsePrefix(text, 'to')).toThrow(TypeError);
    expect(() => parsePrefix(text, 'to')).toThrow(/^to: /);
  });

  test('rejects non-strings', () => {
    expect(() => parsePrefix(24, 'to')).toThrow(TypeError);
    expect(() => parsePrefix(24, 'to')).toThrow('to: expected a prefix such as "10.0.0.0/24", got 24');
  });
});

describe('networkOf', () => {
  test.each([
    ['10.1.2.3/8', '10.0.0.0'],
    ['10.255.255.255/12', '10.240.0.0'],
    ['192.168.1.77/32', '192.168.1.77'],
    ['192.168.1.77/0', '0.0.0.0'],
    ['192.168.1.77/31', '192.168.1.76'],
    ['fd00::1/64', 'fd00::'],
    ['fd00:1234:5678:9abc:def0::1/52', 'fd00:1234:5678:9000::'],
    ['fd00::ffff/127', 'fd00::fffe'],
    ['fd00::ffff/128', 'fd00::ffff'],
  ])('%s -> %s', (prefix, want) => {
    expect(formatIp(networkOf(parsePrefix(prefix, 'to')))).toBe(want);
  });

  test('leaves its input untouched', () => {
    const p = parsePrefix('10.1.2.3/8', 'to');
    networkOf(p);
    expect(formatIp(p.bytes)).toBe('10.1.2.3');
  });
});

test('formatPrefix', () => {
  expect(formatPrefix(v6('fd00::'), 64)).toBe('fd00::/64');
  expect(formatPrefix(Buffer.from([10, 0, 0, 1]), 32)).toBe('10.0.0.1/32');
  expect(formatPrefix(Buffer.from([10, 0, 0, 1]), 32, true)).toBe('10.0.0.1');
  expect(formatPrefix(Buffer.from([10, 0, 0, 0]), 24, true)).toBe('10.0.0.0/24');
});

describe('MAC addresses', () => {
  test('parse and format round trip, lower case', () => {
    expect(parseMac('02:00:00:00:00:a0', 'mac').toString('hex')).toBe('0200000000a0');
    expect(parseMac('02:AB:cd:EF:00:01', 'mac').toString('hex')).toBe('02abcdef0001');
    expect(formatMac(parseMac('02:AB:cd:EF:00:01', 'mac'))).toBe('02:ab:cd:ef:00:01');
  });

  test('formatMac pads single digits and handles any length', () => {
    expect(formatMac(Buffer.from([0, 1, 0xa, 0x10, 0xff, 0]))).toBe('00:01:0a:10:ff:00');
    expect(formatMac(Buffer.alloc(0))).toBe('');
    expect(formatMac(Buffer.from([0xfe]))).toBe('fe');
    expect(formatMac(Buffer.alloc(20, 0x80))).toBe(Array(20).fill('80').join(':')); // e.g. infiniband
  });

  test.each(['02:00:00:00:00', '02:00:00:00:00:00:00', '02-00-00-00-00-01', '0200.0000.0001', '2:0:0:0:0:1', 'zz:00:00:00:00:01', '', ' 02:00:00:00:00:01'])(
    'rejects %j with a TypeError naming the field and the value', (text) => {
      expect(() => parseMac(text, 'peer.mac')).toThrow(TypeError);
      expect(() => parseMac(text, 'peer.mac')).toThrow(`peer.mac: expected a MAC address such as "02:00:00:00:00:01", got ${JSON.stringify(text)}`);
    });

  test('rejects non-strings', () => {
    expect(() => parseMac(42, 'mac')).toThrow('mac: expected a MAC address such as "02:00:00:00:00:01", got 42');
  });
});
