// Named namespaces appearing and disappearing in the run directory, like
// `ip netns monitor` (iproute2 ip/ipnetns.c: inotify IN_CREATE | IN_DELETE on
// the run directory). Node's fs.watch is inotify on Linux.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventStream } from './watch';
import { defaultRunDir } from './namespace';

/** A named namespace was added (`ip netns add`) or deleted in `runDir`. */
export interface NetnsEvent {
  readonly type: 'new' | 'delete';
  readonly kind: 'netns';
  readonly name: string;
  /** The bind-mount file: open it with Namespace.open(path). */
  readonly path: string;
}

export interface NetnsWatchOptions {
  /** The run directory; $RTNETLINK_NETNS_RUN_DIR, else /run/netns (created if missing, as `ip netns monitor` does). */
  runDir?: string;
  /** Deliver the names present now first, as 'new' events. */
  listExisting?: boolean;
  signal?: AbortSignal;
  /** Keep the process alive while watching (by default it does not). */
  keepAlive?: boolean;
}

/**
 * Watches the run directory. `ip netns add` creates the file and then mounts
 * the namespace on it, so, as with `ip netns monitor`, a 'new' event can come
 * a moment before Namespace.open(name) succeeds.
 *
 * fs.watch reports both creation and removal as 'rename', in order, however
 * late the process gets to them (inotify queues each; it merges only
 * identical consecutive events). So each 'rename' of a name flips it: unknown
 * → 'new', known → 'delete' — except that a 'delete' is not reported while
 * the file is still there (a name created between fs.watch and the initial
 * listing was listed already; a quick delete + re-add loses nothing that is
 * still true). A name added and removed before we look is still reported.
 */
export class NetnsWatcher extends EventStream<NetnsEvent> {
  readonly runDir: string;
  private readonly known = new Set<string>();
  private readonly watcher: fs.FSWatcher;

  constructor(options: NetnsWatchOptions = {}) {
    super(options.signal, 'netns.watch');
    this.runDir = options.runDir ?? defaultRunDir();
    fs.mkdirSync(this.runDir, { recursive: true, mode: 0o755 });
    // Watch first, then list, so that nothing created in between is missed.
    this.watcher = fs.watch(this.runDir, { persistent: options.keepAlive ?? false }, (_type, name) => {
      if (typeof name === 'string') this.check(name);
      else this.rescan();
    });
    this.watcher.on('error', (e) => this.fail(e));
    for (const name of fs.readdirSync(this.runDir)) {
      this.known.add(name);
      if (options.listExisting) this.queue.push(this.event('new', name));
    }
    if (this.queue.length > 0) queueMicrotask(() => this.pump());
  }

  protected release(): void {
    this.watcher.close();
  }

  private event(type: 'new' | 'delete', name: string): NetnsEvent {
    return { type, kind: 'netns', name, path: path.join(this.runDir, name) };
  }

  private check(name: string): void {
    if (this.closed) return;
    if (!this.known.has(name)) {
      this.known.add(name);
      this.queue.push(this.event('new', name));
    } else {
      if (fs.existsSync(path.join(this.runDir, name))) return;
      this.known.delete(name);
      this.queue.push(this.event('delete', name));
    }
    this.pump();
  }

  /** inotify overflowed (no name given): compare the whole directory. */
  private rescan(): void {
    const now = new Set(fs.readdirSync(this.runDir));
    for (const n of [...this.known]) if (!now.has(n)) this.check(n);
    for (const n of now) if (!this.known.has(n)) this.check(n);
  }
}

/** Named namespaces appearing and disappearing, like `ip netns monitor`. */
export function watchNamespaces(options: NetnsWatchOptions = {}): NetnsWatcher {
  return new NetnsWatcher(options);
}
