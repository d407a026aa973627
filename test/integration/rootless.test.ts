// Rootless: a child node process running as uid/gid 65534 with no capabilities
// (setpriv --reuid/--regid: the kernel clears a non-root uid's capabilities)
// makes a user-owned namespace (lib/rootless.ts) and uses the API inside it:
// a bridge, a veth pair, addresses, a route, a sysctl, a UDP round trip, and
// its own dumps. While the child holds the namespace, this test (root) looks
// into it from outside through the helper's /proc/PID/ns/net with iproute2.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/helpers/ts-register.js');
const NOBODY = 65534;

/** Why unprivileged user namespaces are unavailable here, or undefined. */
function userNamespacesForbidden(): string | undefined {
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined);
  if (read('/proc/sys/kernel/unprivileged_userns_clone') === '0') return 'kernel.unprivileged_userns_clone = 0';
  if (read('/proc/sys/user/max_user_namespaces') === '0') return 'user.max_user_namespaces = 0';
  if (read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') return 'kernel.apparmor_restrict_unprivileged_userns = 1';
  return undefined;
}
const forbidden = userNamespacesForbidden();
if (forbidden) console.warn(`rootless tests skipped: unprivileged user namespaces are disabled (${forbidden})`);

// The child prints one JSON line with what it did and saw, then waits for a
// line on stdin before closing the namespace (so the test can look inside).
const SCRIPT = `
  const lib = require(${JSON.stringify(path.join(ROOT, 'lib'))});
  const dgram = require('node:dgram');
  const errorOf = async (fn) => { try { await fn(); return null; } catch (e) { return { name: e.name, code: e.code, message: e.message }; } };
  (async () => {
    const out = { uid: process.getuid(), gid: process.getgid() };
    out.createPlain = await errorOf(() => lib.Namespace.create());
    const ns = await lib.Namespace.createRootless();
    out.helperPid = ns.helperPid;
    out.id = ns.id;
    await ns.links.add({ name: 'br0', kind: 'bridge' });
    await ns.links.addVeth({ name: 'va', peer: { name: 'vb' } });
    await ns.links.set('va', { master: 'br0', up: true });
    await ns.links.set('vb', { up: true });
    await ns.links.set('br0', { up: true });
    await ns.links.set('lo', { up: true });
    await ns.addresses.add({ link: 'br0', address: '10.77.0.1/24' });
    await ns.addresses.add({ link: 'vb', address: 'fd77::1/64', nodad: true });
    await ns.routes.add({ to: '10.78.0.0/16', via: '10.77.0.2' });
    await ns.sysctl.set('net.ipv4.ip_forward', 1);
    out.ipForward = await ns.sysctl.get('net.ipv4.ip_forward');
    const links = await ns.links.list();
    out.links = links.map((l) => ({ name: l.name, kind: l.kind ?? null, master: l.masterIndex ?? null }));
    out.addresses = (await ns.addresses.list()).map((a) => a.cidr);
    out.routes = (await ns.routes.list({ family: 4 })).filter((r) => r.via).map((r) => r.to + ' via ' + r.via);
    // UDP inside the namespace: two sockets opened by the helper, bound on its loopback.
    const a = await ns.createUdpSocket({ type: 'udp4', address: '127.0.0.1', port: 0 });
    const b = await ns.createUdpSocket({ type: 'udp4', address: '127.0.0.1', port: 0 });
    const got = new Promise((resolve) => b.once('message', (m) => resolve(m.toString())));
    a.send('ping', b.address().port, '127.0.0.1');
    out.udp = await got;
    a.close(); b.close();
    out.spawn = await errorOf(() => ns.spawn('true'));
    process.stdout.write(JSON.stringify(out) + '\\n');
    process.stdin.once('data', async () => {
      // Closing the handle ends the helper (end of file on its channel); libuv reaps it.
      ns.close();
      const gone = () => !require('node:fs').existsSync('/proc/' + out.helperPid);
      for (let i = 0; i < 200 && !gone(); i++) await new Promise((r) => setTimeout(r, 10));
      process.stdout.write(JSON.stringify({ helperGone: gone() }) + '\\n');
      process.exit(0);
    });
  })().catch((e) => { console.error(e); process.exit(1); });`;

interface Report {
  uid: number; gid: number; helperPid: number; id: string;
  createPlain: { name: string; code: string; message: string } | null;
  links: { name: string; kind: string | null; master: string | number | null }[];
  addresses: string[]; routes: string[]; ipForward: string; udp: string;
  spawn: { message: string } | null;
}

let afterClose: { helperGone: boolean } | undefined;

