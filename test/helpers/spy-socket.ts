// A real netlink socket inside a namespace, wrapped so a test can see what the
// connection asks of it (pause, resume, setReadAhead) and what each wake-up
// hands over (a Buffer, or the length of what was read into the shared one).
import { Namespace } from '../../lib';
import { Connection } from '../../lib/connection';
import { native, NativeNetlinkSocket } from '../../lib/native';

export interface SpySocket {
  socket: NativeNetlinkSocket;
  /** 'pause', 'resume', 'readAhead true|false', in order. */
  calls: string[];
  /** Wake-ups handed over as a Buffer / as a length into the shared Buffer. */
  chunks: { buffer: number; length: number };
}

export interface SpyOptions {
  /** Runs before each wake-up is handed to the connection. */
  onData?: () => void;
  /** false: ignore the connection's shared receive Buffer (every wake-up arrives as a Buffer). */
  shared?: boolean;
}

export function spySocket(ns: Namespace, { onData, shared: useShared = true }: SpyOptions = {}): SpySocket {
  const real = new native.NetlinkSocket(native.netlinkOpen(ns.fd, 0, 8 << 20, 1 << 20));
  const calls: string[] = [];
  const chunks = { buffer: 0, length: 0 };
  const socket: NativeNetlinkSocket = {
    get fd() { return real.fd; },
    get portId() { return real.portId; },
    send: (b) => real.send(b),
    start: ((d: (c: Buffer | number) => void, e: (errno: number) => void, shared?: Buffer) => real.start((c: Buffer | number) => {
      chunks[typeof c === 'number' ? 'length' : 'buffer']++;
      onData?.();
      d(c);
    }, e, (useShared ? shared : undefined) as Buffer)) as NativeNetlinkSocket['start'],
    ref: () => real.ref(),
    unref: () => real.unref(),
    close: () => real.close(),
    addMembership: (g) => real.addMembership(g),
    dropMembership: (g) => real.dropMembership(g),
    setIntOption: (l, n, v) => real.setIntOption(l, n, v),
    pause: () => { calls.push('pause'); real.pause?.(); },
    resume: () => { calls.push('resume'); return real.resume?.() ?? 0; },
    setReadAhead: (on) => { calls.push(`readAhead ${on}`); real.setReadAhead?.(on); },
  };
  return { socket, calls, chunks };
}

/** `ns` as seen through a connection over `socket` (its tables use that connection). */
export function viewThrough(ns: Namespace, socket: NativeNetlinkSocket): { view: Namespace; conn: Connection } {
  const conn = new Connection(-1, { socket });
  return { view: Object.create(ns, { connection: { value: conn } }) as Namespace, conn };
}
