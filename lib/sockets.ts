// TCP and UDP sockets that live in a namespace while this process stays where
// it is: the addon creates the socket inside (a throwaway thread), Node adopts
// the fd and from then on it is an ordinary net.Server / net.Socket / dgram.Socket.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { native } from './native';
import { NetlinkError } from './errors';
import { parseIp } from './inet';
import { AF_INET, AF_INET6, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM } from './netlink/constants';
import type { Namespace } from './namespace';

export interface ListenOptions {
  port: number;
  /** Address to bind; '0.0.0.0' by default ('::' binds IPv6 and, by default, IPv4 too). */
  host?: string;
  backlog?: number;
  /**
   * The server to listen, e.g. `http.createServer(handler)` or an https/http2
   * server (any net.Server); a new net.Server by default.
   */
  server?: net.Server;
}

export interface ConnectOptions {
  port: number;
  host: string;
}

export interface UdpOptions {
  type: 'udp4' | 'udp6';
  /** Bind here; an ephemeral port on the wildcard address by default. */
  port?: number;
  address?: string;
}

function checkPort(port: unknown, field: string, allowZero = true): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new RangeError(`${field}: expected a port number ${allowZero ? 0 : 1}..65535, got ${String(port)}`);
  }
  return port;
}

function socketIn(ns: Namespace, domain: number, type: number, what: string): number {
  const fd = native.socketIn(ns.fd, domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw new NetlinkError(-fd, { operation: 'socket.create', target: `${what} in ${ns}` });
  return fd;
}

function bindIn(ns: Namespace, fd: number, host: string, port: number, what: string): void {
  const r = native.socketBind(fd, host, port);
  if (r < 0) {
    native.closeFd(fd);
    throw new NetlinkError(-r, { operation: 'socket.bind', target: `${what} ${host}:${port} in ${ns}` });
  }
}

/** A listening TCP server inside `ns`. */
export function createServer(ns: Namespace, options: ListenOptions, onConnection?: (s: net.Socket) => void): Promise<net.Server> {
  const host = options.host ?? '0.0.0.0';
  const ip = parseIp(host, 'host');
  const port = checkPort(options.port, 'port');
  const fd = socketIn(ns, ip.family === 4 ? AF_INET : AF_INET6, SOCK_STREAM, 'tcp server');
  bindIn(ns, fd, host, port, 'tcp server');
  const server = options.server ?? net.createServer(onConnection);
  if (options.server && onConnection) server.on('connection', onConnection);
  return new Promise((resolve, reject) => {
    // Only our own listener goes afterwards: a caller's server may have its own.
    const onError = (e: Error) => { native.closeFd(fd); reject(e); };
    server.once('error', onError);
    server.listen({ fd, backlog: options.backlog }, () => {
      server.removeListener('error', onError);
      resolve(server);
    });
  });
}

/** A TCP connection made from inside `ns`. */
export function connect(ns: Namespace, options: ConnectOptions): net.Socket {
  const ip = parseIp(options.host, 'host');
  const port = checkPort(options.port, 'port', false);
  const fd = socketIn(ns, ip.family === 4 ? AF_INET : AF_INET6, SOCK_STREAM, 'tcp client');
  const socket = new net.Socket({ fd, readable: true, writable: true });
  return socket.connect(port, options.host);
}

/** A bound UDP socket inside `ns`. */
export function createUdpSocket(ns: Namespace, options: UdpOptions): Promise<dgram.Socket> {
  if (options.type !== 'udp4' && options.type !== 'udp6') {
    throw new TypeError(`type: expected 'udp4' or 'udp6', got ${String(options.type)}`);
  }
  const v6 = options.type === 'udp6';
  const address = options.address ?? (v6 ? '::' : '0.0.0.0');
  const ip = parseIp(address, 'address');
  if (ip.family !== (v6 ? 6 : 4)) throw new TypeError(`address: expected an IPv${v6 ? 6 : 4} address for ${options.type}, got "${address}"`);
  const fd = socketIn(ns, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 'udp socket');
  bindIn(ns, fd, address, checkPort(options.port ?? 0, 'port'), 'udp socket');
  const socket = dgram.createSocket(options.type);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ fd } as dgram.BindOptions & { fd: number }, () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
  });
}
