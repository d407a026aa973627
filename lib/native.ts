// Loads the C++ addon and describes exactly what crosses the N-API boundary.
// Only Buffers, arrays of Buffers and integers cross; every primitive returns
// a non-negative result or -errno, like libuv.
import * as path from 'node:path';

/** A netlink socket bound for life to the namespace it was opened in. */
export interface NativeNetlinkSocket {
  readonly fd: number;
  /** The kernel-assigned port id (nl_pid from getsockname). */
  readonly portId: number;
  /** One sendmsg(2) whose iovec is `buffers`. Returns bytes sent or -errno. */
  send(buffers: Buffer[]): number;
  /**
   * Starts uv_poll on the fd. On each wake-up at most 64 datagrams are read;
   * `onData` receives them concatenated into one Buffer (netlink datagrams hold
   * whole, 4-byte-aligned messages, so the concatenation parses as a stream).
   * `onError` receives -errno (e.g. -ENOBUFS when the kernel dropped messages,
   * -EMSGSIZE when a datagram was truncated); polling continues after it.
   *
   * With `shared` (a Buffer JS keeps): each wake-up's datagrams are read into
   * `shared` and onData gets their byte length instead of a new Buffer — valid
   * only until onData returns, so JS copies what it keeps. If a datagram needs
   * more than half of `shared`, that wake-up falls back to a Buffer copy.
   */
  start(onData: (chunk: Buffer) => void, onError: (errno: number) => void): void;
  start(onData: (chunk: Buffer | number) => void, onError: (errno: number) => void, shared: Buffer): void;
  /**
   * With setListenAllNsid(true), onData gets a second argument: an Int32Array
   * of (byte offset in the chunk, nsid) pairs, one per datagram, in order;
   * nsid -1 when the datagram carried no NETLINK_LISTEN_ALL_NSID cmsg (it came
   * from this socket's own namespace, or is a unicast reply).
   */
  start(onData: (chunk: Buffer | number, origins?: Int32Array) => void, onError: (errno: number) => void, shared?: Buffer): void;
  ref(): void;
  unref(): void;
  /**
   * Stops reading (uv_poll_stop) until resume(). A netlink dump is paced by its
   * reader, so the kernel stops producing too: this is the back-pressure of
   * streaming dumps. ACKs and notifications wait in the receive buffer meanwhile.
   * Optional so that injected sockets (a fake kernel) need not implement it.
   */
  pause?(): void;
  /** Reads again after pause(). 0 or a negative libuv error. */
  resume?(): number;
  /**
   * On: each wake-up's datagrams are read on a libuv pool thread, and the next
   * burst is read while onData handles the last (a dump's kernel work overlaps
   * its decoding); onData then always gets a new Buffer. Off (the default):
   * read on the main thread. Optional so that injected sockets need not
   * implement it.
   */
  setReadAhead?(on: boolean): void;
  /** Stops polling and closes the fd. Idempotent. */
  close(): void;
  /** NETLINK_ADD_MEMBERSHIP / NETLINK_DROP_MEMBERSHIP. 0 or -errno. */
  addMembership(group: number): number;
  dropMembership(group: number): number;
  /** setsockopt(fd, level, name, &int, 4). 0 or -errno. */
  setIntOption(level: number, name: number, value: number): number;
  /**
   * setsockopt NETLINK_LISTEN_ALL_NSID (man 7 netlink) and the receive mode
   * that reads each datagram's nsid cmsg with recvmsg(2) (see start()). 0 or
   * -errno. Optional so that injected sockets need not implement it.
   */
  setListenAllNsid?(on: boolean): number;
}

export interface NativeBinding {
  /**
   * Opens a netlink socket of `protocol` inside the namespace `nsFd` on a
   * short-lived thread (nsFd = -1: the caller's namespace, no thread), with
   * SOCK_RAW|SOCK_CLOEXEC|SOCK_NONBLOCK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK
   * (protocol 0 only), NETLINK_CAP_ACK, SO_RCVBUFFORCE/SO_SNDBUFFORCE as given
   * (falling back to the non-FORCE options), and bound. Returns fd or -errno.
   */
  netlinkOpen(nsFd: number, protocol: number, rcvbuf: number, sndbuf: number): number;
  /** Wraps an fd from netlinkOpen. The socket owns the fd from then on. */
  NetlinkSocket: new (fd: number) => NativeNetlinkSocket;

