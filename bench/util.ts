// Benchmark plumbing: timing, spawning ip / ip -batch / the pyroute2 script,
// and waiting out the kernel's asynchronous namespace cleanup between runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Namespace } from '../lib';

export const root = ((): string => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'binding.gyp'))) dir = path.dirname(dir);
  return dir;
})();

export const PYTHON = '/usr/bin/python3';
const pyScript = path.join(root, 'bench', 'pyroute2_bench.py');
const scratch = mkdtempSync(path.join(tmpdir(), 'rtnl-bench-'));

export async function timed(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** `ip ARGS…`, failing loudly. */
export function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** One `ip [-n NS] [-s] -batch FILE` (-force: every line runs, as a batch tool should). */
export function ipBatch(lines: string[], ns?: string, extra: string[] = []): void {
  const file = path.join(scratch, 'batch.txt');
  writeFileSync(file, lines.join('\n') + '\n');
  const r = spawnSync('ip', [...(ns ? ['-n', ns] : []), ...extra, '-batch', file], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -batch: ${r.stderr}`);
}

/** Runs a pyroute2 step; returns its own timing (interpreter start-up excluded). */
export function py(...args: string[]): { seconds: number; count: number | null } {
  const r = spawnSync(PYTHON, [pyScript, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pyroute2 ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

let sentinels = 0;
/**
 * Waits until the kernel has destroyed every namespace that died before this
 * call: a throwaway namespace holding the peer of a veth here is deleted, and
 * cleanup_net() handles dead namespaces in order, so once that veth is gone
 * the earlier ones are done too. Then a short pause for the workqueue's tail.
 */
export async function settle(): Promise<void> {
  const host = Namespace.current();
  const ns = await Namespace.create();
  const name = `sentinel${sentinels++}`;
  await host.links.addVeth({ name, peer: { name: 'x', namespace: ns } });
  ns.close();
  const t0 = Date.now();
  while (await host.links.find(name)) {
    if (Date.now() - t0 > 60_000) throw new Error('settle: namespace cleanup did not finish within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 150));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: expected ${want}, found ${got} — the run did not do its work`);
}
