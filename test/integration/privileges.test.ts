// Privileges: the library runs in a child whose capabilities were dropped with
// setpriv(1) (bounding and inheritable sets, so the exec'd uid-0 child does not
// get them back). Reads the kernel allows still work; every change fails with
// a NetlinkError whose message names the missing capability; and iproute2
// confirms nothing changed.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { missingCapability, NetlinkError } from '../../lib/errors';
import { Namespace } from '../../lib';
import { ipAddrs, ipDo, ipLinks, ipNetnsList, ipRoutes } from '../helpers/ip';
import { uniqueName, useNamespaces } from '../helpers/ns';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/helpers/ts-register.js');

type Outcome = { ok: unknown } | { error: { name: string; code: string; message: string; missingCapability?: string } };

/** Runs `body` (JS with `lib` and an async `settle(key, fn)` in scope) without `cap`; returns its outcomes by key. */
function runWithout(cap: 'net_admin' | 'sys_admin', body: string): Promise<Record<string, Outcome>> {
  const script = `
    const lib = require('./lib');
    const out = {};
    const settle = async (key, fn) => {
      try { const v = await fn(); out[key] = { ok: v === undefined ? null : v }; }
      catch (e) { out[key] = { error: { name: e.name, code: e.code, message: e.message, missingCapability: e.missingCapability } }; }
    };
    (async () => { ${body} })().then(() => process.stdout.write(JSON.stringify(out)),
      (e) => { console.error(e); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    execFile('setpriv', [`--bounding-set=-${cap}`, `--inh-caps=-${cap}`, '--', process.execPath, '-r', REGISTER, '-e', script],
      { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`child failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      });
  });
}

function expectRefused(o: Outcome, capability: string): void {
  expect('error' in o).toBe(true);
  const e = (o as { error: { name: string; code: string; message: string; missingCapability?: string } }).error;
  expect([e.name, e.code, e.missingCapability]).toEqual(['NetlinkError', 'EPERM', capability]);
  expect(e.message).toContain(`${capability} is missing`);
}

describe('capability hints', () => {
  test('EPERM maps to the capability the operation checks', () => {
    expect(missingCapability(1, 'link.add')).toBe('CAP_NET_ADMIN');
    expect(missingCapability(1, 'route.delete')).toBe('CAP_NET_ADMIN');
    expect(missingCapability(1, 'namespace.create')).toBe('CAP_SYS_ADMIN');
    expect(missingCapability(1, 'netlink.open')).toBe('CAP_SYS_ADMIN');
    expect(missingCapability(13, 'link.add')).toBeUndefined();
    expect(missingCapability(17, 'link.add')).toBeUndefined();
    const e = new NetlinkError(1, { operation: 'address.add', target: '10.0.0.1/24 on "lo"' });
    expect(e.message).toBe('address.add 10.0.0.1/24 on "lo" failed: EPERM (CAP_NET_ADMIN is missing in the user namespace that owns this network namespace)');
    expect(new NetlinkError(17, { operation: 'link.add' }).message).toBe('link.add failed: EEXIST');
  });
});

describe('without CAP_NET_ADMIN', () => {
  const scope = useNamespaces();

  test('reads work; link, address and route changes fail naming CAP_NET_ADMIN; nothing changed', async () => {
    const ns = await scope.named();
    ipDo(ns.name, 'link', 'add', 'br0', 'type', 'bridge');
    ipDo(ns.name, 'addr', 'add', '10.1.0.1/24', 'dev', 'br0');
    ipDo(ns.name, 'link', 'set', 'br0', 'up');
    // What the changes below would alter (not timers or IPv6 DAD, which move on by themselves).
    const state = (): unknown => ({
      links: ipLinks(ns.name).map((l) => [l.ifname, l.flags.includes('UP')]),
      addrs: ipAddrs(ns.name).filter((a) => a.family === 'inet').map((a) => `${a.dev} ${a.local}/${a.prefixlen}`),
      routes: ipRoutes(ns.name, { family: 4, table: 'all' }),
    });
    const before = state();

    const out = await runWithout('net_admin', `
      const ns = await lib.Namespace.open(${JSON.stringify(ns.name)});
      await settle('links', async () => (await ns.links.list()).map((l) => l.name).sort());
      await settle('addresses', async () => (await ns.addresses.list({ family: 4 })).map((a) => a.cidr));
      await settle('route.get', async () => (await ns.routes.get('10.1.0.7')).dev);
      await settle('link.add', () => ns.links.addBridge({ name: 'br1' }).then(() => true));
      await settle('link.set', async () => { await (await ns.links.get('lo')).setUp(); });
      await settle('address.add', async () => { await (await ns.links.get('br0')).addresses.add('10.2.0.1/24'); });
      await settle('route.add', () => ns.routes.add({ to: '10.3.0.0/16', dev: 'br0' }).then(() => true));
      await settle('link.delete', () => ns.links.delete('br0'));
      ns.close();`);

    expect(out.links).toEqual({ ok: ['br0', 'lo'] });
    expect(out.addresses).toEqual({ ok: ['10.1.0.1/24'] });
    expect(out['route.get']).toEqual({ ok: expect.anything() });
    for (const k of ['link.add', 'link.set', 'address.add', 'route.add', 'link.delete']) expectRefused(out[k], 'CAP_NET_ADMIN');

    expect(state()).toEqual(before);
  });
});

describe('without CAP_SYS_ADMIN', () => {
  const scope = useNamespaces();

  test('namespace create, delete and entering fail naming CAP_SYS_ADMIN; the own namespace is still readable', async () => {
    const ns = await scope.named();
    const name = uniqueName();
    const out = await runWithout('sys_admin', `
      await settle('create.anonymous', () => lib.Namespace.create().then(() => true));
      await settle('create.named', () => lib.Namespace.create(${JSON.stringify(name)}).then(() => true));
      await settle('delete', () => lib.Namespace.delete(${JSON.stringify(ns.name)}));
      const other = await lib.Namespace.open(${JSON.stringify(ns.name)});
      await settle('enter', async () => (await other.links.list()).length);
      other.close();
      await settle('current', async () => (await lib.Namespace.current().links.list()).some((l) => l.name === 'lo'));`);

    for (const k of ['create.anonymous', 'create.named', 'delete', 'enter']) expectRefused(out[k], 'CAP_SYS_ADMIN');
    expect(out.current).toEqual({ ok: true });
    const names = ipNetnsList();
    expect(names).toContain(ns.name);
    expect(names).not.toContain(name);
    expect((await Namespace.list()).includes(name)).toBe(false);
  });
});
