import type { LoadedIndex } from '../index/store.js';
import { analysePassage } from '../index/analysis.js';
import type { Passage, ScoredPassage } from '../types.js';
import { coverage, planQuery, type QueryPlan } from './query.js';

export interface RetrieveOptions {
  /** Passages to return after fusion, de-duplication and spreading over documents. */
  k: number;
  /** The question's `query: ` embedding, when the index has vectors and the model is loaded. */
  queryVector?: Float32Array | null;
}

export interface Retrieval {
  plan: QueryPlan;
  passages: ScoredPassage[];
  /** Best share of the question's concepts matched by one passage (0–1): the evidence that an answer is there. */
  bestCoverage: number;
  /** Highest cosine similarity of a dense hit (0 without vectors). */
  bestDense: number;
  /** Proper names of the question that no article contains. */
  unknownNames: string[];
  mode: 'hybrid' | 'lexical';
}

const RRF_K = 60;
const CANDIDATES = 40;
/** Each further passage from a document already picked counts this much less. */
const SAME_DOC_DISCOUNT = 0.9;
const NEAR_DUPLICATE = 0.85;

/**
 * Lexical (BM25 with cross-lingual expansion) and dense (HNSW) rankings merged by reciprocal rank fusion,
 * near-duplicates collapsed, and the result spread over documents.
 */
export function retrieve(index: LoadedIndex, question: string, opts: RetrieveOptions): Retrieval {
  const plan = planQuery(question, index.lexical);
  const lexHits = index.lexical.search([...plan.weights.keys()], CANDIDATES, plan.weights);
  const denseHits = index.vectors && opts.queryVector ? index.vectors.search(opts.queryVector, CANDIDATES) : [];

  const fused = new Map<number, ScoredPassage>();
  // Reciprocal rank fusion: each list adds 1 / (k + rank); each passage keeps the rank and score it had in each.
  const fuse = (hits: Array<{ id: number; score: number }>, list: 'lexical' | 'dense') =>
    hits.forEach((h, rank) => {
      const passage = index.passages.get(h.id);
      if (!passage) return;
      let e = fused.get(h.id);
      if (!e) fused.set(h.id, (e = { passage, score: 0 }));
      e.score += 1 / (RRF_K + rank + 1);
      e[`${list}Rank`] = rank + 1;
      e[`${list}Score`] = h.score;
    });
  fuse(lexHits, 'lexical');
  fuse(denseHits, 'dense');

  // With one list only, its own scores say more than ranks: BM25 relative to the best hit.
  if (!denseHits.length && lexHits.length) {
    const top = lexHits[0].score || 1;
    for (const e of fused.values()) e.score = (e.lexicalScore ?? 0) / top;
  } else {
    const top = Math.max(...[...fused.values()].map((e) => e.score));
    for (const e of fused.values()) e.score /= top;
  }
  const ranked = [...fused.values()].sort((a, b) => b.score - a.score || a.passage.id - b.passage.id);
  const termsOf = (p: Passage) => analysePassage(index, p).terms;

  // Greedy pick: best adjusted score first; a near-copy of a picked passage (a syndicated article) is dropped.
  const picked: ScoredPassage[] = [];
  const perDoc = new Map<string, number>();
  const pool = ranked.slice(0, CANDIDATES);
  while (picked.length < opts.k && pool.length) {
    let best = -1;
    let bestScore = -Infinity;
    pool.forEach((c, i) => {
      const s = c.score * SAME_DOC_DISCOUNT ** (perDoc.get(c.passage.docId) ?? 0);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    });
    const [c] = pool.splice(best, 1);
    const terms = termsOf(c.passage);
    if (picked.some((p) => jaccard(termsOf(p.passage), terms) >= NEAR_DUPLICATE)) continue;
    picked.push({ ...c, score: c.score });
    perDoc.set(c.passage.docId, (perDoc.get(c.passage.docId) ?? 0) + 1);
  }

  let bestCoverage = 0;
  for (const p of picked) bestCoverage = Math.max(bestCoverage, coverage(plan, termsOf(p.passage)));
  const unknownNames = plan.concepts.filter((c) => c.name && !c.known).map((c) => c.raw);
  const bestDense = denseHits.length ? denseHits[0].score : 0;
  return { plan, passages: picked, bestCoverage, bestDense, unknownNames, mode: denseHits.length ? 'hybrid' : 'lexical' };
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const t of small) if (large.has(t)) inter++;
  return inter / (a.size + b.size - inter || 1);
}
