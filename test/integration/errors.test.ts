// Errors: bad input is refused before anything reaches the kernel (TypeError /
// RangeError naming the field and the value); kernel refusals carry code,
// errno, operation and ext-ack; a failed create leaves nothing behind.
import { Connection, Namespace, NetlinkError, NotFoundError } from '../../lib';
import { ipDo, ipLink, ipLinks, ipRoutes } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };

/** Spies on the namespace's connection so a test can prove nothing was sent. */
function watchRequests(ns: Namespace): jest.SpyInstance[] {
  const c: Connection = ns.connection;
  return [jest.spyOn(c, 'request'), jest.spyOn(c, 'dumpAll'), jest.spyOn(c, 'dump')];
}

/**
 * Runs `fn`, expects it to reject (or throw) with `type` whose message names
 * the field and the value, and checks no request reached the connection.
 */
async function expectRejected(ns: Namespace, fn: () => Promise<unknown>, type: typeof TypeError | typeof RangeError,
  field: string, value: string): Promise<Error> {
  const spies = watchRequests(ns);
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  } finally {
    for (const s of spies) s.mockRestore();
  }
  expect(error).toBeInstanceOf(type);
  expect(error).not.toBeInstanceOf(NetlinkError);
  const message = (error as Error).message;
  expect(message.startsWith(`${field}:`) || message.includes(` ${field}:`) || message.includes(`${field}: `)).toBe(true);
  expect(message).toContain(value);
  for (const s of spies) expect([field, value, s.getMockName(), s.mock.calls.length]).toEqual([field, value, s.getMockName(), 0]);
  return error as Error;
}

