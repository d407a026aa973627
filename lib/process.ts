// Programs run inside a namespace, like `ip netns exec`, without `ip`,
// `nsenter` or a shell: Node's own child_process.spawn starts the small exec
// shim native/nsexec.c with the namespace fd inherited at a spare stdio index;
// the shim calls setns(2) and execs the command (same pid), so the ChildProcess,
// its stdio and every spawn option are Node's. execFile/exec are built on it
// with child_process's semantics (buffering, maxBuffer, timeout, callback).
import * as child from 'node:child_process';
import type { Readable } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { helperBinary, packageDir } from './native';
import { NetlinkError, describe } from './errors';
import type { Namespace } from './namespace';

export interface NamespaceSpawnOptions extends child.SpawnOptions {
  /**
   * Like `ip netns exec`: the child gets a private mount namespace (mounts do
   * not propagate back), a fresh sysfs on /sys describing this network
   * namespace, and every /etc/netns/NAME/X bind-mounted over /etc/X (named
   * namespaces only). Off by default: the child then shares this process's mounts.
   */
  mounts?: boolean;
}

export interface NamespaceExecFileOptions extends NamespaceSpawnOptions {
  /** 'utf8' by default; 'buffer' (or null) gives Buffers. */
  encoding?: BufferEncoding | 'buffer' | null;
  /** Largest stdout or stderr, in bytes; the child is killed beyond it. 1 MiB. */
  maxBuffer?: number;
  /** Kill the child (with killSignal) after this many ms. 0 (never) by default. */
  timeout?: number;
  killSignal?: NodeJS.Signals | number;
}

export type ExecFileCallback = (error: ExecFileError | null, stdout: string | Buffer, stderr: string | Buffer) => void;

/** What execFile/exec pass on failure, as child_process does: code, killed, signal, cmd. */
export interface ExecFileError extends Error {
  code?: number | string;
  errno?: number;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
  cmd?: string;
}

let shim: string | undefined;

/** The exec shim built with the addon (or the prebuilt one, scripts/prebuild.sh). */
export function shimPath(): string {
  shim ??= helperBinary('nsexec');
  if (shim) return shim;
  throw new Error(`rtnetlink: the exec shim build/Release/nsexec is missing under ${packageDir}; build it with \`npx node-gyp rebuild\``);
}

function checkArgs(command: unknown, args: unknown): asserts args is string[] {
  if (typeof command !== 'string' || command === '' || command.includes('\0')) {
    throw new TypeError(`command: expected a non-empty string without NUL, got ${describe(command)}`);
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string' && !a.includes('\0'))) {
    throw new TypeError(`args: expected an array of strings without NUL, got ${describe(args)}`);
  }
}

function idOption(value: unknown, field: string): number {
  if (value === undefined) return -1;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0x7fffffff) {
    throw new RangeError(`${field}: expected a non-negative integer, got ${describe(value)}`);
  }
  return value as number;
}

/** The error child_process gives when exec fails ("spawn FILE ENOENT"). */
function spawnError(errno: number, file: string, spawnargs: string[]): ExecFileError {
  const code = getSystemErrorName(-errno);
  return Object.assign(new Error(`spawn ${file} ${code}`), {
    errno: -errno, code, syscall: `spawn ${file}`, path: file, spawnargs: spawnargs.slice(1),
  });
}

/**
 * Like child_process.spawn, with the child inside `ns`. Everything in options
 * works as there (stdio arrays of any length, env, cwd, detached, signal,
 * uid/gid — applied after entering the namespace). If the command cannot be
 * executed the ChildProcess emits 'error' (code ENOENT, EACCES …) as Node's
 * would; it then also exits with status 127.
 */
export function spawn(ns: Namespace, command: string, args?: readonly string[] | NamespaceSpawnOptions,
  options?: NamespaceSpawnOptions): child.ChildProcess {
  if (!Array.isArray(args)) {
    options = args as NamespaceSpawnOptions | undefined;
    args = [];
  }
  const argv = [...(args as string[])];
  checkArgs(command, argv);
  const { mounts = false, uid, gid, argv0, shell, stdio, ...rest } = options ?? {};
  let file = command;
  let fileArgs = argv;
  if (shell) { // as child_process does: one string for /bin/sh -c
    file = typeof shell === 'string' ? shell : '/bin/sh';
    fileArgs = ['-c', [command, ...argv].join(' ')];
  }
  const spawnargs = [argv0 ?? file, ...fileArgs];
  const nsFd = ns.fd;
  // stdio as the caller gave it, padded to 3 like Node; then the namespace fd
  // and the shim's error channel at the next two indexes.
  const fds: child.StdioNull[] | unknown[] = typeof stdio === 'string' ? [stdio, stdio, stdio]
    : Array.isArray(stdio) ? [...stdio] : [];
  while (fds.length < 3) fds.push(undefined);
  const nsIndex = fds.length;
  const shimArgs = [String(nsIndex), String(nsIndex + 1), mounts ? '1' : '0',
    String(idOption(uid, 'uid')), String(idOption(gid, 'gid')), ns.name ?? '', file, ...spawnargs];
  const cp = child.spawn(shimPath(), shimArgs, { ...rest, stdio: [...fds, nsFd, 'pipe'] as child.StdioOptions });
  const channel = cp.stdio[nsIndex + 1] as Readable | null;
  // Present the child as what the caller asked to run, with the stdio it asked for.
  Object.assign(cp, { spawnfile: file, spawnargs, stdio: cp.stdio.slice(0, nsIndex) });
  if (channel) {
    let report = '';
    channel.setEncoding('latin1');
    channel.on('data', (d: string) => { report += d; });
    channel.on('end', () => {
      const m = /^(\w+) (\d+)\n/.exec(report);
      if (!m) return; // EOF without a report: the exec succeeded
      const errno = Number(m[2]);
      cp.emit('error', m[1] === 'exec' ? spawnError(errno, file, spawnargs)
        : new NetlinkError(errno, { operation: `process.${m[1]}`, target: `for ${file} in ${ns}` }));
    });
  }
  return cp;
}

