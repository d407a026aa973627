// Replays the fuzzer's committed corpus (fuzz/corpus, written by
// `npm run fuzz -- --update-corpus`): every input still has exactly the
// outcome recorded for it — decoded, or the same DecodeError — so a decoder
// change that turns a rejected input into a crash, or silently changes what
// is accepted, shows up in the normal suite.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusEntries, CORPUS_DIR, fixtureMessages } from '../../fuzz/seeds';
import { decodeChunk, outcomeOf, weight } from '../../fuzz/targets';
import { DecodeError } from '../../lib/netlink/attributes';

const entries = corpusEntries();

test('the corpus is there and covers both outcomes', () => {
  expect(entries.length).toBeGreaterThan(50);
  expect(entries.filter((e) => e.outcome === 'ok').length).toBeGreaterThan(10);
  expect(entries.filter((e) => e.outcome.startsWith('DecodeError: ')).length).toBeGreaterThan(10);
  const files = fs.readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.bin')).sort();
  expect(files).toEqual(entries.map((e) => e.file).sort());
});

test('every corpus input keeps its recorded outcome, with a bounded result', () => {
  const changed: string[] = [];
  for (const e of entries) {
    const input = fs.readFileSync(path.join(CORPUS_DIR, e.file));
    const outcome = outcomeOf(input);
    if (outcome !== e.outcome) changed.push(`${e.file}: ${e.outcome} → ${outcome}`);
    if (outcome === 'ok') expect(weight(decodeChunk(input))).toBeLessThanOrEqual(1024 + 32 * input.length);
  }
  expect(changed).toEqual([]);
});

test('every fixture message decodes (the seeds are valid input)', () => {
  const failed: string[] = [];
  for (const s of fixtureMessages()) {
    try {
      decodeChunk(s);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      failed.push(`${s.toString('hex').slice(0, 64)}…: ${e.message}`);
    }
  }
  expect(failed).toEqual([]);
});
