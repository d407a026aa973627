// Namespace: identity, create/open/delete like `ip netns`, and the one
// connection through which every operation on that namespace goes.
import { promises as fsp } from 'node:fs';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { native } from './native';
import { Connection, ConnectionOptions, CallOptions } from './connection';
import { NetlinkError, NotFoundError, describe } from './errors';
import * as C from './netlink/constants';
import { decodeNsid, encodeNsid } from './rtnl/nsid';
import { Link, LinkRef, LinkTable } from './model/link';
import { AddressTable } from './model/address';
import { RouteTable } from './model/route';
import { RuleTable } from './model/rule';
import { FdbTable, NeighborTable } from './model/neighbor';
import { NexthopTable } from './model/nexthop';
import { NsidTable } from './model/nsid';
import * as proc from './process';
import { Sysctl } from './sysctl';
import { Nat } from './nat';
import { Firewall } from './firewall';
import * as discovery from './discovery';
import * as sockdiag from './sockdiag';
import type { SocketInfo } from './diag/inet';
import type { ChildProcess } from 'node:child_process';
import * as v from './validate';
import * as sockets from './sockets';
import type { Server, Socket } from 'node:net';
import type { Socket as UdpSocket } from 'node:dgram';
import { batch, BatchBuilder, BatchOperation, BatchOptions } from './batch';
import { deleteNamespaces } from './model/teardown';
import type { RootlessNamespace, RootlessOptions } from './rootless';
import { watch, Watcher, WatchKind, WatchOptions, watchAll, AllNamespacesWatcher, WatchAllOptions } from './watch';

export interface NamespaceOptions {
  /** Where named namespaces live; $RTNETLINK_NETNS_RUN_DIR, else /run/netns (as `ip netns`). */
  runDir?: string;
  /** Options for this namespace's netlink connection. */
  connection?: ConnectionOptions;
}

/** The run directory used when none is given. */
export function defaultRunDir(): string {
  return process.env.RTNETLINK_NETNS_RUN_DIR || '/run/netns';
}

// The namespace this process runs in, by nsfs identity (stat, so no fd stays open).
let processNamespace: { dev: number; ino: number } | undefined;
function isProcessNamespace(ns: { dev: number; ino: number }): boolean {
  processNamespace ??= statSync('/proc/self/ns/net');
  return ns.dev === processNamespace.dev && ns.ino === processNamespace.ino;
}

function fail(errno: number, operation: string, target: string, what?: string): never {
  if (what && errno === 2 /* ENOENT */) throw new NotFoundError(errno, { operation, target, what });
  throw new NetlinkError(errno, { operation, target });
}

// Handles never closed by their owner close their fd when collected, and
// their connection too: its socket would otherwise stay open (and keep the
// namespace alive) for as long as the process runs.
interface Reaped { fd: number; conn?: Connection; ref: WeakRef<Namespace> }
const fdReaper = new FinalizationRegistry<Reaped>((r) => {
  r.conn?.close();
  native.closeFd(r.fd);
  liveHandles.delete(r.ref);
});
// Every open handle, so that a link's IFLA_LINK_NETNSID can be resolved to one of them.
const liveHandles = new Set<WeakRef<Namespace>>();

export class Namespace implements AsyncDisposable {
  private static currentHandle: Namespace | undefined;
  /** nsfs device and inode: `readlink /proc/PID/ns/net` shows net:[ino]. */
  readonly dev: number;
  readonly ino: number;
  private nsFd: number;
  private readonly reaped: Reaped;
  private conn: Connection | undefined;
  private closedBy: 'close' | 'delete' | undefined;
  private readonly nsidCache = new Map<number, Namespace>();

  // protected: lib/rootless.ts builds user-owned namespace handles on it.
  protected constructor(fd: number, readonly name: string | undefined, readonly path: string | undefined,
    readonly runDir: string | undefined, private readonly connectionOptions: ConnectionOptions = {}) {
    const [dev, ino] = native.netnsIdentity(fd);
    if (dev < 0) {
      native.closeFd(fd);
      fail(-dev, 'namespace.identify', name ?? path ?? `fd ${fd}`);
    }
    this.nsFd = fd;
    this.dev = dev;
    this.ino = ino;
    this.reaped = { fd, ref: new WeakRef(this) };
    fdReaper.register(this, this.reaped, this);
    liveHandles.add(this.reaped.ref);
  }

  /** The namespace this process runs in. */
  static current(): Namespace {
    if (!Namespace.currentHandle || Namespace.currentHandle.closedBy) {
      const fd = native.netnsOpen('/proc/self/ns/net');
      if (fd < 0) fail(-fd, 'namespace.current', '/proc/self/ns/net');
      Namespace.currentHandle = new Namespace(fd, undefined, '/proc/self/ns/net', undefined);
    }
    return Namespace.currentHandle;
  }

