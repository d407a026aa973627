// Give a name to a namespace held by a process — e.g. a container started by
// another runtime — like `ip netns attach NAME PID` (the manual
// `ln -s /proc/PID/ns/net /var/run/netns/NAME` step), so that `ip netns` and
// this library both see it. Run: npm run example -- attach-namespace
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { Namespace } from '../lib';

async function main(): Promise<void> {
  // A stand-in "container": a process in an anonymous namespace nobody named.
  const hidden = await Namespace.create();
  const container = hidden.spawn('sleep', ['30'], { stdio: 'ignore' });
  await once(container, 'spawn');
  await new Promise((r) => setTimeout(r, 50)); // let it enter its namespace
  hidden.close(); // from now on only the process holds the namespace
  const pid = container.pid as number;
  try {
    console.log(`pid ${pid} runs in ${(await Namespace.fromPid(pid)).id}; named: ${JSON.stringify(await Namespace.identify(pid))}`);
    const ctr = await Namespace.attach('ex-container', pid);
    console.log(`attached: ${ctr} = ${ctr.id}; Namespace.identify(${pid}) = ${JSON.stringify(await Namespace.identify(pid))}`);
    console.log(`ip netns list: ${execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).trim().split('\n').join(', ')}`);
    // Now it is an ordinary named namespace: configure it.
    await ctr.links.addVeth({ name: 'eth0', peer: { name: 'veth-ctr', namespace: Namespace.current() } });
    console.log(`links inside: ${(await ctr.links.list()).map((l) => l.name).join(', ')}`);
    await ctr.delete(); // like `ip netns delete`: removes the name; the process keeps its namespace
  } finally {
    container.kill();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
