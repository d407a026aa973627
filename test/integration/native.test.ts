// The C++ addon on its own: netlink sockets, namespaces, mounts, thread hygiene.
// The whole process must run in a fresh network + mount namespace:
//   unshare --net --mount --propagation private -- npx jest test/integration/native.test.ts
// (or `node scripts/sandbox.js jest …`). Other test files may run beside this
// one in that namespace, so assertions about links use namespaces made here.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { native, NativeNetlinkSocket } from '../../lib/native';

// linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, errno.h
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const IFLA_IFNAME = 3;
const RTNLGRP_LINK = 1;
const IFF_UP = 0x1;
const AF_INET = 2;
const SOCK_STREAM = 1;
const EINVAL = 22;
const ENOENT = 2;
const EEXIST = 17;
const EBADF = 9;
const ENOBUFS = 105;
const EMSGSIZE = 90;

interface Message {
  type: number;
  flags: number;
  seq: number;
  payload: Buffer;
}

function nlmsghdr(length: number, type: number, flags: number, seq: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  return b; // nlmsg_pid 0
}

function ifinfomsg(index = 0, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16); // family AF_UNSPEC, type 0
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

function parse(chunk: Buffer): Message[] {
  const out: Message[] = [];
  let off = 0;
  while (off + 16 <= chunk.length) {
    const len = chunk.readUInt32LE(off);
    expect(len).toBeGreaterThanOrEqual(16);
    out.push({
      type: chunk.readUInt16LE(off + 4),
      flags: chunk.readUInt16LE(off + 6),
      seq: chunk.readUInt32LE(off + 8),
      payload: chunk.subarray(off + 16, off + len),
    });
    off += (len + 3) & ~3;
  }
  expect(off).toBe(chunk.length);
  return out;
}

/** IFLA_IFNAME of an RTM_NEWLINK payload (ifinfomsg + attributes). */
function linkName(payload: Buffer): string | undefined {
  let off = 16;
  while (off + 4 <= payload.length) {
    const len = payload.readUInt16LE(off);
    const type = payload.readUInt16LE(off + 2) & 0x3fff;
    if (len < 4) break;
    if (type === IFLA_IFNAME) return payload.toString('latin1', off + 4, off + len).replace(/\0.*$/s, '');
    off += (len + 3) & ~3;
  }
  return undefined;
}

