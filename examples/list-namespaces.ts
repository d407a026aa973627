// Every network namespace on the machine that a process or a bind mount
// holds, with its names and processes — like `lsns -t net` — from one walk
// of /proc. Run: npm run example -- list-namespaces
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Namespace } from '../lib';

/** As lsns shows it: the command line, or [comm] for kernel threads. */
function command(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return (argv || `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`).slice(0, 48);
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  // Something to find: a named namespace with a process, an anonymous one with a process.
  const web = await Namespace.create('ex-ls-web');
  const anon = await Namespace.create();
  const sleepers = [web.spawn('sleep', ['30'], { stdio: 'ignore' }), anon.spawn('sleep', ['30'], { stdio: 'ignore' })];
  await Promise.all(sleepers.map((s) => once(s, 'spawn')));
  await new Promise((r) => setTimeout(r, 50)); // let the children enter their namespace
  try {
    console.log('NS                 NPROCS  PID     NAME(S)        COMMAND');
    for (const ns of await Namespace.all()) {
      const pid = ns.pids[0];
      console.log([ns.id.padEnd(18), String(ns.pids.length).padEnd(7), String(pid ?? '-').padEnd(7),
        (ns.names.join(',') || '-').padEnd(14), pid ? command(pid) : `(bind mount: ${ns.mounts.join(', ')})`].join(' '));
    }
    console.log(`\nprocesses in ${web}: ${(await web.pids()).join(' ')}   (ip netns pids)`);
    console.log(`names of pid ${sleepers[0].pid}'s namespace: ${(await Namespace.identify(sleepers[0].pid as number)).join(' ')}   (ip netns identify)`);
  } finally {
    for (const s of sleepers) s.kill();
    anon.close();
    await web.delete();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
