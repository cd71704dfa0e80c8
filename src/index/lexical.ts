import { analyze, type AnalyzerName } from '../text/analyze.js';
import type { LexicalHit, LexicalReader, QueryTerm } from './reader.js';

export type { LexicalHit } from './reader.js';

export interface LexicalSnapshot {
  analyzer: AnalyzerName;
  /** term → flat [passageId, termFrequency, passageId, termFrequency, …] */
  postings: Record<string, number[]>;
  /** passageId → length in terms */
  lengths: Record<string, number>;
}

/** A term's postings as typed arrays, with what searches derive from them (kept until the postings change). */
interface Packed {
  ids: Int32Array;
  tfs: Float64Array;
  /** Per posting, tf · (k1 + 1) / (tf + norm): its BM25 score before the term weight; for `impactNorms`. */
  impacts?: Float64Array;
  /** Whether every impact is > 0 (not so only in a hand-made snapshot with odd term frequencies). */
  impactsPositive?: boolean;
  impactNorms?: Float64Array;
}

/**
 * A term's postings (passage id → term frequency), in insertion order, held either as two typed arrays (compact:
 * what a loaded index has and what search scans) or as a Map (what edits need). Each form is made from the other
 * on demand, so a loaded index that is only searched never builds millions of Map entries.
 */
class TermPostings {
  private map: Map<number, number> | null;
  private arrays: Packed | null;

  constructor(map: Map<number, number> | null, arrays: Packed | null = null) {
    this.map = map;
    this.arrays = arrays;
  }

  get size(): number {
    return this.map ? this.map.size : this.arrays!.ids.length;
  }

  /** The typed-array form (made from the map once after each change). */
  packed(): Packed {
    if (this.arrays) return this.arrays;
    const m = this.map!;
    const ids = new Int32Array(m.size);
    const tfs = new Float64Array(m.size);
    let i = 0;
    for (const [id, tf] of m) {
      ids[i] = id;
      tfs[i++] = tf;
    }
    return (this.arrays = { ids, tfs });
  }

  /** The map form, for an edit; the arrays are dropped (they are made again for the next search). */
  private mutable(): Map<number, number> {
    if (!this.map) {
      const { ids, tfs } = this.arrays!;
      this.map = new Map();
      for (let i = 0; i < ids.length; i++) this.map.set(ids[i], tfs[i]);
    }
    this.arrays = null;
    return this.map;
  }

  set(id: number, tf: number): void {
    this.mutable().set(id, tf);
  }

  /** Removes `id`; false when it was not there (then nothing changes, in either form). */
  delete(id: number): boolean {
    if (!this.map && this.arrays!.ids.indexOf(id) < 0) return false;
    return this.mutable().delete(id);
  }

  /** Every (id, tf) in insertion order, exactly as stored (the arrays only ever hold int32 ids). */
  forEach(fn: (id: number, tf: number) => void): void {
    if (this.map) for (const [id, tf] of this.map) fn(id, tf);
    else {
      const { ids, tfs } = this.arrays!;
      for (let i = 0; i < ids.length; i++) fn(ids[i], tfs[i]);
    }
  }

  /** [id, tf, id, tf, …] in insertion order. */
  flat(): number[] {
    const out: number[] = [];
    this.forEach((id, tf) => out.push(id, tf));
    return out;
  }
}

/**
 * BM25 over passages, kept as plain postings so that it serialises to JSON and updates in place:
 * adding or removing a document touches only its own passages' terms.
 */
export class LexicalIndex implements LexicalReader {
  private postings = new Map<string, TermPostings>();
  private lengths = new Map<number, number>();
  private totalLength = 0;

  // Search-side caches, dropped when what they cover changes: per passage the BM25 length normalisation, and
  // the score buffers.
  private norms: Float64Array | null = null;
  private normsAvg = NaN;
  private scoreBuf = new Float64Array(0);
  private stamp = new Uint32Array(0);
  private stampNow = 0;
  private changes = 0;