  /** unshare(CLONE_NEWNET) on a throwaway thread; returns an O_CLOEXEC fd of the new namespace or -errno. */
  netnsCreate(): number;
  /** open(path, O_RDONLY|O_CLOEXEC) and check it is a network namespace (NS_GET_NSTYPE); fd, -errno, or -EINVAL when it is not one. */
  netnsOpen(path: string): number;
  /** fstat: [st_dev, st_ino] of the nsfs inode, or [-errno, 0]. */
  netnsIdentity(fd: number): [number, number];
  /** Like `ip netns add`: run dir made and shared, file created (O_EXCL), ns bind-mounted onto it. 0 or -errno. */
  netnsMount(runDir: string, name: string, nsFd: number): number;
  /** Like `ip netns delete`: umount2(MNT_DETACH) then unlink. 0 or -errno. */
  netnsUnmount(runDir: string, name: string): number;
  /** socket(domain, type, protocol) created inside nsFd on a throwaway thread. fd or -errno. */
  socketIn(nsFd: number, domain: number, type: number, protocol: number): number;
  /**
   * bind(2) fd to an IPv4/IPv6 address text and port (SO_REUSEADDR set first
   * for stream sockets, as Node's own servers do). 0 or -errno (-EINVAL for bad text).
   */
  socketBind(fd: number, address: string, port: number): number;
  /** close(2). 0 or -errno. */
  closeFd(fd: number): number;
  /**
   * open(path, flags|O_CLOEXEC) on a throwaway thread that entered nsFd, so
   * per-namespace files (/proc/sys/net/...) resolve to that namespace's copy
   * for the life of the fd (native/openin.cc says why). fd or -errno.
   */
  openIn(nsFd: number, path: string, flags: number): number;
  /**
   * A persistent tun/tap device made through /dev/net/tun on a throwaway thread
   * inside nsFd: TUNSETIFF with IFF_* `flags`, TUNSETOWNER/TUNSETGROUP when
   * owner/group >= 0, TUNSETPERSIST, close. 0 or -errno.
   */
  tunCreate(nsFd: number, name: string, flags: number, owner: number, group: number): number;

  /** socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC): [fd0, fd1] or [-errno, -1] (native/fdpass.cc). */
  socketPair(): [number, number];
  /** One sendmsg(2) of `data` with `fds` attached (SCM_RIGHTS, at most 16). Bytes sent or -errno. */
  sendFds(fd: number, data: Buffer, fds: number[]): number;
  /**
   * Waits up to timeoutMs (poll), then one recvmsg(2) with MSG_CMSG_CLOEXEC:
   * the datagram (length 0 at end of file) and the fds that came with it (the
   * caller owns them), or -errno: -ETIMEDOUT, -EMSGSIZE when truncated.
   */
  recvFds(fd: number, maxBytes: number, timeoutMs: number): { data: Buffer; fds: number[] } | number;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
const load = require('node-gyp-build') as (dir: string) => unknown;

/** Package root: works from lib/ (ts-jest) and from dist/lib/ (compiled). */
function packageRoot(): string {
  let dir = __dirname;
  while (!require('node:fs').existsSync(path.join(dir, 'binding.gyp'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('rtnetlink: cannot find the package root (binding.gyp)');
    dir = up;
  }
  return dir;
}

// RTNETLINK_NATIVE names an addon file to load instead (the sanitizer build of
// scripts/test-asan.sh); otherwise node-gyp-build finds build/Release or prebuilds/.
export const native = (process.env.RTNETLINK_NATIVE
  ? require(path.resolve(process.env.RTNETLINK_NATIVE))
  : load(packageRoot())) as NativeBinding;

/** The package root (binding.gyp, build/): where the nsexec shim of lib/process.ts is found too. */
export const packageDir = packageRoot();

/**
 * A helper program built beside the addon (nsexec, userns-helper): build/Release,
 * build/Debug, or the prebuilt one in prebuilds/PLATFORM-ARCH; undefined if none.
 */
export function helperBinary(name: string): string | undefined {
  for (const dir of ['build/Release', 'build/Debug', `prebuilds/${process.platform}-${process.arch}`]) {
    const candidate = path.join(packageDir, dir, name);
    if (require('node:fs').existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Opens sockets and files inside a namespace this process cannot setns(2)
 * into — a user-owned one (lib/rootless.ts) — through a helper living there.
 * Same results as the native calls: fd or -errno.
 */
export interface NamespaceOpener {
  /** nsfs identity of the namespace fd it serves, checked on every call (fd numbers are reused). */
  readonly dev: number;
  readonly ino: number;
  netlinkOpen(protocol: number, rcvbuf: number, sndbuf: number): number;
  socketIn(domain: number, type: number, protocol: number): number;
  openIn(path: string, flags: number): number;
}

/**
 * Openers by namespace fd: native.netlinkOpen/socketIn/openIn on such an fd go
 * to its opener, so every module that opens sockets in a namespace (connection,
 * watch, sock_diag, sockets, sysctl) works in a user-owned one unchanged.
 */
export const namespaceOpeners = new Map<number, NamespaceOpener>();
{
  const direct = { netlinkOpen: native.netlinkOpen, socketIn: native.socketIn, openIn: native.openIn };
  const opener = (nsFd: number): NamespaceOpener | undefined => {
    const o = namespaceOpeners.get(nsFd);
    if (!o) return undefined;
    const [dev, ino] = native.netnsIdentity(nsFd);
    return dev === o.dev && ino === o.ino ? o : undefined;
  };
  native.netlinkOpen = (nsFd, protocol, rcvbuf, sndbuf) =>
    opener(nsFd)?.netlinkOpen(protocol, rcvbuf, sndbuf) ?? direct.netlinkOpen(nsFd, protocol, rcvbuf, sndbuf);
  native.socketIn = (nsFd, domain, type, protocol) =>
    opener(nsFd)?.socketIn(domain, type, protocol) ?? direct.socketIn(nsFd, domain, type, protocol);
  native.openIn = (nsFd, file, flags) => opener(nsFd)?.openIn(file, flags) ?? direct.openIn(nsFd, file, flags);
}
