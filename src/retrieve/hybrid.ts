import type { IndexReader, LexicalHit } from '../index/reader.js';
import { analysePassage } from '../index/analysis.js';
import type { Lang, ScoredPassage } from '../types.js';
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
  /** The articles of `passages`, best first (`rankDocuments`). */
  documents: string[];
  mode: 'hybrid' | 'lexical';
}

const RRF_K = 60;
const CANDIDATES = 40;
/** Each further passage from a document already picked counts this much less. */
const SAME_DOC_DISCOUNT = 0.9;
const NEAR_DUPLICATE = 0.85;
/**
 * An article's lexical score is its best passage's BM25 plus this share of its second best: an article matching the
 * question in two passages is more likely the one asked about (dev split, Kazakh articles of many passages: the
 * source among the first three 90.7 → 92.3 %, first 71.5 → 72.5 %; Russian and English unchanged; 0.1–0.3 alike).
 */
const SECOND_PASSAGE = 0.2;

/**
 * The lexical half of retrieval: needs no query vector, so it can run while the model computes one. Completed
 * once (`completeRetrieval` adds to `fused`, and ranks it in place).
 */
export interface LexicalStage {
  plan: QueryPlan;
  hits: LexicalHit[];
  /** The lexical list's share of the fusion, in its order. */
  fused: ScoredPassage[];
}

/** Query planning (with cross-lingual expansion), the BM25 candidates and their part of the fusion. */
export function searchLexical(index: IndexReader, question: string, language?: Lang): LexicalStage {
  const plan = planQuery(question, index.lexical, language);
  const hits = index.lexical.search(plan.terms, CANDIDATES);
  // Reciprocal rank fusion: each list adds 1 / (k + rank); each passage keeps the rank and score it had in each.
  const fused: ScoredPassage[] = [];
  for (let rank = 0; rank < hits.length; rank++) {
    const passage = index.passage(hits[rank].id);
    if (passage) fused.push({ passage, score: 1 / (RRF_K + rank + 1), lexicalRank: rank + 1, lexicalScore: hits[rank].score });
  }
  return { plan, hits, fused };
}

/** Adds the dense list to the fusion: to the entries of passages it shares with the lexical list, or as new ones. */
function fuseDense(index: IndexReader, fused: ScoredPassage[], hits: Array<{ id: number; score: number }>): void {
  const byId = new Map<number, ScoredPassage>();
  for (const e of fused) byId.set(e.passage.id, e);
  for (let rank = 0; rank < hits.length; rank++) {
    const h = hits[rank];
    let e = byId.get(h.id);
    if (!e) {
      const passage = index.passage(h.id);
      if (!passage) continue;
      byId.set(h.id, (e = { passage, score: 0 }));
      fused.push(e);
    }
    e.score += 1 / (RRF_K + rank + 1);
    e.denseRank = rank + 1;
    e.denseScore = h.score;
  }
}

/**
 * Lexical (BM25 with cross-lingual expansion) and dense (HNSW) rankings merged by reciprocal rank fusion,
 * near-duplicates collapsed, and the result spread over documents.
 */
export function retrieve(index: IndexReader, question: string, opts: RetrieveOptions): Retrieval {
  return completeRetrieval(index, searchLexical(index, question), opts);
}