function withTimeout<T>(p: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Sends `buffers` and collects every message until NLMSG_DONE or NLMSG_ERROR with `seq`. */
function exchange(sock: NativeNetlinkSocket, buffers: Buffer[], seq: number): Promise<Message[]> {
  return withTimeout(
    new Promise<Message[]>((resolve, reject) => {
      const got: Message[] = [];
      sock.start(
        (chunk) => {
          for (const m of parse(chunk)) {
            got.push(m);
            if (m.seq === seq && (m.type === NLMSG_DONE || m.type === NLMSG_ERROR)) resolve(got);
          }
        },
        (errno) => reject(new Error(`onError ${errno}`)),
      );
      const total = buffers.reduce((n, b) => n + b.length, 0);
      expect(sock.send(buffers)).toBe(total);
    }),
  );
}

/** An RTM_GETLINK dump; the request is two buffers (header, ifinfomsg) in one iovec. */
async function dumpLinks(sock: NativeNetlinkSocket, seq: number): Promise<Message[]> {
  const replies = await exchange(sock, [nlmsghdr(32, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq), ifinfomsg()], seq);
  expect(replies[replies.length - 1].type).toBe(NLMSG_DONE);
  return replies.filter((m) => m.seq === seq && m.type === RTM_NEWLINK);
}

async function dumpLinkNames(sock: NativeNetlinkSocket, seq: number): Promise<string[]> {
  return (await dumpLinks(sock, seq)).map((m) => linkName(m.payload) ?? '?');
}

/** ifi_flags of an RTM_NEWLINK payload. */
function linkFlags(m: Message): number {
  return m.payload.readUInt32LE(8);
}

/** RTM_NEWLINK on ifindex 1 (lo) setting it up or down; the ack's error code. */
async function setLoUp(sock: NativeNetlinkSocket, up: boolean, seq: number): Promise<number> {
  const req = [nlmsghdr(32, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq), ifinfomsg(1, up ? IFF_UP : 0, IFF_UP)];
  const replies = await exchange(sock, req, seq);
  const ack = replies[replies.length - 1];
  expect(ack.type).toBe(NLMSG_ERROR);
  return ack.payload.readInt32LE(0);
}

function openSocket(nsFd: number): NativeNetlinkSocket {
  const fd = native.netlinkOpen(nsFd, 0, 1 << 20, 1 << 20);
  expect(fd).toBeGreaterThanOrEqual(0);
  return new native.NetlinkSocket(fd);
}

function nsLink(p: string): string {
  return fs.readlinkSync(p);
}

/** Lets libuv run its close callbacks (they run after setImmediate callbacks). */
function closeCallbacksRun(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

const startNs = nsLink('/proc/self/ns/net');
let created: number[] = [];

function newNs(): number {
  const fd = native.netnsCreate();
  expect(fd).toBeGreaterThanOrEqual(0);
  created.push(fd);
  return fd;
}

afterEach(() => {
  for (const fd of created) native.closeFd(fd);
  created = [];
});

/** True when some ancestor (the shell that ran unshare) is in another network
 * namespace. (/proc/1 may not be readable here, even as root.) */
function inSandbox(): boolean {
  for (let pid = process.ppid; pid > 1; ) {
    try {
      if (nsLink(`/proc/${pid}/ns/net`) !== startNs) return true;
      pid = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}

// Outside a sandbox this one test fails and every other one is skipped.
const sandboxed = inSandbox();
const sandboxTest = sandboxed ? test : test.skip;
const sandboxDescribe = sandboxed ? describe : describe.skip;

test('the test process is not in the machine\'s network namespace', () => {
  expect(startNs).toMatch(/^net:\[\d+\]$/);
  expect(sandboxed).toBe(true);
});

sandboxTest('netlinkOpen in the current namespace: portId, dump, two-buffer iovec', async () => {
  const sock = openSocket(-1);
  expect(sock.portId).toBeGreaterThan(0);
  expect(sock.fd).toBeGreaterThanOrEqual(0);
  expect(await dumpLinkNames(sock, 1)).toContain('lo');
  sock.close();
});

sandboxTest('netlinkOpen in a created namespace sees exactly that namespace (lo only)', async () => {
  const ns = newNs();
  const sock = openSocket(ns);
  expect(sock.portId).toBeGreaterThan(0);
  expect(await dumpLinkNames(sock, 7)).toEqual(['lo']);
  // Bringing lo up there touches no other namespace.
  expect(await setLoUp(sock, true, 8)).toBe(0);
  expect(linkFlags((await dumpLinks(sock, 9))[0]) & IFF_UP).toBe(IFF_UP);
  const other = openSocket(newNs());
  expect(linkFlags((await dumpLinks(other, 1))[0]) & IFF_UP).toBe(0);
  other.close();
  sock.close();
});

sandboxTest('one send carries a batch: four buffers, two messages, one sendmsg', async () => {
  const ns = newNs();
  const sock = openSocket(ns);
  const req = [
    nlmsghdr(32, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1),
    ifinfomsg(1, IFF_UP, IFF_UP),
    nlmsghdr(32, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 2),
    ifinfomsg(),
  ];
  const replies = await exchange(sock, req, 2);
  expect(replies[0].seq).toBe(1);
  expect(replies[0].type).toBe(NLMSG_ERROR);
  expect(replies[0].payload.readInt32LE(0)).toBe(0);
  const links = replies.filter((m) => m.seq === 2 && m.type === RTM_NEWLINK);
  expect(links.map((m) => linkName(m.payload))).toEqual(['lo']);
  expect(linkFlags(links[0]) & IFF_UP).toBe(IFF_UP); // the first message ran first
  sock.close();
});

sandboxTest('netnsCreate returns distinct namespaces; netnsIdentity', () => {
  const a = newNs();
  const b = newNs();
  const ia = native.netnsIdentity(a);
  const ib = native.netnsIdentity(b);
  expect(ia[0]).toBeGreaterThan(0);
  expect(ia).not.toEqual(ib);
  const self = native.netnsOpen('/proc/self/ns/net');
  expect(self).toBeGreaterThanOrEqual(0);
  created.push(self);
  const [, ino] = native.netnsIdentity(self);
  expect(startNs).toBe(`net:[${ino}]`);
  expect(native.netnsIdentity(123456)).toEqual([-EBADF, 0]);
});

sandboxTest('netnsOpen rejects what is not a network namespace', () => {
  expect(native.netnsOpen('/etc/hostname')).toBe(-EINVAL);
  expect(native.netnsOpen('/proc/self/ns/uts')).toBe(-EINVAL);
  expect(native.netnsOpen('/nonexistent/ns')).toBe(-ENOENT);
});

sandboxDescribe('netnsMount / netnsUnmount', () => {
  let tmp = '';
  let runDir = '';
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-native-'));
    runDir = path.join(tmp, 'run', 'netns');
  });
  afterEach(() => {
    // runDir was bound onto itself (in this process's private mount namespace).
    if (fs.existsSync(runDir)) execFileSync('umount', ['-l', runDir]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('mount like ip netns add, unmount like ip netns delete', () => {
    const ns = newNs();
    expect(native.netnsMount(runDir, 'alpha', ns)).toBe(0);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).toContain(`${runDir} ${runDir} `); // runDir bound onto itself
    expect(mounts).toMatch(new RegExp(`${runDir}/alpha .*nsfs`));

    const again = native.netnsOpen(path.join(runDir, 'alpha'));
    expect(again).toBeGreaterThanOrEqual(0);
    created.push(again);
    expect(native.netnsIdentity(again)).toEqual(native.netnsIdentity(ns));

    expect(native.netnsMount(runDir, 'alpha', newNs())).toBe(-EEXIST);
    expect(native.netnsMount(runDir, 'beta', 0)).toBe(-EINVAL); // stdin: not a namespace
    expect(fs.existsSync(path.join(runDir, 'beta'))).toBe(false);

    expect(native.netnsUnmount(runDir, 'alpha')).toBe(0);
    expect(fs.existsSync(path.join(runDir, 'alpha'))).toBe(false);
    expect(native.netnsUnmount(runDir, 'alpha')).toBe(-ENOENT);
    // A second mount reuses the (already shared) run dir.
    expect(native.netnsMount(runDir, 'alpha', ns)).toBe(0);
    expect(native.netnsUnmount(runDir, 'alpha')).toBe(0);
  });

  test('names must be one path component', () => {
    const ns = newNs();
    for (const bad of ['', '.', '..', 'a/b']) {
      expect(native.netnsMount(runDir, bad, ns)).toBe(-EINVAL);
      expect(native.netnsUnmount(runDir, bad)).toBe(-EINVAL);
    }
  });
});

sandboxTest('socketIn + socketBind make a TCP server that lives in the namespace', async () => {
  const ns = newNs();
  const ctl = openSocket(ns);
  expect(await setLoUp(ctl, true, 1)).toBe(0);
  ctl.close();

  const listenFd = native.socketIn(ns, AF_INET, SOCK_STREAM, 0);
  expect(listenFd).toBeGreaterThanOrEqual(0);
  expect(fs.readlinkSync(`/proc/self/fd/${listenFd}`)).toMatch(/^socket:/);
  expect(native.socketBind(listenFd, 'not an address', 0)).toBe(-EINVAL);
  expect(native.socketBind(listenFd, '::1', 0)).toBeLessThan(0); // IPv6 address, IPv4 socket
  expect(native.socketBind(listenFd, '127.0.0.1', 0)).toBe(0);
  const server = net.createServer((c) => c.end('hi'));
  await new Promise<void>((resolve) => server.listen({ fd: listenFd }, resolve));
  const port = (server.address() as net.AddressInfo).port;

  const connect = (fd: number) =>
    new Promise<string>((resolve) => {
      const c = new net.Socket({ fd });
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      c.connect(port, '127.0.0.1', () => c.once('data', (d) => (c.destroy(), resolve(d.toString()))));
    });
  expect(await withTimeout(connect(native.socketIn(ns, AF_INET, SOCK_STREAM, 0)))).toBe('hi');
  // The same port in another namespace (lo down) is unreachable.
  expect(await withTimeout(connect(native.socketIn(newNs(), AF_INET, SOCK_STREAM, 0)))).toBe('ENETUNREACH');
  await new Promise((resolve) => server.close(resolve));
});

sandboxTest('close() is idempotent; a closed socket answers -EBADF; ref/unref never throw', async () => {
  const sock = openSocket(-1);
  sock.unref();
  sock.ref();
  sock.start(
    () => undefined,
    () => undefined,
  );
  sock.unref();
  sock.ref();
  expect(sock.addMembership(RTNLGRP_LINK)).toBe(0);
  expect(sock.dropMembership(RTNLGRP_LINK)).toBe(0);
  expect(sock.setIntOption(270 /* SOL_NETLINK */, 11 /* NETLINK_EXT_ACK */, 1)).toBe(0);
  sock.close();
  sock.close();
  sock.ref();
  sock.unref();
  expect(sock.fd).toBe(-1);
  expect(sock.send([Buffer.alloc(16)])).toBe(-EBADF);
  expect(sock.addMembership(RTNLGRP_LINK)).toBe(-EBADF);
  expect(() => sock.start(() => undefined, () => undefined)).toThrow(/closed/);
  await closeCallbacksRun();
});

sandboxTest('ENOBUFS is reported and polling goes on', async () => {
  const ns = newNs();
  // rcvbuf 1: the kernel's minimum, so a burst of events overruns it.
  const listener = new native.NetlinkSocket(native.netlinkOpen(ns, 0, 1, 0));
  expect(listener.addMembership(RTNLGRP_LINK)).toBe(0);
  const errors: number[] = [];
  let events = 0;
  let wake: () => void = () => undefined;
  listener.start(
    (chunk) => {
      events += parse(chunk).filter((m) => m.type === RTM_NEWLINK).length;
      wake();
    },
    (errno) => {
      errors.push(errno);
      wake();
    },
  );
  const until = (cond: () => boolean) =>
    withTimeout(
      new Promise<void>((resolve) => {
        wake = () => cond() && resolve();
        wake();
      }),
    );

  const ctl = openSocket(ns);
  for (let i = 0; i < 20; i++) {
    // No NLM_F_ACK: nothing comes back on ctl, only events on the listener.
    expect(ctl.send([nlmsghdr(32, RTM_NEWLINK, NLM_F_REQUEST, i), ifinfomsg(1, i % 2 ? 0 : IFF_UP, IFF_UP)])).toBe(32);
  }
  await until(() => errors.includes(-ENOBUFS));
  expect(errors.every((e) => e === -ENOBUFS)).toBe(true);
  const before = events;
  expect(ctl.send([nlmsghdr(32, RTM_NEWLINK, NLM_F_REQUEST, 99), ifinfomsg(1, IFF_UP, IFF_UP)])).toBe(32);
  expect(ctl.send([nlmsghdr(32, RTM_NEWLINK, NLM_F_REQUEST, 100), ifinfomsg(1, 0, IFF_UP)])).toBe(32);
  await until(() => events > before);
  listener.close();
  ctl.close();
});

sandboxTest('an exception thrown by onData becomes uncaughtException and polling goes on', () => {
  const root = path.resolve(__dirname, '../..');
  const script = `
    const n = require(${JSON.stringify(path.join(root, 'node_modules/node-gyp-build'))})(${JSON.stringify(root)});
    const s = new n.NetlinkSocket(n.netlinkOpen(-1, 0, 0, 0));
    let thrown = 0, chunks = 0, ticks = 0;
    process.on('uncaughtException', (e) => { if (e.message !== 'boom') throw e; thrown++; });
    const dump = (seq) => {
      const b = Buffer.alloc(32);
      b.writeUInt32LE(32, 0); b.writeUInt16LE(${RTM_GETLINK}, 4); b.writeUInt16LE(${NLM_F_REQUEST | NLM_F_DUMP}, 6);
      b.writeUInt32LE(seq, 8);
      s.send([b]);
    };
    s.start((chunk) => {
      chunks++;
      process.nextTick(() => ticks++);
      if (chunks === 1) { dump(2); throw new Error('boom'); }
      s.close();
      setTimeout(() => console.log(JSON.stringify({ thrown, chunks, ticks })), 10);
    }, (e) => console.log('onError', e));
    dump(1);
    setTimeout(() => { console.log('timeout'); process.exit(1); }, 5000).unref();
  `;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({ thrown: 1, chunks: 2, ticks: 2 });
});

sandboxTest('unref() lets the process exit while polling', () => {
  const root = path.resolve(__dirname, '../..');
  const script = `
    const n = require(${JSON.stringify(path.join(root, 'node_modules/node-gyp-build'))})(${JSON.stringify(root)});
    const s = new n.NetlinkSocket(n.netlinkOpen(-1, 0, 0, 0));
    s.start(() => {}, () => {});
    s.unref();
    process.on('exit', () => console.log('exited'));
  `;
  expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10000 })).toBe('exited\n');
});

sandboxTest('workers that end or are terminated with sockets open (polling, replies pending) exit cleanly', () => {
  // The addon is unloaded with the worker: its uv handles must be closed first.
  const root = path.resolve(__dirname, '../..');
  const worker = `
    const n = require(${JSON.stringify(path.join(root, 'node_modules/node-gyp-build'))})(${JSON.stringify(root)});
    const { parentPort, workerData } = require('worker_threads');
    const s = new n.NetlinkSocket(n.netlinkOpen(-1, 0, 0, 0));
    new n.NetlinkSocket(n.netlinkOpen(-1, 0, 0, 0)); // never started, never closed
    s.start(() => {}, () => {});
    const b = Buffer.alloc(32);
    b.writeUInt32LE(32, 0); b.writeUInt16LE(${RTM_GETLINK}, 4); b.writeUInt16LE(${NLM_F_REQUEST | NLM_F_DUMP}, 6);
    s.send([b]);
    if (workerData.terminate) parentPort.postMessage('ready'); else s.unref();
  `;
  const script = `
    const { Worker } = require('worker_threads');
    let ended = 0;
    const run = (i) => {
      const w = new Worker(${JSON.stringify(worker)}, { eval: true, workerData: { terminate: i % 2 === 1 } });
      w.on('message', () => w.terminate());
      w.on('exit', () => (++ended < 8 ? run(ended) : console.log('ended', ended)));
    };
    run(0);
  `;
  expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 })).toBe('ended 8\n');
});

