/**
 * Other libraries doing citebot's retrieval step on the same passages (and, for the dense path, the same
 * vectors), for like-with-like latency and recall comparisons:
 *  - lexical: MiniSearch (default tokenizer and BM25+ scoring), MiniSearch fed citebot's own analyzer, and
 *    Orama (tokenizer language "russian": its default "english" splitter drops every Cyrillic letter);
 *  - dense: LangChain.js MemoryVectorStore (exact cosine over all vectors).
 * Each peer answers "the 5 best passages for this question".
 */
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import MiniSearch, { type Options } from 'minisearch';
import type { SqliteIndex } from '../../src/index/sqlite.js';
import { analyze } from '../../src/text/analyze.js';
import type { Passage } from '../../src/types.js';

export interface LexicalPeer {
  name: string;
  buildMs: number;
  /** Passage ids of the best `k` passages, best first. */
  search(question: string, k: number): Promise<number[]> | number[];
}

export interface DensePeer {
  name: string;
  buildMs: number;
  search(vector: Float32Array, k: number): Promise<number[]>;
}

/** A MiniSearch index of the passages under `name`, built with `options` (fields and ids are the same for all). */
function miniSearchOver(name: string, passages: Passage[], options: Omit<Options<{ id: number; text: string }>, 'fields' | 'idField'> = {}): LexicalPeer {
  const t0 = performance.now();
  const ms = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], idField: 'id', ...options });
  ms.addAll(passages.map((p) => ({ id: p.id, text: p.text })));
  return {
    name,
    buildMs: performance.now() - t0,
    search: (q, k) =>
      ms
        .search(q)
        .slice(0, k)
        .map((r) => r.id as number),
  };
}

export async function miniSearchPeer(passages: Passage[]): Promise<LexicalPeer> {
  return miniSearchOver('minisearch', passages);
}

/** MiniSearch with citebot's analyzer (stemming, stopwords): the engine compared, not the text analysis. */
export async function miniSearchStemPeer(passages: Passage[], analyzer: SqliteIndex['lexical']['analyzer']): Promise<LexicalPeer> {
  return miniSearchOver('minisearch_citebot_analyzer', passages, {
    tokenize: (text) => analyze(text, analyzer),
    processTerm: (t) => t,
    searchOptions: { tokenize: (q) => analyze(q, analyzer, { dropStopwords: true }), processTerm: (t) => t },
  });
}

export async function oramaPeer(passages: Passage[]): Promise<LexicalPeer> {
  const t0 = performance.now();
  const db = create({
    schema: { text: 'string', pid: 'number' } as const,
    components: { tokenizer: { language: 'russian' } },
  });
  await insertMultiple(
    db,
    passages.map((p) => ({ text: p.text, pid: p.id })),
    1000,
  );
  return {
    name: 'orama',
    buildMs: performance.now() - t0,
    search: async (q, k) => {
      const r = await oramaSearch(db, { term: q, properties: ['text'], limit: k });
      return r.hits.map((h) => (h.document as { pid: number }).pid);
    },
  };
}

/** Never called: the store is filled with ready vectors and searched by vector. */
class NoEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  async embedDocuments(): Promise<number[][]> {
    throw new Error('not used');
  }
  async embedQuery(): Promise<number[]> {
    throw new Error('not used');
  }
}

export async function memoryVectorStorePeer(passages: Passage[], vectorOf: (id: number) => number[]): Promise<DensePeer> {
  const t0 = performance.now();
  const store = new MemoryVectorStore(new NoEmbeddings());
  const vectors: number[][] = [];
  const docs: Document[] = [];
  for (const p of passages) {
    vectors.push(vectorOf(p.id));
    docs.push(new Document({ pageContent: p.text, metadata: { pid: p.id } }));
  }
  await store.addVectors(vectors, docs);
  return {
    name: 'langchain_memory',
    buildMs: performance.now() - t0,
    search: async (v, k) => {
      const r = await store.similaritySearchVectorWithScore(Array.from(v), k);
      return r.map(([d]) => d.metadata.pid as number);
    },
  };
}

/** Exact cosine top-k over the same vectors (what an approximate index is measured against). */
export function exactTopK(v: Float32Array, ids: number[], vectorOf: (id: number) => number[], k: number): number[] {
  const scored: Array<[number, number]> = [];
  for (const id of ids) {
    const u = vectorOf(id);
    let dot = 0;
    let nu = 0;
    let nv = 0;
    for (let d = 0; d < u.length; d++) {
      dot += u[d] * v[d];
      nu += u[d] * u[d];
      nv += v[d] * v[d];
    }
    scored.push([id, dot / (Math.sqrt(nu * nv) || 1)]);
  }
  scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return scored.slice(0, k).map((s) => s[0]);
}

/** Reads the stored vectors back out of the HNSW files (hnswlib keeps them normalised for cosine). */
export function storedVectors(index: SqliteIndex): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const part of index.vectors?.parts ?? []) {
    for (const id of part.labels()) {
      const v = part.vectorOf(id);
      if (v && index.passage(id)) out.set(id, v);
    }
  }
  return out;
}
