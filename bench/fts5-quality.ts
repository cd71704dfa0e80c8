/**
 * SQLite FTS5 against our own BM25 on retrieval quality, on a question set with sources:
 * `tsx bench/fts5-quality.ts CORPUS_DIR questions.jsonl` (e.g. the public dev split). Both search the same
 * pre-analysed terms of the same passages (FTS5 over the analyzer's terms joined by spaces, its own bm25()); the
 * figures are per same-language group: the source article first / among the first three distinct articles of the
 * 40 best passages, and the time per query. FTS5 cannot weight the terms of one query (its bm25() weights columns),
 * so expansions (translations, name prefixes) count as much as the question's own words there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildIndex } from '../src/index/build.js';
import { loadIndex } from '../src/index/store.js';
import { planQuery } from '../src/retrieve/query.js';
import { analyze } from '../src/text/analyze.js';

const [corpus, questionsFile] = process.argv.slice(2);
if (!corpus || !questionsFile) {
  console.error('usage: tsx bench/fts5-quality.ts CORPUS_DIR questions.jsonl');
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'citebot-fts5-'));
try {
  await buildIndex({ seedsDir: corpus, indexDir: dir, model: null, getEmbedder: async () => ({ embedder: null, reason: 'off' }) });
  const index = await loadIndex(dir);
  const db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE p USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0')");
  const insert = db.prepare('INSERT INTO p(rowid, terms) VALUES (?, ?)');
  const docOf = new Map<number, string>();
  db.transaction(() => {
    for (const [docId, meta] of index.documents()) {
      for (const id of index.document(docId)?.passageIds ?? []) {
        const text = index.passage(id)?.text ?? '';
        insert.run(id, analyze(text, index.lexical.analyzer, { lang: meta.language }).join(' '));
        docOf.set(id, docId);
      }
    }
  })();
  const search = db.prepare('SELECT rowid AS id FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 40');
  type Tally = { n: number; first: number; three: number; ms: number };
  const tally = new Map<string, { ours: Tally; fts5: Tally }>();
  const count = (t: Tally, ids: number[], sources: string[], ms: number) => {
    const docs = [...new Set(ids.map((id) => docOf.get(id)!))];
    t.n++;
    t.first += sources.includes(docs[0]) ? 1 : 0;
    t.three += docs.slice(0, 3).some((d) => sources.includes(d)) ? 1 : 0;
    t.ms += ms;
  };
  for (const line of readFileSync(questionsFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const q = JSON.parse(line);
    if (!q.answerable || !String(q.group ?? 'same').startsWith('same')) continue;
    const plan = planQuery(q.question, index.lexical);
    if (!plan.terms.length) continue;
    const g = tally.get(q.group) ?? { ours: { n: 0, first: 0, three: 0, ms: 0 }, fts5: { n: 0, first: 0, three: 0, ms: 0 } };
    tally.set(q.group, g);
    let t0 = performance.now();
    const ours = index.lexical.search(plan.terms, 40).map((h) => h.id);
    count(g.ours, ours, q.sources, performance.now() - t0);
    t0 = performance.now();
    const match = plan.terms.map((t) => `"${t.term.replace(/"/g, '""')}"`).join(' OR ');
    const fts = (search.all(match) as Array<{ id: number }>).map((r) => r.id);
    count(g.fts5, fts, q.sources, performance.now() - t0);
  }
  const pct = (a: number, n: number) => ((100 * a) / Math.max(1, n)).toFixed(1).padStart(5);
  console.log('group        n   source first: ours / FTS5   among first 3: ours / FTS5   ms a query: ours / FTS5');
  for (const [group, { ours, fts5 }] of [...tally].sort()) {
    console.log(
      `${group.padEnd(10)} ${String(ours.n).padStart(4)}   ${pct(ours.first, ours.n)} / ${pct(fts5.first, fts5.n)}            ${pct(ours.three, ours.n)} / ${pct(fts5.three, fts5.n)}           ${(ours.ms / ours.n).toFixed(2)} / ${(fts5.ms / fts5.n).toFixed(2)}`,
    );
  }
  index.close?.();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
