// Run programs inside a namespace, like `ip netns exec blue …`, with no `ip`,
// `nsenter` or shell involved: the child is Node's own ChildProcess.
// Run: npm run example -- exec-in-namespace
import { once } from 'node:events';
import { Namespace } from '../lib';

async function main(): Promise<void> {
  const blue = await Namespace.create('ex-exec-blue');
  try {
    await blue.links.addVeth({ name: 'eth0', peer: { name: 'eth1' } });
    await (await blue.links.get('eth0')).addresses.add('10.42.0.1/24');

    // spawn: stdio straight through to this terminal.
    console.log(`$ ip -br addr   (inside ${blue}, ${blue.id})`);
    const ip = blue.spawn('ip', ['-br', 'addr'], { stdio: 'inherit' });
    await once(ip, 'close');

    // execFile: output collected, as child_process.execFile.
    const id = await new Promise<string>((resolve, reject) =>
      blue.execFile('readlink', ['/proc/self/ns/net'], (e, out) => (e ? reject(e) : resolve(String(out).trim()))));
    console.log(`the child's own /proc/self/ns/net: ${id} (this process: ${Namespace.current().id})`);

    // exec: a shell string, explicitly. mounts: true also gives the child a
    // /sys of its own namespace, as `ip netns exec` does.
    await new Promise<void>((resolve, reject) => blue.exec('echo "devices in /sys: $(ls /sys/class/net | tr "\\n" " ")"',
      { mounts: true }, (e, out) => { if (e) reject(e); else { process.stdout.write(String(out)); resolve(); } }));
  } finally {
    await blue.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