  /**
   * A new namespace. Named: bind-mounted at RUNDIR/NAME exactly like
   * `ip netns add NAME`, so iproute2 sees it. Anonymous: lives while this handle
   * (or anything in it, such as a veth end's peer socket) holds it.
   */
  static async create(name?: string, options: NamespaceOptions = {}): Promise<Namespace> {
    if (name !== undefined) v.namespaceName(name, 'name');
    const fd = native.netnsCreate();
    if (fd < 0) fail(-fd, 'namespace.create', name ?? '(anonymous)');
    if (name === undefined) return new Namespace(fd, undefined, undefined, undefined, options.connection);
    const runDir = options.runDir ?? defaultRunDir();
    const r = native.netnsMount(runDir, name, fd);
    if (r < 0) {
      native.closeFd(fd);
      fail(-r, 'namespace.create', `"${name}" in ${runDir}`);
    }
    return new Namespace(fd, name, path.join(runDir, name), runDir, options.connection);
  }

  /** Opens a named namespace (by name in the run directory) or any nsfs path (contains '/'). */
  /**
   * A network namespace owned by a new user namespace, made without root by a
   * helper child, as rootless container tools do (lib/rootless.ts).
   */
  static createRootless(options?: RootlessOptions): Promise<RootlessNamespace> {
    // Required lazily: lib/rootless.ts extends this class.
    return (require('./rootless') as typeof import('./rootless')).createRootless(options);
  }

  static async open(nameOrPath: string, options: NamespaceOptions = {}): Promise<Namespace> {
    if (typeof nameOrPath !== 'string' || nameOrPath === '') {
      throw new TypeError(`name: expected a namespace name or path, got ${describe(nameOrPath)}`);
    }
    const isPath = nameOrPath.includes('/');
    const runDir = options.runDir ?? defaultRunDir();
    const file = isPath ? nameOrPath : path.join(runDir, v.namespaceName(nameOrPath, 'name'));
    const fd = native.netnsOpen(file);
    if (fd < 0) {
      const what = isPath ? `namespace at ${file}` : `namespace "${nameOrPath}" (in ${runDir})`;
      if (-fd === 22 /* EINVAL */) throw new TypeError(`name: ${file} is not a network namespace`);
      fail(-fd, 'namespace.open', file, what);
    }
    return isPath
      ? new Namespace(fd, undefined, file, undefined, options.connection)
      : new Namespace(fd, nameOrPath, file, runDir, options.connection);
  }

  /** The network namespace of a process, e.g. a container's. */
  static async fromPid(pid: number, options: NamespaceOptions = {}): Promise<Namespace> {
    if (!Number.isInteger(pid) || pid <= 0) throw new TypeError(`pid: expected a positive integer, got ${describe(pid)}`);
    const file = `/proc/${pid}/ns/net`;
    const fd = native.netnsOpen(file);
    if (fd < 0) fail(-fd, 'namespace.open', file, `process ${pid}`);
    return new Namespace(fd, undefined, file, undefined, options.connection);
  }

  /** Like `ip netns identify PID`: the names (in the run directory) of PID's namespace. */
  static identify(pid: number, options: { runDir?: string } = {}): Promise<string[]> {
    return discovery.identify(pid, options.runDir ?? defaultRunDir());
  }

  /** Every namespace a process or bind mount holds, with names and pids, like `lsns -t net`. */
  static all(options: { runDir?: string } = {}): Promise<discovery.NamespaceInfo[]> {
    return discovery.all(options.runDir ?? defaultRunDir());
  }

  /** Like `ip netns attach NAME PID`: names PID's namespace (bind mount in the run directory) and opens it. */
  static async attach(name: string, pid: number, options: NamespaceOptions = {}): Promise<Namespace> {
    discovery.attach(name, pid, options.runDir ?? defaultRunDir());
    return Namespace.open(name, options);
  }