  constructor(
    readonly analyzer: AnalyzerName,
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {}

  get size(): number {
    return this.lengths.size;
  }

  get passageCount(): number {
    return this.lengths.size;
  }

  /** Counts additions and removals: what was derived from the index (a query's expansions) holds while it stays. */
  get revision(): number {
    return this.changes;
  }

  has(id: number): boolean {
    return this.lengths.has(id);
  }

  add(id: number, text: string): void {
    if (this.lengths.has(id)) this.remove(id);
    const terms = analyze(text, this.analyzer);
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      const p = this.postings.get(t);
      if (p) p.set(id, n);
      else this.postings.set(t, new TermPostings(new Map([[id, n]])));
    }
    this.lengths.set(id, terms.length);
    this.totalLength += terms.length;
    this.norms = null;
    this.changes++;
  }

  remove(id: number, text?: string): void {
    const len = this.lengths.get(id);
    if (len === undefined) return;
    // With the text, only its terms are visited; without, every posting list (slower, still correct).
    const terms = text !== undefined ? new Set(analyze(text, this.analyzer)) : this.postings.keys();
    for (const t of terms) {
      const p = this.postings.get(t);
      if (p?.delete(id) && p.size === 0) this.postings.delete(t);
    }
    this.lengths.delete(id);
    this.totalLength -= len;
    this.norms = null;
    this.changes++;
  }

  vocabulary(): IterableIterator<string> {
    return this.postings.keys();
  }

  df(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }

  /** Inverse document frequency of an analysed term (BM25+ style, never negative). */
  idf(term: string): number {
    return idfOf(this.df(term), this.lengths.size);
  }

  /**
   * The `limit` best passages for the terms, best first (equal scores: lower id first). A passage's score is
   * BM25: the sum over the terms it contains, in the query's order, of idf · weight · tf · (k1 + 1) / (tf + norm).
   */
  search(terms: ReadonlyArray<QueryTerm>, limit: number): LexicalHit[] {
    const found: Array<{ postings: TermPostings; weight: number }> = [];
    for (const t of terms) {
      const postings = this.postings.get(t.term);
      if (postings) found.push({ postings, weight: t.weight });
    }
    if (!found.length || !this.lengths.size) return [];
    const avg = this.totalLength / this.lengths.size;
    const norms = this.normsFor(avg);
    if (!norms) return this.searchSparse(found, limit, avg);
    const plan: ScoringTerm[] = [];
    let positive = true;
    let postings = 0;
    const n = this.lengths.size;
    for (const t of found) {
      const p = t.postings.packed();
      const w = idfOf(p.ids.length, n) * t.weight;
      const impacts = this.impactsOf(p, norms);
      if (!(w > 0) || !p.impactsPositive) positive = false;
      plan.push({ w, ids: p.ids, impacts });
      postings += p.ids.length;
    }
    // Few postings: only the touched ids are kept and ranked.
    if (!positive || postings * 8 < norms.length) return this.searchTouched(plan, limit);
    // Many: term at a time into a buffer cleared once; every contribution is > 0, so a score above 0 means "touched".
    // (MaxScore pruning was tried: on topic-homogeneous corpora, where the top scores are flat, it skipped little
    // and cost more than it saved.)
    const size = norms.length;
    const scores = this.scoreBuf;
    scores.fill(0, 0, size);
    for (const { w, ids, impacts } of plan) {
      for (let i = 0; i < ids.length; i++) scores[ids[i]] += w * impacts[i];
    }
    return bestOfDense(scores, size, limit);
  }

