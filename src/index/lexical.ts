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
 * BM25 scoring, shared by every backing: term at a time into a score buffer indexed by passage id (cleared by a
 * stamp per search, not by a fill), then the best `limit` of the passages touched. `norm(id)` is the passage's
 * length normalisation, or NaN when the passage is gone (a deletion marker): such postings are skipped.
 */
export class Bm25Scorer {
  private scores = new Float64Array(0);
  private stamp = new Uint32Array(0);
  private now = 0;

  constructor(private readonly norm: (id: number) => number) {}

  search(terms: readonly ScoredTerm[], limit: number): LexicalHit[] {
    const touched: number[] = [];
    const k1p1 = BM25_K1 + 1;
    if (++this.now >= 0xffffffff) {
      this.stamp.fill(0);
      this.now = 1;
    }
    for (const { lists, w } of terms) {
      for (const { ids, tfs } of lists) {
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i];
          const norm = this.norm(id);
          if (norm !== norm) continue; // deleted
          if (id >= this.scores.length) this.grow(id);
          if (this.stamp[id] !== this.now) {
            this.stamp[id] = this.now;
            this.scores[id] = 0;
            touched.push(id);
          }
          const tf = tfs[i];
          this.scores[id] += (w * tf * k1p1) / (tf + norm);
        }
      }
    }
    return bestOf(touched, this.scores, limit);
  }

  private grow(id: number): void {
    const size = Math.max(id + 1, this.scores.length * 2, 1024);
    const scores = new Float64Array(size);
    scores.set(this.scores);
    const stamp = new Uint32Array(size);
    stamp.set(this.stamp);
    this.scores = scores;
    this.stamp = stamp;
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
  private readonly scorer = new Bm25Scorer((id) => {
    const len = this.lengths.get(id);
    return len === undefined ? NaN : lengthNorm(len, this.totalLength / this.lengths.size);
  });

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
    return scored.length ? this.scorer.search(scored, limit) : [];
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
