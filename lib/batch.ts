// Batches: many operations on one namespace, sent many per sendmsg with a
// bounded window, every ACK checked, each operation's result or error returned
// in order; stop at the first error or go on; atomic batches undo what
// succeeded when something fails.
//
// Operations are the ordinary verbs (ns.routes.add …), started in order: the
// next one starts as soon as the previous one has queued its request, and the
// connection is corked meanwhile, so a whole window leaves in one sendmsg in
// batch order and the kernel applies it in that order. (An operation that must
// first look something up, such as a link given by name, sends its change once
// the answer is back: later operations may then overtake it.)
import type { Namespace } from './namespace';
import type { CallOptions } from './connection';
import type { LinkTable } from './model/link';
import type { AddressTable, Address } from './model/address';
import type { RouteTable, Route, RouteSpec } from './model/route';
import { AbortError, describe } from './errors';
import { deleteLinks } from './model/teardown';

/** The tables a batch can hold operations of. */
export type BatchTables = { links: LinkTable; addresses: AddressTable; routes: RouteTable };
/** 'links' | 'addresses' | 'routes'. */
export type BatchTableName = keyof BatchTables;
/** The verbs (methods returning a Promise) of a table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BatchVerbOf<T> = { [K in keyof T]: T[K] extends (...args: any[]) => Promise<unknown> ? K : never }[keyof T] & string;

/** `b.routes.add(spec)` records the operation and returns its index in the results. */
export type BatchTable<T> = { [K in BatchVerbOf<T>]: T[K] extends (...a: infer A) => Promise<unknown> ? (...args: A) => number : never };

/** The array form: ['routes.add', spec], ['links.delete', 'veth0'], … */
export type BatchOperation = {
  [T in BatchTableName]: { [V in BatchVerbOf<BatchTables[T]>]: BatchTables[T][V] extends (...a: infer A) => Promise<unknown> ? [`${T}.${V}`, ...A] : never }[BatchVerbOf<BatchTables[T]>]
}[BatchTableName];

export interface BatchBuilder {
  readonly links: BatchTable<LinkTable>;
  readonly addresses: BatchTable<AddressTable>;
  readonly routes: BatchTable<RouteTable>;
  /**
   * Any other step: `run(ns)` is called in its turn. For an atomic batch, give
   * `undo(result, ns)` too.
   */
  custom<T>(label: string, run: (ns: Namespace) => Promise<T>, undo?: (result: T, ns: Namespace) => Promise<unknown>): number;
}

export interface BatchOptions {
  /**
   * 'stop' (default): after the first failure nothing more is sent; operations
   * already in flight complete (the kernel applies them) and are reported; the
   * rest are 'skipped'. 'continue': every operation is attempted.
   */
  onError?: 'stop' | 'continue';
  /**
   * When an operation fails, undo every operation that succeeded (in reverse
   * order), so that nothing half-made remains. Implies onError 'stop'. Only
   * operations with an inverse are allowed: adds, reads, and deletes given the
   * object a list returned (a Route or an Address); anything else is refused
   * before anything is sent.
   */
  atomic?: boolean;
  /** Most operations in flight at once; 1024 (the connection's ACK window). */
  window?: number;
  /** Stops starting operations once aborted (those in flight complete). */
  signal?: AbortSignal;
}

export type BatchResult<T = unknown> =
  | { status: 'fulfilled'; value: T }
  | { status: 'rejected'; reason: unknown }
  | { status: 'skipped' };