describe('errors', () => {
  const scope = useNamespaces();
  let ns: NamedNs;

  beforeEach(async () => {
    ns = await scope.named();
    await ns.links.addVeth({ name: 'e0', peer: { name: 'e1' } });
    await ns.links.get('e0').then((l) => l.setUp());
    await ns.links.get('e1').then((l) => l.setUp());
    await ns.addresses.add({ link: 'e0', address: '10.1.0.1/24' });
  });

  describe('validation before sending', () => {
    it('bad CIDRs and addresses', async () => {
      // The message quotes the part that is wrong: the address before the slash.
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: '10.0.0.300/24' }), TypeError, 'address', '"10.0.0.300"');
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: '10.0.0.1/33' }), RangeError, 'address', '"10.0.0.1/33"');
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: 'fd00::1/129' }), RangeError, 'address', '"fd00::1/129"');
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: '10.0.0.1/2x' }), RangeError, 'address', '"10.0.0.1/2x"');
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: 'banana' }), TypeError, 'address', '"banana"');
      await expectRejected(ns, () => ns.routes.add({ to: '10.0.0.0/40', dev: 1 }), RangeError, 'to', '"10.0.0.0/40"');
      await expectRejected(ns, () => ns.routes.add({ to: '10.5.0.0/16', via: '10.1.0.999' }), TypeError, 'via', '"10.1.0.999"');
      await expectRejected(ns, () => ns.routes.get('not-an-ip'), TypeError, 'to', '"not-an-ip"');
      await expectRejected(ns, () => ns.routes.add({ to: '10.5.0.0/16', dev: 1, src: 'x' }), TypeError, 'src', '"x"');
      expect(ipLinks(ns.name).length).toBe(3);
    });

    it('family mismatch between to and via (and other pairs)', async () => {
      await expectRejected(ns, () => ns.routes.add({ to: '10.0.0.0/8', via: 'fd00::1' }), TypeError, 'via', '"fd00::1"');
      await expectRejected(ns, () => ns.routes.add({ to: 'fd01::/64', via: '10.1.0.2' }), TypeError, 'via', '"10.1.0.2"');
      await expectRejected(ns, () => ns.routes.add({ to: '10.0.0.0/8', dev: 'e0', src: 'fd00::1' }), TypeError, 'src', '"fd00::1"');
      await expectRejected(ns, () => ns.routes.get('10.1.0.2', { from: 'fd00::1' }), TypeError, 'from', '"fd00::1"');
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: '10.9.0.1/32', peer: 'fd00::2' }), TypeError, 'peer', '"fd00::2"');
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: 'fd00::1/64', broadcast: '+' }), TypeError, 'broadcast', '"+"');
      expect(ipRoutes(ns.name, { family: 6 }).filter((r) => r.dst === 'fd01::/64')).toEqual([]);
    });

    it('interface names: longer than 15 bytes, or with "/", ":" or whitespace', async () => {
      const long = 'abcdefghijklmnop'; // 16 bytes
      await expectRejected(ns, () => ns.links.addBridge({ name: long }), RangeError, 'name', `"${long}"`);
      const wide = 'ééééééééé'; // 9 characters, 18 bytes
      await expectRejected(ns, () => ns.links.addBridge({ name: wide }), RangeError, 'name', `"${wide}"`);
      await expectRejected(ns, () => ns.links.addBridge({ name: '' }), RangeError, 'name', '""');
      for (const bad of ['a/b', 'eth0:1', 'my br', 'tab\there', '..']) {
        await expectRejected(ns, () => ns.links.addBridge({ name: bad }), TypeError, 'name', JSON.stringify(bad));
      }
      await expectRejected(ns, () => ns.links.addVeth({ name: 'ok0', peer: { name: 'bad:peer' } }), TypeError, 'peer.name', '"bad:peer"');
      await expectRejected(ns, () => ns.links.addVeth({ name: 'ok0', peer: { name: 'x'.repeat(16) } }), RangeError, 'peer.name', `"${'x'.repeat(16)}"`);
      await expectRejected(ns, () => ns.links.set('e0', { name: 'has space' }), TypeError, 'name', '"has space"');
      await expectRejected(ns, () => ns.links.get('a/b'), TypeError, 'link', '"a/b"');
      // 15 bytes is fine.
      await ns.links.addBridge({ name: 'abcdefghijklmno' });
      expect(ipLink(ns.name, 'abcdefghijklmno')).toBeDefined();
      expect(ipLinks(ns.name).map((l) => l.ifname).sort()).toEqual(['abcdefghijklmno', 'e0', 'e1', 'lo']);
    });

    it('MTU out of range or not an integer', async () => {
      const e0 = await ns.links.get('e0');
      await expectRejected(ns, () => e0.set({ mtu: 10 }), RangeError, 'mtu', '10');
      await expectRejected(ns, () => e0.set({ mtu: 70000 }), RangeError, 'mtu', '70000');
      await expectRejected(ns, () => e0.set({ mtu: 1500.5 }), TypeError, 'mtu', '1500.5');
      await expectRejected(ns, () => e0.set({ mtu: '1500' as unknown as number }), TypeError, 'mtu', '"1500"');
      await expectRejected(ns, () => ns.links.addVeth({ name: 'm0', mtu: 67, peer: { name: 'm1' } }), RangeError, 'mtu', '67');
      await expectRejected(ns, () => ns.links.addVeth({ name: 'm0', peer: { name: 'm1', mtu: 99999 } }), RangeError, 'peer.mtu', '99999');
      expect(ipLink(ns.name, 'e0')!.mtu).toBe(1500);
      expect(ipLink(ns.name, 'm0')).toBeUndefined();
    });

    it('bad MAC addresses', async () => {
      const e0 = await ns.links.get('e0');
      for (const bad of ['zz:00:00:00:00:01', '02:00:00:00:01', '0200.0000.0001', '02-00-00-00-00-01x']) {
        await expectRejected(ns, () => e0.set({ mac: bad }), TypeError, 'mac', JSON.stringify(bad));
      }
      await expectRejected(ns, () => ns.links.addBridge({ name: 'b0', mac: 'nope' }), TypeError, 'mac', '"nope"');
      await expectRejected(ns, () => ns.links.addVeth({ name: 'v0', peer: { name: 'v1', mac: '1:2:3' } }), TypeError, 'peer.mac', '"1:2:3"');
      expect(ipLink(ns.name, 'e0')!.address).toBe(e0.mac);
    });

    it('other fields: scope, table, type, metric, ifindex, family, up', async () => {
      await expectRejected(ns, () => ns.routes.add({ to: '10.5.0.0/16', dev: 'e0', table: 'nosuch' as never }), TypeError, 'table', '"nosuch"');
      await expectRejected(ns, () => ns.routes.add({ to: '10.5.0.0/16', dev: 'e0', type: 'teleport' as never }), TypeError, 'type', '"teleport"');
      await expectRejected(ns, () => ns.routes.add({ to: '10.5.0.0/16', dev: 'e0', scope: 'galaxy' as never }), TypeError, 'scope', '"galaxy"');
      await expectRejected(ns, () => ns.routes.add({ to: '10.5.0.0/16', dev: 'e0', metric: -1 }), RangeError, 'metric', '-1');
      await expectRejected(ns, () => ns.routes.list({ family: 5 as never }), TypeError, 'family', '5');
      await expectRejected(ns, () => ns.addresses.add({ link: 0, address: '10.2.0.1/24' }), RangeError, 'link', '0');
      await expectRejected(ns, () => ns.links.set('e0', { up: 'yes' as never }), TypeError, 'up', '"yes"');
      await expectRejected(ns, () => ns.addresses.add({ link: 1, address: '10.2.0.1/24', label: 'l'.repeat(16) }), TypeError, 'label', 'l'.repeat(16));
    });

    it('unknown or unusable namespaces', async () => {
      const missing = await Namespace.open('no-such-namespace').catch((x) => x);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing.message).toContain('"no-such-namespace"');
      await expect(Namespace.open('')).rejects.toThrow(TypeError);
      const bad = await Namespace.create('a/b').catch((x) => x);
      expect(bad).toBeInstanceOf(TypeError);
      expect(bad.message).toContain('"a/b"');
      await expectRejected(ns, () => Namespace.fromPid(-3), TypeError, 'pid', '-3');
      // A closed namespace as the target of a veth peer or a move: refused, nothing created.
      const gone = await scope.anonymous();
      gone.close();
      await expect(ns.links.addVeth({ name: 'gx', peer: { name: 'gy', namespace: gone } })).rejects.toThrow(/closed/);
      await expect(ns.links.set('e0', { namespace: gone })).rejects.toThrow(/closed/);
      expect(ipLink(ns.name, 'gx')).toBeUndefined();
      expect(ipLink(ns.name, 'e0')).toBeDefined();
      // Something that is not a Namespace at all.
      await expectRejected(ns, () => ns.links.addVeth({ name: 'sx', peer: { name: 'sy', namespace: 'blue' as never } }), TypeError, 'peer.namespace', '"blue"');
      await expectRejected(ns, () => ns.links.set('e0', { namespace: 'blue' as never }), TypeError, 'namespace', '"blue"');
      expect(ipLinks(ns.name).map((l) => l.ifname).sort()).toEqual(['e0', 'e1', 'lo']);
    });
  });

  describe('kernel errors', () => {
    it('EEXIST on a duplicate veth carries code, errno, operation and target', async () => {
      const e = await ns.links.addVeth({ name: 'e0', peer: { name: 'zz' } }).catch((x) => x);
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e.name).toBe('NetlinkError');
      expect(e.code).toBe('EEXIST');
      expect(e.errno).toBe(17);
      expect(e.operation).toBe('link.add');
      expect(e.target).toContain('"e0"');
      expect(e.message).toMatch(/^link\.add veth "e0" peer "zz".* failed: EEXIST/);
      expect(ipLink(ns.name, 'zz')).toBeUndefined();
    });

    it('ENETUNREACH with the ext-ack "Nexthop has invalid gateway"', async () => {
      const e = await ns.routes.add({ to: '10.9.0.0/16', via: '192.0.2.1' }).catch((x) => x);
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e.code).toBe('ENETUNREACH');
      expect(e.errno).toBe(101);
      expect(e.operation).toBe('route.add');
      expect(e.extAck).toBe('Nexthop has invalid gateway');
      expect(e.message).toContain('ENETUNREACH: Nexthop has invalid gateway');
      expect(e.message).toContain('192.0.2.1');
      expect(ipRoutes(ns.name).map((r) => r.dst)).not.toContain('10.9.0.0/16');
    });

    it('ext-ack on other refusals: an IPv6 gateway that is a local address', async () => {
      await ns.addresses.add({ link: 'e0', address: 'fd00::1/64', nodad: true });
      const e = await ns.routes.add({ to: 'fd09::/64', via: 'fd00::1' }).catch((x) => x);
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e.code).toBe('EINVAL');
      expect(e.extAck).toBe('Gateway can not be a local address');
      expect(e.message).toContain('EINVAL: Gateway can not be a local address');
    });

    it('a route with a missing dev index fails with ENODEV', async () => {
      const e = await ns.routes.add({ to: '10.9.0.0/16', dev: 999 }).catch((x) => x);
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e.code).toBe('ENODEV');
      expect(e.operation).toBe('route.add');
    });

    it('a veth whose peer name exists in the target namespace: EEXIST, nothing left behind', async () => {
      const other = await scope.named();
      await other.links.addBridge({ name: 'taken' });
      const beforeHere = ipLinks(ns.name).map((l) => l.ifname).sort();
      const beforeThere = ipLinks(other.name).map((l) => l.ifname).sort();
      const e = await ns.links.addVeth({ name: 'fresh0', peer: { name: 'taken', namespace: other } }).catch((x) => x);
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e.code).toBe('EEXIST');
      expect(e.operation).toBe('link.add');
      expect(e.target).toContain('"taken"');
      expect(ipLinks(ns.name).map((l) => l.ifname).sort()).toEqual(beforeHere);
      expect(ipLinks(other.name).map((l) => l.ifname).sort()).toEqual(beforeThere);
      expect(ipLink(other.name, 'taken')!.linkinfo?.info_kind).toBe('bridge');
      expect(await ns.links.find('fresh0')).toBeUndefined();
      // With the names free the same call works.
      await ns.links.addVeth({ name: 'fresh0', peer: { name: 'fresh1', namespace: other } });
      expect(ipLink(other.name, 'fresh1')).toBeDefined();
    });

    it('errors from ip-level misuse: moving lo, deleting lo', async () => {
      const other = await scope.anonymous();
      const lo = await ns.links.get('lo');
      const mv = await lo.moveTo(other).catch((x) => x);
      expect(mv).toBeInstanceOf(NetlinkError);
      expect(mv.code).toBe('EINVAL');
      expect(mv.operation).toBe('link.set');
      const del = await lo.delete().catch((x) => x);
      expect(del).toBeInstanceOf(NetlinkError);
      expect(del.operation).toBe('link.delete');
      // errno 95: libuv names it ENOTSUP (EOPNOTSUPP is the same number on Linux).
      expect(del.errno).toBe(95);
      expect(del.code).toBe('ENOTSUP');
      expect(ipLink(ns.name, 'lo')).toBeDefined();
    });

    it('NotFoundError for a missing link names it and keeps the errno', async () => {
      for (const call of [() => ns.links.get('ghost0'), () => ns.links.delete('ghost0'), () => ns.links.set('ghost0', { up: true }),
        () => ns.addresses.add({ link: 'ghost0', address: '10.3.0.1/24' })]) {
        const e = await call().catch((x) => x);
        expect(e).toBeInstanceOf(NotFoundError);
        expect(e.message).toContain('"ghost0"');
        expect(['ENODEV', 'ENOENT']).toContain(e.code);
      }
    });
  });
});
