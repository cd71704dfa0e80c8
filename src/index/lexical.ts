import { analyze, type AnalyzerName } from '../text/analyze.js';

export interface LexicalHit {
  id: number;
  score: number;
}

export interface LexicalSnapshot {
  analyzer: AnalyzerName;
  /** term → flat [passageId, termFrequency, passageId, termFrequency, …] */
  postings: Record<string, number[]>;
  /** passageId → length in terms */
  lengths: Record<string, number>;
}

/**
 * BM25 over passages, kept as plain postings so that it serialises to JSON and updates in place:
 * adding or removing a document touches only its own passages' terms.
 */
export class LexicalIndex {
  private postings = new Map<string, Map<number, number>>();
  private lengths = new Map<number, number>();
  private totalLength = 0;

  constructor(
    readonly analyzer: AnalyzerName,
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {}

  get size(): number {
    return this.lengths.size;
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
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = new Map()));
      p.set(id, n);
    }
    this.lengths.set(id, terms.length);
    this.totalLength += terms.length;
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
  }

  /** Number of passages containing an analysed term. */
  df(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }

  vocabulary(): IterableIterator<string> {
    return this.postings.keys();
  }

  /** Inverse document frequency of an analysed term (BM25+ style, never negative). */
  idf(term: string): number {
    const df = this.postings.get(term)?.size ?? 0;
    const n = this.lengths.size;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Terms of a query as this index analyses them, without stopwords. */
  queryTerms(query: string): string[] {
    return [...new Set(analyze(query, this.analyzer, { dropStopwords: true }))];
  }

  search(query: string | string[], limit: number, weights?: Map<string, number>): LexicalHit[] {
    const terms = typeof query === 'string' ? this.queryTerms(query) : query;
    if (!terms.length || !this.lengths.size) return [];
    const avg = this.totalLength / this.lengths.size;
    const scores = new Map<number, number>();
    for (const t of terms) {
      const p = this.postings.get(t);
      if (!p) continue;
      const w = this.idf(t) * (weights?.get(t) ?? 1);
      for (const [id, tf] of p) {
        const len = this.lengths.get(id)!;
        const s = (w * tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * len) / avg));
        scores.set(id, (scores.get(id) ?? 0) + s);
      }
    }
    return topK(scores, limit);
  }

  toJSON(): LexicalSnapshot {
    const postings: Record<string, number[]> = {};
    for (const [t, p] of this.postings) {
      const flat: number[] = [];
      for (const [id, n] of p) flat.push(id, n);
      postings[t] = flat;
    }
    const lengths: Record<string, number> = {};
    for (const [id, n] of this.lengths) lengths[id] = n;
    return { analyzer: this.analyzer, postings, lengths };
  }

  static fromJSON(s: LexicalSnapshot): LexicalIndex {
    const idx = new LexicalIndex(s.analyzer);
    for (const [t, flat] of Object.entries(s.postings)) {
      const p = new Map<number, number>();
      for (let i = 0; i < flat.length; i += 2) p.set(flat[i], flat[i + 1]);
      idx.postings.set(t, p);
    }
    for (const [id, n] of Object.entries(s.lengths)) {
      idx.lengths.set(Number(id), n);
      idx.totalLength += n;
    }
    return idx;
  }
}

/** The `limit` best entries of a score map, best first; ties broken by id for determinism. */
export function topK(scores: Map<number, number>, limit: number): LexicalHit[] {
  const all: LexicalHit[] = [];
  for (const [id, score] of scores) all.push({ id, score });
  all.sort((a, b) => b.score - a.score || a.id - b.id);
  return all.slice(0, limit);
}
