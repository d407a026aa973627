// ns.spawn / execFile / exec against `ip netns exec`: the child's own
// /proc/self/ns/net, what `ip` sees from inside, stdio, errors, options.
import { execFileSync, ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, NetlinkError } from '../../lib';
import type { ExecFileError } from '../../lib';
import { shimPath } from '../../lib/process';
import { ipJson, ipRaw } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

function run(ns: Namespace, file: string, args: string[], options = {}): Promise<{ error: ExecFileError | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    ns.execFile(file, args, options, (error, stdout, stderr) => resolve({ error, stdout: String(stdout), stderr: String(stderr) }));
  });
}

async function output(cp: ChildProcess): Promise<{ out: string; code: number | null }> {
  let out = '';
  cp.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const [code] = await once(cp, 'close');
  return { out, code: code as number | null };
}

describe('ns.spawn / execFile / exec', () => {
  const scope = useNamespaces();

  it('the child runs inside the namespace: its readlink /proc/self/ns/net is ns.id, as with ip netns exec', async () => {
    const ns = await scope.named();
    const { out, code } = await output(ns.spawn('readlink', ['/proc/self/ns/net']));
    expect(code).toBe(0);
    expect(out.trim()).toBe(ns.id);
    expect(out.trim()).toBe(ipRaw(undefined, 'netns', 'exec', ns.name, 'readlink', '/proc/self/ns/net').trim());
    expect(ns.id).not.toBe(fs.readlinkSync('/proc/self/ns/net'));
    // This process and all its threads stayed where they were.
    for (const t of fs.readdirSync('/proc/self/task')) {
      expect(fs.readlinkSync(`/proc/self/task/${t}/ns/net`)).toBe(Namespace.current().id);
    }
  });

  it('anonymous namespaces too; `ip -j link` inside sees the namespace links `ip -n` sees', async () => {
    const anon = await scope.anonymous();
    expect((await output(anon.spawn('readlink', ['/proc/self/ns/net']))).out.trim()).toBe(anon.id);

    const ns = await scope.named();
    await ns.links.addVeth({ name: 'v-in', peer: { name: 'v-peer' } });
    const { error, stdout } = await run(ns, 'ip', ['-j', 'link', 'show']);
    expect(error).toBeNull();
    const inside = (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
    expect(inside).toEqual(ipJson<{ ifname: string }[]>(ns.name, 'link', 'show').map((l) => l.ifname).sort());
    expect(inside).toEqual(['lo', 'v-in', 'v-peer']);
  });

  it('is Node\'s ChildProcess: pid, spawnfile/spawnargs as asked, extra stdio entries, env and cwd', async () => {
    const ns = await scope.anonymous();
    const cp = ns.spawn('sh', ['-c', 'echo "$GREETING $(pwd)"; echo extra >&3; exit 7'],
      { stdio: ['ignore', 'pipe', 'inherit', 'pipe'], env: { ...process.env, GREETING: 'hello' }, cwd: os.tmpdir() });
    expect(cp.pid).toBeGreaterThan(0);
    expect(cp.spawnfile).toBe('sh');
    expect(cp.spawnargs).toEqual(['sh', '-c', 'echo "$GREETING $(pwd)"; echo extra >&3; exit 7']);
    expect(cp.stdio).toHaveLength(4);
    let extra = '';
    (cp.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (d: string) => { extra += d; });
    const { out, code } = await output(cp);
    expect(code).toBe(7);
    expect(out.trim()).toBe(`hello ${fs.realpathSync(os.tmpdir())}`);
    expect(extra.trim()).toBe('extra');
  });

  it('the child sees neither the namespace fd nor the error channel (closed before exec)', async () => {
    const ns = await scope.anonymous();
    const fdsOf = (listing: string) => listing.split('\n').filter((l) => l.includes(' -> '))
      .map((l) => l.split(' -> ')).map(([left, target]) => ({ fd: Number(left.trim().split(' ').pop()), target }));
    const inside = fdsOf((await run(ns, 'ls', ['-l', '/proc/self/fd'])).stdout);
    const plain = fdsOf(execFileSync('ls', ['-l', '/proc/self/fd'], { encoding: 'utf8' }));
    expect(inside.map((f) => f.fd)).toEqual(plain.map((f) => f.fd)); // what any child of this process inherits
    expect(inside.filter((f) => f.target.startsWith('net:'))).toEqual([]);
  });

  it('an unknown command: spawn emits error ENOENT like child_process, execFile calls back with it', async () => {
    const ns = await scope.anonymous();
    const cp = ns.spawn('no-such-command-xyz', ['a']);
    const [err] = (await once(cp, 'error')) as [ExecFileError & { syscall: string; path: string }];
    expect(err.code).toBe('ENOENT');
    expect(err.syscall).toBe('spawn no-such-command-xyz');
    expect(err.path).toBe('no-such-command-xyz');
    expect(err.message).toBe('spawn no-such-command-xyz ENOENT');
    const { error } = await run(ns, 'no-such-command-xyz', []);
    expect(error?.code).toBe('ENOENT');
  });

  it('execFile: exit status, cmd, maxBuffer, timeout as child_process reports them', async () => {
    const ns = await scope.anonymous();
    const failed = await run(ns, 'sh', ['-c', 'echo oops >&2; exit 3']);
    expect(failed.error?.code).toBe(3);
    expect(failed.error?.cmd).toBe('sh -c echo oops >&2; exit 3');
    expect(failed.error?.message).toBe('Command failed: sh -c echo oops >&2; exit 3\noops\n');
    expect(failed.stderr).toBe('oops\n');

    const big = await run(ns, 'sh', ['-c', 'head -c 5000 /dev/zero'], { maxBuffer: 100 });
    expect(big.error?.code).toBe('ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
    expect(big.stdout).toHaveLength(100);

    const slow = await run(ns, 'sleep', ['10'], { timeout: 100 });
    expect(slow.error?.killed).toBe(true);
    expect(slow.error?.signal).toBe('SIGTERM');
  });

  it('exec runs a shell string, inside the namespace', async () => {
    const ns = await scope.named();
    const stdout = await new Promise<string>((resolve, reject) => {
      ns.exec('readlink /proc/self/ns/net && echo "$((6 * 7))"', (e, out) => (e ? reject(e) : resolve(String(out))));
    });
    expect(stdout).toBe(`${ns.id}\n42\n`);
    expect(() => ns.exec('' as string)).toThrow(TypeError);
  });

  it('uid/gid are applied after entering the namespace', async () => {
    const ns = await scope.anonymous();
    const { error, stdout } = await run(ns, 'sh', ['-c', 'id -u; id -g; readlink /proc/self/ns/net'], { uid: 65534, gid: 65534 });
    expect(error).toBeNull();
    expect(stdout.trim().split('\n')).toEqual(['65534', '65534', ns.id]);
  });

  it('mounts: a fresh sysfs shows this namespace\'s devices, as in ip netns exec; without it, the caller\'s', async () => {
    const ns = await scope.named();
    await ns.links.addVeth({ name: 'sys-a', peer: { name: 'sys-b' } });
    const withMounts = await run(ns, 'ls', ['/sys/class/net'], { mounts: true });
    expect(withMounts.error).toBeNull();
    const viaIp = ipRaw(undefined, 'netns', 'exec', ns.name, 'ls', '/sys/class/net');
    expect(withMounts.stdout.split('\n').sort()).toEqual(viaIp.split('\n').sort());
    expect(withMounts.stdout.split('\n')).toContain('sys-a');
    const without = await run(ns, 'ls', ['/sys/class/net']);
    expect(without.stdout.split('\n')).not.toContain('sys-a');
    // The private mount namespace did not leak back.
    expect(fs.readdirSync('/sys/class/net')).not.toContain('sys-a');
  });

  it('mounts: /etc/netns/NAME/* is bound over /etc/* exactly as ip netns exec does (shim, inside an overlay of /etc)', async () => {
    const ns = await scope.named();
    // /etc/netns does not exist on this machine; an overlay of /etc in a
    // throwaway mount namespace gives it one without touching the real /etc.
    const script = `set -e
      mount -t tmpfs t "$D"; mkdir "$D/up" "$D/work"
      mount -t overlay overlay -o "lowerdir=/etc,upperdir=$D/up,workdir=$D/work" /etc
      mkdir -p "/etc/netns/$NAME"; echo "10.9.9.9 only-in-$NAME" > "/etc/netns/$NAME/hosts"
      echo "--ip"; ip netns exec "$NAME" cat /etc/hosts
      echo "--shim"; exec 3<"/run/netns/$NAME"; "$SHIM" 3 4 1 -1 -1 "$NAME" cat cat /etc/hosts 4>/dev/null
      echo "--outside"; grep -c "only-in" /etc/hosts || true`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsexec-'));
    try {
      const out = execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script],
        { encoding: 'utf8', env: { ...process.env, D: dir, NAME: ns.name, SHIM: shimPath() } });
      const [, viaIp, viaShim, outside] = out.split(/--ip\n|--shim\n|--outside\n/);
      expect(viaShim).toBe(viaIp);
      expect(viaShim).toBe(`10.9.9.9 only-in-${ns.name}\n`);
      expect(outside.trim()).toBe('0');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input: command, args, uid, a closed namespace', async () => {
    const ns = await scope.anonymous();
    expect(() => ns.spawn('')).toThrow(/command: expected a non-empty string/);
    expect(() => ns.spawn('ls', ['a\0b'])).toThrow(/args: expected an array of strings/);
    expect(() => ns.spawn('ls', [], { uid: -1 })).toThrow(/uid: expected a non-negative integer, got -1/);
    ns.close();
    expect(() => ns.spawn('ls')).toThrow(/closed/);
  });

  it('a namespace the child cannot enter: the error names the failing step (setns) and the code', async () => {
    // A handle whose fd is not a namespace (/dev/null): the shim's setns fails with EINVAL.
    const ns = await scope.anonymous();
    const fake = Object.create(ns, { fd: { value: fs.openSync('/dev/null', 'r') } }) as Namespace;
    try {
      const cp = fake.spawn('true');
      const [err] = (await once(cp, 'error')) as [NetlinkError];
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('EINVAL');
      expect(err.operation).toBe('process.setns');
    } finally {
      fs.closeSync((fake as unknown as { fd: number }).fd);
    }
  });
});
