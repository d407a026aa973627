// Rootless use: a network namespace owned by a user namespace that an
// unprivileged process makes, as rootless container tools do.
//
// unshare(CLONE_NEWUSER) is refused in a multi-threaded process (unshare(2):
// EINVAL) and Node always is one, so a helper child (native/userns-helper.c)
// makes the user + network namespace and hands back, over a Unix socket
// (SCM_RIGHTS), what it opens inside: netlink sockets, the nsfs fd, TCP/UDP
// sockets, /proc/sys/net files. The parent owns that user namespace, so it
// holds every capability inside it and its requests on those sockets pass the
// kernel's checks (netlink_ns_capable: both the socket's opener and the sender
// must be capable in the namespace's owning user namespace). It cannot setns(2)
// itself: that needs CAP_SYS_ADMIN in its own user namespace too (setns(2)).
import { spawn as spawnChild } from 'node:child_process';
import * as path from 'node:path';
import { helperBinary, native, packageDir, namespaceOpeners, NamespaceOpener } from './native';
import { Namespace, NamespaceOptions } from './namespace';
import { NetlinkError } from './errors';
import type { ChildProcess } from 'node:child_process';

const OP_NETLINK = 1, OP_SOCKET = 2, OP_OPEN = 3;
const REQUEST_SIZE = 16 + 4096; // struct request of native/userns-helper.c
const REPLY_SIZE = 32; // struct reply: int result; char stage[28]
const ETIMEDOUT = 110;

/** The helper binary, built by node-gyp beside the addon or shipped in prebuilds/. */
function helperPath(): string {
  return helperBinary('userns-helper') ?? path.join(packageDir, 'build/Release/userns-helper');
}

function decodeReply(data: Buffer): { result: number; stage: string } {
  if (data.length < REPLY_SIZE) return { result: -71 /* EPROTO */, stage: 'short reply' };
  const stage = data.subarray(4, REPLY_SIZE);
  return { result: data.readInt32LE(0), stage: stage.subarray(0, Math.max(0, stage.indexOf(0))).toString() };
}

/** The channel to a live helper: synchronous requests, each answered in microseconds. */
class Helper implements NamespaceOpener {
  constructor(private channel: number, readonly pid: number, readonly dev: number, readonly ino: number,
    private readonly timeoutMs: number) {}

  private request(op: number, a: number, b: number, c: number, file = ''): number {
    if (this.channel < 0) return -9; // EBADF: closed
    const q = Buffer.alloc(REQUEST_SIZE);
    q.writeInt32LE(op, 0);
    q.writeInt32LE(a, 4);
    q.writeInt32LE(b, 8);
    q.writeInt32LE(c, 12);
    const name = Buffer.from(file);
    if (name.length >= 4096 || name.includes(0)) return -36; // ENAMETOOLONG / not a path
    name.copy(q, 16);
    const sent = native.sendFds(this.channel, q.subarray(0, 16 + name.length + 1), []);
    if (sent < 0) return sent;
    const got = native.recvFds(this.channel, REPLY_SIZE, this.timeoutMs);
    if (typeof got === 'number') return got;
    const { result } = decodeReply(got.data);
    if (result < 0 || got.fds.length !== 1) {
      for (const fd of got.fds) native.closeFd(fd);
      return result < 0 ? result : -71;
    }
    return got.fds[0];
  }

  netlinkOpen(protocol: number, rcvbuf: number, sndbuf: number): number {
    return this.request(OP_NETLINK, protocol, rcvbuf, sndbuf);
  }
  socketIn(domain: number, type: number, protocol: number): number {
    return this.request(OP_SOCKET, domain, type, protocol);
  }
  openIn(file: string, flags: number): number {
    return this.request(OP_OPEN, flags, 0, 0, file);
  }

  /** End of file for the helper, which then exits. */
  close(): void {
    if (this.channel >= 0) native.closeFd(this.channel);
    this.channel = -1;
  }
}

// A handle collected without close() still ends its helper.
const helperReaper = new FinalizationRegistry<{ helper: Helper; fd: number }>(({ helper, fd }) => {
  if (namespaceOpeners.get(fd) === helper) namespaceOpeners.delete(fd);
  helper.close();
});

export interface RootlessOptions extends NamespaceOptions {
  /** How long to wait for the helper to set up, and for each of its answers. Default 5000 ms. */
  timeout?: number;
}