  /** Names of the named namespaces, like `ip netns list`. */
  static async list(options: { runDir?: string } = {}): Promise<string[]> {
    try {
      return (await fsp.readdir(options.runDir ?? defaultRunDir())).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  /** Deletes a named namespace by name, like `ip netns delete NAME`. */
  static async delete(name: string, options: { runDir?: string } = {}): Promise<void> {
    v.namespaceName(name, 'name');
    const runDir = options.runDir ?? defaultRunDir();
    const r = native.netnsUnmount(runDir, name);
    if (r < 0) fail(-r, 'namespace.delete', `"${name}" in ${runDir}`, `namespace "${name}" (in ${runDir})`);
  }

  /**
   * Deletes many namespaces; the kernel destroys them, and all their devices,
   * in one asynchronous cleanup pass (see model/teardown.ts).
   */
  static deleteMany(namespaces: readonly Namespace[]): Promise<void> {
    return deleteNamespaces(namespaces);
  }

  /** The namespace's fd (for IFLA_NET_NS_FD and friends). Throws once closed. */
  get fd(): number {
    this.assertOpen();
    return this.nsFd;
  }

  /** 'net:[4026532281]', as readlink /proc/PID/ns/net prints it. */
  get id(): string { return `net:[${this.ino}]`; }

  /** Same namespace, whatever handle or path it was opened through. */
  equals(other: Namespace): boolean {
    return other instanceof Namespace && other.dev === this.dev && other.ino === this.ino;
  }

  get isClosed(): boolean { return this.closedBy !== undefined; }

  /** The netlink connection bound to this namespace, opened on first use. */
  get connection(): Connection {
    this.assertOpen();
    // The process's own namespace needs no setns(2), which would need CAP_SYS_ADMIN.
    this.conn ??= this.reaped.conn = new Connection(isProcessNamespace(this) ? -1 : this.nsFd, this.connectionOptions);
    return this.conn;
  }

  get links(): LinkTable { return new LinkTable(this); }
  get addresses(): AddressTable { return new AddressTable(this); }
  get routes(): RouteTable { return new RouteTable(this); }
  /** `ip rule` (lib/model/rule.ts). */
  get rules(): RuleTable { return new RuleTable(this); }
  /** `ip neigh` (lib/model/neighbor.ts). */
  get neighbors(): NeighborTable { return new NeighborTable(this); }
  /** `bridge fdb` (lib/model/neighbor.ts). */
  get fdb(): FdbTable { return new FdbTable(this); }
  /** `ip nexthop` (lib/model/nexthop.ts). */
  get nexthops(): NexthopTable { return new NexthopTable(this); }
  /** `ip netns set/list-id`: ids this namespace has for others (lib/model/nsid.ts). */
  get nsids(): NsidTable { return new NsidTable(this); }
  /** Change events of `kinds` in this namespace, like `ip monitor` (lib/watch.ts). */
  watch(kinds: WatchKind[], options?: WatchOptions): Watcher { return watch(this, kinds, options); }
  /** Change events of `kinds` here and in every namespace with an nsid here, on one socket (NETLINK_LISTEN_ALL_NSID; lib/watch.ts). */
  watchAll(kinds: WatchKind[], options?: WatchAllOptions): AllNamespacesWatcher { return watchAll(this, kinds, options); }

  /**
   * Many operations in one go: sent many per sendmsg, every ACK checked,
   * results in order; stop at the first error, continue, or undo all (atomic).
   * `ns.batch(b => { b.routes.add(r1); b.links.delete('v0'); })` or
   * `ns.batch([['routes.add', r1], ['links.delete', 'v0']])`. See lib/batch.ts.
   */
  batch(build: ((b: BatchBuilder) => void) | readonly BatchOperation[], options?: BatchOptions): Promise<unknown[]> {
    return batch(this, build, options);
  }

  /** A TCP server listening inside this namespace; the process itself stays where it is. */
  createServer(options: sockets.ListenOptions, onConnection?: (s: Socket) => void): Promise<Server> {
    return sockets.createServer(this, options, onConnection);
  }
  /** A TCP connection from inside this namespace. */
  connect(options: sockets.ConnectOptions): Socket {
    return sockets.connect(this, options);
  }
  /** A bound UDP socket inside this namespace. */
  createUdpSocket(options: sockets.UdpOptions): Promise<UdpSocket> {
    return sockets.createUdpSocket(this, options);
  }

  /** child_process.spawn with the child inside this namespace, like `ip netns exec` (lib/process.ts). */
  spawn(command: string, args?: readonly string[] | proc.NamespaceSpawnOptions, options?: proc.NamespaceSpawnOptions): ChildProcess {
    return proc.spawn(this, command, args, options);
  }
  /** child_process.execFile with the child inside this namespace. */
  execFile(file: string, args?: readonly string[] | proc.NamespaceExecFileOptions | proc.ExecFileCallback | null,
    options?: proc.NamespaceExecFileOptions | proc.ExecFileCallback | null, callback?: proc.ExecFileCallback): ChildProcess {
    return proc.execFile(this, file, args, options, callback);
  }
  /** child_process.exec (a shell command string) with the shell inside this namespace. */
  exec(command: string, options?: (proc.NamespaceExecFileOptions & { shell?: string }) | proc.ExecFileCallback | null,
    callback?: proc.ExecFileCallback): ChildProcess {
    return proc.exec(this, command, options, callback);
  }
  /** This namespace's net.* sysctls: `ns.sysctl.set('net.ipv4.ip_forward', 1)`. */
  get sysctl(): Sysctl { return new Sysctl(this); }

  /** NAT over nf_tables in this namespace: masquerade, publish (the library's own `ip rtnetlink` table). */
  get nat(): Nat { return new Nat(this); }
  /** This namespace's forwarding policy over nf_tables (lib/firewall.ts). */
  get firewall(): Firewall { return new Firewall(this); }
  /** Like `ip netns pids`: the processes in this namespace. */
  pids(): Promise<number[]> { return discovery.pids(this); }
  /** The TCP/UDP sockets of this namespace, like `ss -tuna` run inside it (NETLINK_SOCK_DIAG). */
  sockets(filter?: sockdiag.SocketFilter): Promise<SocketInfo[]> { return sockdiag.sockets(this, filter); }

  /** Index of a link given as Link, name or index, checking it exists when named. */
  async linkIndex(ref: LinkRef, field: string): Promise<number> {
    if (ref instanceof Link) {
      if (!ref.namespace.equals(this)) throw new TypeError(`${field}: link "${ref.name}" belongs to ${ref.namespace}, not ${this}`);
      return ref.index;
    }
    if (typeof ref === 'number') return v.ifindex(ref, field);
    if (typeof ref === 'string') return (await this.links.get(v.linkName(ref, field))).index;
    throw new TypeError(`${field}: expected a Link, an interface name or an index, got ${describe(ref)}`);
  }

  /** The id this namespace uses for `other` (RTM_GETNSID), or undefined if none is assigned. */
  async nsidOf(other: Namespace, options: CallOptions = {}): Promise<number | undefined> {
    const [reply] = await this.connection.request(
      encodeNsid(C.RTM_GETNSID, C.NLM_F_REQUEST, { fd: other.fd }),
      { operation: 'nsid.get', target: `of ${other} in ${this}` }, options);
    const nsid = decodeNsid(reply).nsid;
    return nsid === undefined || nsid < 0 ? undefined : nsid;
  }

  /**
   * The namespace that `nsid` names from here (a link's IFLA_LINK_NETNSID),
   * searched among open handles and the named namespaces of the run directory.
   */
  async resolveNsid(nsid: number, options: CallOptions = {}): Promise<Namespace> {
    const cached = this.nsidCache.get(nsid);
    if (cached && !cached.isClosed && (await this.nsidOf(cached, options)) === nsid) return cached;
    const candidates: Namespace[] = [];
    for (const ref of liveHandles) {
      const ns = ref.deref();
      if (!ns || ns.isClosed) liveHandles.delete(ref);
      else candidates.push(ns);
    }
    for (const ns of candidates) {
      if (!ns.equals(this) && (await this.nsidOf(ns, options)) === nsid) return this.remember(nsid, ns);
    }
    const runDir = this.runDir ?? defaultRunDir();
    for (const name of await Namespace.list({ runDir })) {
      let ns: Namespace;
      try {
        ns = await Namespace.open(name, { runDir });
      } catch {
        continue; // not a namespace, or gone meanwhile
      }
      if ((await this.nsidOf(ns, options)) === nsid) return this.remember(nsid, ns);
      ns.close();
    }
    throw new NotFoundError(2, { operation: 'nsid.resolve', target: `${nsid} in ${this}`, what: `namespace with nsid ${nsid} (seen from ${this})` });
  }

  private remember(nsid: number, ns: Namespace): Namespace {
    this.nsidCache.set(nsid, ns);
    return ns;
  }

  /**
   * Deletes the namespace: a named one is unmounted and removed from the run
   * directory (like `ip netns delete`); then this handle closes. The kernel
   * destroys it, with its virtual devices, once nothing else holds it.
   */
  async delete(): Promise<void> {
    this.assertOpen();
    if (this.equals(Namespace.current())) throw new Error(`${this} is the namespace this process runs in; it cannot be deleted`);
    if (this.name !== undefined && this.runDir !== undefined) {
      const r = native.netnsUnmount(this.runDir, this.name);
      if (r < 0 && r !== -2) fail(-r, 'namespace.delete', `"${this.name}" in ${this.runDir}`);
    }
    this.release('delete');
  }

  /** Closes the connection and the fd; the namespace itself lives on if named. */
  close(): void {
    if (!this.closedBy) this.release('close');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  toString(): string {
    return this.name !== undefined ? `namespace "${this.name}"` : `namespace ${this.id}`;
  }

  private release(how: 'close' | 'delete'): void {
    this.closedBy = how;
    this.conn?.close();
    this.conn = undefined;
    this.nsidCache.clear();
    fdReaper.unregister(this);
    liveHandles.delete(this.reaped.ref);
    native.closeFd(this.nsFd);
    this.nsFd = -1;
  }

  private assertOpen(): void {
    if (this.closedBy) {
      throw new Error(`${this} is ${this.closedBy === 'delete' ? 'deleted' : 'closed'}; open it again to use it`);
    }
  }
}
