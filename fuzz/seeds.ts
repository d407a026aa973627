// Seeds for the decoder fuzzer: every message of the golden fixtures (bytes
// captured from iproute2, test/fixtures/README.md), each fixture's replies as
// one chunk, a hand-made inet_diag reply (no fixture has one), and the
// committed corpus (fuzz/corpus/*.bin).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as C from '../lib/netlink/constants';

export const FUZZ_DIR = __dirname;
export const CORPUS_DIR = path.join(__dirname, 'corpus');
const FIXTURE_DIR = path.join(__dirname, '..', 'test', 'fixtures');

interface FixtureFile { messages?: { direction: string; hex: string }[] }

function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []).sort();
}

/** An inet_diag_msg reply for 127.0.0.1:8080 LISTEN, with INET_DIAG_SKV6ONLY. */
function inetDiagReply(): Buffer {
  const b = Buffer.alloc(16 + 72 + 8);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(C.SOCK_DIAG_BY_FAMILY, 4);
  b.writeUInt16LE(C.NLM_F_MULTI, 6);
  b[16] = C.AF_INET; b[17] = 10; // TCP_LISTEN
  b.writeUInt16BE(8080, 20);
  b.set([127, 0, 0, 1], 24);
  b.writeUInt32LE(1, 16 + 4 + 36);
  b.writeUInt16LE(5, 88); b.writeUInt16LE(C.INET_DIAG_SKV6ONLY, 90); b[92] = 1;
  return b;
}

/** The fixtures' messages, alone and each fixture's replies as one chunk. */
export function fixtureMessages(): Buffer[] {
  const seeds: Buffer[] = [];
  for (const file of jsonFiles(FIXTURE_DIR)) {
    const f = JSON.parse(fs.readFileSync(file, 'utf8')) as FixtureFile;
    if (!Array.isArray(f.messages)) continue;
    for (const m of f.messages) seeds.push(Buffer.from(m.hex, 'hex'));
    const replies = f.messages.filter((m) => m.direction === 'reply').map((m) => Buffer.from(m.hex, 'hex'));
    if (replies.length > 1) seeds.push(Buffer.concat(replies));
  }
  return seeds;
}

export function fixtureSeeds(): Buffer[] {
  return [inetDiagReply(), ...fixtureMessages()];
}

export interface CorpusEntry { file: string; outcome: string; why: string }

/** fuzz/corpus/outcomes.json: every corpus file with the outcome it must keep having. */
export function corpusEntries(): CorpusEntry[] {
  const index = path.join(CORPUS_DIR, 'outcomes.json');
  return fs.existsSync(index) ? (JSON.parse(fs.readFileSync(index, 'utf8')) as CorpusEntry[]) : [];
}

export function corpusSeeds(): Buffer[] {
  return corpusEntries().map((e) => fs.readFileSync(path.join(CORPUS_DIR, e.file)));
}
