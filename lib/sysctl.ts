// Network sysctls of one namespace (`sysctl net.ipv4.ip_forward` as run by
// `ip netns exec NS sysctl …`). /proc/sys/net/... shows the namespace of the
// task that *opens* the file, so the file is opened by a throwaway thread
// inside the namespace (native.openIn; native/openin.cc cites the kernel code)
// and then read or written from here. The caller's namespace is never touched.
import { closeSync, constants as fsc, readSync, writeSync } from 'node:fs';
import { native } from './native';
import { NetlinkError, NotFoundError, describe } from './errors';
import type { Namespace } from './namespace';

export type SysctlValue = string | number | boolean | readonly (string | number)[];

/** 'net.ipv4.conf.eth0.rp_filter' or 'net/ipv4/conf/eth0.100/rp_filter' → path components. */
function components(name: unknown): string[] {
  if (typeof name !== 'string' || name === '' || name.includes('\0')) {
    throw new TypeError(`name: expected a sysctl name such as "net.ipv4.ip_forward", got ${describe(name)}`);
  }
  // Like sysctl(8): with a '/' the separators are slashes and dots are kept
  // (interface names such as eth0.100 contain dots).
  const parts = name.includes('/') ? name.split('/') : name.split('.');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new TypeError(`name: "${name}" is not a sysctl name (empty, "." or ".." component)`);
  }
  if (parts[0] !== 'net' || parts.length < 2) {
    throw new TypeError(`name: only net.* sysctls belong to a network namespace, got "${name}"`);
  }
  return parts;
}

function text(value: unknown, name: string): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`value: sysctl ${name} takes integers, got ${value}`);
    return String(value);
  }
  if (typeof value === 'string' && !value.includes('\0')) return value;
  if (Array.isArray(value) && value.every((x) => typeof x === 'number' || typeof x === 'string')) return value.join('\t');
  throw new TypeError(`value: expected a string, integer, boolean or array for sysctl ${name}, got ${describe(value)}`);
}

export class Sysctl {
  constructor(private readonly ns: Namespace) {}

  private open(name: string, write: boolean): { fd: number; dotted: string } {
    const parts = components(name);
    const dotted = parts.join('.');
    const fd = native.openIn(this.ns.fd, `/proc/sys/${parts.join('/')}`, write ? fsc.O_WRONLY : fsc.O_RDONLY);
    if (fd === -2 /* ENOENT */ || fd === -20 /* ENOTDIR */) {
      throw new NotFoundError(2, { operation: `sysctl.${write ? 'set' : 'get'}`, target: `${dotted} in ${this.ns}`, what: `sysctl ${dotted} in ${this.ns}` });
    }
    if (fd < 0) throw new NetlinkError(-fd, { operation: `sysctl.${write ? 'set' : 'get'}`, target: `${dotted} in ${this.ns}` });
    return { fd, dotted };
  }

  /** The value as the kernel prints it, without the trailing newline (tabs separate several numbers). */
  async get(name: string): Promise<string> {
    const { fd, dotted } = this.open(name, false);
    try {
      const chunks: Buffer[] = [];
      for (;;) {
        const buf = Buffer.allocUnsafe(4096);
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          throw new NetlinkError(-(err.errno ?? 5), { operation: 'sysctl.get', target: `${dotted} in ${this.ns}` });
        }
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
      }
      return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
    } finally {
      closeSync(fd);
    }
  }

  /** The value as a number (for the common single-integer sysctls). */
  async getNumber(name: string): Promise<number> {
    const value = await this.get(name);
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new TypeError(`sysctl ${name} is not a single number: "${value}"`);
    return n;
  }

  /**
   * Writes the value in this namespace only. A value the kernel refuses
   * (EINVAL, ERANGE …) is a NetlinkError naming the sysctl and the value.
   */
  async set(name: string, value: SysctlValue): Promise<void> {
    const dottedName = components(name).join('.');
    const data = text(value, dottedName);
    const { fd, dotted } = this.open(name, true);
    try {
      writeSync(fd, `${data}\n`);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new NetlinkError(-(err.errno ?? 5), { operation: 'sysctl.set', target: `${dotted} = ${JSON.stringify(data)} in ${this.ns}` });
    } finally {
      closeSync(fd);
    }
  }
}
