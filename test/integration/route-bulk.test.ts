// routes.addMany/deleteMany and routes.list against the kernel, `ip -j route`
// as the oracle: 10,000 routes in and out, a refused route in the middle
// reported by index while the others are applied, and the atomic variant
// leaving nothing behind.
import { Namespace } from '../../lib';
import { ipDo, ipJson } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

type NamedNs = Namespace & { name: string };
const scope = useNamespaces();

/** r0 10.0.0.1/16 up (its peer up in the same namespace): 10.0.0.2 is a reachable gateway. */
async function setup(): Promise<NamedNs> {
  const ns = await scope.named();
  const [r0, p0] = await ns.links.addVeth({ name: 'r0', peer: { name: 'p0' } });
  ipDo(ns.name, 'link', 'set', 'r0', 'addrgenmode', 'none');
  ipDo(ns.name, 'link', 'set', 'p0', 'addrgenmode', 'none');
  await r0.addresses.add('10.0.0.1/16');
  await p0.setUp();
  await r0.setUp();
  return ns;
}

const dst = (i: number): string => `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
interface IpRoute { dst: string; gateway?: string; dev?: string; protocol?: string; scope?: string; metric?: number; flags: string[]; table?: string }
const viaRoutes = (ns: NamedNs): IpRoute[] => ipJson<IpRoute[]>(ns.name, 'route', 'show').filter((r) => r.gateway === '10.0.0.2');

test('10,000 routes added and deleted with addMany/deleteMany; ip sees each one', async () => {
  const ns = await setup();
  const specs = Array.from({ length: 10_000 }, (_, i) => ({ to: dst(i), via: '10.0.0.2', dev: 'r0' }));
  specs[123] = { ...specs[123], metric: 77 } as typeof specs[number];
  expect(await ns.routes.addMany(specs)).toEqual({ ok: 10_000, errors: [], skipped: 0, undone: 0 });

  const shown = viaRoutes(ns);
  expect(shown).toHaveLength(10_000);
  expect(new Set(shown.map((r) => r.dst))).toEqual(new Set(specs.map((s) => s.to)));
  expect(shown.find((r) => r.dst === dst(123))).toEqual({ dst: dst(123), gateway: '10.0.0.2', dev: 'r0', metric: 77, flags: [] });
  expect(shown.find((r) => r.dst === dst(9999))).toEqual({ dst: dst(9999), gateway: '10.0.0.2', dev: 'r0', flags: [] });

  // list() (collected from one dumpAll) agrees with ip, field by field on a sample.
  const listed = (await ns.routes.list()).filter((r) => r.via === '10.0.0.2');
  expect(listed).toHaveLength(10_000);
  const r = listed.find((x) => x.to === `${dst(123)}/32`);
  expect(r).toMatchObject({ family: 4, via: '10.0.0.2', devName: 'r0', metric: 77, table: 'main', protocol: 'boot', scope: 'global', type: 'unicast' });

  expect(await ns.routes.deleteMany(specs)).toEqual({ ok: 10_000, errors: [], skipped: 0, undone: 0 });
  expect(viaRoutes(ns)).toEqual([]);
});

test('a refused route in the middle is reported by index; the others are applied', async () => {
  const ns = await setup();
  ipDo(ns.name, 'route', 'add', `${dst(1500)}/32`, 'via', '10.0.0.2'); // exists already: EEXIST
  const specs = Array.from({ length: 3000 }, (_, i) => ({ to: dst(i), via: '10.0.0.2' }));
  const r = await ns.routes.addMany(specs, { onError: 'continue' });
  expect(r.ok).toBe(2999);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0].index).toBe(1500);
  expect(r.errors[0].error).toMatchObject({ code: 'EEXIST', operation: 'route.add' });
  expect(viaRoutes(ns)).toHaveLength(3000);

  // Deleting: a route that is not there (index 2) fails alone.
  ipDo(ns.name, 'route', 'del', `${dst(2)}/32`);
  const d = await ns.routes.deleteMany(specs, { onError: 'continue' });
  expect(d.ok).toBe(2999);
  expect(d.errors.map((e) => [e.index, e.error.code])).toEqual([[2, 'ESRCH']]);
  expect(viaRoutes(ns)).toEqual([]);
});

test('atomic: one refused route and nothing of the call remains', async () => {
  const ns = await setup();
  ipDo(ns.name, 'route', 'add', `${dst(700)}/32`, 'via', '10.0.0.2');
  const specs = Array.from({ length: 2000 }, (_, i) => ({ to: dst(i), via: '10.0.0.2' }));
  const r = await ns.routes.addMany(specs, { atomic: true });
  expect(r.errors.map((e) => e.index)).toEqual([700]);
  expect(r.ok).toBe(0);
  // The whole first group (1,024) was sent with the failure; the rest never were.
  expect(r.skipped).toBe(2000 - 1024);
  expect(r.undone).toBe(1023);
  expect(viaRoutes(ns).map((x) => x.dst)).toEqual([dst(700)]); // only the route that was there before
});