/**
 * A network namespace owned by a new user namespace, made without root: see
 * Namespace.createRootless. Everything that works on sockets opened inside
 * (links, addresses, routes, rules, neighbours, batch, watch, sockets(),
 * createServer/connect/createUdpSocket, sysctl) works; spawn/exec/execFile
 * throw, since entering the namespace needs setns(2) in this process.
 */
export class RootlessNamespace extends Namespace {
  /** @internal */
  constructor(fd: number, private readonly helper: Helper, options: NamespaceOptions) {
    super(fd, undefined, undefined, undefined, options.connection);
    namespaceOpeners.set(fd, helper);
    helperReaper.register(this, { helper, fd }, this);
  }

  /** The helper process: it lives in the user + network namespace until the handle closes. */
  get helperPid(): number { return this.helper.pid; }

  override close(): void {
    this.detach();
    super.close();
  }

  override async delete(): Promise<void> {
    this.detach();
    await super.delete();
  }

  private detach(): void {
    if (this.isClosed) return;
    if (namespaceOpeners.get(this.fd) === this.helper) namespaceOpeners.delete(this.fd);
    helperReaper.unregister(this);
    this.helper.close();
  }

  override spawn(): ChildProcess { return this.refuse('spawn'); }
  override execFile(): ChildProcess { return this.refuse('execFile'); }
  override exec(): ChildProcess { return this.refuse('exec'); }

  private refuse(what: string): never {
    throw new Error(`${what} in ${this}: a user-owned namespace can only be entered with setns(2), which needs ` +
      `CAP_SYS_ADMIN in this process's own user namespace; run the command with ` +
      `\`nsenter --target ${this.helper.pid} --user --net --preserve-credentials\` while this handle is open`);
  }

  override toString(): string { return `user-owned namespace ${this.id}`; }
}

/** Starts the helper and waits (polling, the event loop stays free) for its first answer. */
export async function createRootless(options: RootlessOptions = {}): Promise<RootlessNamespace> {
  const timeout = options.timeout ?? 5000;
  const [parentEnd, childEnd] = native.socketPair();
  if (parentEnd < 0) throw new NetlinkError(-parentEnd, { operation: 'namespace.createRootless', target: 'socketpair' });
  let child: ChildProcess;
  try {
    child = spawnChild(helperPath(), ['3'], { stdio: ['ignore', 'ignore', 'inherit', childEnd] });
  } finally {
    native.closeFd(childEnd);
  }
  child.unref();
  const spawned = new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (e) => resolve(e));
  });
  const failed = await spawned;
  if (failed) {
    native.closeFd(parentEnd);
    throw new Error(`namespace.createRootless: cannot start ${helperPath()}: ${failed.message} (run npx node-gyp rebuild)`);
  }
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = native.recvFds(parentEnd, REPLY_SIZE, 0);
    if (typeof got === 'number' && got === -ETIMEDOUT && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    if (typeof got === 'number' || got.data.length === 0) {
      native.closeFd(parentEnd);
      const errno = typeof got === 'number' ? -got : 71 /* EPROTO: the helper exited without answering */;
      throw new NetlinkError(errno, { operation: 'namespace.createRootless', target: `(helper ${child.pid})` });
    }
    const { result, stage } = decodeReply(got.data);
    if (result < 0 || got.fds.length !== 2) {
      for (const fd of got.fds) native.closeFd(fd);
      native.closeFd(parentEnd);
      const hint = stage === 'unshare' ? ' (unprivileged user namespaces disabled? see user.max_user_namespaces, kernel.unprivileged_userns_clone)' : '';
      throw new NetlinkError(result < 0 ? -result : 71, { operation: 'namespace.createRootless', target: `(${stage || 'reply'}${hint})` });
    }
    // The helper also sent a bound NETLINK_ROUTE socket; the connection opens its own through the helper.
    native.closeFd(got.fds[0]);
    const nsFd = got.fds[1];
    const [dev, ino] = native.netnsIdentity(nsFd);
    const helper = new Helper(parentEnd, child.pid ?? -1, dev, ino, timeout);
    if (dev < 0) {
      helper.close();
      native.closeFd(nsFd);
      throw new NetlinkError(-dev, { operation: 'namespace.createRootless', target: 'nsfs fd' });
    }
    return new RootlessNamespace(nsFd, helper, options);
  }
}
