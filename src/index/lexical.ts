import { analyze, type AnalyzerName } from '../text/analyze.js';
import { TERM_KEYS, type TermKeyKind } from '../text/term-keys.js';
import type { LexicalHit, LexicalReader, QueryTerm } from './reader.js';

export type { LexicalHit } from './reader.js';

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** BM25+ style idf of a term in `df` of `n` passages (never negative). */
export function idfOf(df: number, n: number): number {
  // df may still count passages deleted since the last merge: never more than n, so never negative.
  const d = Math.min(df, n);
  return Math.log(1 + (n - d + 0.5) / (d + 0.5));
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

/**
 * A posting list as a search scores it: per posting its BM25 factor tf · (k1 + 1) / (tf + norm) before the term
 * weight (NaN for a deleted passage), and the largest of them. Made once per list and index state.
 */
export interface ImpactList {
  ids: ArrayLike<number>;
  impacts: Float32Array;
  max: number;
}

export function impactsOf({ ids, tfs }: PostingList, norms: ArrayLike<number>): ImpactList {
  const impacts = new Float32Array(ids.length);
  const k1p1 = BM25_K1 + 1;
  let max = 0;
  for (let i = 0; i < ids.length; i++) {
    const tf = tfs[i];
    const v = (tf * k1p1) / (tf + norms[ids[i]]);
    impacts[i] = v;
    if (v > max) max = v;
  }
  return { ids, impacts, max };
}

/** A query term as one search scores it: its postings (possibly in several segments) and idf · weight. */
export interface ScoredTerm {
  lists: ImpactList[];
  w: number;
}

/**
 * BM25 scoring, shared by every backing, over impact lists (the per-posting factor precomputed; NaN: deleted).
 * Few postings: term at a time into a score buffer cleared by a stamp, keeping the list of passages touched; many
 * (over 1/8 of the passages): into a buffer cleared once and scanned whole. Either way the best `limit`, equal
 * scores by lower id. (MaxScore pruning was tried again on the 100k synthetic corpus: the 40th score is close to
 * the best there, so ~280k candidates survived the bar and looking them up cost 3× the plain pass.)
 */
export class Bm25Scorer {
  private scores = new Float64Array(0);
  private stamp = new Uint32Array(0);
  private now = 0;

  /** `size`: one more than the largest passage id. */
  constructor(private readonly size: number) {}

  search(terms: readonly ScoredTerm[], limit: number): LexicalHit[] {
    const n = this.size;
    if (this.scores.length < n) {
      this.scores = new Float64Array(n);
      this.stamp = new Uint32Array(n);
      this.now = 0;
    }
    const scores = this.scores;
    let postings = 0;
    for (const t of terms) for (const l of t.lists) postings += l.ids.length;
    if (postings * 8 >= n && terms.every((t) => t.w > 0)) {
      // Every contribution is > 0: a score above 0 means "touched".
      scores.fill(0, 0, n);
      for (const { lists, w } of terms) {
        for (const { ids, impacts } of lists) {
          for (let i = 0; i < ids.length; i++) {
            const v = impacts[i];
            if (v === v) scores[ids[i]] += w * v; // NaN: deleted
          }
        }
      }
      return bestOfDense(scores, n, limit);
    }
    if (++this.now >= 0xffffffff) {
      this.stamp.fill(0);
      this.now = 1;
    }
    const stamp = this.stamp;
    const now = this.now;
    const touched: number[] = [];
    for (const { lists, w } of terms) {
      for (const { ids, impacts } of lists) {
        for (let i = 0; i < ids.length; i++) {
          const v = impacts[i];
          if (v !== v) continue; // deleted
          const id = ids[i];
          if (stamp[id] !== now) {
            stamp[id] = now;
            scores[id] = 0;
            touched.push(id);
          }
          scores[id] += w * v;
        }
      }
    }
    return bestOf(touched, scores, limit);
  }
}

/** bestOf over the ids 0…n−1 with a score above 0, without listing them: ids come in increasing order. */
function bestOfDense(scores: Float64Array, n: number, limit: number): LexicalHit[] {
  const cap = Math.max(0, Math.trunc(limit) || 0);
  if (!cap) return [];
  const topIds: number[] = [];
  const topScores: number[] = [];
  // The bar to get in: above 0 (touched) until `cap` are kept, then above the last one kept (an equal score never
  // displaces an earlier, lower id).
  let worst = 0;
  for (let id = 0; id < n; id++) {
    const s = scores[id];
    if (!(s > worst)) continue;
    let j = topIds.length;
    if (j === cap) j--;
    else {
      topIds.push(id);
      topScores.push(s);
    }
    while (j > 0 && s > topScores[j - 1]) {
      topIds[j] = topIds[j - 1];
      topScores[j] = topScores[j - 1];
      j--;
    }
    topIds[j] = id;
    topScores[j] = s;
    if (topIds.length === cap) worst = topScores[cap - 1];
  }
  return topIds.map((id, i) => ({ id, score: topScores[i] }));
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
  private scorer: { revision: number; scorer: Bm25Scorer; norms: Float64Array } | null = null;

  constructor(readonly analyzer: AnalyzerName) {}

  get passageCount(): number {
    return this.lengths.size;
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

  /** A walk over the vocabulary: this index is small (the store's reader looks keys up in a table). */
  termsByKey(kind: string, key: string): string[] {
    const keyOf = TERM_KEYS[kind as TermKeyKind];
    if (!keyOf) return [];
    return [...this.postings.keys()].filter((t) => keyOf(t) === key).sort();
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
      const ids = [...p.keys()];
      scored.push({ lists: [impactsOf({ ids, tfs: ids.map((id) => p.get(id)!) }, this.current().norms)], w: idfOf(p.size, this.lengths.size) * t.weight });
    }
    return scored.length ? this.current().scorer.search(scored, limit) : [];
  }

  private current(): { scorer: Bm25Scorer; norms: Float64Array } {
    if (this.scorer?.revision !== this.changes) {
      let max = -1;
      for (const id of this.lengths.keys()) if (id > max) max = id;
      const norms = new Float64Array(max + 1).fill(NaN);
      const avg = this.totalLength / this.lengths.size;
      for (const [id, len] of this.lengths) norms[id] = lengthNorm(len, avg);
      this.scorer = { revision: this.changes, scorer: new Bm25Scorer(norms.length), norms };
    }
    return this.scorer;
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
