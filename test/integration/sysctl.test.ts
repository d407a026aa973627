// ns.sysctl against `sysctl` run inside the namespace by `ip netns exec`:
// values land in that namespace only, never the caller's.
import * as fs from 'node:fs';
import { Namespace, NetlinkError, NotFoundError } from '../../lib';
import { ipRaw } from '../helpers/ip';
import { useNamespaces } from '../helpers/ns';

/** `ip netns exec NAME sysctl -n KEY` — the oracle. */
function sysctlIn(name: string, key: string): string {
  return ipRaw(undefined, 'netns', 'exec', name, 'sysctl', '-n', key).replace(/\n$/, '');
}

describe('ns.sysctl', () => {
  const scope = useNamespaces();

  it('ip_forward set in one namespace only: sysctl inside it sees 1, the caller and another namespace keep 0', async () => {
    const a = await scope.named();
    const b = await scope.named();
    const callerBefore = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    expect(await a.sysctl.get('net.ipv4.ip_forward')).toBe('0');
    await a.sysctl.set('net.ipv4.ip_forward', 1);
    expect(sysctlIn(a.name, 'net.ipv4.ip_forward')).toBe('1');
    expect(await a.sysctl.get('net.ipv4.ip_forward')).toBe('1');
    expect(await a.sysctl.getNumber('net.ipv4.ip_forward')).toBe(1);
    expect(sysctlIn(b.name, 'net.ipv4.ip_forward')).toBe('0');
    expect(await b.sysctl.get('net.ipv4.ip_forward')).toBe('0');
    // The caller's own namespace: unchanged, and no thread of this process moved.
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(callerBefore);
    expect(await Namespace.current().sysctl.get('net.ipv4.ip_forward')).toBe(callerBefore.trim());
    for (const t of fs.readdirSync('/proc/self/task')) {
      expect(fs.readlinkSync(`/proc/self/task/${t}/ns/net`)).toBe(Namespace.current().id);
    }
  });

  it('what sysctl -w writes inside, get reads', async () => {
    const ns = await scope.named();
    ipRaw(undefined, 'netns', 'exec', ns.name, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=2');
    expect(await ns.sysctl.get('net.ipv4.conf.all.rp_filter')).toBe('2');
    expect(await Namespace.current().sysctl.get('net.ipv4.conf.all.rp_filter')).not.toBe('2');
  });

  it('per-interface sysctls (accept_ra, disable_ipv6, rp_filter, proxy_arp), a dotted interface name by slashes', async () => {
    const ns = await scope.named();
    await ns.links.addVeth({ name: 'v0.1', peer: { name: 'v1' } });
    await ns.sysctl.set('net.ipv6.conf.v1.accept_ra', 2);
    await ns.sysctl.set('net.ipv6.conf.v1.disable_ipv6', true);
    await ns.sysctl.set('net.ipv4.conf.v1.rp_filter', '1');
    await ns.sysctl.set('net/ipv4/conf/v0.1/proxy_arp', 1);
    expect(sysctlIn(ns.name, 'net.ipv6.conf.v1.accept_ra')).toBe('2');
    expect(sysctlIn(ns.name, 'net.ipv6.conf.v1.disable_ipv6')).toBe('1');
    expect(sysctlIn(ns.name, 'net.ipv4.conf.v1.rp_filter')).toBe('1');
    expect(sysctlIn(ns.name, 'net/ipv4/conf/v0.1/proxy_arp')).toBe('1');
    expect(await ns.sysctl.get('net/ipv4/conf/v0.1/proxy_arp')).toBe('1');
  });

  it('several numbers in one sysctl: an array is written tab-separated, read back as sysctl prints it', async () => {
    const ns = await scope.named();
    await ns.sysctl.set('net.ipv4.ip_local_port_range', [20000, 30000]);
    expect(await ns.sysctl.get('net.ipv4.ip_local_port_range')).toBe('20000\t30000');
    expect(sysctlIn(ns.name, 'net.ipv4.ip_local_port_range')).toBe('20000\t30000');
  });

  it('errors name the sysctl: unknown, not net.*, refused by the kernel, read-only, bad names and values', async () => {
    const ns = await scope.named();
    await expect(ns.sysctl.get('net.ipv4.no_such_thing')).rejects.toThrow(NotFoundError);
    await expect(ns.sysctl.get('net.ipv4.no_such_thing')).rejects.toThrow(/sysctl net\.ipv4\.no_such_thing in namespace "t-[0-9a-f]+" not found/);
    await expect(ns.sysctl.set('net.ipv4.conf.nodev0.rp_filter', 1)).rejects.toThrow(/sysctl net\.ipv4\.conf\.nodev0\.rp_filter .* not found/);
    await expect(ns.sysctl.get('kernel.hostname')).rejects.toThrow(/name: only net\.\* sysctls belong to a network namespace, got "kernel.hostname"/);
    await expect(ns.sysctl.get('net..ipv4')).rejects.toThrow(TypeError);
    await expect(ns.sysctl.get('net/../../etc/passwd')).rejects.toThrow(TypeError);
    await expect(ns.sysctl.set('net.ipv4.ip_forward', 1.5)).rejects.toThrow(/value: sysctl net\.ipv4\.ip_forward takes integers, got 1\.5/);
    await expect(ns.sysctl.set('net.ipv4.ip_forward', {} as never)).rejects.toThrow(TypeError);

    const refused = await ns.sysctl.set('net.ipv4.ip_forward', 'abc').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NetlinkError);
    expect(refused).toMatchObject({ code: 'EINVAL', operation: 'sysctl.set' });
    expect((refused as Error).message).toMatch(/sysctl\.set net\.ipv4\.ip_forward = "abc" in namespace "t-[0-9a-f]+" failed: EINVAL/);
    expect(sysctlIn(ns.name, 'net.ipv4.ip_forward')).toBe('0');

    // 0444 in the kernel's table: opening it for writing is refused.
    await expect(ns.sysctl.set('net.ipv4.conf.all.mc_forwarding', 1)).rejects.toMatchObject({ code: 'EACCES', operation: 'sysctl.set' });
    ns.close();
    await expect(ns.sysctl.get('net.ipv4.ip_forward')).rejects.toThrow(/closed/);
  });
});