/**
 * Like child_process.execFile, with the child inside `ns`: stdout and stderr
 * are collected (maxBuffer), `timeout` kills it, and the callback gets
 * (error, stdout, stderr) with error.code = exit status (or ENOENT …),
 * error.killed, error.signal and error.cmd as Node sets them.
 */
export function execFile(ns: Namespace, file: string, args?: readonly string[] | NamespaceExecFileOptions | ExecFileCallback | null,
  options?: NamespaceExecFileOptions | ExecFileCallback | null, callback?: ExecFileCallback, cmdText?: string): child.ChildProcess {
  if (typeof args === 'function') { callback = args; args = []; options = {}; }
  else if (args != null && !Array.isArray(args)) { callback = options as ExecFileCallback | undefined; options = args as NamespaceExecFileOptions; args = []; }
  if (typeof options === 'function') { callback = options; options = {}; }
  const argv = [...((args as string[] | null) ?? [])];
  const { encoding = 'utf8', maxBuffer = 1024 * 1024, timeout = 0, killSignal = 'SIGTERM', ...spawnOptions } = options ?? {};
  if (!Number.isFinite(maxBuffer) && maxBuffer !== Infinity) throw new RangeError(`maxBuffer: expected a number, got ${describe(maxBuffer)}`);
  if (!Number.isInteger(timeout) || timeout < 0) throw new RangeError(`timeout: expected a non-negative integer, got ${describe(timeout)}`);
  const cp = spawn(ns, file, argv, { ...spawnOptions, stdio: 'pipe' });
  const cmd = cmdText ?? [file, ...argv].join(' ');
  const out: Buffer[][] = [[], []];
  const size = [0, 0];
  let failure: ExecFileError | undefined;
  let killed = false;
  let exited = false;
  const kill = () => {
    cp.stdout?.destroy();
    cp.stderr?.destroy();
    try { killed = cp.kill(killSignal); } catch (e) { failure ??= e as ExecFileError; }
  };
  const timer = timeout > 0 ? setTimeout(() => { kill(); }, timeout) : undefined;
  const text = (i: number): string | Buffer => {
    const b = Buffer.concat(out[i]);
    return encoding && encoding !== 'buffer' ? b.toString(encoding) : b;
  };
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (exited) return;
    exited = true;
    if (timer) clearTimeout(timer);
    if (!callback) return;
    const stdout = text(0);
    const stderr = text(1);
    if (!failure && code === 0 && signal === null) {
      callback(null, stdout, stderr);
      return;
    }
    failure ??= Object.assign(new Error(`Command failed: ${cmd}\n${stderr}`), {
      code: code ?? undefined, killed: cp.killed || killed, signal,
    });
    failure.cmd = cmd;
    callback(failure, stdout, stderr);
  };
  [cp.stdout, cp.stderr].forEach((stream, i) => stream?.on('data', (d: Buffer) => {
    size[i] += d.length;
    if (size[i] > maxBuffer) {
      failure ??= Object.assign(new RangeError(`${i === 0 ? 'stdout' : 'stderr'} maxBuffer length exceeded`),
        { code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
      out[i].push(d.subarray(0, d.length - (size[i] - maxBuffer)));
      kill();
    } else {
      out[i].push(d);
    }
  }));
  cp.on('close', finish);
  cp.on('error', (e: ExecFileError) => {
    failure = e;
    cp.stdout?.destroy();
    cp.stderr?.destroy();
    finish(null, null);
  });
  return cp;
}

/**
 * Like child_process.exec: `command` is a shell string run by /bin/sh -c (or
 * options.shell) inside `ns`. Explicitly a shell: use spawn/execFile for argv.
 */
export function exec(ns: Namespace, command: string, options?: (NamespaceExecFileOptions & { shell?: string }) | ExecFileCallback | null,
  callback?: ExecFileCallback): child.ChildProcess {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (typeof command !== 'string' || command === '') throw new TypeError(`command: expected a non-empty shell command string, got ${describe(command)}`);
  const { shell, ...rest } = options ?? {};
  const sh = typeof shell === 'string' ? shell : '/bin/sh';
  return execFile(ns, sh, ['-c', command], rest, callback, command);
}