/** A batch with failures: every operation's outcome, in order. */
export class BatchError extends Error {
  override readonly name = 'BatchError';
  constructor(
    readonly results: BatchResult[],
    /** Atomic batches: whether every successful operation was undone. */
    readonly undone: boolean,
    /** Atomic batches: undo steps that failed themselves (what may remain). */
    readonly undoErrors: unknown[],
  ) {
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    const first = results[failed[0]] as { reason: unknown } | undefined;
    const why = first ? (first.reason instanceof Error ? first.reason.message : String(first.reason)) : 'aborted';
    const skipped = results.filter((r) => r.status === 'skipped').length;
    super(`batch: ${failed.length} of ${results.length} operations failed` +
      (failed.length ? ` (first: #${failed[0]}: ${why})` : '') +
      (skipped ? `; ${skipped} skipped` : '') +
      (undone ? '; the others were undone' : undoErrors.length ? `; ${undoErrors.length} undo steps failed too` : ''));
  }
  /** The failures, with their index. */
  get errors(): { index: number; error: unknown }[] {
    return this.results.flatMap((r, i) => (r.status === 'rejected' ? [{ index: i, error: r.reason }] : []));
  }
}

interface Op {
  label: string;
  run: (ns: Namespace) => Promise<unknown>;
  undo?: (result: unknown, ns: Namespace) => Promise<unknown>;
  /** links.delete of one ref: contiguous ones are merged into one group delete. */
  deleteRef?: unknown;
  deleteOptions?: CallOptions;
}

const TABLES: readonly BatchTableName[] = ['links', 'addresses', 'routes'];
const READS = new Set(['list', 'get', 'find']);

function isRoute(x: unknown): x is Route {
  return typeof x === 'object' && x !== null && 'raw' in x && 'to' in x && 'table' in x;
}
function isAddress(x: unknown): x is Address {
  return typeof x === 'object' && x !== null && 'linkIndex' in x && 'cidr' in x;
}

/** The inverse of a verb, from its arguments and result; undefined: it has none. */
function inverseOf(table: BatchTableName, verb: string, args: unknown[]): Op['undo'] | undefined {
  if (READS.has(verb)) return async () => undefined;
  if (verb === 'add' || (table === 'links' && verb.startsWith('add'))) {
    if (table === 'links') {
      return (r, ns) => {
        // addVeth resolves with [end, peer]: deleting one end deletes both.
        const link = Array.isArray(r) ? r[0] : r;
        return ns.links.delete(link);
      };
    }
    if (table === 'addresses') return (r, ns) => ns.addresses.delete(r as Address);
    if (table === 'routes') return (r, ns) => ns.routes.delete(r as Route);
  }
  if (verb === 'delete' && table === 'routes' && isRoute(args[0])) {
    const r = args[0];
    const spec: RouteSpec = {
      to: r.to, family: r.family, via: r.via, dev: r.dev, src: r.src, metric: r.metric, table: r.table,
      protocol: r.protocol, scope: r.scope, type: typeof r.type === 'string' ? r.type : undefined,
    };
    return (_r, ns) => ns.routes.add(spec);
  }
  if (verb === 'delete' && table === 'addresses' && isAddress(args[0])) {
    const a = args[0];
    return (_r, ns) => ns.addresses.add({ link: a.linkIndex, address: a.cidr, peer: a.peer, broadcast: a.broadcast, label: a.label });
  }
  return undefined;
}

