// Input checks shared by the verbs: each names the field and the value it rejects.
import { check, checkRange, describe } from './errors';

/** IFNAMSIZ is 16 with the NUL (<linux/if.h>); dev_valid_name() refuses '/', ':' and whitespace. */
export function linkName(value: unknown, field: string): string {
  check(typeof value === 'string', field, value, 'expected an interface name string');
  checkRange(value.length > 0 && Buffer.byteLength(value) <= 15, field, value,
    'interface names are 1 to 15 bytes long');
  if (value === '.' || value === '..' || /[/:\s]/.test(value)) {
    throw new TypeError(`${field}: interface names may not be "." or ".." nor contain "/", ":" or whitespace, got ${describe(value)}`);
  }
  return value;
}

/** 68 is the IPv4 minimum (RFC 791); 65535 the largest the kernel's u32 field is used with for ethernet-like devices. */
export function mtu(value: unknown, field: string): number {
  check(typeof value === 'number' && Number.isInteger(value), field, value, 'expected an integer MTU');
  checkRange(value >= 68 && value <= 65535, field, value, 'MTU must be between 68 and 65535');
  return value;
}

export function u32(value: unknown, field: string): number {
  check(typeof value === 'number' && Number.isInteger(value), field, value, 'expected an integer');
  checkRange(value >= 0 && value <= 0xffffffff, field, value, 'must be between 0 and 4294967295');
  return value;
}

export function ifindex(value: unknown, field: string): number {
  check(typeof value === 'number' && Number.isInteger(value), field, value, 'expected an interface index');
  checkRange(value > 0 && value <= 0x7fffffff, field, value, 'interface indexes are positive');
  return value;
}

export function namespaceName(value: unknown, field: string): string {
  check(typeof value === 'string', field, value, 'expected a namespace name string');
  checkRange(value.length > 0 && Buffer.byteLength(value) <= 255, field, value, 'names are 1 to 255 bytes long');
  if (value === '.' || value === '..' || value.includes('/') || value.includes('\0')) {
    throw new TypeError(`${field}: a namespace name may not be "." or ".." nor contain "/", got ${describe(value)}`);
  }
  return value;
}
