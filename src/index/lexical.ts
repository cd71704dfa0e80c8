import { analyze, type AnalyzerName } from '../text/analyze.js';
import type { LexicalHit, LexicalReader, QueryTerm } from './reader.js';

export type { LexicalHit } from './reader.js';

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** BM25+ style idf of a term in `df` of `n` passages (never negative). */
export function idfOf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Per passage: BM25's length normalisation k1 · (1 − b + b · length / avg). */
export function lengthNorm(length: number, avg: number): number {
  return BM25_K1 * (1 - BM25_B + (BM25_B * length) / avg);
}

/** One stretch of a term's postings: passage ids and their term frequencies, side by side. */
export interface PostingList {
  ids: ArrayLike<number>;
  tfs: ArrayLike<number>;
}

/** A query term as one search scores it: its postings (possibly in several segments) and idf · weight. */
export interface ScoredTerm {
  lists: PostingList[];
  w: number;
}

/**
 * BM25 scoring, shared by every backing. `norms[id]` is the passage's length normalisation, NaN when the passage is
 * gone (a deletion marker) or absent: such postings are skipped. Few postings: term at a time into a score buffer
 * cleared by a stamp, keeping the list of passages touched; many (over 1/8 of the passages): into a buffer cleared
 * once and scanned whole (no list to grow). Either way the best `limit`, equal scores by lower id.
 */
export class Bm25Scorer {
  private scores = new Float64Array(0);
  private stamp = new Uint32Array(0);
  private now = 0;

  constructor(private readonly norms: ArrayLike<number>) {}

  search(terms: readonly ScoredTerm[], limit: number): LexicalHit[] {
    const norms = this.norms;
    const n = norms.length;
    if (this.scores.length < n) {
      this.scores = new Float64Array(n);
      this.stamp = new Uint32Array(n);
      this.now = 0;
    }
    const scores = this.scores;
    const k1p1 = BM25_K1 + 1;
    let postings = 0;
    for (const t of terms) for (const l of t.lists) postings += l.ids.length;
    if (postings * 8 >= n && terms.every((t) => t.w > 0)) {
      // Every contribution is > 0: a score above 0 means "touched".
      scores.fill(0, 0, n);
      for (const { lists, w } of terms) {
        for (const { ids, tfs } of lists) {
          for (let i = 0; i < ids.length; i++) {
            const id = ids[i];
            const norm = norms[id];
            if (norm !== norm || id >= n) continue; // deleted
            const tf = tfs[i];
            scores[id] += (w * tf * k1p1) / (tf + norm);
          }
        }
      }
      const touched: number[] = [];
      for (let id = 0; id < n; id++) if (scores[id] > 0) touched.push(id);
      return bestOf(touched, scores, limit);
    }
    if (++this.now >= 0xffffffff) {
      this.stamp.fill(0);
      this.now = 1;
    }
    const stamp = this.stamp;
    const now = this.now;
    const touched: number[] = [];
    for (const { lists, w } of terms) {
      for (const { ids, tfs } of lists) {
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i];
          const norm = norms[id];
          if (norm !== norm || id >= n) continue; // deleted
          if (stamp[id] !== now) {
            stamp[id] = now;
            scores[id] = 0;
            touched.push(id);
          }
          const tf = tfs[i];
          scores[id] += (w * tf * k1p1) / (tf + norm);
        }
      }
    }
    return bestOf(touched, scores, limit);
  }
}

/** Term frequencies of a passage's analysed terms, in first-seen order; and its length in terms. */
export function termFrequencies(text: string, analyzer: AnalyzerName): { tf: Map<string, number>; length: number } {
  const terms = analyze(text, analyzer);
  const tf = new Map<string, number>();
  for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
  return { tf, length: terms.length };
}

/**
 * BM25 over passages held in memory (one posting map per term): small indexes, tests, and the postings of a
 * segment being built. What is on disk is read through the store's own reader, with the same scorer.
 */
