// `npm run bench [-- --quick] [-- --only W1,W2,W3,codec,memory] [-- --reps N] [-- --write]`
//
// Outside the sandbox: makes sure iproute2 and Debian's python3-pyroute2 are
// installed (apt-get), then re-runs itself inside scripts/sandbox.js (a fresh
// network + mount namespace): nothing here touches the machine's network.
// Inside: runs W1, W2 and W3 of BENCH.md with every tool side by side, each run
// in fresh namespaces, waiting out the kernel's namespace cleanup between runs;
// prints one table of medians and ratios (`--write` also writes bench/RESULTS.md).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { codecBench } from './codec';
import { memoryBench } from './memory';
import { median, PYTHON, root, settle } from './util';
import { Steps, Tool, w1, w2, w3, w3Prepare } from './workloads';

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(name);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const only = new Set((value('--only') ?? 'W1,W2,W3,codec,memory').split(','));
const reps = Number(value('--reps') ?? (quick ? 1 : 3));
const sizes = quick
  ? { w1: 40, w2: 2000, w2ip: 200, w3pairs: 200, w3dumps: 5, memory: 100_000 }
  : { w1: 200, w2: 10_000, w2ip: 1000, w3pairs: 2000, w3dumps: 20, memory: 1_000_000 };

function ensureTools(): void {
  const missing: string[] = [];
  if (spawnSync('ip', ['-V']).status !== 0) missing.push('iproute2');
  if (spawnSync(PYTHON, ['-c', 'import pyroute2']).status !== 0) missing.push('python3-pyroute2');
  if (missing.length === 0) return;
  console.error(`bench: installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`bench: apt-get install ${missing.join(' ')} failed`);
}

if (!process.env.RTNETLINK_SANDBOX) {
  ensureTools();
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'sandbox.js'), process.execPath, '--expose-gc', __filename, ...argv], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const TOOLS: Tool[] = ['rtnetlink (sequential)', 'rtnetlink (batch)', 'ip per op', 'ip -batch', 'pyroute2'];
const TARGETS: Record<string, { ipBatch: number; pyroute2: number }> = {
  'W1 setup': { ipBatch: 3, pyroute2: 10 },
  'W1 teardown': { ipBatch: 40, pyroute2: 40 },
  'W2 add': { ipBatch: 1.6, pyroute2: 25 },
  'W2 dump': { ipBatch: 2, pyroute2: 30 },
  'W2 delete': { ipBatch: 2, pyroute2: 20 },
  W3: { ipBatch: 1.6, pyroute2: 100 },
};

type Samples = Map<string, Map<Tool, number[]>>;
const samples: Samples = new Map();
function add(tool: Tool, steps: Steps): void {
  for (const [step, s] of Object.entries(steps)) {
    if (!samples.has(step)) samples.set(step, new Map());
    const m = samples.get(step) as Map<Tool, number[]>;
    if (!m.has(tool)) m.set(tool, []);
    (m.get(tool) as number[]).push(s);
  }
}

const fmt = (s: number | undefined): string => (s === undefined ? '—' : s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(1)}×`);

function table(): string {
  const lines = [
    '| step | rtnetlink sequential | rtnetlink batch | ip per op | ip -batch | pyroute2 | ip per op ÷ batch | ip -batch ÷ batch | pyroute2 ÷ batch | target (ip -batch / pyroute2) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [step, own] of samples) {
    // 'W2 add, ns.batch': our generic batch against the alternatives of 'W2 add' (repeated from that row).
    const base = samples.get(step.split(',')[0]);
    const m = base && base !== own ? new Map([...base, ...own]) : own;
    const med = (t: Tool): number | undefined => (m.get(t) ? median(m.get(t) as number[]) : undefined);
    const ours = med('rtnetlink (batch)');
    const t = TARGETS[step.split(',')[0]];
    const ok = (r: number | undefined, want: number): string => (r === undefined || ours === undefined ? '' : r / ours >= want ? ' ✓' : ' ✗');
    lines.push(`| ${step} | ${TOOLS.map((tool) => fmt(med(tool))).join(' | ')} | ${ratio(med('ip per op'), ours)} | ` +
      `${ratio(med('ip -batch'), ours)}${t ? ok(med('ip -batch'), t.ipBatch) : ''} | ${ratio(med('pyroute2'), ours)}${t ? ok(med('pyroute2'), t.pyroute2) : ''} | ` +
      `${t ? `≥ ${t.ipBatch}× / ≥ ${t.pyroute2}×` : ''} |`);
  }
  return lines.join('\n');
}

/** Every run's figure for rtnetlink batch, ip -batch and pyroute2: the spread behind the medians. */
function spread(): string {
  const shown: Tool[] = ['rtnetlink (batch)', 'ip -batch', 'pyroute2'];
  const lines = ['| step | ' + shown.join(' | ') + ' |', '|---|---|---|---|'];
  for (const [step, m] of samples) {
    lines.push(`| ${step} | ${shown.map((t) => (m.get(t) ?? []).map(fmt).join(', ') || '—').join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), Linux ${spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim()}, Node ${process.version}`;
  const iproute = spawnSync('ip', ['-V'], { encoding: 'utf8' }).stdout.trim();
  const pyv = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'python3-pyroute2'], { encoding: 'utf8' }).stdout.trim();
  console.log(`machine: ${machine}\n${iproute}; python3-pyroute2 ${pyv}\nsizes: ${JSON.stringify(sizes)}, ${reps} run(s) each${quick ? ' (quick)' : ''}\n`);
  await settle();
  for (let rep = 0; rep < reps; rep++) {
    if (only.has('W1')) for (const tool of TOOLS) { add(tool, await w1(tool, sizes.w1)); log(`W1 ${tool}`, rep); }
    if (only.has('W2')) for (const tool of TOOLS) { add(tool, await w2(tool, sizes.w2, sizes.w2ip)); log(`W2 ${tool}`, rep); }
    if (only.has('W3')) {
      const ns = await w3Prepare(sizes.w3pairs);
      for (const tool of TOOLS.filter((t) => t !== 'rtnetlink (sequential)')) {
        add(tool, await w3(tool, ns, sizes.w3dumps, 2 * sizes.w3pairs + 3));
        log(`W3 ${tool}`, rep);
      }
      await ns.delete();
      await settle();
    }
  }
  let out = `## Workloads (medians of ${reps} run(s))\n\n${table()}\n\n### Each run, in order\n\n${spread()}\n`;
  if (only.has('codec')) {
    out += '\n## Codec (no kernel; messages per second)\n\n| what | per second |\n|---|---|\n';
    for (const c of await codecBench()) out += `| ${c.name} | ${Math.round(c.perSecond).toLocaleString('en-US')} |\n`;
  }
  if (only.has('memory')) {
    const m = await memoryBench(sizes.memory);
    out += `\n## Streaming dump memory\n\n${m.routes.toLocaleString('en-US')} routes streamed with \`ns.routes.stream()\` in a fresh process: ` +
      `RSS ${m.rssBeforeMiB} MiB before, peak growth ${m.rssPeakGrowthMiB} MiB (limit 64 MiB) ${m.rssPeakGrowthMiB <= 64 ? '✓' : '✗'}, ${m.seconds.toFixed(2)} s.\n`;
  }
  const header = `machine: ${machine}; ${iproute}; python3-pyroute2 ${pyv}\nsizes: W1 N=${sizes.w1}; W2 N=${sizes.w2} (ip per op: ${sizes.w2ip} routes, scaled); W3 ${2 * sizes.w3pairs + 3} links × ${sizes.w3dumps} dumps (rtnetlink decodes with statistics; \`ip -s\`); wall time ${((Date.now() - started) / 1000).toFixed(0)} s\n\n`;
  console.log('\n' + header + out);
  if (flag('--write')) writeFileSync(path.join(root, 'bench', 'RESULTS.latest.md'), header + out);
}

function log(what: string, rep: number): void {
  console.error(`  done: ${what} (run ${rep + 1})`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