function runChild(): { child: ChildProcess; report: Promise<Report> } {
  const child = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--',
    process.execPath, '-r', REGISTER, '-e', SCRIPT], { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const report = new Promise<Report>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      resolve(JSON.parse(line));
      lines.once('line', (last) => { afterClose = JSON.parse(last); });
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code} before reporting:\n${stderr}`)));
  });
  return { child, report };
}

function ipIn(pid: number, ...args: string[]): any {
  return JSON.parse(execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-j', ...args], { encoding: 'utf8' }));
}

(forbidden ? describe.skip : describe)('rootless: an unprivileged user owns a network namespace', () => {
  test('links, addresses, routes, sysctl and UDP work inside; iproute2 sees them from outside', async () => {
    const { child, report } = runChild();
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve)); // after stdout ended
    let r: Report;
    try {
      r = await report;
      expect([r.uid, r.gid]).toEqual([NOBODY, NOBODY]);
      // Without the helper, the same unprivileged process cannot make a namespace.
      expect(r.createPlain).toMatchObject({ name: 'NetlinkError', code: 'EPERM' });
      expect(r.createPlain!.message).toContain('CAP_SYS_ADMIN');

      // The helper runs as the unprivileged user, in a namespace that is not ours.
      const status = readFileSync(`/proc/${r.helperPid}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${NOBODY}\\s`, 'm'));
      const netns = execFileSync('readlink', [`/proc/${r.helperPid}/ns/net`], { encoding: 'utf8' }).trim();
      expect(netns).toBe(r.id);
      expect(netns).not.toBe(execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim());

      // What the child saw through its own dumps.
      expect(r.links.map((l) => l.name).sort()).toEqual(['br0', 'lo', 'va', 'vb']);
      expect(r.links.find((l) => l.name === 'br0')!.kind).toBe('bridge');
      expect(r.links.find((l) => l.name === 'va')!.kind).toBe('veth');
      expect(r.addresses).toEqual(expect.arrayContaining(['10.77.0.1/24', 'fd77::1/64']));
      expect(r.routes).toEqual(['10.78.0.0/16 via 10.77.0.2']);
      expect(r.ipForward).toBe('1');
      expect(r.udp).toBe('ping');
      expect(r.spawn!.message).toMatch(/setns\(2\).*CAP_SYS_ADMIN.*nsenter --target \d+ --user --net/);

      // The kernel's state, seen by iproute2 from outside (as root).
      const links: { ifname: string; master?: string; linkinfo?: { info_kind: string } }[] = ipIn(r.helperPid, '-d', 'link', 'show');
      expect(links.map((l) => l.ifname).sort()).toEqual(['br0', 'lo', 'va', 'vb']);
      expect(links.find((l) => l.ifname === 'br0')!.linkinfo!.info_kind).toBe('bridge');
      expect(links.find((l) => l.ifname === 'va')!.master).toBe('br0');
      const addrs: { ifname: string; addr_info: { local: string; prefixlen: number }[] }[] = ipIn(r.helperPid, 'addr', 'show');
      expect(addrs.find((a) => a.ifname === 'br0')!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain('10.77.0.1/24');
      expect(addrs.find((a) => a.ifname === 'vb')!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain('fd77::1/64');
      const routes: { dst: string; gateway?: string }[] = ipIn(r.helperPid, '-4', 'route', 'show');
      expect(routes).toContainEqual(expect.objectContaining({ dst: '10.78.0.0/16', gateway: '10.77.0.2' }));
      expect(execFileSync('nsenter', [`--net=/proc/${r.helperPid}/ns/net`, 'sysctl', '-n', 'net.ipv4.ip_forward'], { encoding: 'utf8' }).trim()).toBe('1');
    } finally {
      child.stdin!.end('done\n');
    }
    expect(await exited).toBe(0);
    // The child saw its helper exit once it closed the handle.
    expect(afterClose).toEqual({ helperGone: true });
  }, 30_000);
});

describe('fd passing (native/fdpass.cc)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { native } = require('../../lib/native') as typeof import('../../lib/native');

  test('an fd sent over SCM_RIGHTS arrives as a new fd of the same file; timeout and end of file are reported', () => {
    const [a, b] = native.socketPair();
    expect(a).toBeGreaterThanOrEqual(0);
    const nsFd = native.netnsOpen('/proc/self/ns/net');
    try {
      expect(native.recvFds(b, 64, 0)).toBe(-110); // ETIMEDOUT: nothing sent yet
      expect(native.sendFds(a, Buffer.from('hello'), [nsFd, nsFd])).toBe(5);
      const got = native.recvFds(b, 64, 1000);
      if (typeof got === 'number') throw new Error(`recvFds: ${got}`);
      expect(got.data.toString()).toBe('hello');
      expect(got.fds).toHaveLength(2);
      for (const fd of got.fds) {
        expect(fd).not.toBe(nsFd);
        expect(native.netnsIdentity(fd)).toEqual(native.netnsIdentity(nsFd));
        native.closeFd(fd);
      }
      expect(native.sendFds(a, Buffer.alloc(1), Array(17).fill(nsFd))).toBe(-22); // EINVAL: at most 16
      native.closeFd(a);
      const eof = native.recvFds(b, 64, 1000);
      expect(typeof eof === 'number' ? eof : eof.data.length).toBe(0);
    } finally {
      native.closeFd(nsFd);
      native.closeFd(b);
    }
  });
});