/** Records operations for `ns.batch(b => …)`, validating names (and undo-ability when atomic) as it goes. */
function makeBuilder(ns: Namespace, ops: Op[], atomic: boolean): BatchBuilder {
  const record = (table: BatchTableName, verb: string, args: unknown[]): number => {
    const t = ns[table] as unknown as Record<string, unknown>;
    if (typeof verb !== 'string' || typeof t[verb] !== 'function' || verb === 'constructor' || verb.startsWith('_')) {
      throw new TypeError(`batch: ${table}.${String(verb)} is not an operation of ns.${table}`);
    }
    const label = `${table}.${verb}`;
    // The inverse matters to atomic batches only (a closure per operation otherwise).
    const undo = atomic ? inverseOf(table, verb, args) : undefined;
    if (atomic && !undo) {
      throw new TypeError(`batch: ${label}(${args.map(describe).join(', ')}) cannot be undone, so it cannot be part of an atomic batch` +
        (verb === 'delete' ? ' (pass the Route or Address object a list returned)' : ''));
    }
    const op: Op = {
      label, undo,
      run: (n) => (n[table] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[verb](...args),
    };
    if (label === 'links.delete' && args.length >= 1 && !Array.isArray(args[0])) {
      op.deleteRef = args[0];
      op.deleteOptions = args[1] as CallOptions | undefined;
    }
    ops.push(op);
    return ops.length - 1;
  };
  const table = (name: BatchTableName): never => {
    const verbs = new Map<string | symbol, (...args: unknown[]) => number>();
    return new Proxy({}, {
      get: (_t, verb) => {
        let f = verbs.get(verb);
        if (!f) verbs.set(verb, f = (...args: unknown[]) => record(name, verb as string, args));
        return f;
      },
    }) as never;
  };
  return {
    links: table('links'), addresses: table('addresses'), routes: table('routes'),
    custom(label, run, undo) {
      if (typeof run !== 'function') throw new TypeError(`batch: custom "${label}": run must be a function, got ${describe(run)}`);
      if (atomic && typeof undo !== 'function') throw new TypeError(`batch: custom "${label}" has no undo, so it cannot be part of an atomic batch`);
      ops.push({ label, run, undo: undo as Op['undo'] });
      return ops.length - 1;
    },
  };
}

/** Turns the array form into recorded operations. */
function fromArray(b: BatchBuilder, list: readonly BatchOperation[]): void {
  list.forEach((item, i) => {
    if (!Array.isArray(item) || typeof item[0] !== 'string') {
      throw new TypeError(`operations[${i}]: expected ['table.verb', ...args], got ${describe(item)}`);
    }
    const [name, ...args] = item as [string, ...unknown[]];
    const [table, verb] = name.split('.');
    if (!TABLES.includes(table as BatchTableName) || !verb) {
      throw new TypeError(`operations[${i}]: expected "links.*", "addresses.*" or "routes.*", got ${describe(name)}`);
    }
    (b[table as BatchTableName] as unknown as Record<string, (...a: unknown[]) => number>)[verb](...args);
  });
}

/**
 * Runs a batch on `ns` (see BatchOptions). Resolves with each operation's
 * result in order; rejects with BatchError (carrying every outcome) when
 * any operation failed. Validation errors while recording throw before
 * anything is sent.
 */
export async function batch(ns: Namespace, build: ((b: BatchBuilder) => void) | readonly BatchOperation[],
  options: BatchOptions = {}): Promise<unknown[]> {
  const ops: Op[] = [];
  const atomic = options.atomic === true;
  const b = makeBuilder(ns, ops, atomic);
  if (typeof build === 'function') build(b);
  else if (Array.isArray(build)) fromArray(b, build);
  else throw new TypeError(`batch: expected a function (b => …) or an array of operations, got ${describe(build)}`);
  if (options.onError !== undefined && options.onError !== 'stop' && options.onError !== 'continue') {
    throw new TypeError(`onError: expected 'stop' or 'continue', got ${describe(options.onError)}`);
  }
  const window = options.window ?? 1024;
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window: expected a positive integer, got ${describe(window)}`);

  const results = await execute(ns, mergeLinkDeletes(ops, atomic), ops.length, {
    stop: atomic || options.onError !== 'continue', window, signal: options.signal,
  });
  if (results.every((r) => r.status === 'fulfilled')) return results.map((r) => (r as { value: unknown }).value);

  let undone = false;
  const undoErrors: unknown[] = [];
  if (atomic) {
    const steps: Op[] = [];
    for (let i = results.length - 1; i >= 0; i--) {
      const r = results[i];
      const undo = ops[i].undo;
      if (r.status === 'fulfilled' && undo) steps.push({ label: `undo ${ops[i].label}`, run: (n) => undo(r.value, n) });
    }
    // Reverse order matters (an address before its link …): one at a time.
    const undoResults = await execute(ns, steps.map((op, i) => ({ op, indices: [i] })), steps.length, { stop: false, window: 1 });
    for (const r of undoResults) if (r.status === 'rejected') undoErrors.push(r.reason);
    undone = undoErrors.length === 0;
  }
  throw new BatchError(results, undone, undoErrors);
}

interface Unit { op: Op; indices: number[] }

/** Contiguous links.delete operations become one group delete (model/teardown.ts). */
function mergeLinkDeletes(ops: Op[], atomic: boolean): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < ops.length;) {
    let j = i;
    while (!atomic && j < ops.length && ops[j].deleteRef !== undefined) j++;
    if (j - i >= 2) {
      const refs = ops.slice(i, j).map((o) => o.deleteRef);
      const callOptions = ops[i].deleteOptions;
      units.push({
        op: { label: 'links.delete', run: (ns) => deleteLinks(ns, refs as never, callOptions) },
        indices: Array.from({ length: j - i }, (_, k) => i + k),
      });
      i = j;
    } else {
      units.push({ op: ops[i], indices: [i] });
      i++;
    }
  }
  return units;
}

/** Starts units in order, each once the previous one has queued a request, at most `window` at a time. */
function execute(ns: Namespace, units: Unit[], count: number,
  o: { stop: boolean; window: number; signal?: AbortSignal }): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array(count).fill(undefined);
  if (units.length === 0) return Promise.resolve(results);
  const conn = ns.connection;
  return new Promise((resolve) => {
    let next = 0;
    let running = 0;
    let failed = false;
    let corked = false;
    let startQueued = false;
    // A full window refills once half of it is answered: fewer, fuller sendmsg
    // calls (ACKs arrive ≤ 64 per wake-up) while half a window stays in flight.
    let refilling = false;
    // Requests issued while corked leave together once the microtasks have run.
    const cork = (): void => {
      if (corked) return;
      corked = true;
      conn.cork();
      setImmediate(() => { corked = false; conn.uncork(); });
    };
    const finish = (): void => {
      off();
      for (let i = 0; i < results.length; i++) results[i] ??= { status: 'skipped' };
      resolve(results);
    };
    const settle = (u: Unit, r: BatchResult | PromiseSettledResult<void>[]): void => {
      running--;
      if (Array.isArray(r)) {
        r.forEach((x, k) => { results[u.indices[k]] = x.status === 'fulfilled' ? { status: 'fulfilled', value: undefined } : x; });
      } else {
        for (const i of u.indices) results[i] = r;
      }
      if (u.indices.some((i) => results[i].status === 'rejected')) failed = true;
      startNext();
    };
    const startNext = (): void => {
      startQueued = false;
      if (o.signal?.aborted && next < units.length) {
        if (!failed) {
          results[units[next].indices[0]] = { status: 'rejected', reason: new AbortError('batch aborted', 'ABORT_ERR', 'batch') };
          failed = true;
        }
        next = units.length;
      }
      const stopped = failed && o.stop;
      if (next >= units.length || stopped) {
        if (running === 0) finish();
        return;
      }
      if (running >= o.window) { refilling = true; return; }
      if (refilling && running > o.window >> 1) return;
      refilling = false;
      const u = units[next++];
      running++;
      cork();
      let p: Promise<unknown>;
      try {
        p = u.op.run(ns);
      } catch (e) {
        p = Promise.reject(e);
      }
      const merged = u.indices.length > 1;
      p.then((value) => settle(u, merged ? value as PromiseSettledResult<void>[] : { status: 'fulfilled', value }),
        (reason: unknown) => settle(u, { status: 'rejected', reason }));
    };
    // The current operation has queued its request: the next one may start.
    const off = conn.onRequest(() => {
      if (startQueued) return;
      startQueued = true;
      queueMicrotask(startNext);
    });
    startNext();
  });
}