  /** Scores kept with the list of ids touched (needed too when a weight is not positive: a hit may score ≤ 0). */
  private searchTouched(plan: ScoringTerm[], limit: number): LexicalHit[] {
    const scores = this.scoreBuf;
    const stamp = this.stamp;
    const now = this.nextStamp();
    const touched: number[] = [];
    for (const { w, ids, impacts } of plan) {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        if (stamp[id] !== now) {
          stamp[id] = now;
          scores[id] = 0;
          touched.push(id);
        }
        scores[id] += w * impacts[i];
      }
    }
    return bestOf(touched, scores, limit);
  }

  /** The per-posting BM25 factors of a term for the current length norms, computed once per index state. */
  private impactsOf(p: Packed, norms: Float64Array): Float64Array {
    if (p.impacts && p.impactNorms === norms) return p.impacts;
    const { ids, tfs } = p;
    const k1p1 = this.k1 + 1;
    const impacts = new Float64Array(ids.length);
    let positive = true;
    for (let i = 0; i < ids.length; i++) {
      const tf = tfs[i];
      const v = (tf * k1p1) / (tf + norms[ids[i]]);
      impacts[i] = v;
      if (!(v > 0)) positive = false;
    }
    p.impactsPositive = positive;
    p.impacts = impacts;
    p.impactNorms = norms;
    return impacts;
  }

  /** The same scores kept in a map: for ids that a dense buffer cannot hold (negative, fractional or huge). */
  private searchSparse(terms: ReadonlyArray<{ postings: TermPostings; weight: number }>, limit: number, avg: number): LexicalHit[] {
    const scores = new Map<number, number>();
    const k1p1 = this.k1 + 1;
    for (const t of terms) {
      const p = t.postings;
      const w = idfOf(p.size, this.lengths.size) * t.weight;
      p.forEach((id, tf) => {
        const len = this.lengths.get(id)!;
        const s = w * ((tf * k1p1) / (tf + this.k1 * (1 - this.b + (this.b * len) / avg)));
        scores.set(id, (scores.get(id) ?? 0) + s);
      });
    }
    return topK(scores, limit);
  }

  /**
   * Per passage id: k1 · (1 − b + b · length / avg), the BM25 length normalisation (computed as `search` always
   * did); null when the ids are not small non-negative integers.
   */
  private normsFor(avg: number): Float64Array | null {
    if (this.norms && this.normsAvg === avg) return this.norms;
    let maxId = 0;
    for (const id of this.lengths.keys()) {
      if (!Number.isInteger(id) || id < 0) return null;
      if (id > maxId) maxId = id;
    }
    if (maxId > 4 * this.lengths.size + 1_000_000) return null;
    const norms = new Float64Array(maxId + 1);
    for (const [id, len] of this.lengths) norms[id] = this.k1 * (1 - this.b + (this.b * len) / avg);
    if (this.scoreBuf.length < maxId + 1) {
      this.scoreBuf = new Float64Array(maxId + 1);
      this.stamp = new Uint32Array(maxId + 1);
      this.stampNow = 0;
    }
    this.norms = norms;
    this.normsAvg = avg;
    return norms;
  }

  private nextStamp(): number {
    if (++this.stampNow >= 0xffffffff) {
      this.stamp.fill(0);
      this.stampNow = 1;
    }
    return this.stampNow;
  }

  toJSON(): LexicalSnapshot {
    const postings: Record<string, number[]> = {};
    for (const [t, p] of this.postings) postings[t] = p.flat();
    const lengths: Record<string, number> = {};
    for (const [id, n] of this.lengths) lengths[id] = n;
    return { analyzer: this.analyzer, postings, lengths };
  }

  static fromJSON(s: LexicalSnapshot): LexicalIndex {
    const idx = new LexicalIndex(s.analyzer);
    const entries = Object.entries(s.postings);
    // Postings are kept as typed arrays when they can be exactly: small non-negative integer ids, each once per
    // term (always so for a snapshot from toJSON). Anything else is read into a map, as it always was.
    let maxId = -1;
    let dense = true;
    for (const [, flat] of entries) {
      if (flat.length % 2) continue;
      for (let i = 0; i < flat.length; i += 2) {
        const id = flat[i];
        if (!(Number.isInteger(id) && id >= 0 && id <= 0x7fffffff)) dense = false;
        else if (id > maxId) maxId = id;
      }
    }
    if (maxId > 4 * (entries.length + Object.keys(s.lengths).length) + 1_000_000) dense = false;
    const lastTerm = dense ? new Uint32Array(maxId + 1) : null;
    entries.forEach(([t, flat], k) => {
      const n = flat.length >> 1;
      let packable = lastTerm !== null && flat.length % 2 === 0;
      if (packable) {
        for (let i = 0; i < flat.length; i += 2) {
          const id = flat[i];
          if (!Number.isInteger(id) || id < 0 || id > maxId || lastTerm![id] === k + 1 || typeof flat[i + 1] !== 'number') {
            packable = false;
            break;
          }
          lastTerm![id] = k + 1;
        }
      }
      if (packable) {
        const ids = new Int32Array(n);
        const tfs = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          ids[i] = flat[2 * i];
          tfs[i] = flat[2 * i + 1];
        }
        idx.postings.set(t, new TermPostings(null, { ids, tfs }));
      } else {
        const m = new Map<number, number>();
        for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
        idx.postings.set(t, new TermPostings(m));
      }
    });
    for (const [id, n] of Object.entries(s.lengths)) {
      idx.lengths.set(Number(id), n);
      idx.totalLength += n;
    }
    return idx;
  }
}