sandboxTest('sockets never closed by the user are closed by the GC finalizer', () => {
  const root = path.resolve(__dirname, '../..');
  const script = `
    const n = require(${JSON.stringify(path.join(root, 'node_modules/node-gyp-build'))})(${JSON.stringify(root)});
    const fs = require('fs');
    const count = () => fs.readdirSync('/proc/self/fd').length;
    const before = count();
    for (let i = 0; i < 50; i++) new n.NetlinkSocket(n.netlinkOpen(-1, 0, 0, 0));
    const opened = count();
    gc();
    setTimeout(() => { gc(); setTimeout(() => console.log(JSON.stringify({ before, opened, after: count() })), 20); }, 20);
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' }));
  expect(out.opened).toBe(out.before + 50);
  expect(out.after).toBe(out.before);
});

sandboxTest('500 open/close cycles in created namespaces leave every thread home and no fd behind', async () => {
  const fdsBefore = fs.readdirSync('/proc/self/fd').length;
  for (let i = 0; i < 500; i++) {
    const ns = native.netnsCreate();
    expect(ns).toBeGreaterThanOrEqual(0);
    const fd = native.netlinkOpen(ns, 0, 0, 0);
    expect(fd).toBeGreaterThanOrEqual(0);
    const sock = new native.NetlinkSocket(fd);
    if (i % 50 === 0) expect(sock.portId).toBeGreaterThan(0);
    sock.close();
    const tcp = native.socketIn(ns, AF_INET, SOCK_STREAM, 0);
    expect(tcp).toBeGreaterThanOrEqual(0);
    expect(native.closeFd(tcp)).toBe(0);
    expect(native.closeFd(ns)).toBe(0);
  }
  await closeCallbacksRun();
  for (const task of fs.readdirSync('/proc/self/task')) {
    expect(nsLink(`/proc/self/task/${task}/ns/net`)).toBe(startNs);
  }
  expect(fs.readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fdsBefore);
});

/** The addon's errors come from the main realm, not jest's: match by name. */
function expectTypeError(fn: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ name: 'TypeError', message: expect.stringMatching(message) });
}

sandboxTest('wrong argument types throw TypeError naming the argument', () => {
  const n = native as unknown as Record<string, (...args: unknown[]) => unknown>;
  expectTypeError(() => n.netlinkOpen('x', 0, 0, 0), /^netlinkOpen: nsFd must be a number$/);
  expectTypeError(() => n.netlinkOpen(-1, 0, 0), /sndbuf/);
  expectTypeError(() => n.netnsOpen(3), /path/);
  expectTypeError(() => n.netnsIdentity(null), /fd/);
  expectTypeError(() => n.netnsMount('/tmp', 1, 3), /name/);
  expectTypeError(() => n.netnsUnmount(1, 'x'), /runDir/);
  expectTypeError(() => n.socketIn(-1, 2, 'x', 0), /type/);
  expectTypeError(() => n.closeFd(), /fd/);
  expectTypeError(() => new (native.NetlinkSocket as unknown as new (x: unknown) => unknown)('3'), /fd/);
  expect(() => new native.NetlinkSocket(0)).toThrow(/not a netlink socket/);
  const sock = openSocket(-1);
  expectTypeError(() => sock.send('x' as unknown as Buffer[]), /buffers/);
  expectTypeError(() => sock.send([Buffer.alloc(4), 'x' as unknown as Buffer]), /buffers/);
  expectTypeError(() => sock.start(1 as unknown as () => void, () => undefined), /onData/);
  expectTypeError(() => sock.start(() => undefined, 1 as unknown as () => void), /onError/);
  expectTypeError(() => sock.addMembership('1' as unknown as number), /group/);
  expectTypeError(() => sock.setIntOption(1, 2, '3' as unknown as number), /value/);
  expectTypeError(() => sock.setReadAhead?.(1 as unknown as boolean), /^setReadAhead: expected a boolean$/);
  expect(sock.send(new Array(2000).fill(Buffer.alloc(0)))).toBe(-EMSGSIZE);
  sock.close();
});
