import type { AnalyzerName } from '../text/analyze.js';
import type { ArticleMeta, Passage } from '../types.js';

/**
 * The boundary between answering and the index store. Retrieval, composing, the CLI and the bot read an index only
 * through these interfaces, never through file formats, so the backing (files on disk today; SQLite and per-segment
 * HNSW files, or a distributed engine: docs/scaling.md) can change under them.
 *
 * Nothing here walks all passages or the whole vocabulary per question: that is what keeps 100,000 articles cheap.
 */

export interface LexicalHit {
  id: number;
  score: number;
}

/** An analysed term of a query with its weight in the query (the question's own terms 1, expansions less). */
export interface QueryTerm {
  term: string;
  weight: number;
}

/** BM25 over pre-analysed terms (the analyzer lives in src/text; the store keeps whatever terms it gives). */
export interface LexicalReader {
  readonly analyzer: AnalyzerName;
  readonly passageCount: number;
  /** Passages holding the term; 0 when absent. */
  df(term: string): number;
  /** BM25+ inverse document frequency of the term (never negative), the one `search` scores with. */
  idf(term: string): number;
  /**
   * The `limit` best passages, best first (equal scores: lower id first): per passage the sum over the terms it
   * holds of idf · weight · tf · (k1 + 1) / (tf + k1 · (1 − b + b · length / avgLength)).
   */
  search(terms: ReadonlyArray<QueryTerm>, limit: number): LexicalHit[];
  /**
   * The terms that `kind`'s key function (src/text/term-keys.ts, applied when the index is built) maps to `key`,
   * sorted: an indexed lookup, never a walk over the vocabulary. Terms of deleted passages stay until
   * their postings are merged away, as with `df`.
   */
  termsByKey(kind: string, key: string): readonly string[];
}

export interface VectorHit {
  id: number;
  /** Cosine similarity. */
  score: number;
}

export interface DenseReader {
  readonly dim: number;
  /** Live (not deleted) vectors. */
  readonly count: number;
  /** The k nearest passages by cosine similarity, best first. */
  search(vector: Float32Array, k: number): VectorHit[];
}

export interface ModelInfo {
  id: string;
  dtype: string;
  dim: number;
}

export interface DocumentEntry {
  meta: ArticleMeta;
  passageIds: number[];
  /** Size and modification time of the file when it was indexed: an unchanged pair means "not read again". */
  size?: number;
  mtimeMs?: number;
}

/** What an index says about itself (for /about, `info()` and the rebuild decision). */
export interface IndexInfo {
  builtAt: string;
  analyzer: AnalyzerName;
  analyzerVersion: number;
  /** The embedding model of the vectors, or null for a lexical-only index. */
  model: ModelInfo | null;
  documents: number;
  passages: number;
}

/**
 * One consistent state of the index, as answering reads it: it never changes once opened (a rebuild makes a new
 * one; a question in flight keeps the one it started with).
 */
export interface IndexReader {
  /** Names this state; a different value means a different index. */
  readonly generation: string;
  readonly info: IndexInfo;
  readonly lexical: LexicalReader;
  readonly vectors: DenseReader | null;
  passage(id: number): Passage | undefined;
  document(docId: string): DocumentEntry | undefined;
  /** Every document with its metadata, in id order: for listings (/sources), not per question. */
  documents(): Iterable<[string, ArticleMeta]>;
  /**
   * Every document's file stamp (size and modification time when indexed), without its metadata: what a check
   * for "articles changed since the index was built" compares against (100,000 documents in ~0.1 s).
   */
  stamps(): ReadonlyMap<string, { size?: number; mtimeMs?: number }>;
  /** The files the last build skipped (unreadable), with their stamps when skipped. */
  skipped?(): ReadonlyMap<string, { size: number; mtimeMs: number }>;
  /** Lets go of what it holds (a database snapshot); called once no question reads it any more. */
  close?(): void;
}

/**
 * Where indexes live: what the answering service holds instead of a directory. It opens the current state, tells
 * cheaply whether that state changed, and says when it does (hot reload without a restart).
 */
export interface Store {
  /** The name of the current state, without opening it; null when there is no index yet. */
  generation(): Promise<string | null>;
  /** What the current index says about itself, without opening it (e.g. to load its model meanwhile). */
  peek(): Promise<IndexInfo | null>;
  /** Opens the current state. Throws IndexMissingError when there is none (or it cannot be used). */
  open(): Promise<IndexReader>;
  /** Calls `onChange` (debounced) when the current state may have switched; returns a function that stops it. */
  watch(onChange: () => void, onError?: (e: unknown) => void): () => void;
}
