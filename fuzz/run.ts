// `npm run fuzz`: the decoder fuzzer. Worker threads (one per core) feed
// mutated and generated inputs to fuzz/targets.ts; every input must decode or
// throw DecodeError. The main thread is the watchdog: a worker that makes no
// progress for HANG_MS is terminated and its current input reported as a
// hang; a worker that outgrows its heap limit (resourceLimits) reports an
// unbounded allocation; a decoded result heavier than WEIGHT_PER_BYTE per
// input byte, or one input taking longer than SLOW_MS, fails too. Failing
// inputs are written to fuzz/crashes/. With --update-corpus the smallest input
// of every distinct outcome is written to fuzz/corpus/ (replayed by
// test/unit/fuzz-corpus.test.ts).
//
//   npm run fuzz -- [--inputs N] [--seed S] [--workers W] [--update-corpus]
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DecodeError } from '../lib/netlink/attributes';
import * as C from '../lib/netlink/constants';
import { forEachMessage } from '../lib/netlink/message';
import { MAX_INPUT, MUTATIONS, nextInput, prng } from './mutate';
import { corpusSeeds, CORPUS_DIR, FUZZ_DIR, fixtureSeeds } from './seeds';
import { decodeChunk, weight } from './targets';

const HANG_MS = 10_000;
const SLOW_MS = 250;
const RETRY_MS = 20;
const HEAP_MB = 512;
/** Decoded size allowed per input byte (weight() units), plus a constant. */
const WEIGHT_PER_BYTE = 32;
const WEIGHT_BASE = 1024;
const REPORT_EVERY = 20_000;
/** Corpus inputs are kept small; the fuzzer makes the huge ones again in a moment. */
const CORPUS_MAX_INPUT = 4096;

interface Job { seed: number; inputs: number; state: SharedArrayBuffer }
interface Failure { kind: string; how: string; detail: string; hex: string }
interface Candidate { signature: string; outcome: string; how: string; hex: string }
interface Progress { done: number; decoded: number; decodeError: number; maxRatio: number; slowest: number }

function familyOf(type: number): string {
  if (type === C.NLMSG_ERROR) return 'error';
  if (type === C.NLMSG_DONE) return 'done';
  if (type === C.SOCK_DIAG_BY_FAMILY) return 'addr/diag';
  const names = ['link', 'addr', 'route', 'neigh', 'rule'];
  if (type >= C.RTM_NEWLINK && type < C.RTM_NEWLINK + 4 * names.length) return names[(type - C.RTM_NEWLINK) >> 2];
  if (type >= C.RTM_NEWNSID && type <= C.RTM_GETNSID) return 'nsid';
  if (type >= C.RTM_NEWNEXTHOP && type <= C.RTM_GETNEXTHOP) return 'nexthop';
  if (type >= C.RTM_NEWNEXTHOPBUCKET && type <= C.RTM_GETNEXTHOPBUCKET) return 'bucket';
  return 'other';
}

/** What kind of thing an outcome is: the corpus keeps the smallest input of each. */
function signatureOf(input: Buffer, outcome: string): string {
  if (outcome !== 'ok') return outcome.replace(/\d+/g, '#');
  const families = new Set<string>();
  let n = 0;
  forEachMessage(input, (m) => { families.add(familyOf(m.type)); n++; });
  return `ok ${families.size === 1 ? [...families][0] : 'mixed'} ×${n < 2 ? n : n < 10 ? '2-9' : '10+'}`;
}

