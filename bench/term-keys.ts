/**
 * Terms by key on a large vocabulary: `node --expose-gc --import tsx bench/term-keys.ts [terms, default 2000000]`. The scale tier's
 * synthetic corpus has only ~4,400 distinct terms; a real 100k-article archive has millions. This writes an index
 * of that many random ru/kk/en-like words (the store's writer, a bulk build), then times what the term-key table
 * costs (keying the vocabulary at the end of the build) and what it saves (planning questions by indexed lookups,
 * against walking and grouping the vocabulary as the planner did once per index state before it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE, IndexWriter, SqliteIndex, type IndexHeader } from '../src/index/sqlite.js';
import { SCHEMA_VERSION } from '../src/index/store.js';
import { planQuery } from '../src/retrieve/query.js';
import { TERM_KEYS } from '../src/text/term-keys.js';

const terms = Number(process.argv[2] ?? 2_000_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'citebot-term-keys-'));
let seed = 7;
/** mulberry32: a fixed sequence. */
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const CYRILLIC = 'абвгдеёжзийклмнопрстуфхцчшщыэюяәғқңөұүһі';
const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const word = () => {
  const letters = rnd() < 0.7 ? CYRILLIC : LATIN;
  let w = '';
  for (let i = 0, n = 4 + Math.floor(rnd() * 9); i < n; i++) w += letters[Math.floor(rnd() * letters.length)];
  return w;
};

try {
  const header: IndexHeader = {
    schemaVersion: SCHEMA_VERSION, builtAt: new Date().toISOString(), analyzer: 'stem', analyzerVersion: 0, readerVersion: 0,
    chunking: { targetChars: 0, maxChars: 0, overlapSentences: 0 } as never, model: null, nextPassageId: 0, passageCount: 0,
    totalLength: 0, documentCount: 0, deletedCount: 0, version: 1,
  };
  const writer = new IndexWriter(dir, header, TERM_KEYS, { bulk: true });
  writer.begin();
  // Passages of 1,000 random words each, until the vocabulary has about `terms` words.
  for (let d = 0, made = 0; made < terms; d++) {
    const tf = new Map<string, number>();
    for (let i = 0; i < 1000; i++) tf.set(word(), 1);
    made += tf.size;
    writer.addDocument(`d${d}`, { id: `d${d}`, title: `d${d}`, hash: '' } as never, {}, [{ start: 0, end: 0, text: '', tf, length: tf.size }]);
    if (writer.pendingSize >= 3_000_000) writer.flushSegment();
  }
  writer.flushSegment();
  writer.db.exec('COMMIT');
  let t = performance.now();
  writer.finishBulk();
  const keying = (performance.now() - t) / 1000;
  const rows = writer.db.prepare('SELECT count(*) FROM term_keys').pluck().get() as number;
  writer.close();

  const idx = await SqliteIndex.open(dir, 'bench');
  const questions = ['Сколько стран входит в хаб Алматы?', 'What did Tokayev say about the Astana summit?', 'Қазақстан Президенті не деді?'];
  t = performance.now();
  for (const q of questions) planQuery(q, idx.lexical);
  const first = performance.now() - t;
  idx.close();

  // The planner's way before the table: every term once, grouped by each key, kept per index state.
  const db = new Database(path.join(dir, DB_FILE), { readonly: true });
  // Live heap, not garbage: collected before both readings (--expose-gc).
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const heap = process.memoryUsage().heapUsed;
  t = performance.now();
  const groups = new Map<string, Map<string, string[]>>();
  let vocabulary = 0;
  for (const [kind, keyOf] of Object.entries(TERM_KEYS)) {
    const m = new Map<string, string[]>();
    vocabulary = 0;
    for (const term of db.prepare('SELECT DISTINCT term FROM postings').pluck().iterate() as Iterable<string>) {
      vocabulary++;
      const k = keyOf(term);
      if (k !== null) (m.get(k) ?? m.set(k, []).get(k)!).push(term);
    }
    groups.set(kind, m);
  }
  const walk = (performance.now() - t) / 1000;
  gc();
  const walkHeap = (process.memoryUsage().heapUsed - heap) / 1e6;
  db.close();
  console.log(
    `${vocabulary.toLocaleString('en')} distinct terms, ${rows.toLocaleString('en')} key rows: keying them at the end of the build ${keying.toFixed(1)} s; ` +
      `planning ${questions.length} questions on a fresh reader ${first.toFixed(1)} ms; the vocabulary walk it replaces ${walk.toFixed(1)} s and ${walkHeap.toFixed(0)} MB of heap (${groups.size} groupings)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
