// The library's errors: kernel failures (NetlinkError), lookups that found
// nothing (NotFoundError), and input rejected before anything was sent.
import { getSystemErrorName } from 'node:util';

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-Math.abs(errno));
  } catch {
    return `E${errno}`;
  }
}

export interface NetlinkErrorDetails {
  /** What was attempted, e.g. 'link.add'. */
  operation: string;
  /** A short summary of the request, e.g. 'veth "veth0" peer "eth0"'. */
  target?: string;
  /** The kernel's extended-ack text, when it sent one. */
  extAck?: string;
  /** Offset of the attribute the kernel blamed, when it said. */
  extAckOffset?: number;
}

/** A capability the kernel checks before a change (capabilities(7)). */
export type Capability = 'CAP_NET_ADMIN' | 'CAP_SYS_ADMIN';

// Operations whose EPERM comes from unshare(2), setns(2) or mount(2) on a
// throwaway thread: all three check CAP_SYS_ADMIN (setns(2) in both the
// caller's and the target namespace's owning user namespace).
const SYS_ADMIN_OPERATIONS = /^(namespace\.|netlink\.open$|socket\.create$|sysctl\.|process\.)/;
// Operations that are rtnetlink requests: the kernel's rtnetlink_rcv_msg()
// (net/core/rtnetlink.c) refuses every change without
// netlink_net_capable(skb, CAP_NET_ADMIN), i.e. CAP_NET_ADMIN in the user
// namespace that owns the socket's network namespace.
const NET_ADMIN_OPERATIONS = /^(link|address|route|rule|neigh|fdb|nexthop|nsid|netlink|batch)\./;

/**
 * The capability whose absence explains an EPERM from `operation`, or
 * undefined when the error is not EPERM or the operation checks none.
 */
export function missingCapability(errno: number, operation: string): Capability | undefined {
  if (Math.abs(errno) !== 1 /* EPERM */) return undefined;
  if (SYS_ADMIN_OPERATIONS.test(operation)) return 'CAP_SYS_ADMIN';
  if (NET_ADMIN_OPERATIONS.test(operation)) return 'CAP_NET_ADMIN';
  return undefined;
}

function capabilityHint(capability: Capability): string {
  return capability === 'CAP_NET_ADMIN'
    ? 'CAP_NET_ADMIN is missing in the user namespace that owns this network namespace'
    : 'CAP_SYS_ADMIN is missing (creating, mounting or entering a network namespace needs it)';
}

/** A request the kernel (or the socket) refused. */
export class NetlinkError extends Error {
  override readonly name: string = 'NetlinkError';
  /** Positive errno, e.g. 17. */
  readonly errno: number;
  /** Symbolic code, e.g. 'EEXIST'. */
  readonly code: string;
  readonly operation: string;
  readonly target?: string;
  readonly extAck?: string;
  readonly extAckOffset?: number;
  /**
   * For EPERM: the capability the operation needs and the caller lacks
   * (CAP_NET_ADMIN for rtnetlink changes, CAP_SYS_ADMIN for creating,
   * mounting or entering a namespace). The message says it too.
   */
  readonly missingCapability?: Capability;

  constructor(errno: number, details: NetlinkErrorDetails) {
    const code = errnoName(errno);
    const what = details.target ? `${details.operation} ${details.target}` : details.operation;
    const capability = missingCapability(errno, details.operation);
    let why = details.extAck ? `${code}: ${details.extAck}` : code;
    if (capability) why += ` (${capabilityHint(capability)})`;
    super(`${what} failed: ${why}`);
    this.missingCapability = capability;
    this.errno = Math.abs(errno);
    this.code = code;
    this.operation = details.operation;
    this.target = details.target;
    this.extAck = details.extAck;
    this.extAckOffset = details.extAckOffset;
  }
}

/** A lookup (link by name, namespace by name …) that found nothing. */
export class NotFoundError extends NetlinkError {
  override readonly name = 'NotFoundError';
  constructor(errno: number, details: NetlinkErrorDetails & { what: string }) {
    super(errno, details);
    this.message = `${details.what} not found` + (details.extAck ? ` (${details.extAck})` : '');
  }
}

/** The request timed out or was aborted before the kernel answered. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  readonly code: string;
  constructor(message: string, code: 'ETIMEDOUT' | 'ABORT_ERR', readonly operation: string) {
    super(message);
    this.code = code;
  }
}

/** Throws a TypeError naming the field and the value when `ok` is false. */
export function check(ok: boolean, field: string, value: unknown, expected: string): asserts ok {
  if (!ok) throw new TypeError(`${field}: ${expected}, got ${describe(value)}`);
}

/** Throws a RangeError naming the field and the value when `ok` is false. */
export function checkRange(ok: boolean, field: string, value: unknown, expected: string): asserts ok {
  if (!ok) throw new RangeError(`${field}: ${expected}, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