export class LexicalIndex implements LexicalReader {
  private postings = new Map<string, Map<number, number>>();
  private lengths = new Map<number, number>();
  private totalLength = 0;
  private changes = 0;
  /** The scorer for the current state (its norms depend on every passage's length), made when a search needs it. */
  private scorer: { revision: number; scorer: Bm25Scorer } | null = null;

  constructor(readonly analyzer: AnalyzerName) {}

  get passageCount(): number {
    return this.lengths.size;
  }

  get revision(): number {
    return this.changes;
  }

  add(id: number, text: string): void {
    if (this.lengths.has(id)) this.remove(id);
    const { tf, length } = termFrequencies(text, this.analyzer);
    for (const [t, n] of tf) {
      const p = this.postings.get(t);
      if (p) p.set(id, n);
      else this.postings.set(t, new Map([[id, n]]));
    }
    this.lengths.set(id, length);
    this.totalLength += length;
    this.changes++;
  }

  /** Removes a passage; with its text only its own terms are visited. */
  remove(id: number, text?: string): void {
    const len = this.lengths.get(id);
    if (len === undefined) return;
    const terms = text !== undefined ? new Set(analyze(text, this.analyzer)) : this.postings.keys();
    for (const t of terms) {
      const p = this.postings.get(t);
      if (p?.delete(id) && p.size === 0) this.postings.delete(t);
    }
    this.lengths.delete(id);
    this.totalLength -= len;
    this.changes++;
  }

  vocabulary(): IterableIterator<string> {
    return this.postings.keys();
  }

  df(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }

  idf(term: string): number {
    return idfOf(this.df(term), this.lengths.size);
  }

  search(terms: ReadonlyArray<QueryTerm>, limit: number): LexicalHit[] {
    const scored: ScoredTerm[] = [];
    for (const t of terms) {
      const p = this.postings.get(t.term);
      if (!p) continue;
      scored.push({ lists: [{ ids: [...p.keys()], tfs: [...p.values()] }], w: idfOf(p.size, this.lengths.size) * t.weight });
    }
    return scored.length ? this.currentScorer().search(scored, limit) : [];
  }

  private currentScorer(): Bm25Scorer {
    if (this.scorer?.revision !== this.changes) {
      let max = -1;
      for (const id of this.lengths.keys()) if (id > max) max = id;
      const norms = new Float64Array(max + 1).fill(NaN);
      const avg = this.totalLength / this.lengths.size;
      for (const [id, len] of this.lengths) norms[id] = lengthNorm(len, avg);
      this.scorer = { revision: this.changes, scorer: new Bm25Scorer(norms) };
    }
    return this.scorer.scorer;
  }
}

/** A text query as the index analyses it, without stopwords, each term once with weight 1. */
export function textQuery(text: string, analyzer: AnalyzerName): QueryTerm[] {
  return [...new Set(analyze(text, analyzer, { dropStopwords: true }))].map((term) => ({ term, weight: 1 }));
}

/**
 * The best of `ids` by score (higher first, then lower id), as many as sorting them all and slicing to `limit`
 * would keep, without sorting them all: a short ordered list that most candidates do not get into.
 */
export function bestOf(ids: ArrayLike<number>, score: ArrayLike<number>, limit: number): LexicalHit[] {
  const n = Math.min(ids.length, Math.max(0, Math.trunc(limit) || 0));
  if (n <= 0) return [];
  const topIds: number[] = [];
  const topScores: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const s = score[id];
    let j = topIds.length;
    if (j === n) {
      // Full: the candidate must beat the last one kept (higher score, or equal score and lower id).
      const ls = topScores[j - 1];
      if (!(s > ls || (s === ls && id < topIds[j - 1]))) continue;
      j--;
    } else {
      topIds.push(id);
      topScores.push(s);
    }
    while (j > 0 && (s > topScores[j - 1] || (s === topScores[j - 1] && id < topIds[j - 1]))) {
      topIds[j] = topIds[j - 1];
      topScores[j] = topScores[j - 1];
      j--;
    }
    topIds[j] = id;
    topScores[j] = s;
  }
  return topIds.map((id, i) => ({ id, score: topScores[i] }));
}