/** BM25+ style idf of a term in `df` of `n` passages (never negative). */
function idfOf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** A term as one search scores it: its weight (idf · query weight) and per-posting impacts. */
interface ScoringTerm {
  w: number;
  ids: Int32Array;
  impacts: Float64Array;
}

/** A text query as the index analyses it, without stopwords, each term once with weight 1. */
export function textQuery(text: string, analyzer: AnalyzerName): QueryTerm[] {
  return [...new Set(analyze(text, analyzer, { dropStopwords: true }))].map((term) => ({ term, weight: 1 }));
}

/** The `limit` best entries of a score map, best first; ties broken by id for determinism. */
export function topK(scores: Map<number, number>, limit: number): LexicalHit[] {
  const ids = [...scores.keys()];
  return bestOf(ids, (id) => scores.get(id)!, limit);
}

/** bestOf over the ids 0…n-1 whose score is above 0 (all of them touched by a search with positive weights). */
function bestOfDense(scores: Float64Array, n: number, limit: number): LexicalHit[] {
  // A limit below 1 (as in `slice`) depends on how many were touched: counted first only then.
  let cap = limit >= 1 ? Math.trunc(limit) : 0;
  if (!(limit >= 1) && !Number.isNaN(limit)) {
    let count = 0;
    for (let id = 0; id < n; id++) if (scores[id] > 0) count++;
    cap = sliceLength(count, limit);
  }
  if (cap <= 0) return [];
  const topIds: number[] = [];
  const topScores: number[] = [];
  // The bar to get in: above 0 (touched) until `cap` are kept, then above the last one kept. Ids come in
  // increasing order, so an equal score never displaces an earlier (lower) id.
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

/** How many of `count` sorted entries `list.slice(0, limit)` keeps. */
function sliceLength(count: number, limit: number): number {
  const end = Number.isNaN(limit) ? 0 : Math.trunc(limit);
  return end < 0 ? Math.max(0, count + end) : Math.min(end, count);
}

/**
 * The best of `ids` by score (higher first, then lower id), as many as sorting them all and slicing to `limit`
 * would keep, without sorting them all: a short ordered list that most candidates do not get into.
 */
function bestOf(ids: ArrayLike<number>, score: ArrayLike<number> | ((id: number) => number), limit: number): LexicalHit[] {
  const n = sliceLength(ids.length, limit);
  if (n <= 0) return [];
  const scoreOf = typeof score === 'function' ? score : (id: number) => score[id];
  const topIds: number[] = [];
  const topScores: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const s = scoreOf(id);
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