/** `retrieve` from its lexical half: adds the dense hits (with `opts.queryVector`), fuses and picks. */
export function completeRetrieval(index: IndexReader, { plan, hits: lexHits, fused }: LexicalStage, opts: RetrieveOptions): Retrieval {
  const denseHits = index.vectors && opts.queryVector ? index.vectors.search(opts.queryVector, CANDIDATES) : [];
  if (denseHits.length) fuseDense(index, fused, denseHits);

  // With one list only, its own scores say more than ranks: BM25 relative to the best hit.
  if (!denseHits.length && lexHits.length) {
    const top = lexHits[0].score || 1;
    for (const e of fused) e.score = (e.lexicalScore ?? 0) / top;
  } else {
    let top = -Infinity;
    for (const e of fused) top = Math.max(top, e.score);
    for (const e of fused) e.score /= top;
  }
  const ranked = fused.sort((a, b) => b.score - a.score || a.passage.id - b.passage.id);

  // Greedy pick: best adjusted score first; a near-copy of a picked passage (a syndicated article) is dropped.
  const picked: ScoredPassage[] = [];
  const pickedTerms: Array<Set<string>> = [];
  const perDoc = new Map<string, number>();
  const n = Math.min(ranked.length, CANDIDATES);
  // Each candidate's discount for the passages already picked from its document (updated as they are picked);
  // 0 once it has been taken (picked or dropped).
  const discount = new Float64Array(n).fill(1);
  for (let left = n; picked.length < opts.k && left > 0; left--) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      if (discount[i] === 0) continue;
      const s = ranked[i].score * discount[i];
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    if (best < 0) break;
    const c = ranked[best];
    discount[best] = 0;
    const terms = analysePassage(index, c.passage).terms;
    if (pickedTerms.some((t) => nearDuplicate(t, terms))) continue;
    picked.push(c);
    pickedTerms.push(terms);
    const doc = c.passage.docId;
    const fromDoc = (perDoc.get(doc) ?? 0) + 1;
    perDoc.set(doc, fromDoc);
    const d = SAME_DOC_DISCOUNT ** fromDoc;
    for (let i = 0; i < n; i++) if (discount[i] !== 0 && ranked[i].passage.docId === doc) discount[i] = d;
  }

  let bestCoverage = 0;
  for (const p of picked) {
    bestCoverage = Math.max(bestCoverage, coverage(plan, analysePassage(index, p.passage).terms));
    if (bestCoverage === 1) break;
  }
  const unknownNames: string[] = [];
  for (const c of plan.concepts) if (c.name && !c.known) unknownNames.push(c.raw);
  const bestDense = denseHits.length ? denseHits[0].score : 0;
  const documents = rankDocuments(picked, ranked);
  return { plan, passages: picked, bestCoverage, bestDense, unknownNames, documents, mode: denseHits.length ? 'hybrid' : 'lexical' };
}

/**
 * The articles of the picked passages, best first: each list ranks articles by its own scores (BM25: best passage
 * plus a share of the second; cosine: best passage), and the two rankings are fused by reciprocal rank, as passages are.
 * `candidates` are all the passages either list found, each with the scores it had there.
 */
function rankDocuments(picked: ScoredPassage[], candidates: ScoredPassage[]): string[] {
  const docs = new Set(picked.map((p) => p.passage.docId));
  const lexical = new Map<string, number[]>();
  const dense = new Map<string, number[]>();
  for (const c of candidates) {
    const d = c.passage.docId;
    if (!docs.has(d)) continue;
    if (c.lexicalScore !== undefined) (lexical.get(d) ?? lexical.set(d, []).get(d)!).push(c.lexicalScore);
    if (c.denseScore !== undefined) (dense.get(d) ?? dense.set(d, []).get(d)!).push(c.denseScore);
  }
  const fused = new Map<string, number>();
  const fuse = (scores: Map<string, number[]>, combine: (s: number[]) => number) => {
    const order = [...scores].map(([d, s]) => [d, combine(s.sort((a, b) => b - a))] as const).sort((a, b) => b[1] - a[1]);
    order.forEach(([d], rank) => fused.set(d, (fused.get(d) ?? 0) + 1 / (RRF_K + rank + 1)));
  };
  fuse(lexical, (s) => s[0] + SECOND_PASSAGE * (s[1] ?? 0));
  fuse(dense, (s) => s[0]);
  const first = new Map<string, number>();
  picked.forEach((p, i) => first.has(p.passage.docId) || first.set(p.passage.docId, i));
  return [...docs].sort((a, b) => (fused.get(b) ?? 0) - (fused.get(a) ?? 0) || first.get(a)! - first.get(b)!);
}

/** Jaccard similarity of two passages' terms ≥ NEAR_DUPLICATE: a syndicated copy of the same text. */
function nearDuplicate(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  if (small.size < NEAR_DUPLICATE * large.size) return false;
  let inter = 0;
  for (const t of small) if (large.has(t)) inter++;
  return inter / (a.size + b.size - inter || 1) >= NEAR_DUPLICATE;
}