function work(): void {
  const { seed, inputs, state } = workerData as Job;
  const counter = new Int32Array(state, 0, 2);
  const current = new Uint8Array(state, 8, MAX_INPUT);
  const seeds = [...fixtureSeeds(), ...corpusSeeds()];
  const r = prng(seed);
  const best = new Map<string, number>();
  let candidates: Candidate[] = [];
  const p: Progress = { done: 0, decoded: 0, decodeError: 0, maxRatio: 0, slowest: 0 };
  const fail = (kind: string, how: string, detail: string, input: Buffer): void => {
    parentPort!.postMessage({ failure: { kind, how, detail, hex: input.toString('hex') } satisfies Failure });
  };
  for (let i = 0; i < inputs; i++) {
    const { input, how } = nextInput(r, seeds);
    current.set(input);
    Atomics.store(counter, 1, input.length);
    Atomics.store(counter, 0, i + 1);
    const t0 = performance.now();
    let outcome = 'ok';
    try {
      const out = decodeChunk(input);
      const w = weight(out);
      p.maxRatio = Math.max(p.maxRatio, (w - WEIGHT_BASE) / Math.max(1, input.length));
      if (w > WEIGHT_BASE + WEIGHT_PER_BYTE * input.length) fail('allocation', how, `decoded weight ${w} for ${input.length} bytes`, input);
      p.decoded++;
    } catch (e) {
      if (e instanceof DecodeError) {
        outcome = `DecodeError: ${e.message}`;
        p.decodeError++;
      } else {
        fail('crash', how, String((e as Error)?.stack ?? e), input);
      }
    }
    let took = performance.now() - t0;
    if (took > RETRY_MS) {
      // A GC pause or a compile can stall one run: time it again, keep the fastest.
      for (let k = 0; k < 3 && took > RETRY_MS; k++) {
        const t1 = performance.now();
        try { decodeChunk(input); } catch { /* outcome already known */ }
        took = Math.min(took, performance.now() - t1);
      }
      if (took > SLOW_MS) fail('slow', how, `${took.toFixed(0)} ms for ${input.length} bytes`, input);
    }
    p.slowest = Math.max(p.slowest, took);
    const sig = signatureOf(input, outcome);
    const size = best.get(sig);
    if (input.length <= CORPUS_MAX_INPUT && (size === undefined || input.length < size / 2)) {
      best.set(sig, input.length);
      candidates.push({ signature: sig, outcome, how, hex: input.toString('hex') });
    }
    p.done = i + 1;
    if ((i + 1) % REPORT_EVERY === 0 || i + 1 === inputs) {
      parentPort!.postMessage({ progress: { ...p }, candidates });
      candidates = [];
    }
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const total = Number(arg('--inputs') ?? 1_000_000);
  const seed = Number(arg('--seed') ?? 1);
  const nWorkers = Math.max(1, Number(arg('--workers') ?? Math.min(2, os.availableParallelism())));
  const updateCorpus = process.argv.includes('--update-corpus');
  const register = path.join(FUZZ_DIR, '..', 'test', 'helpers', 'ts-register.js');
  const started = Date.now();
  const failures: Failure[] = [];
  const kept = new Map<string, Candidate>();
  const progress: Progress[] = [];

  const runOne = (w: number): Promise<void> => new Promise((resolve) => {
    const state = new SharedArrayBuffer(8 + MAX_INPUT);
    const counter = new Int32Array(state, 0, 2);
    const share = Math.floor(total / nWorkers) + (w < total % nWorkers ? 1 : 0);
    const worker = new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(__filename)});`, {
      eval: true, workerData: { seed: seed * 1000 + w, inputs: share, state } satisfies Job,
      resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
    });
    const currentInput = (): string => Buffer.from(new Uint8Array(state, 8, Atomics.load(counter, 1))).toString('hex');
    let last = -1;
    let lastChange = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(counter, 0);
      if (now !== last) { last = now; lastChange = Date.now(); return; }
      if (Date.now() - lastChange > HANG_MS) {
        failures.push({ kind: 'hang', how: `worker ${w} input ${now}`, detail: `no progress for ${HANG_MS} ms`, hex: currentInput() });
        void worker.terminate();
      }
    }, 1000);
    worker.on('message', (m: { failure?: Failure; progress?: Progress; candidates?: Candidate[] }) => {
      if (m.failure && failures.length < 50) failures.push(m.failure);
      if (m.progress) progress[w] = m.progress;
      for (const c of m.candidates ?? []) {
        const had = kept.get(c.signature);
        if (!had || c.hex.length < had.hex.length) kept.set(c.signature, c);
      }
      if (m.progress && w === 0) {
        const done = progress.reduce((s, p) => s + (p?.done ?? 0), 0);
        process.stderr.write(`\rfuzz: ${done} / ${total} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const kind = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'allocation' : 'crash';
      failures.push({ kind, how: `worker ${w} input ${Atomics.load(counter, 0)}`, detail: String(e.stack ?? e), hex: currentInput() });
    });
    worker.on('exit', () => { clearInterval(watchdog); resolve(); });
  });
  await Promise.all(Array.from({ length: nWorkers }, (_, w) => runOne(w)));
  process.stderr.write('\n');

  const sum = (k: keyof Progress): number => progress.reduce((s, p) => s + (p?.[k] ?? 0), 0);
  const done = sum('done');
  const seconds = (Date.now() - started) / 1000;
  console.log(`fuzz: ${done} inputs in ${seconds.toFixed(1)} s (${Math.round(done / seconds)}/s) with ${nWorkers} workers, seed ${seed}`);
  console.log(`  decoded ${sum('decoded')}, DecodeError ${sum('decodeError')}, other errors/hangs/allocations ${failures.length}`);
  console.log(`  slowest input ${Math.max(0, ...progress.map((p) => p?.slowest ?? 0)).toFixed(1)} ms (limit ${SLOW_MS}); ` +
    `heaviest decode ${Math.max(0, ...progress.map((p) => p?.maxRatio ?? 0)).toFixed(2)} per input byte (limit ${WEIGHT_PER_BYTE}); ` +
    `${kept.size} distinct outcomes; ${MUTATIONS.length} mutations + generation`);

  if (updateCorpus) {
    fs.mkdirSync(CORPUS_DIR, { recursive: true });
    for (const f of fs.readdirSync(CORPUS_DIR)) if (f.endsWith('.bin')) fs.unlinkSync(path.join(CORPUS_DIR, f));
    const entries = [...kept.values()].sort((a, b) => a.signature.localeCompare(b.signature)).map((c) => {
      const bytes = Buffer.from(c.hex, 'hex');
      const file = `${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}.bin`;
      fs.writeFileSync(path.join(CORPUS_DIR, file), bytes);
      return { file, outcome: c.outcome, why: `${c.signature} (${c.how})` };
    });
    fs.writeFileSync(path.join(CORPUS_DIR, 'outcomes.json'), JSON.stringify(entries, null, 1) + '\n');
    console.log(`  corpus: ${entries.length} inputs written to ${path.relative(process.cwd(), CORPUS_DIR)}`);
  }
  if (done < total && failures.length === 0) failures.push({ kind: 'crash', how: '', detail: `only ${done} of ${total} inputs ran`, hex: '' });
  if (failures.length) {
    const dir = path.join(FUZZ_DIR, 'crashes');
    fs.mkdirSync(dir, { recursive: true });
    for (const f of failures) {
      const file = path.join(dir, `${f.kind}-${createHash('sha1').update(f.hex).digest('hex').slice(0, 12)}.bin`);
      fs.writeFileSync(file, Buffer.from(f.hex, 'hex'));
      console.error(`FAIL ${f.kind} (${f.how}) ${f.detail.split('\n').slice(0, 6).join('\n    ')}\n    input: ${path.relative(process.cwd(), file)}`);
    }
    process.exitCode = 1;
  }
}

if (isMainThread) main().catch((e) => { console.error(e); process.exit(1); });
else work();
